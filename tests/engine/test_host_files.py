"""Host file access (issue #10): a document reads external cell/pool initial values only
inside the directories the host allows, and never opens anything else.

An audit hook (PEP 578) records every file the engine opens while a document is built, so
the tests prove that a refused file is not even opened (not only that its content is not
returned).
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.avro.data import write_avro_file
from pfa.avro.types import parse_type
from pfa.errors import PfaSemanticError
from pfa.hostfiles import MAX_INIT_FILE_BYTES, FileAllowList

_OPENED: list[str] | None = None


def _hook(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_hook)


def build(doc: dict, **kwargs) -> tuple[Engine | Exception, list[str]]:
    """The engine of ``doc`` (or the error building it) and the files opened meanwhile."""
    global _OPENED
    Engine.from_json({"input": "null", "output": "null", "action": None})  # warm imports
    _OPENED = []
    try:
        result: Engine | Exception = Engine.from_json(doc, **kwargs)
    except Exception as err:  # noqa: BLE001 - returned to the test
        result = err
    finally:
        opened, _OPENED = _OPENED, None
    return result, [os.path.realpath(p) for p in opened]


def cell_doc(init: str, source: str = "json", t: object = "double") -> dict:
    return {"input": "null", "output": t, "action": {"cell": "c"},
            "cells": {"c": {"type": t, "source": source, "init": init}}}


def pool_doc(init: str, source: str = "json") -> dict:
    return {"input": "string", "output": "double",
            "action": {"pool": "p", "path": ["input"]},
            "pools": {"p": {"type": "double", "source": source, "init": init}}}


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """``allowed/`` (with a value file and symbolic links in and out) next to ``secret/``."""
    allowed = tmp_path / "allowed"
    secret = tmp_path / "secret"
    allowed.mkdir()
    secret.mkdir()
    (allowed / "v.json").write_text("2.5")
    (secret / "s.json").write_text("7.0")
    (allowed / "link_out").symlink_to(secret)
    (allowed / "link_in.json").symlink_to(allowed / "v.json")
    (secret / "link_back").symlink_to(allowed)
    return {"allowed": allowed, "secret": secret, "root": tmp_path}


# --- refused without an allow-list -----------------------------------------------------------

@pytest.mark.parametrize("source", ["json", "avro"])
@pytest.mark.parametrize("make, where", [(cell_doc, "cell 'c'"), (pool_doc, "pool 'p'")])
def test_no_allow_list_refuses_without_opening(tree, source, make, where):
    path = str(tree["allowed"] / "v.json")
    err, opened = build(make(path, source))
    assert isinstance(err, PfaSemanticError)
    assert where in str(err) and "allow_files" in str(err)
    assert err.path in ("$.cells.c.init", "$.pools.p.init")
    assert path not in opened


def test_etc_passwd_is_not_read_by_default():
    err, opened = build(cell_doc("/etc/passwd", t="string"))
    assert isinstance(err, PfaSemanticError) and "cell 'c'" in str(err)
    assert "/etc/passwd" not in opened


# --- inside the allow-list --------------------------------------------------------------------

def test_allowed_file_is_read(tree):
    engine, opened = build(cell_doc(str(tree["allowed"] / "v.json")),
                           allow_files=[str(tree["allowed"])])
    assert isinstance(engine, Engine) and engine.action(None) == 2.5
    assert opened == [str((tree["allowed"] / "v.json").resolve())]


def test_allowed_pool_file_is_read(tree):
    (tree["allowed"] / "p.json").write_text('{"a": 1.5, "b": 2}')
    engine, _ = build(pool_doc(str(tree["allowed"] / "p.json")), allow_files=tree["allowed"])
    assert engine.action("a") == 1.5 and engine.action("b") == 2.0


def test_factory_and_from_yaml_take_the_allow_list(tree):
    doc = cell_doc(str(tree["allowed"] / "v.json"))
    engines = Engine.factory(doc, 2, allow_files=[tree["allowed"]])
    assert [e.action(None) for e in engines] == [2.5, 2.5]
    import yaml

    assert Engine.from_yaml(yaml.safe_dump(doc), allow_files=[tree["allowed"]]).action(None) \
        == 2.5
    with pytest.raises(PfaSemanticError, match="allow_files"):
        Engine.from_yaml(yaml.safe_dump(doc))


@pytest.mark.parametrize("name", [
    "{secret}/s.json",                     # plainly outside
    "{allowed}/../secret/s.json",          # .. out of the allowed directory
    "{allowed}/link_out/s.json",           # a symbolic link out of it
    "/etc/passwd",
    "/dev/zero",
])
def test_outside_the_allow_list_is_refused_without_opening(tree, name):
    name = name.format(**{k: str(v) for k, v in tree.items()})
    err, opened = build(cell_doc(name), allow_files=[str(tree["allowed"])])
    assert isinstance(err, PfaSemanticError)
    assert "outside the directories" in str(err) and "cell 'c'" in str(err)
    assert opened == []


def test_link_back_into_the_allowed_directory_is_read(tree):
    engine, _ = build(cell_doc(str(tree["secret"] / "link_back" / "v.json")),
                      allow_files=[str(tree["allowed"])])
    assert engine.action(None) == 2.5


def test_relative_names_resolve_from_the_working_directory(tree, monkeypatch):
    monkeypatch.chdir(tree["allowed"])
    assert build(cell_doc("v.json"), allow_files=["."])[0].action(None) == 2.5
    err, opened = build(cell_doc("../secret/s.json"), allow_files=["."])
    assert isinstance(err, PfaSemanticError) and opened == []


COMPONENTS = ["..", ".", "allowed", "secret", "link_out", "link_back", "v.json", "s.json",
              "link_in.json"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=6))
def test_any_path_is_read_iff_it_resolves_inside(tree, parts):
    """Whatever path a document names (dots, links in and out), the engine opens it exactly
    when its real path lies in the allowed directory, and then returns the file's value."""
    name = os.path.join(str(tree["root"]), *parts)
    real = os.path.realpath(name)
    inside = os.path.commonpath([real, str(tree["allowed"])]) == str(tree["allowed"])
    result, opened = build(cell_doc(name), allow_files=[str(tree["allowed"])])
    assert all(os.path.commonpath([p, str(tree["allowed"])]) == str(tree["allowed"])
               for p in opened), opened
    if inside and os.path.isfile(real):
        assert isinstance(result, Engine) and result.action(None) == 2.5
    else:
        assert isinstance(result, PfaSemanticError), result


