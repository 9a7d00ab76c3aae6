"""Every command of the window as data: one table of name, text, keys, tooltip, handler, menu and toolbar.
``build_actions`` turns it into QActions (shortcuts, tooltips that name the keys, icons) and
``build_menus`` into the menu bar; the toolbars take their actions from the same table. A new mode adds
rows here, not code to the window.

A handler is ``handler(window, checked)``: it sends an intent to ``window.app`` (the app model) or asks the
window for a dialog, a mode or an export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from jepa_explorer.app import mask_edit
from jepa_explorer.app.mask_edit import Layer
from jepa_explorer.app.presets import PRESETS
from jepa_explorer.gui import style

Handler = Callable[[object, bool], None]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    keys: tuple  # key sequences: strings or QKeySequence.StandardKey
    tip: str
    handler: Handler
    menu: str | None  # the menu it is listed in ("File", "Edit", ...)
    separator: bool = False  # a separator above it in its menu
    checkable: bool = False
    icon: tuple | None = None  # an RGB colour dot (the tools; () an empty dot), or no icon
    group: str | None = None  # checkable actions of one group exclude each other (the tools)
    toolbar: str | None = None  # "main" or "tools"


def _tool(name: str, text: str, key: str, tip: str, layer: Layer, rgb) -> ActionSpec:
    return ActionSpec(
        name,
        text,
        (key,),
        tip,
        lambda w, _on: w.app.set_layer(layer),
        "Tools",
        checkable=True,
        icon=rgb,
        group="tools",
        toolbar="tools",
    )


def _preset(index: int, preset) -> ActionSpec:
    return ActionSpec(
        f"preset_{preset.key}", preset.label, (str(index + 1),), preset.tooltip,
        lambda w, _on: w.app.apply_preset(preset.key), "Masks", toolbar="main",
    )  # fmt: skip


ACTIONS: list[ActionSpec] = [
    # File
    ActionSpec(
        "open_image", "Open image or video…", (QKeySequence.Open,),
        "Open an image, a video (MP4, WebM, GIF, AVI…) or a folder of frames to explore",
        lambda w, _on: w.files.open_input(), "File", toolbar="main",
    ),
    ActionSpec(
        "open_scene", "Open scene…", ("Ctrl+Shift+O",), "Open a saved scene (model, image, masks, view)",
        lambda w, _on: w.files.open_scene(), "File", separator=True,
    ),
    ActionSpec(
        "save_scene", "Save scene…", (QKeySequence.Save,), "Save model, image, masks and view settings as a scene",
        lambda w, _on: w.files.save_scene(), "File",
    ),
    ActionSpec(
        "export_window", "Export window PNG…", ("Ctrl+E",), "Save a picture of the whole window",
        lambda w, _on: w.files.export("window"), "File", separator=True,
    ),
    ActionSpec(
        "export_panels", "Export panel PNGs…", ("Ctrl+Shift+E",), "Save each panel as its own picture into a folder",
        lambda w, _on: w.files.export("panels"), "File",
    ),
    ActionSpec(
        "export_csv", "Export numbers CSV…", ("Ctrl+Alt+C",), "Per-patch distances of predictor and baselines as CSV",
        lambda w, _on: w.files.export("csv"), "File",
    ),
    ActionSpec(
        "export_npz", "Export arrays NPZ…", ("Ctrl+Alt+N",), "Embeddings, distances and heatmaps as a NumPy archive",
        lambda w, _on: w.files.export("npz"), "File",
    ),
    ActionSpec("quit", "Quit", ("Ctrl+Q",), "Close JEPA Explorer", lambda w, _on: w.close(), "File", separator=True),
    # Edit
    ActionSpec(
        "undo", "Undo", (QKeySequence.Undo,), "Undo the last mask edit", lambda w, _on: w.app.undo(), "Edit", toolbar="main"
    ),
    ActionSpec(
        "redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the mask edit you undid", lambda w, _on: w.app.redo(), "Edit",
        toolbar="main",
    ),
    ActionSpec(
        "fill", "Fill context", ("F",), "Every patch that is not a target becomes context",
        lambda w, _on: w.app.apply(mask_edit.fill_context), "Edit", separator=True, toolbar="tools",
    ),
    ActionSpec(
        "invert", "Invert context", ("I",), "Swap context and unused patches (targets stay)",
        lambda w, _on: w.app.apply(mask_edit.invert_context), "Edit", toolbar="tools",
    ),
    ActionSpec(
        "clear", "Clear masks", ("Delete",), "Remove all context and targets", lambda w, _on: w.app.apply(mask_edit.clear),
        "Edit", toolbar="tools",
    ),
    # Tools
    _tool("tool_context", "Context", "C", "Paint context: the patches the encoder sees", Layer.CONTEXT, style.CONTEXT_RGB),
    _tool(
        "tool_target_new", "New target", "T", "Paint a new target group (each stroke starts one)", Layer.TARGET_NEW,
        style.target_rgb(0),
    ),
    _tool(
        "tool_target", "Add to target", "G", "Paint into the current target group (click its legend chip to pick it)",
        Layer.TARGET, style.target_rgb(1),
    ),
    ActionSpec(
        "tool_erase", "Eraser", ("E",), "Erase context and targets (right-drag erases with any tool)",
        lambda w, _on: w.app.set_layer(Layer.ERASE), "Tools", checkable=True, icon=(), group="tools", toolbar="tools",
    ),
    ActionSpec(
        "rect", "Rectangle", ("R",), "Drag rectangles snapped to patches instead of brushing",
        lambda w, on: w.app.set_rect_mode(on), "Tools", separator=True, checkable=True, toolbar="tools",
    ),
    ActionSpec("brush_bigger", "Bigger brush", ("]",), "Brush one patch wider", lambda w, _on: w.app.change_brush(+1), "Tools"),
    ActionSpec(
        "brush_smaller", "Smaller brush", ("[",), "Brush one patch narrower", lambda w, _on: w.app.change_brush(-1), "Tools"
    ),
    # Masks
    *[_preset(i, preset) for i, preset in enumerate(PRESETS)],
    # Model
    ActionSpec(
        "open_checkpoint", "Open checkpoint…", ("Ctrl+Shift+M",), "Load a checkpoint file (.pth.tar, .safetensors, bundle)",
        lambda w, _on: w.files.open_checkpoint(), "Model",
    ),
    # View
    ActionSpec(
        "metric_cycle", "Next metric", ("M",), "Switch the distance metric (L2, cosine, training loss)",
        lambda w, _on: w.app.cycle_metric(), "View",
    ),
    # the canvas's view (gui/canvas.py): zoom, mask opacity, feature overlay
    ActionSpec("fit_view", "Fit the picture", ("0",), "Show the whole picture again after a zoom or pan",
               lambda w, _on: w.canvas.reset_zoom(), "View", separator=True),
    ActionSpec("mask_opacity", "Fade the masks", ("O",), "Step the masks' opacity: 100% → 50% → 0% → 100%",
               lambda w, _on: w.canvas.step_mask_opacity(), "View"),
    ActionSpec("feature_overlay", "Feature overlay", ("V",),
               "Overlay the embeddings: none → PCA colours → similarity (Ctrl+click a patch)",
               lambda w, _on: w.canvas.step_feature_mode(), "View"),
    ActionSpec(
        "presentation", "Presentation mode", ("F11",), "Full screen, large fonts, thick strokes, simplified layout",
        lambda w, _on: w.toggle_presentation(), "View", checkable=True,
    ),
    ActionSpec(
        "step", "Step through the JEPA loop", ("F5",),
        "Reveal mask → encode context → encode target (EMA) → predict → compare, one stage per press",
        lambda w, _on: w.app.advance_stage(), "View",
    ),
    ActionSpec(
        "leave", "Leave presentation / step-through", ("Esc",),
        "Back to the normal view: ends the step-through and presentation mode (and full screen)",
        lambda w, _on: w.leave_modes(), "View",
    ),
    # the window's modes (gui/modes.py): the lesson panel, world-model mode in place of the canvas
    ActionSpec(
        "lesson", "Lesson", ("F2",), "The lesson panel: chapters set the app up in one click, with exercises",
        lambda w, on: w.lesson_mode.set_on(on), "View", separator=True, checkable=True,
    ),
    ActionSpec(
        "world_mode", "World-model mode", ("F3",),
        "Drive an agent (arrows / WASD), imagine, plan and be surprised; opening an image or a clip goes back",
        lambda w, on: w.world_mode.set_on(on), "View", checkable=True,
    ),
    ActionSpec(
        "time_prev", "Previous time step", (",",), "Show the previous time step of the clip", lambda w, _on: w.app.step_time(-1),
        "View", separator=True,
    ),
    ActionSpec(
        "time_next", "Next time step", (".",), "Show the next time step of the clip", lambda w, _on: w.app.step_time(+1), "View"
    ),
    ActionSpec(
        "play", "Play / pause", ("P",), "Play the clip's time steps in a loop",
        lambda w, _on: w.timeline.set_playing(not w.timeline.play_button.isChecked()), "View",
    ),
    # Help
    ActionSpec(
        "self_check", "Self-check…", ("Ctrl+Shift+D",),
        "Check Python, torch, Qt, the bundled checkpoints' hashes and a timed prediction (jepa-explorer doctor)",
        lambda w, _on: w.status.run_self_check(), "Help",
    ),
]  # fmt: skip

MENUS = ("File", "Edit", "Tools", "Masks", "Model", "View", "Help")
VIDEO_ONLY = ("preset_future", "time_prev", "time_next", "play")


def tooltip(text: str, action: QAction, tip: str) -> str:
    keys = ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts())
    return f"{text} ({keys}): {tip}" if keys else f"{text}: {tip}"


def build_actions(window, specs: list[ActionSpec] = ACTIONS) -> dict[str, QAction]:
    """QActions for `specs`, added to `window` (shortcuts work even while a toolbar holding them is hidden)."""
    actions, groups = {}, {}
    for spec in specs:
        action = QAction(spec.text, window)
        action.setShortcuts([QKeySequence(key) for key in spec.keys])
        action.setToolTip(tooltip(spec.text, action, spec.tip))
        action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        if spec.icon is not None:
            action.setIcon(style.color_icon(spec.icon or None, 18, "circle"))
        if spec.group is not None:
            groups.setdefault(spec.group, QActionGroup(window)).addAction(action)
        action.triggered.connect(lambda checked=False, handler=spec.handler: handler(window, checked))
        window.addAction(action)
        actions[spec.name] = action
    return actions


def build_menus(window, actions: dict[str, QAction], submenus: dict, specs: list[ActionSpec] = ACTIONS) -> dict:
    """The menu bar from the table, in its order, with `submenus` ({action name: [(key, title)]}) each made
    right after that action; returns the menus and the submenus by name."""
    menus = {name: window.menuBar().addMenu(f"&{name}") for name in MENUS}
    for spec in specs:
        if spec.menu is None:
            continue
        if spec.separator:
            menus[spec.menu].addSeparator()
        menus[spec.menu].addAction(actions[spec.name])
        for key, title in submenus.get(spec.name, ()):
            menus[key] = menus[spec.menu].addMenu(title)
    return menus


def toolbar_actions(name: str, specs: list[ActionSpec] = ACTIONS) -> list[str]:
    return [spec.name for spec in specs if spec.toolbar == name]


def show_media_kind(actions: dict[str, QAction], video: bool) -> None:
    """The presets' names and tooltips for the model's grid, and the video-only actions enabled for a video."""
    grid = (2, 1, 1) if video else (1, 1, 1)
    for preset in PRESETS:
        action = actions[f"preset_{preset.key}"]
        text, tip, _ = preset.for_grid(grid)
        action.setText(text)
        action.setToolTip(tooltip(text, action, tip))
    for name in VIDEO_ONLY:
        actions[name].setEnabled(video)
