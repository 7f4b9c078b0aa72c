"""The compile subset is declared once (the lowering registry): every entry names a real PFA
function or special form, and the README table lists them all."""

from __future__ import annotations

import pytest

from pfa.check.signatures import library
from pfa.document import ast as A
from pfa.onnx.compiler import lowerings, markdown_table
from pfa.onnx.compiler.registry import REFUSED_WHY, find_form

LOWERINGS = lowerings()


@pytest.mark.parametrize("lw", [lw for lw in LOWERINGS if lw.kind == "function"],
                         ids=lambda lw: lw.key)
def test_function_lowering_names_a_library_function(lw):
    assert lw.key in library()
    assert lw.key not in REFUSED_WHY
    assert f"`{lw.key}`" in markdown_table()


def test_form_lowerings_name_ast_classes():
    classes = {name for name in dir(A) if isinstance(getattr(A, name), type)
               and issubclass(getattr(A, name), A.Expr)}
    registered = {c for c in classes if find_form(c) is not None}
    assert {"If", "Cond", "Let", "AttrGet", "CellGet", "IfNotNull", "Error"} <= registered
    for loop in ("While", "For", "Foreach", "SetVar", "CellTo", "PoolTo", "DoUntil"):
        assert find_form(loop) is None


def test_refused_functions_are_library_functions():
    assert set(REFUSED_WHY) <= set(library())
