"""``pfa export MODEL -o OUT``: translate a fitted model to PFA (or ONNX), with the front end
that reads MODEL (:mod:`pfa.exporters.frontends`)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pfa.commands._common import say
from pfa.errors import PfaError, UnsupportedModelError
from pfa.exporters import frontends

NAME = "export"
HELP = "export a fitted model (scikit-learn, saved Spark PipelineModel, ONNX) to PFA or ONNX"
DESCRIPTION = """\
Export a fitted model: a scikit-learn estimator or pipeline, a saved Spark ML PipelineModel
directory (read without a JVM), or an ONNX graph (.onnx).

A scikit-learn MODEL may be a .skops file (loaded with skops' trusted-type checks: the safe choice) or a
pickle/joblib file (.pkl, .pickle, .joblib). WARNING: loading a pickle or joblib file runs
code stored in it; only load files you trust.

OUT ending in .pfa or .json writes a PFA document as JSON, .yaml/.yml as YAML, and .onnx an
ONNX model: the exported PFA document compiled to ONNX (pfa.onnx.compiler), or with
--via skl2onnx a model made by skl2onnx. MODEL may also be a PFA document (.pfa, .json,
.yaml, .ppfa) to compile to .onnx. Exit status: 0 written, 2 unsupported model or bad arguments
(nothing is written)."""

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="fitted model: .skops (safe) or .pkl/.pickle/.joblib, a saved "
                                  "Spark PipelineModel directory, an .onnx graph, or a PFA document")
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
    p.add_argument("--mlflow-log", metavar="NAME",
                   help="also log the document to MLflow (MLFLOW_TRACKING_URI) as model NAME "
                        "of a new run (needs pfa[mlflow])")
    p.add_argument("--via", choices=("pfa", "skl2onnx"), default="pfa",
                   help="with .onnx output: compile the exported PFA document (default; "
                        "double-precision trees) or convert with skl2onnx")
    p.add_argument("--mlflow-register", metavar="MODEL",
                   help="with --mlflow-log: register the logged model as a new version of MODEL")


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
    if args.mlflow_register and not args.mlflow_log:
        say("pfa export: --mlflow-register needs --mlflow-log NAME", file=sys.stderr)
        return 2
    if args.mlflow_log and suffix == ".onnx":
        say("pfa export: --mlflow-log logs PFA documents, not ONNX models", file=sys.stderr)
        return 2
    problem = _output_problem(out)
    if problem is not None:
        say(f"pfa export: cannot write {out}: {problem}", file=sys.stderr)
        return 2
    try:
        data, doc, sample = _export(Path(args.model), args, suffix)
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
    if args.mlflow_log:
        return _log_to_mlflow(doc, sample, args)
    return 0


def _log_to_mlflow(doc: dict, sample: Any, args: argparse.Namespace) -> int:
    """Log the exported document to MLflow (and register it when asked)."""
    try:
        from pfa.mlflow import log_exported
    except ImportError as err:
        say(f"pfa export: --mlflow-log: {err}", file=sys.stderr)
        return 1
    try:
        say(log_exported(doc, args.mlflow_log, registered_model_name=args.mlflow_register,
                         sample=sample))
    except Exception as err:  # MlflowException and store errors: one line, no traceback
        say(f"pfa export: --mlflow-log: {getattr(err, 'message', err)}", file=sys.stderr)
        return 1
    return 0


def _is_document(path: Path) -> bool:
    from pfa.onnx.compiler.files import is_document

    return is_document(path)


def _export(path: Path, args: argparse.Namespace, suffix: str) -> tuple[bytes, Any, Any]:
    """The bytes of the output file — the model at ``path`` read by the front end that
    accepts it (:mod:`pfa.exporters.frontends`), exported to PFA, or to ONNX by skl2onnx —
    with the PFA document (None for ONNX) and the data sample (or None)."""
    if suffix == ".onnx" and _is_document(path):  # a PFA document compiled to ONNX
        from pfa.onnx.compiler.files import document_bytes

        return document_bytes(path), None, None
    front = frontends.pick(path)
    options = frontends.ExportOptions(name=args.name, array_input=args.array_input,
                                      timestamp=not args.no_timestamp, trust=tuple(args.trust))
    model = front.load(path, options)
    if suffix == ".onnx" and args.via == "skl2onnx":
        if front.name != "sklearn":
            raise UnsupportedModelError("--via skl2onnx converts scikit-learn models only "
                                        f"(this is a {front.name} model)")
        from pfa.onnx.via_skl2onnx import to_onnx

        return to_onnx(model), None, None
    if args.input_schema:
        options = replace(options, input_schema=json.loads(Path(args.input_schema).read_text()))
    if args.sample:
        options = replace(options, sample=load_sample(Path(args.sample)))
    doc = front.export(model, options)
    if suffix == ".onnx":  # the exported document compiled to ONNX
        from pfa.onnx.compiler.files import document_bytes

        hint = "--via skl2onnx converts with skl2onnx" if front.name == "sklearn" else ""
        return document_bytes(doc, hint=hint), None, None
    if suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()
    else:
        data = (json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    return data, doc, options.sample
