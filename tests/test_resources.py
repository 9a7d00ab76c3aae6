"""Bundled files are found from a source checkout and from an override folder."""

from jepa_explorer import resources
from tests.conftest import REPO


def test_home_is_the_repo_root_in_a_checkout(monkeypatch):
    monkeypatch.delenv("JEPA_EXPLORER_HOME", raising=False)
    assert resources.home() == REPO
    assert resources.assets_dir() == REPO / "assets"
    assert resources.sample_images(), "assets/samples ships sample images"


def test_override(monkeypatch, tmp_path):
    (tmp_path / "checkpoints" / "ijepa-tiny").mkdir(parents=True)
    (tmp_path / "checkpoints" / "ijepa-tiny" / "card.json").write_text("{}")
    monkeypatch.setenv("JEPA_EXPLORER_HOME", str(tmp_path))
    assert resources.default_checkpoint() == tmp_path / "checkpoints" / "ijepa-tiny"
    assert resources.bundled_checkpoints() == [tmp_path / "checkpoints" / "ijepa-tiny"]
    assert resources.sample_images() == []