# --- what is never read, even when allowed ----------------------------------------------------

def test_devices_are_refused_even_in_an_allowed_directory():
    err, _ = build(cell_doc("/dev/zero"), allow_files=["/dev"])
    assert isinstance(err, PfaSemanticError) and "not a regular file" in str(err)


def test_fifo_is_refused_without_blocking(tree):
    fifo = tree["allowed"] / "fifo"
    os.mkfifo(fifo)
    err, _ = build(cell_doc(str(fifo)), allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and "not a regular file" in str(err)


def test_directory_is_refused(tree):
    err, _ = build(cell_doc(str(tree["allowed"])), allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and "directory" in str(err)


def test_file_size_is_bounded(tree):
    (tree["allowed"] / "big.json").write_text("[" + "1.0, " * 100 + "1.0]")
    small = FileAllowList((str(tree["allowed"]),), max_bytes=100)
    err, _ = build(cell_doc(str(tree["allowed"] / "big.json"),
                            t={"type": "array", "items": "double"}), allow_files=small)
    assert isinstance(err, PfaSemanticError) and "more than the limit of 100" in str(err)
    assert MAX_INIT_FILE_BYTES == 64 * 2**20  # the documented default


@pytest.mark.parametrize("url", ["http://example.com/x.json", "file:///etc/passwd"])
def test_urls_are_never_fetched(tree, url):
    err, opened = build(cell_doc(url), allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and "URL" in str(err) and opened == []


def test_not_a_directory_in_the_allow_list(tree):
    with pytest.raises(ValueError, match="not a directory"):
        Engine.from_json(cell_doc("v.json"), allow_files=[str(tree["allowed"] / "v.json")])


def test_malformed_json_file(tree):
    (tree["allowed"] / "bad.json").write_bytes(b"\xff[1")
    err, _ = build(cell_doc(str(tree["allowed"] / "bad.json")), allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and "not valid JSON" in str(err)


def test_document_cannot_grant_itself_access(tree):
    doc = cell_doc(str(tree["allowed"] / "v.json"))
    doc["options"] = {"allow_files": [str(tree["allowed"])]}
    err, opened = build(doc)
    assert isinstance(err, PfaSemanticError) and opened == []


# --- source "avro" ------------------------------------------------------------------------

def write_avro(path: Path, schema: object, values: list) -> None:
    with open(path, "wb") as f:
        write_avro_file(parse_type(schema), values, f)


REC = {"type": "record", "name": "R", "fields": [
    {"name": "x", "type": "double"}, {"name": "tag", "type": ["null", "string"]}]}


def test_avro_cell(tree):
    write_avro(tree["allowed"] / "c.avro", REC, [{"x": 1.5, "tag": "a"}])
    engine, _ = build(cell_doc(str(tree["allowed"] / "c.avro"), "avro", REC),
                      allow_files=[tree["allowed"]])
    assert engine.action(None) == {"x": 1.5, "tag": "a"}


def test_avro_pool(tree):
    write_avro(tree["allowed"] / "p.avro", {"type": "map", "values": "double"},
               [{"a": 1.0, "b": -2.5}])
    engine, _ = build(pool_doc(str(tree["allowed"] / "p.avro"), "avro"),
                      allow_files=[tree["allowed"]])
    assert engine.action("b") == -2.5


@pytest.mark.parametrize("schema, values, message", [
    ("double", [1.0, 2.0], "exactly one datum"),
    ("double", [], "exactly one datum"),
    ("string", ["x"], "schema"),
])
def test_avro_file_refusals(tree, schema, values, message):
    write_avro(tree["allowed"] / "c.avro", schema, values)
    err, _ = build(cell_doc(str(tree["allowed"] / "c.avro"), "avro"),
                   allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and message in str(err)
    assert "cell 'c'" in str(err)


def test_avro_garbage_is_refused(tree):
    (tree["allowed"] / "g.avro").write_bytes(b"Obj\x01garbage" * 10)
    err, _ = build(cell_doc(str(tree["allowed"] / "g.avro"), "avro"),
                   allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and "not a usable Avro file" in str(err)


def test_avro_roundtrip_of_a_snapshot(tree):
    """An Avro file written from a cell's value gives the same value back."""
    t = {"type": "array", "items": {"type": "map", "values": "float"}}
    value = [{"a": 0.1, "b": 3.0}, {}]
    buf = io.BytesIO()
    write_avro_file(parse_type(t), [json.loads(json.dumps(value))], buf)
    (tree["allowed"] / "a.avro").write_bytes(buf.getvalue())
    engine, _ = build(cell_doc(str(tree["allowed"] / "a.avro"), "avro", t),
                      allow_files=[tree["allowed"]])
    embedded = Engine.from_json({**cell_doc("", t=t), "cells": {"c": {"type": t,
                                                                      "init": value}}})
    assert engine.action(None) == embedded.action(None)


def test_compressed_avro_is_refused(tree):
    """A deflate block of a few kilobytes can expand to gigabytes: refused before reading."""
    with open(tree["allowed"] / "z.avro", "wb") as f:
        write_avro_file(parse_type("string"), ["x" * 10_000], f, codec="deflate")
    err, _ = build(cell_doc(str(tree["allowed"] / "z.avro"), "avro", "string"),
                   allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and "compressed" in str(err)


@pytest.mark.parametrize("items", [
    "null",
    {"type": "record", "name": "E", "fields": [{"name": "n", "type": "null"}]},
    {"type": "fixed", "name": "F0", "size": 0},
])
def test_avro_arrays_of_zero_byte_items_are_refused(tree, items):
    """A block count alone (a few bytes) would make billions of such items."""
    t = {"type": "map", "values": {"type": "array", "items": items}}
    write_avro(tree["allowed"] / "n.avro", t, [{}])
    err, _ = build(cell_doc(str(tree["allowed"] / "n.avro"), "avro", t),
                   allow_files=[tree["allowed"]])
    assert isinstance(err, PfaSemanticError) and "take no bytes" in str(err)
