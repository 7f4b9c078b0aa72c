"""``pfa export MODEL -o OUT``: translate a fitted scikit-learn model to PFA (or ONNX)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pfa.commands._common import say
from pfa.errors import PfaError, UnsupportedModelError

NAME = "export"
HELP = "export a fitted scikit-learn model (.skops, .pkl, .joblib) to PFA or ONNX"
DESCRIPTION = """\
Export a fitted scikit-learn estimator or pipeline.

MODEL may be a .skops file (loaded with skops' trusted-type checks: the safe choice) or a
pickle/joblib file (.pkl, .pickle, .joblib). WARNING: loading a pickle or joblib file runs
code stored in it; only load files you trust.

OUT ending in .pfa or .json writes a PFA document as JSON, .yaml/.yml as YAML, and .onnx an
ONNX model made by skl2onnx. Exit status: 0 written, 2 unsupported model or bad arguments
(nothing is written)."""

_PICKLE = {".pkl", ".pickle", ".joblib"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="fitted model: .skops (safe) or .pkl/.pickle/.joblib")
    p.add_argument("-o", "--output", required=True, help="output file: .pfa/.json/.yaml/.onnx")
    p.add_argument("--name", help="the document's name")
    p.add_argument("--input-schema", metavar="FILE",
                   help="a JSON Avro schema to use as the input type instead of inferring it")
    p.add_argument("--sample", metavar="DATA",
                   help="a sample of the training data (.csv or .parquet): column kinds and "
                        "missing values come from it, as with the API's sample=")
    p.add_argument("--array-input", action="store_true",
                   help="take an array<double> as input instead of a record")
    p.add_argument("--no-timestamp", action="store_true",
                   help="leave the export time out of the metadata (reproducible output)")
    p.add_argument("--trust", action="append", default=[], metavar="TYPE",
                   help="with .skops: a type to trust beyond skops' defaults (repeatable)")


def load_model(path: Path, trust: list[str] | None = None) -> Any:
    """Load a fitted model; .skops with trusted-type checks, pickles only on request."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if suffix == ".skops":
        import skops.io as sio

        untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in (trust or [])]
        if untrusted:
            raise UnsupportedModelError(
                f"{path} contains types skops does not trust: {', '.join(untrusted)}; "
                "pass --trust TYPE for each one you trust")
        return sio.load(path, trusted=list(trust or []) or None)
    if suffix in _PICKLE:
        import joblib

        return joblib.load(path)
    raise ValueError(f"unknown model file type {suffix!r} (expected .skops, .pkl, .pickle, "
                     ".joblib)")


def load_sample(path: Path) -> Any:
    """A data sample as a DataFrame (.csv read with pandas' defaults, or .parquet)."""
    import pandas as pd

    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if suffix == ".csv":
        return pd.read_csv(path)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise ValueError(f"unknown sample file type {suffix!r} (expected .csv or .parquet)")


def _output_problem(out: Path) -> str | None:
    """Why ``out`` cannot be written (checked before any work), or None."""
    import os

    parent = out.parent if str(out.parent) else Path(".")
    try:
        if not parent.is_dir():
            return f"the directory {parent} does not exist"
        try:
            limit = os.pathconf(parent, "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):
            limit = 255
        if len(out.name.encode()) > limit:
            return (f"the file name {out.name[:40]}… is too long "
                    f"({len(out.name.encode())} bytes, at most {limit})")
        if out.is_dir():
            return f"{out} is a directory"
    except OSError as err:
        return err.strerror or str(err)
    return None


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".pfa", ".json", ".yaml", ".yml", ".onnx"):
        say(f"pfa export: cannot tell the output format from {out.name!r} "
              "(use .pfa, .json, .yaml or .onnx)", file=sys.stderr)
        return 2
    problem = _output_problem(out)
    if problem is not None:
        say(f"pfa export: cannot write {out}: {problem}", file=sys.stderr)
        return 2
    try:
        model = load_model(Path(args.model), args.trust)
        if suffix == ".onnx":
            from pfa.exporters.onnx import to_onnx

            data: bytes = to_onnx(model)
        else:
            data = _export_pfa(model, args, suffix)
    except UnsupportedModelError as err:
        say(f"pfa export: {err}", file=sys.stderr)
        if err.supported:
            say("supported estimators: " + ", ".join(err.supported), file=sys.stderr)
        return 2
    except (OSError, ValueError, json.JSONDecodeError) as err:
        say(f"pfa export: {err}", file=sys.stderr)
        return 2
    except PfaError as err:
        say(f"pfa export: the exported document is invalid: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # unpickling can raise anything; report it in one line
        say(f"pfa export: cannot load {args.model}: {type(err).__name__}: {err}",
              file=sys.stderr)
        return 2
    existed = out.exists()
    try:
        out.write_bytes(data)
    except OSError as err:
        if not existed:
            out.unlink(missing_ok=True)
        say(f"pfa export: cannot write {out}: {err.strerror or err}", file=sys.stderr)
        return 2
    say(f"wrote {out}")
    return 0


def _export_pfa(model: Any, args: argparse.Namespace, suffix: str) -> bytes:
    from pfa.exporters.sklearn import export

    schema = json.loads(Path(args.input_schema).read_text()) if args.input_schema else None
    sample = load_sample(Path(args.sample)) if args.sample else None
    doc = export(model, name=args.name, input_schema=schema, array_input=args.array_input,
                 sample=sample, timestamp=not args.no_timestamp)
    if suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()
    return (json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
