"""The PyInstaller spec, run with stand-ins for PyInstaller's build steps (no build, no PyInstaller
needed): every module of the package is a hidden import (the CLI loads the GUI through importlib),
the data goes where `resources.home()` looks in a bundle, and the filters drop test programs and
CUDA libraries but keep what torch needs at run time."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "jepa_explorer.spec"


class Recorder:
    """Stands in for Analysis / PYZ / EXE / COLLECT / BUNDLE and keeps what it was given."""

    calls: list = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.pure, self.scripts = [], []
        self.datas = list(kwargs.get("datas", [])) + FAKE_DATAS
        self.binaries = list(FAKE_BINARIES)
        Recorder.calls.append((type(self).__name__, self))


FAKE_BINARIES = [
    ("torch/lib/libtorch_cpu.so", "/x", "BINARY"),
    ("torch/lib/libgomp.so.1", "/x", "BINARY"),
    ("torch/lib/libtorchbind_test.so", "/x", "BINARY"),
    ("torch/bin/torch_shm_manager", "/x", "BINARY"),
    ("torch/bin/test_api", "/x", "BINARY"),
    ("torch/bin/protoc", "/x", "BINARY"),
    ("nvidia/cublas/lib/libcublas.so.12", "/x", "BINARY"),
    ("libcudart.so.12", "/x", "BINARY"),
    ("libcudnn.so.9", "/x", "BINARY"),
    ("torch/lib/libtorch_cuda.so", "/x", "BINARY"),
    ("PySide6/Qt/lib/libQt6Core.so.6", "/x", "BINARY"),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "/x", "BINARY"),
    ("libcurl.so.4", "/x", "BINARY"),
]
FAKE_DATAS = [
    ("torch/include/ATen/ATen.h", "/x", "DATA"),
    ("torch/share/cmake/Torch/TorchConfig.cmake", "/x", "DATA"),
    ("torch/testing/_internal/common_utils.py", "/x", "DATA"),
    ("torch/nn/modules/linear.py", "/x", "DATA"),
    ("scipy/io/tests/data/x.mat", "/x", "DATA"),
    ("pyqtgraph/colors/maps/CET-L1.csv", "/x", "DATA"),
    ("PySide6/Qt/translations/qtbase_de.qm", "/x", "DATA"),
]


@pytest.fixture(scope="module")
def spec():
    Recorder.calls = []
    namespace = {"SPECPATH": str(PACKAGING), "__file__": str(SPEC)}
    for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[name] = type(name, (Recorder,), {})
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return namespace


def _kept(spec, attr):
    return {entry[0] for entry in getattr(spec["a"], attr)}


def test_every_package_module_is_a_hidden_import(spec):
    hidden = set(spec["a"].kwargs["hiddenimports"])
    on_disk = {
        ".".join(p.relative_to(REPO / "src").with_suffix("").parts).removesuffix(".__init__")
        for p in (REPO / "src" / "jepa_explorer").rglob("*.py")
    }
    assert on_disk <= hidden
    assert {"jepa_explorer.gui.commands", "jepa_explorer.doctor", "jepa_explorer.train.commands"} <= hidden


def test_entry_point_and_no_strip(spec):
    analysis = spec["a"]
    assert analysis.args[0] == [str(PACKAGING / "launcher.py")]
    assert str(REPO / "src") in analysis.kwargs["pathex"]
    for kind, call in Recorder.calls:
        if kind in ("EXE", "COLLECT"):
            assert call.kwargs.get("strip") is False and call.kwargs.get("upx") is False


def test_qt_and_optional_excludes(spec):
    excludes = set(spec["a"].kwargs["excludes"])
    assert {"PySide6.QtTest", "PySide6.QtNetwork", "PySide6.QtQuick", "tensorboard", "caffe2", "matplotlib"} <= excludes
    # pyqtgraph 0.14 imports these unconditionally; excluding them breaks `import pyqtgraph`
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"} & excludes
    assert "jepa_explorer.train" not in excludes  # the CLI's optional registration needs the package present


def test_data_lands_where_resources_home_looks(spec):
    datas = {dest for _src, dest in spec["a"].kwargs["datas"]}
    assert "assets" in datas and "icons" in datas
    assert all(dest.startswith("checkpoints/") for dest in datas if "checkpoints" in dest)
    assert "jepa_explorer/train/recipes" in datas


def test_filters(spec):
    binaries = _kept(spec, "binaries")
    assert {"torch/lib/libtorch_cpu.so", "torch/lib/libgomp.so.1", "torch/bin/torch_shm_manager"} <= binaries
    assert {"PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/plugins/platforms/libqxcb.so", "libcurl.so.4"} <= binaries
    dropped = {b[0] for b in FAKE_BINARIES} - binaries
    assert dropped == {
        "torch/lib/libtorchbind_test.so",
        "torch/bin/test_api",
        "torch/bin/protoc",
        "nvidia/cublas/lib/libcublas.so.12",
        "libcudart.so.12",
        "libcudnn.so.9",
        "torch/lib/libtorch_cuda.so",
    }
    datas = _kept(spec, "datas")
    assert {"torch/nn/modules/linear.py", "pyqtgraph/colors/maps/CET-L1.csv", "PySide6/Qt/translations/qtbase_de.qm"} <= datas
    assert not {"torch/include/ATen/ATen.h", "torch/share/cmake/Torch/TorchConfig.cmake"} & datas
    assert "scipy/io/tests/data/x.mat" not in datas
    # torch 2.13 imports torch.testing._internal when torch is imported (torch.utils.checkpoint)
    assert "torch/testing/_internal/common_utils.py" in datas
    assert "torch.testing._internal" not in spec["a"].kwargs["excludes"]


def test_one_folder_named_jepa_explorer(spec):
    (collect,) = [call for kind, call in Recorder.calls if kind == "COLLECT"]
    assert collect.kwargs["name"] == "jepa-explorer"
    exes = [call for kind, call in Recorder.calls if kind == "EXE"]
    assert exes[0].kwargs["name"] == "jepa-explorer" and exes[0].kwargs["console"] is True
    assert all(Path(call.kwargs["icon"]).is_file() for call in exes)


def test_icons_have_every_size():
    from PIL import Image

    ico = Image.open(PACKAGING / "icons" / "jepa-explorer.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    assert Image.open(PACKAGING / "icons" / "jepa-explorer.icns").size == (1024, 1024)
    assert Image.open(PACKAGING / "icons" / "jepa-explorer.png").size == (256, 256)


@pytest.mark.parametrize(
    "script", ["build", "smoke_test.sh", "wheelhouse.sh", "install_offline.sh", "linux/install-desktop-entry.sh"]
)
def test_scripts_parse_and_are_executable(script):
    path = PACKAGING / script
    assert path.stat().st_mode & 0o111
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_smoke_test_refuses_a_folder_without_the_app(tmp_path):
    proc = subprocess.run(["bash", str(PACKAGING / "smoke_test.sh"), str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1 and "no jepa-explorer launcher" in proc.stderr


def test_launcher_dispatches_doctor(tmp_path, monkeypatch):
    monkeypatch.setenv("JEPA_EXPLORER_HOME", str(tmp_path))
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['jepa-explorer', 'doctor', '--json', '--skip', "
        "'qt,prediction,checkpoints']; import launcher; sys.exit(launcher.run())"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(PACKAGING)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert '"ok": true' in proc.stdout
