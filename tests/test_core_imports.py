"""The core is usable without a display: importing it pulls in no Qt, and `import jepa_explorer` stays light."""

import subprocess
import sys

CORE = [
    "jepa_explorer.models.vit",
    "jepa_explorer.checkpoints.load",
    "jepa_explorer.checkpoints.companions",
    "jepa_explorer.masks.generators",
    "jepa_explorer.engine.session",
    "jepa_explorer.engine.pixels",
    "jepa_explorer.analysis.pca",
    "jepa_explorer.media.images",
    "jepa_explorer.cli",
    "jepa_explorer.fileio",
    "jepa_explorer.checkpoints.integrity",
    "jepa_explorer.engine.live_cache",
    "jepa_explorer.bench.soak",
]


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_core_imports_no_qt():
    modules = _loaded_after("; ".join(f"import {m}" for m in CORE))
    assert not {m for m in modules if m.startswith(("PySide6", "pyqtgraph", "shiboken6"))}


def test_package_import_is_light():
    modules = _loaded_after("import jepa_explorer")
    assert "torch" not in modules and "sklearn" not in modules and "PySide6" not in modules
