"""YAML alias bombs (issue #10): refused while composing, before anything walks them."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.document.reader import read_yaml
from pfa.document.safe_yaml import MAX_ALIAS_NODES, YamlRefused, load_yaml
from pfa.errors import PfaSyntaxError


def bomb(levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs": ``width ** levels`` leaves in a few hundred bytes; the
    top anchor is ``&z``."""
    names = [chr(ord("a") + i) for i in range(levels)] + ["z"]
    lines = [f'{names[0]}: &{names[0]} ["lol"]']
    for prev, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


BOMB = bomb()


def test_the_bomb_is_small():
    assert len(BOMB.encode()) < 400


def test_bomb_is_refused():
    with pytest.raises(YamlRefused, match="alias bomb"):
        load_yaml(BOMB)


def test_bomb_document_is_a_syntax_error():
    doc = ("input: double\noutput: double\naction: [input]\ncells:\n  c:\n"
           "    type: {type: array, items: {type: array, items: {type: array, items: "
           "{type: array, items: {type: array, items: {type: array, items: {type: array, "
           "items: {type: array, items: {type: array, items: {type: array, items: string}}}}}}"
           "}}}}\n    init: *z\n")
    text = "defs:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()) + doc
    with pytest.raises(PfaSyntaxError, match="alias bomb"):
        read_yaml(text)
    with pytest.raises(PfaSyntaxError, match="alias bomb"):
        Engine.from_yaml(text)


def test_bomb_fails_fast_in_a_bounded_process():
    """Refused in a subprocess limited to 1 GiB of memory (the unbounded loader needed 3.9
    GB) and a generous wall-clock limit (it ran past 25 s)."""
    code = ("import sys\nfrom pfa.document.reader import read_yaml\nfrom pfa.errors import "
            "PfaSyntaxError\ntry:\n    read_yaml(sys.stdin.read())\nexcept PfaSyntaxError "
            "as e:\n    print('refused', e)\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    text = "defs:\n" + "".join("  " + line + "\n" for line in bomb(12, 12).splitlines())
    proc = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True,
                          text=True, timeout=120, preexec_fn=limit)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.startswith("refused") and "alias bomb" in proc.stdout


def test_recursive_alias_is_refused():
    with pytest.raises(YamlRefused, match="recursive"):
        load_yaml("a: &x [1, *x]")
    with pytest.raises(YamlRefused, match="recursive"):
        load_yaml("a: &x {b: *x}")


def test_aliases_below_the_bound_are_expanded():
    assert load_yaml("a: &x {p: [1, 2]}\nb: *x\nc: {<<: *x, q: 3}") == {
        "a": {"p": [1, 2]}, "b": {"p": [1, 2]}, "c": {"p": [1, 2], "q": 3}}


def test_bound_is_on_expanded_nodes():
    ok = "a: &x [" + ",".join(["0"] * 999) + "]\nb: [" + ",".join(["*x"] * 99) + "]\n"
    assert len(load_yaml(ok)["b"]) == 99  # 99 aliases of 1,000 nodes each
    too_many = ok.replace(",".join(["*x"] * 99), ",".join(["*x"] * (MAX_ALIAS_NODES // 1000
                                                                      + 1)))
    with pytest.raises(YamlRefused):
        load_yaml(too_many)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=5),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids,
                                                            max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(json_values, min_size=1, max_size=4),
       picks=st.lists(st.integers(0, 3), max_size=8))
def test_shared_structures_load_as_their_expansion(parts, picks):
    """PyYAML writes shared sub-structures as anchors and aliases; within the bound, the
    bounded loader gives exactly the JSON value they describe."""
    value = {"parts": parts, "again": [parts[i % len(parts)] for i in picks]}
    text = yaml.safe_dump(value)
    assert json.dumps(load_yaml(text), sort_keys=True) == json.dumps(value, sort_keys=True)
