import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixtures import FakeEncoder, write_pax_fixture  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED_PAX = Path(os.environ.get("PAXCLASSIFY_DATA", REPO.parent / "shared" / "pax"))


@pytest.fixture
def fake_encoder(monkeypatch):
    """For the command line, which takes no encoder object: FakeEncoder in place of the
    sentence-transformers encoder. Library calls are given ``encoder=FakeEncoder()`` instead."""
    import classify.embed

    monkeypatch.setattr(classify.embed, "Encoder", FakeEncoder)
    return FakeEncoder


@pytest.fixture
def pax_dir(tmp_path):
    return write_pax_fixture(tmp_path / "pax")


@pytest.fixture
def tiny_model(tmp_path, pax_dir, fake_encoder):
    from training.train import TrainSettings, train

    # embedding only: these tests are about the CLI, and FakeEncoder is already a bag of words
    # (the default embedding + n-gram model has its own tests in test_hybrid.py)
    settings = TrainSettings(min_positive=5, n_folds=3, lexical_buckets=0, roles=False)
    result = train(pax_dir, tmp_path / "model", settings=settings, cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    return result.path


@pytest.fixture(scope="session")
def session_model(tmp_path_factory):
    """A tiny model trained once per session with FakeEncoder; copy it before altering it."""
    from training.train import TrainSettings, train

    root = tmp_path_factory.mktemp("session-model")
    pax = write_pax_fixture(root / "pax")
    result = train(pax, root / "model", settings=TrainSettings(min_positive=5, n_folds=3, roles=False), cache_dir=root / "cache", encoder=FakeEncoder())
    return result.path


@pytest.fixture
def model_copy(session_model, tmp_path):
    """A private copy of the session model, free to damage."""
    import shutil

    return Path(shutil.copytree(session_model, tmp_path / "model"))
