"""`jepa-explorer doctor [--json]`: a self-check for workshop laptops and installed bundles.

One line per check (OK / WARN / FAIL): Python, torch, devices, Qt and its platform plugins, fonts,
the bundled checkpoints' integrity (card's `weights_sha256` against `model.safetensors`) and a
timed prediction. Exit code 1 when any check fails, 0 otherwise (warnings included).

No Qt at module level: the Qt check runs in a child process (`doctor --qt-probe`) because Qt aborts
the whole process when its platform plugin cannot start, and the doctor must still report that.
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

OK, WARN, FAIL = "OK", "WARN", "FAIL"

# shared libraries Qt's xcb platform plugin needs on Linux, with the Debian package that ships each
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xkbcommon": "libxkbcommon0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "EGL": "libegl1",
    "GL": "libgl1",
    "fontconfig": "libfontconfig1",
    "glib-2.0": "libglib2.0-0",
    "dbus-1": "libdbus-1-3",
}
QT_PROBE_TIMEOUT_S = 60


@dataclass
class Check:
    name: str
    status: str
    summary: str
    details: dict = field(default_factory=dict)
    hint: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name:<12} {self.summary}"
        return text + (f"\n      {'':<12} hint: {self.hint}" if self.hint else "")


# ---------------------------------------------------------------- environment


def check_python() -> Check:
    version = platform.python_version()
    frozen = bool(getattr(sys, "frozen", False))
    details = {"version": version, "executable": sys.executable, "frozen": frozen, "platform": platform.platform()}
    where = "bundled app" if frozen else sys.prefix
    return Check("python", OK, f"{version} on {platform.system()} {platform.machine()} ({where})", details)


def check_torch() -> Check:
    try:
        import torch
    except Exception as e:  # a broken install shows here first
        return Check(
            "torch", FAIL, f"cannot import torch: {type(e).__name__}: {e}", hint="reinstall torch (see packaging/README.md)."
        )
    details = {
        "version": torch.__version__,
        "cuda_build": torch.version.cuda,
        "threads": torch.get_num_threads(),
    }
    build = f"CUDA {torch.version.cuda} build" if torch.version.cuda else "CPU build"
    return Check("torch", OK, f"{torch.__version__} ({build}, {torch.get_num_threads()} threads)", details)


def check_devices() -> Check:
    try:
        from jepa_explorer.device import available_devices, pick_device
    except Exception as e:
        return Check("devices", FAIL, f"cannot list devices: {type(e).__name__}: {e}")
    devices = available_devices()
    chosen = str(pick_device(None))
    return Check("devices", OK, f"{', '.join(devices)} (the app uses {chosen})", {"available": devices, "default": chosen})


# ---------------------------------------------------------------- Qt (in a child process)


def _qt_probe() -> dict:
    """Runs in the child: start a QApplication on the platform the app would use and describe it."""
    import PySide6
    from PySide6 import QtCore, QtGui, QtWidgets

    plugins = Path(QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["jepa-explorer-doctor"])
    families = QtGui.QFontDatabase.families()
    font = app.font()
    return {
        "pyside": PySide6.__version__,
        "qt": QtCore.qVersion(),
        "platform": QtGui.QGuiApplication.platformName(),
        "platform_plugins": _plugin_names(plugins),
        "font_families": len(families),
        "default_font": font.family(),
        "screens": len(QtGui.QGuiApplication.screens()),
    }


def _plugin_names(folder: Path) -> list[str]:
    names = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        stem = path.name.split(".")[0]
        stem = stem[len("libq") :] if stem.startswith("libq") else stem[1:] if stem.startswith("q") else stem
        if path.suffix in (".so", ".dll", ".dylib") and stem:
            names.append(stem)
    return names


def doctor_command() -> list[str]:
    """How to run this module again in a child process, from a checkout or from a frozen bundle."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "doctor"]  # the bundle's launcher dispatches `doctor` to main() below
    return [sys.executable, "-m", "jepa_explorer.doctor"]


