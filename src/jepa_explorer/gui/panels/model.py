"""ModelPanel: pick a bundled checkpoint (or open a file) and read its card, as prose (app.model_prose)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from jepa_explorer.app.messages import RANDOM_INIT
from jepa_explorer.app.model_prose import model_sections
from jepa_explorer.gui import style
from jepa_explorer.gui.panels.explain import ExplainButton

HELP = (
    "The model in use, in words: what it sees, what it is made of, how well its predictions beat copying the "
    "context on inputs it never saw, and how and on what it was trained. Pick another bundled checkpoint above, "
    "or open one (.pth.tar, .safetensors, a bundle folder)."
)


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
        self.explain = ExplainButton("Model", HELP)
        row.addWidget(self.explain)
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
        parts = []
        for heading, paragraphs in model_sections(info):
            parts.append(f"<h3 style='margin:10px 0 4px 0; color:{style.TEXT}'>{html.escape(heading)}</h3>")
            parts += [f"<p style='margin:0 0 6px 0'>{html.escape(p)}</p>" for p in paragraphs]
        self.card.setText("".join(parts))
        self.card.setToolTip(f"The card of {info.name} ({info.source})")
