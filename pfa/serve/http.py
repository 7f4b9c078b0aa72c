"""What every endpoint shares: reading a bounded body, strict JSON responses, and the
:func:`endpoint` wrapper, which answers any :class:`ServeError` in the protocol's error shape,
any unexpected exception as a 500 without details (logged, never sent), counts the request in
the metrics and adds the model headers. The connection stays usable after any of them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from .errors import ServeError
from .model import ServedModel
from .strictjson import encode

if TYPE_CHECKING:
    from .protocols import Protocol

log = logging.getLogger("pfa.serve")

VERSION_HEADER = "x-pfa-model-version"
MODEL_HEADER = "x-pfa-model-name"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Strict JSON (NaN and ±inf as null, bytes as text) with the right content type."""
    return Response(encode(body), status, headers, "application/json")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, at most ``limit`` bytes (413 beyond; a larger declared length is
    refused before anything is read)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ServeError(400, "invalid Content-Length header")
        if int(declared) > limit:
            raise ServeError(413, f"the request body has {int(declared):,} bytes, more than "
                                  f"the limit of {limit:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServeError(413, f"the request body is larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class Call:
    """What a handler tells the wrapper about the request: the model it used."""

    __slots__ = ("model", "version", "headers")

    def __init__(self) -> None:
        self.model = ""
        self.version = ""
        self.headers: dict[str, str] = {}

    def use(self, model: ServedModel) -> ServedModel:
        self.model, self.version = model.name, model.version
        self.headers[MODEL_HEADER] = model.name
        self.headers[VERSION_HEADER] = model.version
        return model


Handler = Callable[[Request, Call], Awaitable[Response]]


def endpoint(server: Any, protocol: Protocol, handler: Handler) -> Callable[..., Any]:
    """``handler`` as a Starlette endpoint with the shared error handling and metrics."""
    metrics = server.metrics
    cache: dict[tuple[str, str, int], tuple[Any, Any]] = {}  # label lookups, once per key

    async def run(request: Request) -> Response:
        start = perf_counter()
        call = Call()
        metrics.in_flight.inc()
        try:
            response = await handler(request, call)
        except ServeError as err:
            response = error_response(protocol, err)
            if err.pfa_code is not None:
                metrics.errors.labels(call.model, call.version, str(err.pfa_code)).inc()
        except Exception:
            log.exception("pfa serve: internal error answering %s %s", request.method,
                          request.url.path)
            response = error_response(protocol, ServeError(500, "internal error (see the "
                                                                "server log)"))
        finally:
            metrics.in_flight.dec()
        response.headers.update(call.headers)
        key = (call.model, call.version, response.status_code)
        children = cache.get(key)
        if children is None:
            children = cache[key] = (
                metrics.requests.labels(call.model, call.version, protocol.name,
                                        str(response.status_code)),
                metrics.latency.labels(call.model, protocol.name))
        children[0].inc()
        children[1].observe(perf_counter() - start)
        return response
    return run


def error_response(protocol: Protocol, err: ServeError) -> Response:
    return json_response(protocol.error_body(err), err.status, err.headers)