def _missing_xcb_libraries() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    return [pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]


def _display_available() -> tuple[bool, str]:
    if not sys.platform.startswith("linux"):
        return True, "native"
    if os.environ.get("WAYLAND_DISPLAY"):
        return True, f"wayland ({os.environ['WAYLAND_DISPLAY']})"
    if os.environ.get("DISPLAY"):
        return True, f"X11 ({os.environ['DISPLAY']})"
    return False, "no DISPLAY or WAYLAND_DISPLAY"


def check_qt() -> list[Check]:
    """Two checks: `qt` (version, platform plugin, a window system to show on) and `fonts`."""
    requested = os.environ.get("QT_QPA_PLATFORM", "")
    has_display, display = _display_available()
    env = dict(os.environ)
    probe_platform = requested or ("" if has_display else "offscreen")
    if probe_platform:
        env["QT_QPA_PLATFORM"] = probe_platform
    try:
        proc = subprocess.run(
            [*doctor_command(), "--qt-probe"], capture_output=True, text=True, timeout=QT_PROBE_TIMEOUT_S, env=env
        )
    except subprocess.TimeoutExpired:
        return [
            Check(
                "qt",
                FAIL,
                f"Qt did not start within {QT_PROBE_TIMEOUT_S} s",
                hint="try QT_QPA_PLATFORM=offscreen to narrow it down.",
            )
        ]
    missing = _missing_xcb_libraries()
    apt_line = f"sudo apt-get install {' '.join(missing)}" if missing else ""
    if proc.returncode != 0 or not proc.stdout.strip():
        stderr = proc.stderr.strip().splitlines()
        last = next((s for s in reversed(stderr) if s.strip()), f"exit code {proc.returncode}")
        hint = (
            "a Linux desktop needs Qt's xcb libraries: " + apt_line
            if apt_line
            else (
                "set QT_QPA_PLATFORM (xcb, wayland, windows, cocoa or offscreen) or QT_OPENGL=software; see packaging/README.md."
            )
        )
        return [
            Check(
                "qt",
                FAIL,
                f"Qt could not start on platform '{probe_platform or 'default'}': {last[:200]}",
                {"stderr": stderr[-20:]},
                hint,
            )
        ]
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info.update({"requested_platform": requested or None, "display": display, "missing_system_packages": missing})
    summary = (
        f"PySide6 {info['pyside']} / Qt {info['qt']}, platform '{info['platform']}' "
        f"(available: {', '.join(info['platform_plugins']) or 'none found'})"
    )
    status, hint = OK, ""
    if info["platform"] == "offscreen" and not requested:
        status = WARN
        summary += f"; {display}: the GUI cannot open a window here (screenshot and the CLI work)"
        hint = "run it from the desktop session; over SSH use `screenshot` or set QT_QPA_PLATFORM=offscreen."
    elif missing and info["platform"] in ("xcb", "offscreen"):
        status = WARN
        summary += f"; missing for a window on X11: {', '.join(missing)}"
        hint = apt_line
    checks = [Check("qt", status, summary, info, hint)]

    if info["font_families"] == 0:
        font_hint = (
            "install a font (Debian/Ubuntu: sudo apt-get install fonts-dejavu-core fontconfig); "
            "without one every label renders as boxes."
        )
        checks.append(Check("fonts", FAIL, "Qt found no fonts", {"families": 0}, font_hint))
    else:
        checks.append(
            Check(
                "fonts",
                OK,
                f"{info['font_families']} font families, default '{info['default_font']}'",
                {"families": info["font_families"]},
            )
        )
    return checks


# ---------------------------------------------------------------- checkpoints and a prediction


