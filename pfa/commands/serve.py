"""``pfa serve SOURCE``: serve PFA documents over HTTP (MLflow's scoring protocol and the Open
Inference Protocol), see :mod:`pfa.serve`.

Exit status: 0 after a clean shutdown (Ctrl-C / SIGTERM drain in-flight requests first), 2 if
SOURCE or an option is unusable.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from pfa.commands._common import UnreadableModel, add_allow_files, allow_list, say

NAME = "serve"
HELP = "serve PFA documents over HTTP (MLflow /invocations and Open Inference Protocol v2)"
DESCRIPTION = """\
Serve SOURCE: one PFA document (JSON, YAML or PrettyPFA; its model name is the document's "name", else
the file stem; version 1), a model repository directory <name>/<version>/model.pfa (optional
<name>/config.json {"traffic": {"1": 90, "2": 10}} splits unversioned requests), or a model URI
(e.g. models:/name/version when the MLflow provider is installed).

Endpoints: POST /invocations, /models/<name>/invocations (MLflow: dataframe_split,
dataframe_records, instances, inputs; text/csv; application/vnd.apache.parquet), /ping,
/health, /version; GET /v2, /v2/health/live, /v2/health/ready, /v2/models/<name>[/versions/<v>]
[/ready], POST .../infer, /v2/repository/index, /v2/repository/models/<name>/load|unload;
GET /metrics (Prometheus), /monitor[/<name>[/<version>]] (input/output statistics, drift).

Every document is read, checked and compiled at start; until all are loaded, or if one
fails, the server is not ready (/v2/health/ready answers 503).

exit status: 0 clean shutdown, 2 unusable source or option"""

EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SOURCE",
                        help="a PFA document, a model repository directory or a model URI")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (default 1; each loads every model and keeps "
                             "its own metrics)")
    parser.add_argument("--default-model", metavar="NAME",
                        help="model of POST /invocations when several are served")
    parser.add_argument("--max-batch-size", type=int, default=0, metavar="ROWS",
                        help="join concurrent small requests into batches of up to ROWS rows "
                             "(default 0: off)")
    parser.add_argument("--max-batch-delay-ms", type=float, default=2.0, metavar="MS",
                        help="longest wait for a batch to fill (default 2)")
    parser.add_argument("--batch-rows", type=int, default=64, metavar="ROWS",
                        help="requests of at least ROWS rows run vectorized (default 64)")
    parser.add_argument("--max-body-bytes", type=int, default=16 << 20, metavar="BYTES",
                        help="largest request body (default 16 MiB; larger gets 413)")
    parser.add_argument("--timeout-ms", type=int, default=30_000, metavar="MS",
                        help="time limit of one request (default 30000; past it: 503)")
    parser.add_argument("--action-timeout-ms", type=int, metavar="MS",
                        help="engine timeout of each action (overrides the documents' option)")
    parser.add_argument("--token-file", metavar="FILE",
                        help="require 'Authorization: Bearer <token>' (token read from FILE; "
                             "or set PFA_SERVE_TOKEN) on everything but health endpoints")
    parser.add_argument("--request-log", metavar="FILE",
                        help="append sampled inputs and outputs to FILE as JSON lines")
    parser.add_argument("--request-log-rate", type=float, default=1.0, metavar="P",
                        help="share of requests logged (default 1.0)")
    parser.add_argument("--graceful-timeout", type=float, default=30.0, metavar="S",
                        help="on shutdown, wait up to S seconds for in-flight requests")
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"])
    add_allow_files(parser)


def _token(args: argparse.Namespace) -> str | None:
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UnreadableModel(f"--token-file: cannot read {args.token_file}: "
                                  f"{exc.__class__.__name__}") from None
        if not token:
            raise UnreadableModel(f"--token-file: {args.token_file} is empty")
        return token
    return os.environ.get("PFA_SERVE_TOKEN") or None


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from pfa.serve.app import CONFIG_ENV, ServeConfig, config_to_env, create_app
        from pfa.serve.sources import uri_scheme
    except ImportError as exc:
        say(f"pfa serve: needs the 'serve' extra (starlette, uvicorn, prometheus-client): "
            f"pip install 'pfa[serve]' ({exc})", sys.stderr)
        return EXIT_USAGE

    try:
        files = allow_list(args)
        token = _token(args)
    except UnreadableModel as exc:
        say(f"pfa serve: {exc}", sys.stderr)
        return EXIT_USAGE
    if uri_scheme(args.source) is None and not Path(args.source).exists():
        say(f"pfa serve: {args.source}: no such file or directory", sys.stderr)
        return EXIT_USAGE
    for opt in ("port", "workers", "max_body_bytes", "timeout_ms"):
        if getattr(args, opt) < (0 if opt == "port" else 1):
            say(f"pfa serve: --{opt.replace('_', '-')} is out of range", sys.stderr)
            return EXIT_USAGE
    config = ServeConfig(
        default_model=args.default_model, max_body_bytes=args.max_body_bytes,
        request_timeout_ms=args.timeout_ms, batch_rows=max(1, args.batch_rows),
        max_batch_size=max(0, args.max_batch_size), max_batch_delay_ms=args.max_batch_delay_ms,
        token=token, request_log=args.request_log, request_log_rate=args.request_log_rate,
        options=({"timeout": args.action_timeout_ms} if args.action_timeout_ms is not None
                 else None),
        allow_files=files)
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal: a handler that
    # does nothing makes that re-raise a clean exit (status 0) instead of death by signal
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    common = dict(host=args.host, port=args.port, log_level=args.log_level,
                  timeout_graceful_shutdown=args.graceful_timeout, server_header=False)
    if args.workers > 1:
        os.environ[CONFIG_ENV] = config_to_env(args.source, config, list(args.allow_files))
        uvicorn.run("pfa.serve.app:app_from_env", factory=True, workers=args.workers,
                    **common)  # type: ignore[arg-type]
    else:
        uvicorn.run(create_app(args.source, config), **common)  # type: ignore[arg-type]
    return EXIT_OK


