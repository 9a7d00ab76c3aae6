"""Presentation mode (F11), for lectures: full screen, one compact bar, the canvas and the distance panel
side by side as the largest things on screen, fonts and strokes scaled to the screen.

Designed for 1024×768, 1280×800 and 1920×1080: the font scale follows the window's size (``font_scale``),
the menu bar and both toolbars give way to one bar of a few large buttons (every other command keeps its
key), and the right column holds the distance panel alone (the step-through shows the PCA panel at its
stages). Entering saves the layout (window geometry and state, docks, toolbars, menu bar, fonts; see
``layout_snapshot``) and leaving puts it back exactly; Esc leaves (``MainWindow.leave_modes``). A
step-through running when the mode changes ends first, so its layout is put back first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QBoxLayout, QLayout, QToolBar, QToolButton, QWidget

from jepa_explorer.gui import style
from jepa_explorer.gui.layout_snapshot import FontSnapshot, LayoutSnapshot

# the compact bar: the lecture's own commands, in short words (the menus keep the long names)
BAR_ACTIONS = (("step", "Next stage (F5)"), ("metric_cycle", "Metric (M)"), ("leave", "Exit (Esc)"))
DOCKS_SHOWN = ("distance",)
TITLES = {"distance": "Does the predictor beat copying the context?"}  # the dock's own is too long for 1024 px
STACKED_HEATMAP_STRETCH = 3  # the heatmap's share of the distance panel's height (the numbers get 2)
CANVAS_SHARE = 0.5  # of the width: the canvas on the left, the distance panel on the right


def font_scale(width: int, height: int) -> float:
    """Presentation fonts for a window of this size: ×1.2 at 1024×768 up to ×1.8 at 1920×1080 and above
    (in steps of 0.05, so a few pixels more or less do not change the font)."""
    scale = min(width / 1280, height / 800) * 1.35
    return round(max(1.2, min(1.8, scale)) * 20) / 20


class Presentation:
    """Presentation mode's view (see the module's docstring)."""

    def __init__(
        self,
        app,
        window,
        docks: dict,
        canvas,
        font_views: list,
        actions: dict,
        presets_menu=None,
        heatmap_panel: QWidget | None = None,
        step_through=None,
    ):
        """`font_views`: widgets with refresh_fonts(); `actions`: the window's QActions (the checkable
        presentation action is kept in step; the bar's buttons trigger them); `presets_menu`: the masks'
        presets, a menu button on the bar; `heatmap_panel`: the distance panel, whose heatmap goes above its
        numbers here (``stack_heatmap``); `step_through`: the StepThrough view, told to show one panel per
        stage here."""
        self.app, self.window, self.docks, self.canvas = app, window, docks, canvas
        self.font_views, self.action = font_views, actions["presentation"]
        self.on = False
        self.scale = 1.0
        self._layout: LayoutSnapshot | None = None
        self._fonts: FontSnapshot | None = None
        self._pen_width = canvas.grid_pen_width
        self.bar = QToolBar("Presentation")
        self.bar.setObjectName("toolbar_presentation")
        self.bar.setMovable(False)
        self.bar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for name, text in BAR_ACTIONS:
            button = QAction(text, self.bar)  # no shortcut of its own: the window's action has the key
            button.setToolTip(actions[name].toolTip())
            button.triggered.connect(actions[name].trigger)
            self.bar.addAction(button)
        if presets_menu is not None:
            presets = QToolButton()
            presets.setText("Masks ▾")
            presets.setToolTip("The mask presets (keys 1-7)")
            presets.setMenu(presets_menu)
            presets.setPopupMode(QToolButton.InstantPopup)
            self.bar.insertWidget(self.bar.actions()[1], presets)
        self.heatmap_panel, self.step_through = heatmap_panel, step_through
        window.addToolBar(Qt.TopToolBarArea, self.bar)
        self.bar.hide()
        self._refit = QTimer(window)  # the window's size settles over a few events: fit the fonts once after
        self._refit.setSingleShot(True)
        self._refit.setInterval(50)
        self._refit.timeout.connect(self.fit)

    def set_on(self, on: bool) -> None:
        self.action.setChecked(on)
        if on == self.on:
            return
        self.app.end_stages()  # a step-through puts its own layout back first
        if on:
            self._enter()
        else:
            self._leave()

    def _enter(self) -> None:
        window = self.window
        self._layout = LayoutSnapshot.take(window, self.docks)
        self._fonts = FontSnapshot.take()
        self._pen_width = self.canvas.grid_pen_width
        self.on = True
        window.menuBar().hide()
        for bar in window.findChildren(QToolBar):
            bar.setVisible(bar is self.bar)
        for key, dock in self.docks.items():
            dock.setVisible(key in DOCKS_SHOWN)
            dock.setWindowTitle(TITLES.get(key, dock.windowTitle()))
        if self.step_through is not None:
            self.step_through.one_panel = True
        self.canvas.set_grid_pen_width(2.5)
        stack_heatmap(self.heatmap_panel, True)
        window.showFullScreen()
        screen = window.screen().geometry() if window.screen() is not None else window.geometry()
        self.fit(screen.width(), screen.height())

    def _leave(self) -> None:
        self.on = False
        if self.step_through is not None:
            self.step_through.one_panel = False
        self._refit.stop()
        self.scale = 1.0
        self._fonts.restore()
        self._refresh_fonts()
        self.canvas.set_grid_pen_width(self._pen_width)
        stack_heatmap(self.heatmap_panel, False)
        layout = self._layout
        layout.restore(self.window, self.docks)
        # the fonts' re-layout lands in the next passes: put the sizes back once more after it
        QTimer.singleShot(0, lambda: (not self.on) and layout.restore(self.window, self.docks))

    def window_resized(self) -> None:
        """The window changed size (full screen settling, another screen): fit the fonts to it soon."""
        if self.on:
            self._refit.start()

    def fit(self, width: int | None = None, height: int | None = None) -> None:
        """Fonts for the window's size and the canvas / distance split."""
        if not self.on:
            return
        window = self.window
        width, height = width or window.width(), height or window.height()
        scale = font_scale(width, height)
        if scale != self.scale:
            self.scale = scale
            base = self._fonts.font.pointSizeF() if self._fonts.font.pointSizeF() > 0 else style.BASE_POINT_SIZE
            style.set_font_scale(QApplication.instance(), scale * base / style.BASE_POINT_SIZE)
            self._refresh_fonts()
        shown = [dock for dock in self.docks.values() if dock.isVisibleTo(window)]
        if shown:
            window.resizeDocks(shown[:1], [int(width * (1 - CANVAS_SHARE))], Qt.Horizontal)

    def _refresh_fonts(self) -> None:
        for view in self.font_views:
            view.refresh_fonts()