def check_checkpoints() -> list[Check]:
    """One check per bundled checkpoint: the card's `weights_sha256` against `model.safetensors`."""
    from jepa_explorer.checkpoints.bundle import file_sha256
    from jepa_explorer.checkpoints.load import CARD_NAME, WEIGHTS_NAME
    from jepa_explorer.resources import DEFAULT_IMAGE_MODEL, bundled_checkpoints, checkpoints_dir

    bundles = bundled_checkpoints()
    if not bundles:
        return [
            Check(
                "checkpoints",
                WARN,
                f"no bundled checkpoints in {checkpoints_dir()}",
                {"folder": str(checkpoints_dir())},
                "the app runs, but with a random-init model until one is bundled; open one with --checkpoint.",
            )
        ]
    checks = []
    for folder in bundles:
        name = f"ckpt {folder.name}"
        details = {"folder": str(folder)}
        try:
            card = json.loads((folder / CARD_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            checks.append(
                Check(name, FAIL, f"{folder / CARD_NAME}: unreadable card ({e})", details, "re-copy the checkpoint folder.")
            )
            continue
        weights = folder / WEIGHTS_NAME
        expected = card.get("weights_sha256")
        if not weights.is_file():
            checks.append(Check(name, FAIL, f"{weights}: missing", details, "re-copy the checkpoint folder."))
            continue
        size_mb = weights.stat().st_size / 2**20
        details.update(size_mb=round(size_mb, 2), expected=expected)
        if not expected:
            checks.append(Check(name, WARN, f"{size_mb:.1f} MB, card has no weights_sha256 to verify against", details))
            continue
        actual = file_sha256(weights)
        details["actual"] = actual
        if actual != expected:
            checks.append(
                Check(
                    name,
                    FAIL,
                    f"sha256 mismatch: {weights} is {actual[:12]}…, card says {expected[:12]}…",
                    details,
                    "the weights are corrupt or were replaced: re-copy the checkpoint folder (or reinstall).",
                )
            )
        else:
            default = " (default)" if folder.name == DEFAULT_IMAGE_MODEL else ""
            checks.append(Check(name, OK, f"{size_mb:.1f} MB, sha256 {actual[:12]}… matches the card{default}", details))
    return checks


def _sample_image():
    import numpy as np

    from jepa_explorer.resources import sample_images

    for path in sample_images():
        try:
            from jepa_explorer.media.images import load_image

            return load_image(path), str(path)
        except Exception:  # an unreadable sample is reported by the prediction running on a synthetic one
            continue
    yy, xx = np.mgrid[0:96, 0:96]
    return np.stack([xx * 2, yy * 2, (xx + yy)], axis=-1).astype(np.uint8), "synthetic gradient (no bundled sample image)"


def check_prediction(device: str | None = None) -> Check:
    """Load the default checkpoint (or a random-init model), run one multiblock prediction, time it."""
    import numpy as np

    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.engine.session import Session
    from jepa_explorer.masks.generators import multiblock
    from jepa_explorer.models.factory import new_jepa
    from jepa_explorer.resources import default_checkpoint

    source = default_checkpoint()
    note = ""
    try:
        start = time.perf_counter()
        if source is not None:
            model = load_model(source, device)
        else:
            model = new_jepa().to(device or "cpu")
            note = (
                "no default checkpoint bundled: timed a random-init model of the default shape "
                "(timings valid, predictions meaningless)"
            )
        load_ms = (time.perf_counter() - start) * 1e3
        image, image_name = _sample_image()
        session = Session(model)
        start = time.perf_counter()
        session.set_input(image)
        encode_ms = (time.perf_counter() - start) * 1e3
        masks = multiblock(session.grid_shape, seed=0)
        start = time.perf_counter()
        result = session.predict(masks)
        predict_ms = (time.perf_counter() - start) * 1e3
        start = time.perf_counter()
        session.predict(multiblock(session.grid_shape, seed=1))
        repredict_ms = (time.perf_counter() - start) * 1e3
    except Exception as e:
        where = source if source is not None else "random-init model"
        return Check(
            "prediction",
            FAIL,
            f"{where}: {type(e).__name__}: {e}",
            hint="run `jepa-explorer --debug predict ...` for the traceback.",
        )
    loss = float(result.summary["predictor"]["loss"]["mean"])
    details = {
        "checkpoint": str(source) if source else None,
        "image": image_name,
        "device": str(model.device),
        "load_ms": round(load_ms, 1),
        "encode_ms": round(encode_ms, 1),
        "predict_ms": round(predict_ms, 1),
        "repredict_ms": round(repredict_ms, 1),
        "loss": loss,
        "note": note or None,
    }
    summary = (
        f"{Path(str(source)).name if source else 'random-init'} on {model.device}: load {load_ms:.0f} ms, "
        f"encode {encode_ms:.0f} ms, predict {predict_ms:.0f} ms (again {repredict_ms:.0f} ms), loss {loss:.4f}"
    )
    if not np.isfinite(loss):
        return Check(
            "prediction", FAIL, summary + " — not a finite number", details, "the weights are damaged: re-copy the checkpoint."
        )
    if note:
        return Check("prediction", WARN, summary, details, note)
    return Check("prediction", OK, summary, details)


# ---------------------------------------------------------------- running


CHECK_GROUPS = ("python", "torch", "devices", "qt", "checkpoints", "prediction")


def run_checks(skip: tuple[str, ...] = (), device: str | None = None) -> list[Check]:
    checks: list[Check] = []
    for group in CHECK_GROUPS:
        if group in skip:
            continue
        if group in ("devices", "checkpoints", "prediction") and any(c.name == "torch" and c.status == FAIL for c in checks):
            checks.append(Check(group, FAIL, "skipped: torch is not importable"))
            continue
        try:
            found = {
                "python": check_python,
                "torch": check_torch,
                "devices": check_devices,
                "qt": check_qt,
                "checkpoints": check_checkpoints,
                "prediction": lambda: check_prediction(device),
            }[group]()
        except Exception as e:  # a check that breaks is itself a failure, never a traceback
            found = Check(group, FAIL, f"the check itself failed: {type(e).__name__}: {e}")
        checks.extend(found if isinstance(found, list) else [found])
    return checks


def report(checks: list[Check], as_json: bool) -> int:
    failed = [c for c in checks if c.status == FAIL]
    if as_json:
        from jepa_explorer.resources import home

        print(
            json.dumps(
                {"ok": not failed, "home": str(home()), "checks": [asdict(c) for c in checks]},
                indent=1,
                default=str,
            )
        )
    else:
        for check in checks:
            print(check.line())
        warned = sum(c.status == WARN for c in checks)
        print(f"doctor: {len(checks) - len(failed) - warned} ok, {warned} warnings, {len(failed)} failed")
    return 1 if failed else 0


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.add_argument("--device", default=None, help="device for the timed prediction (default: auto)")
    p.add_argument("--skip", default="", help=f"comma-separated checks to skip ({', '.join(CHECK_GROUPS)})")
    p.add_argument("--qt-probe", action="store_true", help=argparse.SUPPRESS)


def cmd_doctor(args) -> int:
    if args.qt_probe:
        print(json.dumps(_qt_probe()))
        return 0
    skip = tuple(s.strip() for s in args.skip.split(",") if s.strip())
    unknown = [s for s in skip if s not in CHECK_GROUPS]
    if unknown:
        print(f"error: --skip {','.join(unknown)}: unknown check; choose from {', '.join(CHECK_GROUPS)}", file=sys.stderr)
        return 2
    return report(run_checks(skip, args.device), args.json)


def register(subparsers) -> None:
    """Adds `doctor` to the CLI (`cli._register_optional` lists this module)."""
    p = subparsers.add_parser("doctor", help="self-check: Python, torch, Qt, fonts, checkpoint integrity, a timed prediction")
    _add_arguments(p)
    p.set_defaults(func=cmd_doctor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jepa-explorer doctor", description="Self-check for JEPA Explorer.")
    _add_arguments(parser)
    try:
        return cmd_doctor(parser.parse_args(argv))
    except BrokenPipeError:  # output piped into `head` and the like
        return 0


if __name__ == "__main__":
    sys.exit(main())
