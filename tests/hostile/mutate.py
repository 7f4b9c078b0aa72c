"""A seeded mutator over the valid corpus (``tests/corpus/valid``) and the conformance
documents (``conformance/cases``).

Case ``mutant-<seed>-<i>`` is made from ``random.Random(f"{seed}:{i}")`` alone, so any case
can be rebuilt from its id (:mod:`tests.hostile.replay`). Each case takes one seed document
with its sample inputs, applies one to three mutations — swap, duplicate or delete subtrees,
extreme literals (huge and boundary integers, NaN/±inf, long strings, 5000-digit integers),
deep nesting, type changes, renaming a library call to another of the same arity (dangerous
ones preferred), external ``source: json|avro`` cells and pools pointing at host paths,
large array literals — and runs it with a host-side timeout option of 500 ms, comparing
``action_batch`` with ``action`` on its inputs.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent
CORPUS = REPO / "tests" / "corpus"
CONFORMANCE = REPO / "conformance" / "cases"
TIMEOUT_MS = 500
HOST_OPTIONS = {"timeout": TIMEOUT_MS, "timeout.begin": TIMEOUT_MS,
                "timeout.action": TIMEOUT_MS, "timeout.end": TIMEOUT_MS}

INT_EXTREMES = [0, 1, -1, 2, 7, 31, 32, 63, 64, 100, 1000, 65536, 2**31 - 1, -(2**31),
                2**31, 2**32, 2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**64, 10**30, 10**200]
FLOAT_EXTREMES = [0.0, -0.0, 0.5, -1.5, 1e-308, 5e-324, 1e308, -1e308, 3.4028235e38,
                  float("nan"), float("inf"), float("-inf"), 1e16, 2.0**53]
STRING_EXTREMES = ["", "a", "\x00", "\u00e9\u4e2d\U0001F600", "\x1b[31mred\x1b[0m", "\ud800",
                   "(a+)+$", "(a|a)*b", "(x+x+)+y", "[", "\\", "%s%n", "/etc/passwd",
                   "../../../../etc/passwd", "/dev/zero", "raw 99999999999999999999",
                   "int", "prefixed", "pad", "null", "{tmp}/x.json"]
PATHS = ["/etc/passwd", "/etc/hostname", "/dev/zero", "/dev/urandom", "/proc/self/environ",
         "../../../../../etc/passwd", "/etc", "/nonexistent/x.json", "{tmp}/../../etc/passwd",
         "file:///etc/passwd", "~/.ssh/id_rsa", "{tmp}/cell.json"]
TYPES: list[Any] = ["int", "long", "float", "double", "string", "bytes", "boolean", "null",
                    {"type": "array", "items": "double"}, {"type": "array", "items": "int"},
                    {"type": "map", "values": "string"}, ["null", "double"],
                    {"type": "array", "items": {"type": "array", "items": "long"}}]
# library functions the issue names as able to run long or allocate much
DANGEROUS = ["a.combinations", "a.permutations", "a.flatten", "a.rotate", "s.repeat",
             "s.int", "s.hex", "s.number", "rand.string", "rand.bytes", "rand.int",
             "m.special.nChooseK", "prob.dist.poissonQF", "prob.dist.negativeBinomialQF",
             "prob.dist.geometricQF", "prob.dist.binomialQF", "prob.dist.hypergeometricQF",
             "cast.fanoutInt", "cast.fanoutLong", "re.index", "re.contains", "re.count",
             "re.rindex", "re.groups", "re.indexall", "re.findall", "re.findfirst",
             "re.findgroupsfirst", "re.findgroupsall", "re.groupsall", "re.replacefirst",
             "re.replacelast", "re.replaceall", "re.split", "bytes.toBase64",
             "bytes.fromBase64", "a.subseqto", "a.index", "a.mode", "a.distinct",
             "a.len", "map.fromset", "s.join", "s.rjust", "s.ljust", "s.center",
             "a.rangeInt", "m.special.lnBeta", "la.inverse", "la.det", "la.eigenBasis",
             "stat.sample.updateCovariance", "model.neighbor.nearestK", "cast.json"]
# raw text for action_json: malformed, deep, huge or odd JSON
RAW_INPUTS = ["", "nul", "[" * 100_000, "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
              "9" * 5000, "1e999", "-1e999", "NaN", "Infinity", '"\ud800"', '"\u0000"',
              "\udcff", '{"x0": 1, "x0": 2}', "[1, 2, 3]", '{"": null}', "null", "true",
              '{"x0": "' + "a" * 100_000 + '"}', "0" * 100, "-0", "1" + "0" * 400,
              '{"double": "NaN"}', '{"int": 2147483648}']
SKIP_KEYS = {"type", "name", "namespace", "doc", "fields", "symbols", "items", "values",
             "size", "input", "output", "method", "version", "metadata", "options"}


# ---------------------------------------------------------------------------------------------
# seed documents
# ---------------------------------------------------------------------------------------------

@cache
def seeds() -> list[tuple[str, dict[str, Any], list[Any]]]:
    """(name, document, JSON-encoded inputs) of every seed document."""
    out: list[tuple[str, dict[str, Any], list[Any]]] = []
    samples = json.loads((CORPUS / "valid_samples.json").read_text(encoding="utf-8"))
    for p in sorted((CORPUS / "valid").glob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        inputs = [s["input"] for s in samples.get(p.stem, [])][:3]
        out.append((f"corpus/{p.stem}", doc, inputs))
    for p in sorted(CONFORMANCE.glob("*.json")):
        for k, entry in enumerate(json.loads(p.read_text(encoding="utf-8"))):
            inputs = [t["input"] for t in entry.get("trials", [])][:3]
            out.append((f"conformance/{p.stem}#{k}", entry["doc"], inputs))
    return out


@cache
def library_by_arity() -> dict[int, list[str]]:
    sigs = json.loads((REPO / "pfa" / "lib" / "signatures.json").read_text())["functions"]
    by: dict[int, set[str]] = {}
    for f in sigs:
        for s in f["sigs"]:
            by.setdefault(len(s["params"]), set()).add(f["name"])
    return {k: sorted(v) for k, v in by.items()}


# ---------------------------------------------------------------------------------------------
# random data of an Avro type (JSON-encoded)
# ---------------------------------------------------------------------------------------------

def datum(rng: random.Random, t: Any, names: dict[str, Any], depth: int = 0) -> Any:
    """A JSON-encoded Avro datum of schema ``t``, often at the edges of its type."""
    if isinstance(t, str):
        if t in names:
            return datum(rng, names[t], names, depth + 1)
        return _primitive(rng, t)
    if isinstance(t, list):
        branch = rng.choice(t) if t else "null"
        v = datum(rng, branch, names, depth + 1)
        if branch == "null" or v is None:
            return None
        return {_type_name(branch, names): v}
    if not isinstance(t, dict):
        return None
    kind = t.get("type")
    if isinstance(kind, (dict, list)):
        return datum(rng, kind, names, depth)
    if "name" in t and kind in ("record", "enum", "fixed"):
        names[t["name"]] = t
        if t.get("namespace"):
            names[f"{t['namespace']}.{t['name']}"] = t
    n = rng.choice([0, 1, 2, 3, 5]) if depth < 3 else 0
    if kind == "array":
        return [datum(rng, t.get("items"), names, depth + 1) for _ in range(n)]
    if kind == "map":
        return {f"k{i}": datum(rng, t.get("values"), names, depth + 1) for i in range(n)}
    if kind == "record":
        return {f["name"]: datum(rng, f.get("type"), names, depth + 1)
                for f in t.get("fields", []) if isinstance(f, dict) and "name" in f}
    if kind == "enum":
        return rng.choice(t.get("symbols") or ["?"])
    if kind == "fixed":
        return "\u0000" * int(t.get("size", 1)) if isinstance(t.get("size"), int) else ""
    if isinstance(kind, str):
        return _primitive(rng, kind)
    return None


def _type_name(t: Any, names: dict[str, Any]) -> str:
    if isinstance(t, str):
        return t
    if isinstance(t, dict):
        if "name" in t:
            return f"{t['namespace']}.{t['name']}" if t.get("namespace") else t["name"]
        return str(t.get("type"))
    return "null"


def _primitive(rng: random.Random, t: str) -> Any:
    if t == "null":
        return None
    if t == "boolean":
        return rng.random() < 0.5
    if t == "int":
        return rng.choice([0, 1, -1, 5, 2**31 - 1, -(2**31), 1000])
    if t == "long":
        return rng.choice([0, 1, -1, 5, 2**63 - 1, -(2**63), 2**40])
    if t in ("float", "double"):
        return rng.choice([0.0, 1.5, -2.25, 1e300, -1e-300, "NaN", "Infinity", "-Infinity"])
    if t == "string":
        return rng.choice(["", "abc", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "é\u4e2d", "x" * 1000])
    if t == "bytes":
        return rng.choice(["", "\u0000\u00ff", "abc"])
    return None


# ---------------------------------------------------------------------------------------------
# mutations
# ---------------------------------------------------------------------------------------------

class Slot:
    """A place in the document: ``parent[key]``."""

    def __init__(self, parent: Any, key: Any, under: str, in_path: bool):
        self.parent, self.key, self.under, self.in_path = parent, key, under, in_path

    def get(self) -> Any:
        return self.parent[self.key]

    def set(self, v: Any) -> None:
        self.parent[self.key] = v


def slots(doc: Any) -> list[Slot]:
    """Every value position of the document except the top level."""
    out: list[Slot] = []

    def walk(node: Any, under: str, in_path: bool) -> None:
        if isinstance(node, dict):
            for k in list(node):
                sub = k if under == "" else under
                out.append(Slot(node, k, sub, in_path))
                walk(node[k], sub, in_path or k == "path")
        elif isinstance(node, list):
            for i in range(len(node)):
                out.append(Slot(node, i, under, in_path))
                walk(node[i], under, in_path)

    walk(doc, "", False)
    return out


def _expr_slots(doc: dict[str, Any]) -> list[Slot]:
    return [s for s in slots(doc) if s.under in ("action", "begin", "end", "fcns", "merge")
            and not s.in_path
            and not (isinstance(s.parent, dict) and s.key in ("type", "params", "ret"))]


class Mutator:
    """Applies random mutations to a copy of a document; ``expand`` collects placeholders
    for text too large to build as JSON values."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.expand: dict[str, dict[str, Any]] = {}
        self.applied: list[str] = []

    def placeholder(self, spec: dict[str, Any]) -> str:
        key = f"@@X{len(self.expand)}@@"
        self.expand[key] = spec
        return key

    def mutate(self, doc: dict[str, Any]) -> None:
        ops = [self.literal] * 4 + [self.string] * 2 + [self.call_extreme] * 3 + [
            self.rename] * 4 + [self.swap, self.duplicate, self.delete, self.nest, self.retype,
                                self.external, self.big_array]
        for _ in range(self.rng.choice([1, 1, 2, 2, 3])):
            op = self.rng.choice(ops)
            op(doc)
            self.applied.append(op.__name__)

    def _pick(self, cands: list[Slot]) -> Slot | None:
        return self.rng.choice(cands) if cands else None

    def _literal(self) -> Any:
        r = self.rng.random()
        if r < 0.4:
            return self.rng.choice(INT_EXTREMES)
        if r < 0.6:
            return {"double": self.rng.choice(FLOAT_EXTREMES)}
        if r < 0.7:
            return {"long": self.rng.choice(INT_EXTREMES)}
        if r < 0.8:
            return {"string": self._string()}
        if r < 0.9:
            return self.placeholder({"repeat": "9", "times": self.rng.choice(
                [4301, 5000, 20000]), "raw": True})
        return self.rng.choice([True, None, [], {}, {"type": "int", "value": 2**31 - 1}])

    def _string(self) -> str:
        if self.rng.random() < 0.2:
            return self.placeholder({"repeat": self.rng.choice(["a", "ab", "\u00e9"]),
                                     "times": self.rng.choice([10**4, 10**6])})
        return self.rng.choice(STRING_EXTREMES)

    def _like(self, old: Any) -> Any:
        """An extreme literal, usually of the same JSON kind as ``old`` (so the document
        still type-checks and runs)."""
        if self.rng.random() < 0.25:
            return self._literal()
        if isinstance(old, bool) or old is None:
            return self._literal()
        if isinstance(old, int):
            return self.rng.choice([v for v in INT_EXTREMES if -(2**31) <= v < 2**31])
        if isinstance(old, float):
            return self.rng.choice(FLOAT_EXTREMES)
        if isinstance(old, dict) and len(old) == 1:
            (k, v), = old.items()
            if k in ("int", "long"):
                return {k: self.rng.choice(INT_EXTREMES)}
            if k in ("float", "double"):
                return {k: self.rng.choice(FLOAT_EXTREMES)}
            if k == "string":
                return {k: self._string()}
        return self._literal()

    def literal(self, doc: dict[str, Any]) -> None:
        def is_lit(v: Any) -> bool:
            return (isinstance(v, int | float) and not isinstance(v, bool)) or (
                isinstance(v, dict) and len(v) == 1
                and next(iter(v)) in ("int", "long", "float", "double", "string"))

        s = self._pick([s for s in _expr_slots(doc) if is_lit(s.get())]) or self._pick(
            _expr_slots(doc))
        if s:
            s.set(self._like(s.get()))

    def string(self, doc: dict[str, Any]) -> None:
        cands = [s for s in slots(doc) if isinstance(s.get(), str) and not (
            isinstance(s.parent, dict) and s.key in SKIP_KEYS)]
        s = self._pick(cands)
        if s:
            if isinstance(s.parent, dict) and s.key in ("string", "init", "value"):
                s.set(self._string())
            else:
                s.set({"string": self._string()} if self.rng.random() < 0.5
                      else self._string())

    def swap(self, doc: dict[str, Any]) -> None:
        cands = _expr_slots(doc)
        if len(cands) >= 2:
            a, b = self.rng.sample(cands, 2)
            va, vb = copy.deepcopy(a.get()), copy.deepcopy(b.get())
            a.set(vb)
            b.set(va)

    def duplicate(self, doc: dict[str, Any]) -> None:
        cands = _expr_slots(doc)
        if len(cands) >= 2:
            a, b = self.rng.sample(cands, 2)
            a.set(copy.deepcopy(b.get()))

    def delete(self, doc: dict[str, Any]) -> None:
        s = self._pick(slots(doc))
        if s is None:
            return
        if isinstance(s.parent, list | dict):
            del s.parent[s.key]

    def nest(self, doc: dict[str, Any]) -> None:
        s = self._pick(_expr_slots(doc))
        if s is None:
            return
        depth = self.rng.choice([50, 900, 3000, 100_000])
        inner = json.dumps(s.get())
        shape = self.rng.choice([('{"u-": ', "}"), ('{"do": [', "]}"), ("[", "]"),
                                 ('{"+": [0, ', "]}"), ('{"a.len": {"new": [', "], "
                                                        '"type": {"type": "array", "items": '
                                                        '"int"}}}')])
        s.set(self.placeholder({"open": shape[0], "close": shape[1], "depth": depth,
                                "inner": inner, "raw": True}))

    def retype(self, doc: dict[str, Any]) -> None:
        cands = [s for s in slots(doc) if isinstance(s.parent, dict) and s.key in (
            "type", "input", "output", "ret", "items", "values")]
        s = self._pick(cands)
        if s:
            s.set(copy.deepcopy(self.rng.choice(TYPES)))

    def rename(self, doc: dict[str, Any]) -> None:
        lib = library_by_arity()
        calls = [s for s in _expr_slots(doc) if isinstance(s.get(), dict) and len(s.get()) >= 1
                 and any(k in lib_names() for k in s.get())]
        s = self._pick(calls)
        if s is None:
            return
        node = s.get()
        name = next(k for k in node if k in lib_names())
        args = node[name]
        arity = len(args) if isinstance(args, list) else 1
        same = same_signature().get(name, [])
        pool = same if same and self.rng.random() < 0.6 else lib.get(arity, [])
        risky = [f for f in DANGEROUS if f in pool]
        new = self.rng.choice(risky if risky and self.rng.random() < 0.5 else pool or [name])
        node[new] = node.pop(name)

    def external(self, doc: dict[str, Any]) -> None:
        where = self.rng.choice(["cells", "pools"])
        fmt = self.rng.choice(["json", "json", "avro"])
        spec = {"type": self.rng.choice(["string", "int", {"type": "array", "items": "int"},
                                         {"type": "map", "values": "int"}]),
                "source": fmt, "init": self.rng.choice(PATHS)}
        if where == "pools" and not isinstance(spec["type"], dict):
            spec["type"] = "int"
        doc.setdefault(where, {})
        if isinstance(doc[where], dict):
            doc[where][f"hostile{len(doc[where])}"] = spec

    def big_array(self, doc: dict[str, Any]) -> None:
        s = self._pick(_expr_slots(doc))
        if s:
            n = self.rng.choice([10**4, 10**6, 3 * 10**6])
            big = self.placeholder({"prefix": "[", "repeat": "1,", "times": n, "suffix": "1]",
                                    "raw": True})
            s.set({"a.len": {"value": big, "type": {"type": "array", "items": "int"}}})

    def call_extreme(self, doc: dict[str, Any]) -> None:
        """Replace one argument of a library call with an extreme literal."""
        calls = [s for s in _expr_slots(doc) if isinstance(s.get(), dict)
                 and any(k in lib_names() and isinstance(v, list) and v
                         for k, v in s.get().items())]
        s = self._pick(calls)
        if s is None:
            return
        node = s.get()
        name = next(k for k, v in node.items() if k in lib_names() and isinstance(v, list)
                    and v)
        args = node[name]
        k = self.rng.randrange(len(args))
        args[k] = self._like(args[k])


