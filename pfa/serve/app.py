"""The ASGI application of ``pfa serve``: :func:`create_app` and the :class:`Server` the
protocols share (repository, metrics, monitors, request limits, authentication). Every
endpoint goes through :func:`pfa.serve.http.endpoint` (error shapes, metrics, headers).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import ServeError
from .http import Call, Handler, endpoint, error_response, json_response
from .metrics import CONTENT_TYPE, Metrics
from .model import ServedModel
from .monitor import ModelMonitor, RequestLog
from .protocols import Protocol, protocols
from .repository import READY, Entry, Repository

log = logging.getLogger("pfa.serve")

HEALTH_PATHS = frozenset({"/ping", "/health", "/v2/health/live", "/v2/health/ready"})


@dataclass
class ServeConfig:
    """Settings of a server (the ``pfa serve`` options)."""

    default_model: str | None = None
    max_body_bytes: int = 16 << 20
    request_timeout_ms: int = 30_000
    batch_rows: int = 64
    """Requests of at least this many rows run through ``action_batch``."""
    max_batch_size: int = 0
    """Cross-request micro-batching: up to this many rows per batch (0: off)."""
    max_batch_delay_ms: float = 2.0
    token: str | None = None
    """Bearer token required on everything but the health endpoints (None: no auth)."""
    request_log: str | None = None
    request_log_rate: float = 1.0
    options: dict[str, Any] | None = None
    """Engine options for every document (e.g. ``{"timeout": 1000}``)."""
    allow_files: Any = None
    load_in_background: bool = True
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Server:
    """What every protocol needs to answer a request."""

    def __init__(self, source: str | Path, config: ServeConfig):
        self.config = config
        self.monitors: dict[tuple[str, str], ModelMonitor] = {}
        self.metrics = Metrics(lambda: list(self.monitors.values()))
        self.repository = Repository(source, options=config.options,
                                     allow_files=config.allow_files, batch_rows=config.batch_rows,
                                     on_load=self._loaded, seed=config.seed)
        self.request_log = (RequestLog(config.request_log, config.request_log_rate, config.seed)
                            if config.request_log else None)
        self.batchers: dict[int, Any] = {}
        self.timeout = config.request_timeout_ms / 1000.0

    def _loaded(self, entry: Entry, seconds: float) -> None:
        m = self.metrics
        if entry.state == READY and entry.model is not None:
            m.load_seconds.labels(entry.name, entry.version).set(seconds)
            m.ready.labels(entry.name, entry.version).set(1)
            monitor = ModelMonitor(entry.model)
            entry.model.observers.append(monitor.observe)
            if self.request_log is not None:
                entry.model.observers.append(self.request_log.maybe_log)
            self.monitors[(entry.name, entry.version)] = monitor
        else:
            m.load_failures.labels(entry.name).inc()
            m.ready.labels(entry.name, entry.version).set(0)

    def start_loading(self) -> None:
        if self.config.load_in_background:
            threading.Thread(target=self.repository.load_all, name="pfa-serve-load",
                             daemon=True).start()
        else:
            self.repository.load_all()

    def default_name(self) -> str:
        """The model of unnamed requests: ``default_model`` or the only one."""
        if self.config.default_model:
            return self.config.default_model
        names = self.repository.names()
        if len(names) == 1:
            return names[0]
        if not names:
            raise ServeError(503, "no model is loaded", headers={"Retry-After": "1"})
        raise ServeError(404, "several models are served: name one "
                              "(/models/<name>/invocations) or start with --default-model")

    def model(self, name: str | None, version: str | None = None) -> ServedModel:
        return self.repository.get(name if name is not None else self.default_name(), version)

    async def infer(self, model: ServedModel, rows: list[Any]) -> list[Any]:
        """The outputs of ``rows`` on ``model`` (micro-batched when configured)."""
        deadline = perf_counter() + self.timeout
        batcher = self._batcher(model)
        if batcher is not None and len(rows) <= self.config.max_batch_size:
            outs = await batcher.submit(rows, deadline)
        else:
            outs = await model.run(rows, deadline)
        self.metrics.rows.labels(model.name, model.version).inc(len(rows))
        return outs

    def _batcher(self, model: ServedModel) -> Any:
        if self.config.max_batch_size <= 0 or model.method != "map":
            return None
        b = self.batchers.get(id(model))
        if b is None:
            from .batching import MicroBatcher

            b = self.batchers[id(model)] = MicroBatcher(
                model, self.config.max_batch_size, self.config.max_batch_delay_ms / 1000.0)
        return b

    def close(self) -> None:
        if self.request_log is not None:
            self.request_log.close()


# =============================================================================================
# the application
# =============================================================================================

def _ops_routes(server: Server, proto: Protocol) -> list[Route]:
    async def metrics(request: Request, call: Call) -> Response:
        return Response(server.metrics.exposition(), 200, media_type=CONTENT_TYPE)

    async def monitor_all(request: Request, call: Call) -> Response:
        return json_response({"models": [m.as_json() for m in list(server.monitors.values())]})

    async def monitor_one(request: Request, call: Call) -> Response:
        name, version = request.path_params["name"], request.path_params.get("version")
        entry = server.repository.entry(name, version)
        mon = server.monitors.get((entry.name, entry.version))
        if mon is None:
            raise ServeError(404, f"model {name!r} version {entry.version} is not served")
        return json_response(mon.as_json())

    def route(path: str, fn: Handler) -> Route:
        return Route(path, endpoint(server, proto, fn), methods=["GET"])
    return [route("/metrics", metrics), route("/monitor", monitor_all),
            route("/monitor/{name}", monitor_one),
            route("/monitor/{name}/{version}", monitor_one)]


_OPS = Protocol("ops", lambda server: [], lambda err: {"error": err.message},
                lambda path: path in ("/metrics",) or path.startswith("/monitor"))


def _protocol_of(path: str, protos: list[Protocol]) -> Protocol:
    for p in protos:
        if p.claims(path):
            return p
    return next(p for p in protos if p.name == "mlflow")


class _Auth:
    """ASGI middleware: a bearer token on everything but the health endpoints."""

    def __init__(self, app: Any, token: str, protos: list[Protocol]):
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.protos = protos

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] not in HEALTH_PATHS:
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                err = ServeError(401, "missing or wrong bearer token",
                                 headers={"WWW-Authenticate": "Bearer"})
                await error_response(_protocol_of(scope["path"], self.protos), err)(
                    scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(source: str | Path, config: ServeConfig | None = None) -> Starlette:
    """The ASGI app serving ``source`` (a document, a model repository directory or a model
    URI, see :mod:`pfa.serve.sources`). Models load when the app starts (in the background
    unless ``config.load_in_background`` is false); the server is not ready until then.
    The :class:`Server` is ``app.state.server``."""
    from contextlib import asynccontextmanager

    config = config or ServeConfig()
    server = Server(source, config)
    protos = protocols()
    routes: list[Any] = []
    for p in protos:
        routes.extend(p.routes(server))
    routes.extend(_ops_routes(server, _OPS))
    all_protos = [*protos, _OPS]

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        text = {404: "no such endpoint", 405: "method not allowed on this endpoint"}.get(
            status, "bad request")
        proto = _protocol_of(request.url.path, all_protos)
        server.metrics.requests.labels("", "", proto.name, str(status)).inc()
        return error_response(proto, ServeError(status, text,
                                                headers=dict(getattr(exc, "headers", None) or {})))

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        server.start_loading()
        yield
        server.close()

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error},
                    lifespan=lifespan)
    app.state.server = server
    if config.token:
        app.add_middleware(_Auth, token=config.token, protos=all_protos)
    return app


CONFIG_ENV = "PFA_SERVE_CONFIG"
"""Environment variable through which ``pfa serve --workers N`` hands its settings to each
worker process (JSON: ``source`` plus :class:`ServeConfig` fields; ``allow_files`` a list)."""


def config_to_env(source: str, config: ServeConfig, allow_dirs: list[str]) -> str:
    fields = {k: v for k, v in vars(config).items() if k not in ("allow_files", "extra")}
    return json.dumps({"source": source, "allow_dirs": allow_dirs, **fields})


def app_from_env() -> Starlette:
    """The app of one worker process (uvicorn factory), configured by :data:`CONFIG_ENV`."""
    import os

    from pfa.hostfiles import FileAllowList

    data = json.loads(os.environ[CONFIG_ENV])
    source = data.pop("source")
    dirs = data.pop("allow_dirs")
    config = ServeConfig(**data)
    config.allow_files = FileAllowList.of(dirs) if dirs else None
    return create_app(source, config)
