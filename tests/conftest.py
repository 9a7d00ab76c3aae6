"""Shared test fixtures. Qt's platform is set before anything can create a QApplication."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("JEPA_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
FIXTURES = REFERENCE / "fixtures"


def reference_file(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"reference fixture {path} not present (expected ../shared/reference beside the repo)")
    return path


@pytest.fixture(scope="session")
def ijepa_fixture_path() -> Path:
    return reference_file("ijepa.pth.tar")


@pytest.fixture(scope="session")
def vjepa_fixture_path() -> Path:
    return reference_file("vjepa.pth.tar")


@pytest.fixture(scope="session")
def ijepa_model(ijepa_fixture_path):
    from jepa_explorer.checkpoints.load import load_model

    return load_model(ijepa_fixture_path, "cpu")


@pytest.fixture
def photo_like() -> np.ndarray:
    """A smooth, structured uint8 image (gradients and discs), not noise."""
    yy, xx = np.mgrid[0:96, 0:128]
    img = np.stack([xx * 2, yy * 2, (xx + yy)], axis=-1).astype(np.float64)
    img[(yy - 40) ** 2 + (xx - 60) ** 2 < 400] = (230, 40, 40)
    return np.clip(img, 0, 255).astype(np.uint8)
