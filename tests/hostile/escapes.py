"""Hand-written escape and resource cases: every example of issue #10 and their neighbours.

Each case is a JSON case for :mod:`runner` (``id`` ``escape-…``). The case's temporary
directory ``{tmp}`` holds ``secret.json`` (outside the audit allow-list: opening it is a
violation) and ``allowed/`` (inside it); ``allowed/cell.json`` is a readable JSON file.
Resource cases run with a 500 ms timeout option, so they must end (with a PFA error) within
the timeout + 1 s and the worker's memory limit.
"""

from __future__ import annotations

from typing import Any

T = 500  # ms
OPTS = {"timeout": T}
ARR_INT = {"type": "array", "items": "int"}
FILES = {"secret.json": '{"password": "hunter2"}', "allowed/cell.json": "[1, 2, 3]",
         "allowed/pool.json": '{"a": 1}', "allowed/bad.json": "\udcff not json",
         "allowed/big.json": "[" + "1," * 1000 + "1]"}
ALLOW = {"allow_files": ["{tmp}/allowed"]}


def _doc(action: Any, input_t: Any = "null", output: Any = "int", **extra: Any) -> dict:
    return {"input": input_t, "output": output, "action": action, **extra}


def _cell_doc(init: str, source: str = "json", t: Any = ARR_INT, pool: bool = False) -> dict:
    if pool:
        return _doc({"pool": "p", "path": [{"string": "a"}]},
                    pools={"p": {"type": "int", "source": source, "init": init}})
    return _doc({"a.len": {"cell": "c"}}, cells={"c": {"type": t, "source": source,
                                                       "init": init}})


def _lit(t: Any, v: Any) -> dict:
    return {"type": t, "value": v}


def _call(name: str, *args: Any, output: Any = "int", input_t: Any = "null") -> dict:
    return _doc({name: list(args)}, input_t=input_t, output=output)


BOMB_YAML = """\
a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
input: "null"
output: "int"
action: [{"a.len": {"value": *i, "type": {"type": "array", "items": "string"}}}]
"""
BOMB_CELL_YAML = """\
input: "null"
output: "int"
cells:
  c:
    type: {"type": "array", "items": {"type": "array", "items": {"type": "array",
           "items": {"type": "array", "items": {"type": "array", "items": {"type": "array",
           "items": {"type": "array", "items": {"type": "array", "items": "string"}}}}}}}}
    init: &i [&h [&g [&f [&e [&d [&c [&b ["lol","lol","lol","lol","lol","lol","lol","lol"],
           *b,*b,*b,*b,*b,*b,*b],*c,*c,*c,*c,*c,*c,*c],*d,*d,*d,*d,*d,*d,*d],
           *e,*e,*e,*e,*e,*e,*e],*f,*f,*f,*f,*f,*f,*f],*g,*g,*g,*g,*g,*g,*g],
           *h,*h,*h,*h,*h,*h,*h]]
action: [{"a.len": {"cell": "c"}}]
"""


def _resource(name: str, doc: dict, inputs: list[Any] | None = None,
              expect: str | None = "error") -> dict:
    case = {"id": f"escape-{name}", "category": "escape", "doc": doc, "options": OPTS,
            "inputs": inputs if inputs is not None else [None]}
    if expect:
        case["expect"] = expect
    return case


def _host(name: str, doc: dict, expect: str = "error", **extra: Any) -> dict:
    return {"id": f"escape-{name}", "category": "escape", "doc": doc, "files": FILES,
            "allow": ["{tmp}/allowed"], "inputs": [None], "expect": expect, **extra}


