"""The library registry: one declaration per library function.

A function's signature and error codes/messages live in signatures.json; its scalar form and
(optionally) its batch form are registered once, by the namespace module that implements it;
its runtime errors are built from the code alone (``error(code)``), never from a restated
message.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pfa.check.signatures import library
from pfa.errors import PfaRuntimeError
from pfa.lib import registry

LIB_DIR = Path(registry.__file__).resolve().parent
MODULES = sorted(p for p in LIB_DIR.glob("*.py") if p.name != "__init__.py")
REGISTRY = registry.load_all()
SPEC = library()
MESSAGES = {m for f in SPEC.values() for m in f.errors.values()}
LONG_MESSAGES = re.compile("|".join(re.escape(m) for m in MESSAGES if len(m) > 12))
OWNER = {code: f.name for f in SPEC.values() for code in f.errors}
BATCH = sorted(n for n, e in REGISTRY.items() if e.bind_batch or e.batch_call)


def _module_name(path: Path) -> str:
    return f"pfa.lib.{path.stem}"


def _registered_by(module: str) -> set[str]:
    return {n for n, e in REGISTRY.items() if e.module == module}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _namespace_modules(name: str) -> tuple[str, str]:
    """Where ``name`` must be registered: ``m.link.softmax`` → pfa.lib.m_link, ``+`` →
    pfa.lib.core (a trailing ``_`` where the namespace shadows a built-in: ``map_``)."""
    module = "pfa.lib." + (name.rpartition(".")[0].replace(".", "_") if "." in name else "core")
    return module, module + "_"


@pytest.mark.parametrize("name", list(SPEC))
def test_every_declared_function_has_one_scalar_form_in_its_namespace_module(name):
    entry = REGISTRY.get(name)
    assert entry is not None and entry.bind_scalar is not None, f"{name} has no scalar form"
    assert entry.module in _namespace_modules(name), f"{name} is registered in {entry.module}"


def test_registry_holds_only_declared_functions():
    assert set(REGISTRY) == set(SPEC)


@pytest.mark.parametrize("name", BATCH)
def test_every_batch_form_belongs_to_a_registered_function_in_its_module(name):
    entry = REGISTRY[name]
    assert entry.bind_scalar is not None
    assert (entry.bind_batch is None) != (entry.batch_call is None), "two batch forms"
    assert entry.batch_module == entry.module, (
        f"{name}: batch form registered in {entry.batch_module}, scalar form in {entry.module}")


def test_a_second_registration_is_refused():
    name = "m.sqrt"
    with pytest.raises(ValueError, match="registered twice"):
        registry.scalar(name)(lambda x: x)
    with pytest.raises(ValueError, match="two batch forms"):
        registry.batch(name)(lambda site: None)
    assert REGISTRY[name].module == "pfa.lib.m"


def test_an_undeclared_function_cannot_be_registered():
    with pytest.raises(ValueError, match="not a library function"):
        registry.scalar("m.notAFunction")(lambda x: x)
    assert "m.notAFunction" not in REGISTRY


@pytest.mark.parametrize("code", sorted(OWNER))
def test_error_takes_function_and_message_from_signatures(code):
    exc = registry.error(code)
    assert isinstance(exc, PfaRuntimeError)
    assert exc.code == code and exc.fcn == OWNER[code]
    assert exc.message == SPEC[OWNER[code]].errors[code]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_error_message_is_restated_in_lib_source(path):
    """No string in pfa/lib code (docstrings aside) is, or contains, a message of
    signatures.json: messages are looked up by code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and id(node) not in docs
             and (node.value in MESSAGES or LONG_MESSAGES.search(node.value))]
    assert not found, f"{path.name} restates messages of signatures.json: {found}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_error_code_raised_belongs_to_a_function_of_the_module(path):
    """``error(<literal>)``: the code is declared, by a function this module registers."""
    module = _module_name(path)
    mine = _registered_by(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "error" and node.args
                and isinstance(node.args[0], ast.Constant)):
            code = node.args[0].value
            if OWNER.get(code) not in mine:
                bad.append((node.lineno, code, OWNER.get(code)))
    assert not bad, f"{path.name}: codes of functions it does not register: {bad}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_error_code_literals_belong_to_functions_of_the_module(path):
    """Any literal that is an error code (tables of codes, ``code + 1`` bases …) names an
    error of a function this module registers, or of one whose implementation it reuses
    (numbers written with ``_``, such as ``10_000``, are quantities, not codes)."""
    module = _module_name(path)
    mine = _registered_by(module)
    reused = {OWNER[c] for c in _RECODED.get(module, ())}
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    bad = sorted({(node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and type(node.value) is int
                  and node.value in OWNER and OWNER[node.value] not in mine | reused
                  and "_" not in ast.get_source_segment(source, node)})  # 10_000: a quantity
    assert not bad, f"{path.name}: error codes of functions it does not register: {bad}"


# stat.test.residual/pull/mahalanobis run model.reg's implementations with their codes renumbered
_RECODED = {"pfa.lib.stat_test": (31020, 31030, 31031, 31040, 31041, 31042)}
