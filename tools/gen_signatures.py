"""Derive ``pfa/lib/signatures.json`` from the specification's ``libfcns.xml``, or check it.

Usage: ``python tools/gen_signatures.py [--check] [path/to/libfcns.xml] [output.json]``
(default XML: ``../shared/reference/libfcns.xml`` next to the repository).

**signatures.json is the source of truth**, committed and edited like code; this tool is how
it was first derived and how it is compared with a new release of the specification
(``--check`` exits 1 if the JSON differs from what the XML gives; tests/check/test_signatures.py
runs the same comparison when the reference directory is present and skips otherwise).
We do not ship libfcns.xml: it is the DMG's specification file, mostly prose descriptions of
every function, and the reference copy states no licence that lets us redistribute it, while
the JSON keeps only the machine-readable facts (names in the specification's order, signatures
as compact type patterns, error codes with their short quoted messages, nondeterminism kind,
deprecation versions) and no description.

A function that is not in the specification (a project extension) is an entry with an
``"extension"`` member saying why it exists; such entries follow the specification's
functions, are kept when the file is regenerated and are left out of the comparison.

Pattern encoding (see :mod:`pfa.check.signatures`)::

    "double"                                   a primitive
    {"any": "A"} / {"any": "A", "of": [...]}   a wildcard, optionally restricted
    {"ref": "A"}                               a later use of a label
    {"array": P} / {"map": P}
    {"record": "T", "fields": {"name": P}}     a record with at least these fields
    {"record": "D"}                            any record
    {"union": [P, ...]}
    {"enum": "A", "ofRecord": "D"} / {"enum": "A"} / {"fixed": "A"}
    {"function": {"params": [P, ...], "ret": P}}
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "pfa" / "lib" / "signatures.json"
_QUOTED = re.compile(r'"([^"]*)"')


def default_xml() -> Path | None:
    """The reference libfcns.xml in ``../shared/reference`` next to the repository, if present."""
    path = ROOT.parent / "shared" / "reference" / "libfcns.xml"
    return path if path.is_file() else None


def _content(elem: ET.Element) -> Any:
    """The pattern held by a container element (par, ret, field, array, map)."""
    children = list(elem)
    if not children:
        text = (elem.text or "").strip()
        if not text:
            raise ValueError(f"empty pattern in <{elem.tag}>")
        return text
    if all(c.tag == "union" for c in children):
        return {"union": [_content(c) for c in children]}
    if len(children) != 1:
        raise ValueError(f"<{elem.tag}> holds several patterns")
    return _pattern(children[0])


def _pattern(elem: ET.Element) -> Any:
    tag = elem.tag
    if tag == "any":
        out: dict[str, Any] = {"any": elem.attrib["label"]}
        if "of" in elem.attrib:
            out["of"] = [s.strip() for s in elem.attrib["of"].split(",")]
        return out
    if tag == "ref":
        return {"ref": elem.attrib["label"]}
    if tag in ("array", "map"):
        return {tag: _content(elem)}
    if tag == "record":
        rec: dict[str, Any] = {}
        if "label" in elem.attrib:
            rec["record"] = elem.attrib["label"]
        fields = elem.findall("field")
        if fields or "label" not in elem.attrib:
            rec["fields"] = {f.attrib["name"]: _content(f) for f in fields}
        return rec
    if tag == "enum":
        out = {"enum": elem.attrib.get("label")}
        if "ofRecord" in elem.attrib:
            out["ofRecord"] = elem.attrib["ofRecord"]
        return out
    if tag == "fixed":
        return {"fixed": elem.attrib.get("label")}
    if tag == "function":
        return {"function": {"params": [_content(p) for p in elem.findall("par")],
                             "ret": _content(elem.find("ret"))}}  # type: ignore[arg-type]
    raise ValueError(f"unknown pattern element <{tag}>")


def _error_message(elem: ET.Element) -> str:
    """The short message of an <error>: the quoted phrase named as the error raised."""
    text = " ".join("".join(elem.itertext()).split())
    quoted = list(_QUOTED.finditer(text))
    for m in quoted:  # prefer 'a "..." error' / 'raises "..."' over quoted example values
        after = text[m.end():m.end() + 15]
        before = text[max(0, m.start() - 8):m.start()].lower()
        if after.lstrip().startswith(("error", "runtime error")) or "raises" in before:
            return m.group(1)
    if quoted:
        return quoted[0].group(1)
    return f"error {elem.attrib['code']}"


def _signature(sig: ET.Element) -> dict[str, Any]:
    out: dict[str, Any] = {
        "params": [{"name": p.attrib["name"], "type": _content(p)} for p in sig.findall("par")],
        "ret": _content(sig.find("ret")),  # type: ignore[arg-type]
    }
    if "deprecation" in sig.attrib:
        out["deprecated"] = sig.attrib["deprecation"]
    if "death" in sig.attrib:
        out["removed"] = sig.attrib["death"]
    return out


def extract(xml_path: Path) -> dict[str, Any]:
    """The signature table of every library function in ``xml_path``, as plain JSON data."""
    root = ET.parse(xml_path).getroot()
    version = root.findtext("version")
    functions = []
    for fcn in root.iter("fcn"):
        errors = {e.attrib["code"]: _error_message(e) for e in fcn.iter("error")}
        nondet = fcn.find(".//nondeterministic")
        functions.append({
            "name": fcn.attrib["name"],
            "sigs": [_signature(s) for s in fcn.findall("sig")],
            "errors": dict(sorted(errors.items(), key=lambda kv: int(kv[0]))),
            "nondeterministic": None if nondet is None else nondet.attrib.get("type"),
        })
    return {"version": version, "functions": functions}


def with_extensions(data: dict[str, Any], committed: Path) -> dict[str, Any]:
    """``data`` (from the XML) followed by the extension entries of the ``committed`` JSON."""
    if not committed.is_file():
        return data
    spec_names = {f["name"] for f in data["functions"]}
    extra = [f for f in json.loads(committed.read_text(encoding="utf-8"))["functions"]
             if "extension" in f and f["name"] not in spec_names]
    return {**data, "functions": data["functions"] + extra}


def render(data: dict[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, one function per line."""
    def dump(obj: Any) -> str:
        return json.dumps(obj, sort_keys=True, separators=(", ", ": "), ensure_ascii=False)

    lines = ",\n".join("  " + dump(f) for f in data["functions"])
    return f'{{"functions": [\n{lines}\n], "version": {dump(data["version"])}}}\n'


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    xml_path = Path(args[0]) if args else default_xml()
    if xml_path is None:
        print("libfcns.xml not found; pass its path", file=sys.stderr)
        return 1
    out = Path(args[1]) if len(args) > 1 else OUTPUT
    text = render(with_extensions(extract(xml_path), out))
    if check:
        same = out.is_file() and out.read_text(encoding="utf-8") == text
        print(f"{out} {'matches' if same else 'differs from'} {xml_path}")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
