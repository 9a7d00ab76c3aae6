"""The status bar: what the worker is busy with, the model and its device, the last update's latency, and
the self-check (`jepa-explorer doctor` in a child process, never on the UI thread)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QProcess, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox

from jepa_explorer.gui import style
from jepa_explorer.gui.steady_text import SteadyText

BUSY_SHOWN_AFTER_MS = 150  # the status bar names a job only once it has taken this long
DEVICE_LABELS = {"cpu": "CPU", "cuda": "GPU (CUDA)", "mps": "GPU (Apple)"}


class StatusBar(QObject):
    selfCheckFinished = Signal(int)  # the doctor's exit code

    def __init__(self, window, app, worker, device_menu):
        super().__init__(window)
        self.window, self.app, self.device_menu = window, app, device_menu
        bar = window.statusBar()
        self.busy_label = SteadyText("Starting…", template="Moving the model to cuda:0…")
        self.busy_label.set_color(style.WARN)
        self.busy_label.setProperty("busy", True)
        self._busy_text = "Starting…"
        self._idle_text = "Ready"  # what the bar says when nothing is running (a mode may name itself instead)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_SHOWN_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self.model_label = QLabel("model: –")
        self.device_box = QComboBox()
        self.device_box.setToolTip("Where the model runs (CPU, or a GPU where present)")
        self.device_box.activated.connect(lambda i: app.set_device(self.device_box.itemData(i)))
        # room for the longest usual text: a new figure 25 times a second re-lays out nothing (see SteadyText)
        self.latency_label = SteadyText("update: –", template="update: 9999 ms (model 9999 ms)")
        self.latency_label.setToolTip("Time from the mask edit to the result on screen (model time in brackets)")
        bar.addWidget(self.busy_label, 1)
        bar.addPermanentWidget(self.model_label)
        self.device_label = QLabel("device")  # world-model mode hides it with the box (its model runs on the CPU)
        bar.addPermanentWidget(self.device_label)
        bar.addPermanentWidget(self.device_box)
        bar.addPermanentWidget(self.latency_label)
        self._self_check: QProcess | None = None
        self.self_check_report: str | None = None

        worker.busy.connect(self.on_busy)
        app.events.model_requested.connect(lambda _source: self.say("Loading model…"))
        app.events.model.connect(self._on_model)
        app.events.latency.connect(
            lambda ms, model_ms: self.latency_label.setText(f"update: {ms:.0f} ms (model {model_ms:.0f} ms)")
        )
        app.events.status.connect(lambda text: bar.showMessage(text, 8000))

    def say(self, text: str) -> None:
        self.busy_label.setText(text)

    def set_idle_text(self, text: str | None) -> None:
        """What the bar says while nothing runs (the step-through's stage); None: "Ready" again."""
        self._idle_text = text or "Ready"
        if not self._busy_text:
            self._show_busy()

    def _on_model(self, info) -> None:
        self.model_label.setText(f"model: {info.name}")
        self.device_box.clear()
        self.device_menu.clear()
        for name in info.devices:
            label = DEVICE_LABELS.get(name, name)
            self.device_box.addItem(label, name)
            action = self.device_menu.addAction(label)
            action.setToolTip(f"Run the model on {label}")
            action.triggered.connect(lambda _=False, n=name: self.app.set_device(n))
        self.device_box.setCurrentIndex(max(0, self.device_box.findData(info.device.split(":")[0])))

    def on_busy(self, text: str) -> None:
        # a prediction takes tens of ms: saying "Predicting…" and "Ready" around each one would flicker and
        # restyle the status bar 50 times a second during a stroke; a job is named once it has lasted a while
        self._busy_text = text
        if not text:
            self._busy_timer.stop()
            self._show_busy()
        elif not self._busy_timer.isActive():
            self._busy_timer.start()

    def _show_busy(self) -> None:
        text = self._busy_text or self._idle_text
        if self.busy_label.text() != text:
            self.busy_label.setText(text)
        busy = bool(self._busy_text)
        if busy != self.busy_label.property("busy"):
            self.busy_label.setProperty("busy", busy)
            self.busy_label.set_color(style.WARN if busy else style.MUTED)

    # ------------------------------------------------------------------ self-check

    def run_self_check(self) -> None:
        """`jepa-explorer doctor` in a child process; its report in a dialog."""
        from jepa_explorer.doctor import doctor_command

        if self._self_check is not None:
            return
        command = doctor_command()
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.MergedChannels)
        process.finished.connect(lambda code, _status: self._self_check_done(process, code))
        self._self_check = process
        self.on_busy("Running the self-check…")
        process.start(command[0], command[1:])

    def _self_check_done(self, process: QProcess, code: int) -> None:
        self._self_check = None
        self.self_check_report = bytes(process.readAllStandardOutput()).decode(errors="replace")
        self.on_busy("")
        self.window.statusBar().showMessage("Self-check passed" if code == 0 else "Self-check found problems", 8000)
        if self.window.show_dialogs:
            box = QMessageBox(
                QMessageBox.Information if code == 0 else QMessageBox.Warning,
                "Self-check",
                "All checks passed." if code == 0 else "Some checks failed; see the details.",
                parent=self.window,
            )
            box.setDetailedText(self.self_check_report)
            box.open()
        self.selfCheckFinished.emit(code)
