"""ModelPanel: pick a bundled checkpoint (or open a file) and read its card."""

from __future__ import annotations

import html
import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from jepa_explorer.app.messages import RANDOM_INIT
from jepa_explorer.gui import style


class ModelPanel(QWidget):
    checkpointChosen = Signal(str)  # a path or RANDOM_INIT
    openFileRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.choice = QComboBox()
        self.choice.setToolTip("Bundled checkpoints; choose one to load it")
        self.choice.activated.connect(self._chosen)
        self.open_button = QPushButton("Open file…")
        self.open_button.setToolTip("Open a checkpoint file (.pth.tar, .safetensors or a bundle folder)")
        self.open_button.clicked.connect(self.openFileRequested)
        row = QHBoxLayout()
        row.addWidget(QLabel("Checkpoint"))
        row.addWidget(self.choice, 1)
        row.addWidget(self.open_button)
        self.warning = QLabel()
        self.warning.setObjectName("banner")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self.card = QLabel("Loading model…")
        self.card.setTextFormat(Qt.RichText)
        self.card.setWordWrap(True)
        self.card.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.card.setTextInteractionFlags(Qt.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.card)
        scroll.setFrameShape(QScrollArea.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.warning)
        layout.addWidget(scroll, 1)

    def bind(self, app) -> None:
        """Show the app model's model; a choice here asks the model for it."""
        app.events.model.connect(self.show_model)
        self.checkpointChosen.connect(app.load_checkpoint)

    def set_choices(self, bundled: list[Path], current: str | None = None) -> None:
        self.choice.clear()
        for path in bundled:
            self.choice.addItem(path.name, str(path))
        self.choice.addItem("Random init (untrained)", RANDOM_INIT)
        if current is not None:
            self.select(current)

    def select(self, source: str) -> None:
        index = self.choice.findData(source)
        if index < 0:
            self.choice.addItem(Path(source).name, source)
            index = self.choice.count() - 1
        self.choice.setCurrentIndex(index)

    def _chosen(self, index: int) -> None:
        self.checkpointChosen.emit(self.choice.itemData(index))

    def show_model(self, info) -> None:
        self.select(info.source)
        if info.untrained:
            self.warning.setText(
                "Untrained model: no bundled checkpoint was found, so this is a randomly initialised "
                "JEPA. Its predictions are meaningless; open a trained checkpoint to learn from them."
            )
        elif not info.has_predictor:
            self.warning.setText("This checkpoint has no predictor: features and PCA work, predictions do not.")
        self.warning.setVisible(info.untrained or not info.has_predictor)
        t, h, w = info.grid_shape
        grid = f"{h}×{w}" if t == 1 else f"{t}×{h}×{w}"
        params = info.parameters or {}
        rows = [
            ("name", info.name),
            ("family", f"{info.family} ({'video' if info.video else 'image'})"),
            ("input", f"{info.img_size} px, patch {info.patch_size} px"),
            ("patch grid", f"{grid} = {t * h * w} patches"),
            ("parameters", ", ".join(f"{k.replace('_', ' ')} {v / 1e6:.2f} M" for k, v in params.items() if v)),
            ("device", info.device),
            ("source", info.source),
        ]
        for key, value in info.card.items():
            if key in ("name", "architecture", "input"):
                continue
            text = value if isinstance(value, str) else json.dumps(value)
            rows.append((key, text if len(text) < 240 else text[:237] + "…"))
        for note in info.notes:
            rows.append(("note", note))
        body = "".join(
            f"<tr><td style='color:{style.MUTED}; padding-right:10px'>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
            for k, v in rows
        )
        self.card.setText(f"<table>{body}</table>")
