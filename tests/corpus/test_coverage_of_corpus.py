"""The valid corpus, taken together, uses every top-level field and every expression form."""

from __future__ import annotations

import json
from pathlib import Path

from pfa.document import ast as A
from pfa.document.reader import TOP_LEVEL_FIELDS, read

HERE = Path(__file__).parent
VALID = sorted((HERE / "valid").glob("*.json"))


def _all_subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _all_subclasses(sub)
    return out


def test_every_top_level_field_is_used():
    used: set[str] = set()
    for p in VALID:
        used |= set(json.loads(p.read_text())) - {"@"}
    assert set(TOP_LEVEL_FIELDS) - used == set()


def test_every_method_is_used():
    methods = {read(json.loads(p.read_text())).method for p in VALID}
    assert methods == set(A.METHODS)


def test_every_expression_class_is_used():
    used: set[type] = set()
    for p in VALID:
        for node in A.walk(read(json.loads(p.read_text()))):
            used.add(type(node))
    wanted = _all_subclasses(A.Expr) | {A.FcnDef, A.FcnRef, A.CastCase, A.Param,
                                        A.CellSpec, A.PoolSpec}
    assert wanted - used == set()


def test_locator_marks_and_shortcuts_are_used():
    texts = [p.read_text() for p in VALID]
    assert any('"@"' in t for t in texts)
    docs = [read(json.loads(t)) for t in texts]
    attr_shortcuts = [n for d in docs for n in A.walk(d)
                      if isinstance(n, A.AttrGet) and n.path == n.expr.path]
    assert attr_shortcuts, "no dotted attr shortcut (\"x.a.b\") in the corpus"
