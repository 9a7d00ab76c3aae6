"""The content files ship: in the wheel (package data) and in the PyInstaller bundle (the spec's datas)."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

from jepa_explorer.lesson.loader import bundled_content_dir, tomllib  # tomli on Python 3.10
from tests.packaging.test_spec import spec  # noqa: F401  (the spec run with stand-ins for PyInstaller)

REPO = Path(__file__).resolve().parents[2]


def test_package_data_covers_every_content_file():
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["jepa_explorer.lesson"]
    files = [p.relative_to(bundled_content_dir().parent).as_posix() for p in bundled_content_dir().iterdir()]
    assert len(files) >= 4
    assert all(any(fnmatch(f, pattern) for pattern in patterns) for f in files), files


def test_bundle_carries_the_content(spec):  # noqa: F811
    datas = spec["a"].kwargs["datas"]
    shipped = {Path(src).name for src, dest in datas if dest == "jepa_explorer/lesson/content"}
    assert shipped == {p.name for p in bundled_content_dir().glob("*.toml")}
