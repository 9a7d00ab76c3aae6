"""Presentation mode (F11) and the step-through (F5): each stage shows its own state only, and leaving
either mode at any point (Esc, F11, a sixth F5) puts the window back exactly as it was."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QBoxLayout, QToolBar

from jepa_explorer.app.stages import COMPARE, PREDICT, STAGES
from jepa_explorer.gui.presentation import font_scale

from .conftest import TIMEOUT_MS, wait_for_current

SIZES = [(1024, 768), (1280, 800), (1920, 1080)]


@pytest.fixture(autouse=True)
def styled(qapp):
    """The app's own style, as `jepa-explorer gui` applies it (fonts through the style sheet); the
    application's font and style sheet are put back for the other tests."""
    from jepa_explorer.gui import style

    app = QApplication.instance()
    font, sheet = app.font(), app.styleSheet()
    style.apply_style(app)
    yield
    app.setStyleSheet(sheet)
    app.setFont(font)


def on_screen(widget) -> bool:
    """Shown and not behind another tab."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def layout_of(w) -> dict:
    """What a mode must put back: sizes, bars, docks (shown, on screen, titles, widths), fonts, banner."""
    QApplication.processEvents()
    return {
        "size": (w.width(), w.height()),
        "full_screen": w.isFullScreen(),
        "menu": w.menuBar().isVisible(),
        "bars": {bar.objectName(): bar.isVisible() for bar in w.findChildren(QToolBar)},
        "docks": {
            k: (d.isVisible(), on_screen(d), d.windowTitle(), d.width() if on_screen(d) else None) for k, d in w.docks.items()
        },
        "canvas": (w.canvas.width(), w.canvas.height()),
        "font": QApplication.font().pointSizeF(),
        "style_sheet": QApplication.instance().styleSheet(),
        "banner": w.stage_label.isVisible(),
        "overlay": w.canvas.stage_overlay is None,
        "grid_pen": w.canvas.grid_pen_width,
        "heatmap_beside": _heatmap_direction(w) == QBoxLayout.LeftToRight,
    }


def _heatmap_direction(w):
    from jepa_explorer.gui.presentation import _layout_holding

    return _layout_holding(w.distance_panel.layout(), w.distance_panel.plots).direction()


def settle(qtbot):
    qtbot.wait(120)  # the restored layout's second pass (after the fonts' re-layout) and the font refit
    QApplication.processEvents()


def test_font_scale_fits_the_three_projector_sizes():
    assert [font_scale(w, h) for w, h in SIZES] == [1.2, 1.35, 1.8]
    assert font_scale(800, 600) == 1.2 and font_scale(3840, 2160) == 1.8  # clamped both ways


def test_presentation_shows_one_bar_the_canvas_and_the_heatmap_and_esc_restores_everything(qtbot, window):
    w = window
    w.docks["pixels"].raise_()  # a layout of the user's own: pixels in front of the PCA tab
    settle(qtbot)
    before = layout_of(w)
    w.qactions["presentation"].trigger()
    settle(qtbot)
    assert w.presentation.on and w.qactions["presentation"].isChecked() and w.isFullScreen()
    assert not w.menuBar().isVisible()
    assert {b.objectName() for b in w.findChildren(QToolBar) if b.isVisible()} == {"toolbar_presentation"}
    assert [k for k, d in w.docks.items() if d.isVisible()] == ["distance"]
    assert _heatmap_direction(w) == QBoxLayout.TopToBottom  # the heatmap above the numbers, not a fifth beside them
    assert QApplication.font().pointSizeF() == pytest.approx(before["font"] * font_scale(w.width(), w.height()))
    assert w.canvas.grid_pen_width > before["grid_pen"]
    qtbot.keyClick(w, Qt.Key_Escape)
    settle(qtbot)
    assert not w.presentation.on and not w.qactions["presentation"].isChecked()
    assert layout_of(w) == before


@pytest.mark.parametrize("width,height", SIZES)
def test_presentation_bar_and_panels_fit_each_projector_size(qtbot, window, width, height):
    w = window
    w.qactions["presentation"].trigger()
    w.showNormal()  # offscreen "full screen" is the virtual screen: use the projector's size instead
    w.resize(width, height)
    w.presentation.fit(width, height)
    settle(qtbot)
    bar = w.presentation.bar
    buttons = [bar.widgetForAction(a) for a in bar.actions() if bar.widgetForAction(a) is not None]
    assert len(buttons) == 4
    for button in buttons:  # every button whole on the bar (no overflow arrow hiding one)
        assert button.isVisible() and button.width() >= button.sizeHint().width()
        assert button.geometry().right() <= bar.width()
    canvas, heat = w.canvas, w.distance_panel.plots
    assert canvas.width() >= 0.4 * width and heat.width() >= 0.4 * width  # the two largest things, side by side
    assert heat.height() >= 0.3 * height
    w.toggle_presentation(False)


@pytest.mark.parametrize("width,height", SIZES)
def test_normal_toolbars_hide_nothing_in_the_overflow_and_presets_past_the_edge_go_to_more(qtbot, window, width, height):
    w = window
    w.resize(width, height)
    settle(qtbot)
    for bar in (w.main_toolbar, w.tools_toolbar):
        for action in bar.actions():  # Qt's "»" extension hides the widgets that do not fit
            widget = bar.widgetForAction(action)
            assert widget is None or (widget.isVisible() and widget.geometry().right() <= bar.width()), action.text()
    strip = w.preset_strip
    shown = [b.defaultAction() for b in strip.buttons if b.isVisible()]
    assert shown + strip.hidden_actions() == strip.actions_  # each preset once: a button or a "More" entry
    assert len(shown) >= 2  # the first presets stay one click away even at 1024 px
    if width >= 1920:
        assert len(shown) == len(strip.actions_) and not strip.more.isVisible()
    else:
        assert strip.more.isVisible() and strip.hidden_actions()
        strip.hidden_actions()[-2].trigger()  # "Right half" from the menu, as a click on its entry
        assert w.app.masks.targets[0][0][:, 4:].all() and not w.app.masks.targets[0][0][:, :4].any()


def test_each_stage_shows_its_own_state_only(qtbot, window):
    w = window
    settle(qtbot)
    before = layout_of(w)
    seen = []
    for stage in range(len(STAGES)):
        w.qactions["step"].trigger()
        assert w.app.stage == stage
        w.worker.busy.emit("")  # a prediction finishing in the middle of a stage: the bar still names the stage
        w.status._show_busy()
        title = STAGES[stage][0]
        assert w.status.busy_label.text() == f"Step-through: {title}"
        assert w.stage_label.isVisible() and title in w.stage_label.text()
        shown = {k for k, d in w.docks.items() if d.isVisible()}
        seen.append(shown)
        w._on_patch_hovered(0)  # hovering a target patch: its distances only once they are the stage
        assert (w.hover_label.text().strip() != "") == (stage >= COMPARE)
    assert seen[:PREDICT] == [set()] * PREDICT  # mask, encode context, encode target: nothing predicted on screen
    assert seen[PREDICT] == {"pca"} and w.docks["pca"].windowTitle().startswith("4 · Predict")
    assert seen[COMPARE] == {"pca", "distance"} and w.docks["distance"].windowTitle().startswith("5 · Compare")
    assert "pixels" not in set().union(*seen)
    w.qactions["step"].trigger()  # the sixth press ends it: the layout of before, the Pixels tab still behind
    settle(qtbot)
    assert w.app.stage is None and w.status.busy_label.text() == "Step-through finished"
    assert layout_of(w) == before
    assert not on_screen(w.docks["pixels"]) and on_screen(w.docks["pca"])


@pytest.mark.parametrize("presses", [1, 3, 4, 5])
def test_esc_mid_stage_leaves_no_trace(qtbot, window, presses):
    w = window
    settle(qtbot)
    before = layout_of(w)
    for _ in range(presses):
        w.qactions["step"].trigger()
    qtbot.keyClick(w, Qt.Key_Escape)
    settle(qtbot)
    assert w.app.stage is None and layout_of(w) == before
    w.status._show_busy()
    assert w.status.busy_label.text() in ("Ready", "Step-through finished")


@pytest.mark.parametrize("presses", [1, 3, 5])
def test_leaving_presentation_mid_stage_leaves_no_trace(qtbot, window, presses):
    w = window
    w.resize(1920, 1080)
    w.layout_docks()
    settle(qtbot)
    before = layout_of(w)
    w.toggle_presentation(True)
    settle(qtbot)
    in_presentation = layout_of(w)
    for _ in range(presses):
        w.qactions["step"].trigger()
    assert w.stage_label.isVisible()
    w.qactions["presentation"].trigger()  # F11 again, mid-stage
    settle(qtbot)
    after = layout_of(w)
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert in_presentation["font"] > before["font"]


def test_entering_presentation_mid_stage_ends_the_step_through_first(qtbot, window):
    w = window
    settle(qtbot)
    before = layout_of(w)
    w.qactions["step"].trigger()
    w.qactions["step"].trigger()
    w.toggle_presentation(True)
    assert w.app.stage is None and not w.stage_label.isVisible()
    w.qactions["step"].trigger()  # a step-through inside presentation mode, ended by Esc with the mode
    assert w.app.stage == 0
    qtbot.keyClick(w, Qt.Key_Escape)
    settle(qtbot)
    assert not w.presentation.on and w.app.stage is None
    assert layout_of(w) == before


def test_stages_follow_new_predictions_and_keep_later_ones_hidden(qtbot, window):
    w = window
    for _ in range(3):
        w.qactions["step"].trigger()  # stage 3: the target encoder's colours
    w.apply_preset("centre")
    wait_for_current(qtbot, w)
    qtbot.waitUntil(lambda: w.canvas.stage_overlay is not None, timeout=TIMEOUT_MS)
    view = w.app.input_view
    assert (w.canvas.stage_overlay[..., :3].reshape(-1, 3) == view.actual_rgb).all()
    assert not w.docks["pca"].isVisible() and not w.docks["distance"].isVisible()


def test_in_presentation_a_stage_shows_its_own_panel_only(qtbot, window):
    w = window
    w.toggle_presentation(True)
    assert w.docks["distance"].windowTitle() == "Does the predictor beat copying the context?"  # whole at 1024 px
    shown = []
    for _ in range(len(STAGES)):
        w.qactions["step"].trigger()
        shown.append([k for k, d in w.docks.items() if d.isVisible()])
    assert shown == [[], [], [], ["pca"], ["distance"]]  # one panel at the screen's full height
    assert w.docks["distance"].windowTitle().startswith("5 · Compare")
    w.qactions["step"].trigger()
    assert [k for k, d in w.docks.items() if d.isVisible()] == ["distance"] and w.presentation.on
    w.toggle_presentation(False)
