"""The desktop app (PySide6 + pyqtgraph): the only package that imports Qt.

`main_window.MainWindow` wires small single-purpose widgets (`canvas.CanvasView`, `panels.*`) to the
model worker (`worker.ModelWorker`), which owns the engine Session in its own thread.
"""