@cache
def same_signature() -> dict[str, list[str]]:
    """Library function → the other functions with an identical signature."""
    sigs = json.loads((REPO / "pfa" / "lib" / "signatures.json").read_text())["functions"]
    by: dict[str, set[str]] = {}
    for f in sigs:
        for s in f["sigs"]:
            by.setdefault(json.dumps(s, sort_keys=True), set()).add(f["name"])
    out: dict[str, set[str]] = {}
    for names in by.values():
        for n in names:
            out.setdefault(n, set()).update(names - {n})
    return {k: sorted(v) for k, v in out.items() if v}


@cache
def lib_names() -> frozenset[str]:
    return frozenset(n for names in library_by_arity().values() for n in names)


# ---------------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------------

def _inputs(rng: random.Random, doc: dict[str, Any], given: list[Any]) -> list[Any]:
    names: dict[str, Any] = {}
    out = list(given[:3])
    for _ in range(rng.choice([1, 2, 3])):
        with contextlib.suppress(RecursionError, TypeError, KeyError, ValueError):
            out.append(datum(rng, doc.get("input"), names))
    return out


def case(seed: int, i: int) -> dict[str, Any]:
    """Mutant number ``i`` of base ``seed`` (deterministic)."""
    rng = random.Random(f"{seed}:{i}")
    name, doc, given = rng.choice(seeds())
    doc = copy.deepcopy(doc)
    if isinstance(doc, dict):
        doc.setdefault("randseed", 12345)
    m = Mutator(rng)
    if isinstance(doc, dict) and rng.random() < 0.9:
        m.mutate(doc)
        inputs = _inputs(rng, doc, given)
    else:
        inputs = list(given)
    files = {"cell.json": "[1, 2, 3]"} if rng.random() < 0.1 else None
    # JSON text is YAML too: some documents go through the YAML reader
    text_key = "yaml" if rng.random() < 0.1 else "doc_json"
    out: dict[str, Any] = {
        "id": f"mutant-{seed}-{i}", "category": "mutant", "source": name,
        "mutations": m.applied, text_key: json.dumps(doc), "options": dict(HOST_OPTIONS),
        "inputs": inputs, "batch": True}
    if rng.random() < 0.3:
        out["inputs_json"] = [rng.choice(RAW_INPUTS)]
    if m.expand:
        out["expand"] = m.expand
    if files:
        out["files"] = files
    return out


def unmutated(k: int) -> dict[str, Any]:
    """Seed document ``k`` as it is, on its inputs plus a generated one."""
    name, doc, given = seeds()[k]
    rng = random.Random(f"seed:{k}")
    inputs = _inputs(rng, doc, given) if isinstance(doc, dict) else list(given)
    return {"id": f"seed-{k}", "category": "seed", "source": name, "doc": doc,
            "options": dict(HOST_OPTIONS), "inputs": inputs, "batch": True}


def cases(seed: int, start: int, count: int) -> list[dict[str, Any]]:
    return [case(seed, i) for i in range(start, start + count)]