def cases() -> list[dict[str, Any]]:
    long_a = "a" * 40 + "!"
    cat = [
        # -- host files ---------------------------------------------------------------------
        _host("cell-json-host-file", _cell_doc("{tmp}/secret.json",
                                                t={"type": "map", "values": "string"})),
        _host("cell-json-etc-passwd", _cell_doc("/etc/passwd", t="string")),
        _host("cell-json-dev-zero", _cell_doc("/dev/zero", t="string")),
        _host("cell-json-dev-urandom", _cell_doc("/dev/urandom", t="string")),
        _host("cell-json-proc-environ", _cell_doc("/proc/self/environ", t="string")),
        _host("cell-json-directory", _cell_doc("/etc")),
        _host("cell-json-missing-file", _cell_doc("/nonexistent/dir/x.json")),
        _host("cell-json-relative-traversal", _cell_doc("../../../../../../etc/passwd")),
        _host("cell-avro-host-file", _cell_doc("{tmp}/secret.json", source="avro")),
        _host("pool-json-host-file", _cell_doc("{tmp}/secret.json", pool=True)),
        _host("pool-avro-dev-zero", _cell_doc("/dev/zero", source="avro", pool=True)),
        _host("cell-json-file-url", _cell_doc("file:///etc/passwd", t="string")),
        _host("cell-json-allowed-without-allow-list", _cell_doc("{tmp}/allowed/cell.json")),
        _host("cell-json-allow-list-reads", _cell_doc("{tmp}/allowed/cell.json"), expect="ok",
              engine_kwargs=ALLOW),
        _host("pool-json-allow-list-reads", _cell_doc("{tmp}/allowed/pool.json", pool=True),
              expect="ok", engine_kwargs=ALLOW),
        _host("cell-json-allow-list-traversal", _cell_doc("{tmp}/allowed/../secret.json"),
              engine_kwargs=ALLOW),
        _host("cell-json-allow-list-symlink-out", _cell_doc("{tmp}/allowed/link.json"),
              engine_kwargs=ALLOW, symlinks={"allowed/link.json": "{tmp}/secret.json"}),
        _host("cell-json-allow-list-dev-zero", _cell_doc("/dev/zero", t="string"),
              engine_kwargs=ALLOW),
        _host("cell-json-allow-list-not-json", _cell_doc("{tmp}/allowed/bad.json"),
              engine_kwargs=ALLOW),
        _host("cell-json-allow-list-wrong-type", _cell_doc("{tmp}/allowed/pool.json"),
              engine_kwargs=ALLOW),
        # -- one library call past the timeout -----------------------------------------------
        _resource("a-combinations-long-array", _call(
            "a.len", {"a.combinations": [_lit(ARR_INT, list(range(40))), 20]})),
        _resource("a-permutations-ten", _call(
            "a.len", {"a.permutations": [_lit(ARR_INT, list(range(10)))]})),
        _resource("a-permutations-twelve", _call(
            "a.len", {"a.permutations": [_lit(ARR_INT, list(range(12)))]})),
        *[_resource(f"re-catastrophic-{fn.replace('.', '-')}", _call(
            fn, {"string": long_a}, {"string": "(a+)+$"}, *extra, output=out), expect=None)
          for fn, out, extra in [
              ("re.index", {"type": "array", "items": "int"}, []),
              ("re.contains", "boolean", []), ("re.count", "int", []),
              ("re.rindex", {"type": "array", "items": "int"}, []),
              ("re.findall", {"type": "array", "items": "string"}, []),
              ("re.split", {"type": "array", "items": "string"}, []),
              ("re.replaceall", "string", [{"string": "b"}])]],
        _resource("re-catastrophic-nested-alternation", _call(
            "re.contains", {"string": "a" * 30 + "b"}, {"string": "(a|aa)*c"},
            output="boolean"), expect=None),
        _resource("m-special-nchoosek-max-int", _call(
            "m.special.nChooseK", 2147483647, 1073741823)),
        _resource("rand-string-max-int", _call("rand.string", 2147483647, output="string"),
                  expect=None),
        _resource("rand-bytes-max-int", _call("rand.bytes", 2147483647, output="bytes"),
                  expect=None),
        _resource("prob-dist-poisson-qf", _call(
            "prob.dist.poissonQF", {"double": 0.999999999}, {"double": 1e12},
            output="double"), expect=None),
        _resource("prob-dist-negative-binomial-qf", _call(
            "prob.dist.negativeBinomialQF", {"double": 0.999999999}, 2147483647,
            {"double": 1e-9}, output="double"), expect=None),
        _resource("prob-dist-geometric-qf", _call(
            "prob.dist.geometricQF", {"double": 0.999999999}, {"double": 1e-15},
            output="double"), expect=None),
        _resource("cast-fanout-int-whole-range", _call(
            "a.len", {"cast.fanoutInt": [0, -2147483648, 2147483647, False]})),
        _resource("s-repeat-max-int", _call("s.repeat", {"string": "abc"}, 2147483647,
                                            output="string")),
        _resource("s-int-huge-width", _call("s.int", {"long": 5}, 2147483647, True,
                                            output="string")),
        _resource("s-hex-huge-width", _call("s.hex", {"long": 5}, 2147483647, False,
                                            output="string")),
        _resource("s-number-huge-width", _call("s.number", {"long": 5}, 2147483647, True,
                                               output="string")),
        _resource("s-join-huge", _doc({"s.len": {"s.join": [
            {"a.map": [{"cast.fanoutInt": [0, 0, 20000000, False]},
                       {"params": [{"x": "int"}], "ret": "string",
                        "do": {"string": "abcdefghij"}}]}, {"string": ""}]}})),
        _resource("a-rangeint-loop", _doc({"a.len": {"a.flatten": {"a.map": [
            {"cast.fanoutInt": [0, 0, 100000, False]},
            {"params": [{"x": "int"}], "ret": ARR_INT,
             "do": {"cast.fanoutInt": [0, 0, 100000, False]}}]}}})),
        _resource("while-forever", _doc([{"let": {"i": 0}}, {"while": True, "do": {
            "set": {"i": {"+": ["i", 0]}}}}, "i"])),
        _resource("recursion-forever", {
            "input": "int", "output": "int", "action": {"u.f": ["input"]},
            "fcns": {"f": {"params": [{"x": "int"}], "ret": "int",
                           "do": {"u.f": [{"+": ["x", 0]}]}}}}, inputs=[1]),
        # -- literals, formats and nesting that Python cannot take --------------------------
        {"id": "escape-int-literal-5000-digits", "category": "escape",
         "doc_json": '{"input": "null", "output": "long", "action": @@BIG@@}',
         "expand": {"@@BIG@@": {"repeat": "9", "times": 5000}}, "inputs": [None],
         "expect": "error"},
        {"id": "escape-int-literal-in-value-5000-digits", "category": "escape",
         "doc_json": '{"input": "null", "output": "long", "action": {"type": "long", '
                     '"value": @@BIG@@}}',
         "expand": {"@@BIG@@": {"repeat": "9", "times": 5000}}, "inputs": [None],
         "expect": "error"},
        {"id": "escape-float-literal-5000-digits", "category": "escape",
         "doc_json": '{"input": "null", "output": "double", "action": @@BIG@@}',
         "expand": {"@@BIG@@": {"repeat": "9", "times": 5000, "suffix": ".5"}},
         "inputs": [None]},
        {"id": "escape-pack-raw-5000-digits", "category": "escape",
         "doc_json": '{"input": "null", "output": "bytes", "action": {"pack": [{"raw @@N@@": '
                     '{"bytes": ""}}]}}',
         "expand": {"@@N@@": {"repeat": "9", "times": 5000}}, "inputs": [None]},
        {"id": "escape-unpack-raw-5000-digits", "category": "escape",
         "doc_json": '{"input": "bytes", "output": "int", "action": {"unpack": "input", '
                     '"format": [{"x": "raw @@N@@"}], "then": 1, "else": 0}}',
         "expand": {"@@N@@": {"repeat": "9", "times": 5000}}, "inputs": ["abc"]},
        {"id": "escape-action-json-nested-100000", "category": "escape",
         "doc": {"input": {"type": "array", "items": {"type": "array", "items": "int"}},
                 "output": "int", "action": {"a.len": "input"}},
         "inputs_json": ["[" * 100_000 + "]" * 100_000], "expect": "error"},
        {"id": "escape-action-json-nested-map-100000", "category": "escape",
         "doc": {"input": {"type": "map", "values": "int"}, "output": "int",
                 "action": {"map.len": "input"}},
         "inputs_json": ['{"a":' * 100_000 + "1" + "}" * 100_000], "expect": "error"},
        {"id": "escape-document-nested-100000", "category": "escape",
         "doc_json": '{"input": "int", "output": "int", "action": @@DEEP@@}',
         "expand": {"@@DEEP@@": {"open": '{"u-": ', "close": "}", "depth": 100_000,
                                 "inner": '"input"'}}, "inputs": [1], "expect": "error"},
        {"id": "escape-document-nested-3000-expressions", "category": "escape",
         "doc_json": '{"input": "int", "output": "int", "action": @@DEEP@@}',
         "expand": {"@@DEEP@@": {"open": '{"+": [1, ', "close": "]}", "depth": 3000,
                                 "inner": '"input"'}}, "inputs": [1], "options": OPTS},
        {"id": "escape-type-nested-100000", "category": "escape",
         "doc_json": '{"input": @@DEEP@@, "output": "int", "action": 1}',
         "expand": {"@@DEEP@@": {"open": '{"type": "array", "items": ', "close": "}",
                                 "depth": 100_000, "inner": '"int"'}}, "expect": "error"},
        {"id": "escape-cell-init-nested-100000", "category": "escape",
         "doc_json": '{"input": "null", "output": "int", "action": 1, "cells": {"c": '
                     '{"type": {"type": "array", "items": "int"}, "init": @@DEEP@@}}}',
         "expand": {"@@DEEP@@": {"open": "[", "close": "]", "depth": 100_000, "inner": ""}},
         "expect": "error"},
        {"id": "escape-input-lone-surrogate", "category": "escape",
         "doc": {"input": "string", "output": "int", "action": {"s.len": "input"}},
         "inputs_json": ['"\\ud800"'], "inputs": ["\ud800x"]},
        {"id": "escape-input-not-utf8", "category": "escape",
         "doc": {"input": "string", "output": "int", "action": {"s.len": "input"}},
         "inputs_json": ["\udcff\udcfe"]},
        {"id": "escape-input-big-int-text", "category": "escape",
         "doc": {"input": "long", "output": "long", "action": "input"},
         "inputs_json": ["9" * 5000], "expect": "error"},
        # -- YAML ---------------------------------------------------------------------------
        {"id": "escape-yaml-alias-bomb-check", "category": "escape", "api": "check",
         "yaml": BOMB_YAML, "expect": "error"},
        {"id": "escape-yaml-alias-bomb-engine", "category": "escape", "yaml": BOMB_YAML,
         "inputs": [None], "expect": "error"},
        {"id": "escape-yaml-alias-bomb-cell", "category": "escape", "yaml": BOMB_CELL_YAML,
         "inputs": [None], "expect": "error"},
        {"id": "escape-yaml-python-tag", "category": "escape",
         "yaml": 'input: !!python/object/apply:os.system ["echo hi"]\noutput: int\naction: 1\n',
         "expect": "error"},
        {"id": "escape-yaml-merge-key", "category": "escape",
         "yaml": 'base: &b {input: "int", output: "int"}\n<<: *b\naction: ["input"]\n',
         "inputs": [1]},
        # -- engine options -----------------------------------------------------------------
        {"id": "escape-options-huge-timeout", "category": "escape",
         "doc": _doc(1), "options": {"timeout": 10**30}, "inputs": [None]},
        {"id": "escape-options-randseed-huge", "category": "escape",
         "doc": _doc({"rand.int": []}), "options": {"randseed": 10**30}, "inputs": [None]},
        # -- exec: record input decoded from JSON -------------------------------------------
        {"id": "escape-record-decoder-no-exec", "category": "escape",
         "doc": {"input": {"type": "record", "name": "R", "fields": [
             {"name": "a", "type": "int"}, {"name": "b", "type": {"type": "record",
                                                                   "name": "S", "fields": [
                 {"name": "c", "type": "string"}]}}]},
                 "output": "int", "action": "input.a",
                 "cells": {"r": {"type": "R", "init": {"a": 1, "b": {"c": "x"}}}}},
         "inputs": [{"a": 1, "b": {"c": "x"}}], "inputs_json": ['{"a": 2, "b": {"c": "y"}}'],
         "batch": True, "expect": "ok"},
    ]
    return cat