def stack_heatmap(panel: QWidget | None, stacked: bool) -> None:
    """The distance panel's heatmap above its numbers (stacked, with the larger share of the height) or
    beside them: in presentation mode its half of the screen is tall and narrow, and side by side the
    heatmap got a fifth of it. Done from here, on the layout that holds the panel's plots, so the panel's
    own code does not change; the layout's stretch factors are kept on the panel and put back."""
    plots = getattr(panel, "plots", None)
    box = _layout_holding(panel.layout(), plots) if plots is not None and panel.layout() is not None else None
    if not isinstance(box, QBoxLayout):
        return
    saved = panel.property("_stretch_before_presentation")
    if stacked:
        if saved is None:
            panel.setProperty("_stretch_before_presentation", [box.stretch(i) for i in range(box.count())])
        box.setDirection(QBoxLayout.TopToBottom)
        for i in range(box.count()):
            box.setStretch(i, STACKED_HEATMAP_STRETCH if box.itemAt(i).widget() is plots else 2)
    else:
        box.setDirection(QBoxLayout.LeftToRight)
        for i, stretch in enumerate(saved or []):
            box.setStretch(i, stretch)
        panel.setProperty("_stretch_before_presentation", None)


def _layout_holding(layout: QLayout, widget: QWidget) -> QLayout | None:
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is widget:
            return layout
        if item.layout() is not None:
            found = _layout_holding(item.layout(), widget)
            if found is not None:
                return found
    return None
