"""The front-end registry: every ``pfa.exporters.<name>`` package with a ``frontend`` module
is found, follows the :class:`FrontEnd` protocol, and ``pfa export`` / ``frontends.export``
pick the one that accepts a model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import joblib
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from pfa.cli import main
from pfa.errors import UnsupportedModelError
from pfa.exporters import frontends
from pfa.exporters.sklearn import export as sklearn_export

ROOT = Path(__file__).resolve().parents[2]
FRONT_ENDS = frontends.front_ends()


@pytest.fixture(scope="module")
def model():
    X, y = load_iris(return_X_y=True)
    return LogisticRegression(max_iter=300).fit(X, y)


def test_every_front_end_package_is_found():
    packages = {p.parent.name for p in (ROOT / "pfa" / "exporters").glob("*/frontend.py")}
    assert {f.name for f in FRONT_ENDS} == packages
    assert "sklearn" in packages


@pytest.mark.parametrize("front", FRONT_ENDS, ids=[f.name for f in FRONT_ENDS])
def test_front_end_follows_the_protocol(front):
    assert isinstance(front, frontends.FrontEnd)
    assert front.reads
    assert not front.accepts(Path("model.unknown-suffix"))
    assert not front.accepts(object())


def test_live_model_and_saved_file_give_the_sklearn_document(model, tmp_path):
    path = tmp_path / "m.joblib"
    joblib.dump(model, path)
    expected = sklearn_export(model, timestamp=False, name="iris")
    assert frontends.pick(model).name == "sklearn"
    assert frontends.export(model, timestamp=False, name="iris") == expected
    assert frontends.export(str(path), timestamp=False, name="iris") == expected


def test_unknown_inputs_are_refused_with_what_is_read(tmp_path):
    with pytest.raises(UnsupportedModelError, match="no front end exports builtins.object"):
        frontends.pick(object())
    for missing in ("missing.pkl", "missing.txt"):
        with pytest.raises(FileNotFoundError, match="no such file"):
            frontends.export(tmp_path / missing)
    (tmp_path / "m.txt").write_text("x")
    readable = "; ".join(f.reads for f in FRONT_ENDS)
    with pytest.raises(ValueError, match=re.escape(f"unknown model file type '.txt' (expected "
                                                   f"{readable})")):
        frontends.pick(tmp_path / "m.txt")


class _Copycat:
    """A second front end claiming sklearn's files, to check ambiguity is refused."""

    name = "copycat"
    reads = ".joblib"

    def accepts(self, obj_or_path):
        return isinstance(obj_or_path, Path) and obj_or_path.suffix == ".joblib"

    def load(self, path, options):
        raise AssertionError("never loaded")

    def export(self, model, options):
        raise AssertionError("never exported")


def test_a_model_two_front_ends_accept_is_refused(model, tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.joblib"
    joblib.dump(model, path)
    monkeypatch.setattr(frontends, "front_ends", lambda: (*FRONT_ENDS, _Copycat()))
    assert main(["export", str(path), "-o", str(tmp_path / "m.pfa")]) == 2
    err = capsys.readouterr().err
    assert "several front ends" in err and "copycat" in err and "sklearn" in err
    assert not (tmp_path / "m.pfa").exists()


def test_cli_uses_the_front_end(model, tmp_path):
    path = tmp_path / "m.joblib"
    joblib.dump(model, path)
    assert main(["export", str(path), "-o", str(tmp_path / "m.pfa"), "--no-timestamp"]) == 0
    doc = json.loads((tmp_path / "m.pfa").read_text())
    assert doc == json.loads(json.dumps(sklearn_export(model, timestamp=False)))
