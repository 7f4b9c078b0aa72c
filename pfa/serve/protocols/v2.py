"""The Open Inference Protocol ("V2", KServe/Triton/MLServer), REST binding, with the
model-repository extension.

Tensors map to the document's input type: a record input takes one tensor per field (named
by the field, or by its original column name from ``metadata["input.columns"]``), any other
input a single tensor. The first dimension is the batch (-1 in metadata); an ``array`` field adds
one dimension. Strings, enums and bytes are ``BYTES``; fields of other nested types are
``BYTES`` whose elements are JSON values. Outputs mirror this: a record output is one tensor per
field, any other output the tensor ``output`` (an emit document's: per row, the JSON text of
the list of values it emitted). Errors are ``{"error": "..."}`` with 400/404
(503 while not ready).
"""

from __future__ import annotations

import json
import math
from itertools import chain
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pfa.avro.types import AvroArray, AvroRecord, AvroType, AvroUnion
from pfa.serve.errors import ServeError
from pfa.serve.model import ServedModel
from pfa.serve.strictjson import decode, plain_json

from . import Protocol

PLATFORM = "pfa"
DATATYPES = {"double": "FP64", "float": "FP32", "int": "INT32", "long": "INT64",
             "boolean": "BOOL", "string": "BYTES", "enum": "BYTES", "bytes": "BYTES",
             "fixed": "BYTES"}
NUMERIC = frozenset({"FP16", "FP32", "FP64", "BF16", "INT8", "INT16", "INT32", "INT64",
                     "UINT8", "UINT16", "UINT32", "UINT64"})
ALL_DATATYPES = NUMERIC | {"BOOL", "BYTES"}
MAX_DIMS = 8


def _bad(message: str) -> ServeError:
    return ServeError(400, message)


def _nonnull(t: AvroType) -> AvroType:
    if isinstance(t, AvroUnion):
        rest = [b for b in t.types if b.name != "null"]
        if len(rest) == 1:
            return rest[0]
    return t


def tensor_type(t: AvroType) -> tuple[str, list[int]]:
    """The datatype of a value of type ``t`` and the shape it adds after the batch dimension."""
    t = _nonnull(t)
    if t.name in DATATYPES:
        return DATATYPES[t.name], []
    if isinstance(t, AvroArray):
        inner = _nonnull(t.items)
        if inner.name in DATATYPES:
            return DATATYPES[inner.name], [-1]
    return "BYTES", []


def tensors_of(t: AvroType, names: list[str] | None = None,
               single: str = "input") -> list[dict[str, Any]]:
    """Tensor metadata (name, datatype, shape) of the values of type ``t``."""
    if isinstance(t, AvroRecord):
        out = []
        for i, f in enumerate(t.fields):
            dt, extra = tensor_type(f.type)
            out.append({"name": names[i] if names else f.name, "datatype": dt,
                        "shape": [-1, *extra]})
        return out
    dt, extra = tensor_type(t)
    return [{"name": single, "datatype": dt, "shape": [-1, *extra]}]


def input_names(model: ServedModel) -> list[str] | None:
    return model.row_keys


# -- requests -----------------------------------------------------------------------------------

def _row_major(data: list[Any], where: str) -> list[Any]:
    """``data`` (flat or nested arrays, row-major) as a flat list; bounded nesting."""
    out: list[Any] = []
    todo: list[Any] = [iter(data)]
    while todo:
        if len(todo) > MAX_DIMS + 1:
            raise _bad(f"{where}: data is nested more deeply than {MAX_DIMS} dimensions")
        for x in todo[-1]:
            if type(x) is list:
                todo.append(iter(x))
                break
            out.append(x)
        else:
            todo.pop()
    return out


_PLAIN_ELEMENTS = {**dict.fromkeys(NUMERIC, frozenset({int, float, type(None)})),
                   "BOOL": frozenset({bool, type(None)})}
"""Element types that need no look at each element (BYTES takes any)."""


def _check_element(dt: str, x: Any, where: str) -> None:
    ok = (x is None or (dt == "BOOL" and type(x) is bool)
          or (dt in NUMERIC and type(x) in (int, float))
          or (dt in NUMERIC and x in ("NaN", "Infinity", "-Infinity"))
          or dt == "BYTES")
    if not ok:
        raise _bad(f"{where}: an element is not of datatype {dt}")


def tensor_rows(model: ServedModel, inputs: Any) -> list[Any]:
    """The rows of an infer request's ``inputs`` (one tensor per input field)."""
    if type(inputs) is not list or not inputs:
        raise _bad("\"inputs\" must be a non-empty array of tensors")
    t = model.input_type
    record = isinstance(t, AvroRecord)
    expected = tensors_of(t, input_names(model))
    by_name = {e["name"]: (i, e) for i, e in enumerate(expected)}
    if record:
        for i, f in enumerate(t.fields):
            by_name.setdefault(f.name, (i, expected[i]))
    columns: dict[int, list[Any]] = {}
    batch: int | None = None
    for k, tensor in enumerate(inputs):
        where = f"input tensor {k}"
        if type(tensor) is not dict:
            raise _bad(f"{where}: expected an object with name, shape, datatype and data")
        name = tensor.get("name")
        if type(name) is not str:
            raise _bad(f"{where}: \"name\" must be a string")
        if name not in by_name:
            if record or len(inputs) != 1:
                raise _bad(f"{where}: its name is not an input of the model (inputs: "
                           f"{', '.join(e['name'] for e in expected)})")
            idx, spec = 0, expected[0]
        else:
            idx, spec = by_name[name]
        where = f"input {_short(name)}"
        if idx in columns:
            raise _bad(f"{where}: given twice")
        shape, dt, data = tensor.get("shape"), tensor.get("datatype"), tensor.get("data")
        if type(shape) is not list or not shape or len(shape) > MAX_DIMS or not all(
                type(d) is int and d >= 0 for d in shape):
            raise _bad(f"{where}: \"shape\" must be an array of 1 to {MAX_DIMS} "
                       "non-negative integers")
        if dt not in ALL_DATATYPES:
            raise _bad(f"{where}: unknown datatype")
        want = spec["datatype"]
        if not (dt == want or (dt in NUMERIC and want in NUMERIC)):
            raise _bad(f"{where}: datatype {dt} given, the model takes {want}")
        if "data" not in tensor:
            raise _bad(f"{where}: \"data\" is missing (binary data is not supported)")
        if type(data) is not list:
            flat = [data]
        elif list in set(map(type, data)):
            flat = _row_major(data, where)
        else:  # (flat already: the common case)
            flat = data
        n = shape[0]
        size = math.prod(shape)
        if size != len(flat):
            raise _bad(f"{where}: shape {shape} holds {size} elements, data has {len(flat)}")
        types = set(map(type, flat))
        if not types <= _PLAIN_ELEMENTS.get(dt, types):
            for x in flat:
                _check_element(dt, x, where)
        extra = len(spec["shape"]) - 1
        per_row = size // n if n else 0
        if extra == 0 and per_row != 1:
            raise _bad(f"{where}: shape {shape}: expected one value per row ([{n}] or [{n}, 1])")
        if batch is not None and n != batch:
            raise _bad(f"{where}: batch size {n} differs from the other inputs' {batch}")
        batch = n
        if extra == 0:
            col = flat
        else:
            col = [flat[i * per_row:(i + 1) * per_row] for i in range(n)]
        if want in NUMERIC and str in types:
            col = [_number(x) if type(x) is str else x for x in col] if extra == 0 else \
                [[_number(x) if type(x) is str else x for x in r] for r in col]
        if want == "BYTES" and spec["datatype"] == "BYTES" and extra == 0 and record:
            ftype = _nonnull(t.fields[idx].type)
            if ftype.name not in DATATYPES:  # a nested field: elements are JSON (or JSON text)
                col = [_json_value(x, where) for x in col]
        columns[idx] = col
    missing = [expected[i]["name"] for i in range(len(expected)) if i not in columns]
    if missing:
        raise _bad(f"missing input tensor(s): {', '.join(missing[:10])}")
    n = batch or 0
    if not record:
        return columns[0]
    names = [f.name for f in t.fields]
    cols = [columns[i] for i in range(len(names))]
    return [dict(zip(names, vals)) for vals in zip(*cols)] if n else []


def _number(x: str) -> Any:
    return float(x.replace("Infinity", "inf"))


def _json_value(x: Any, where: str) -> Any:
    if type(x) is not str:
        return x
    try:
        return json.loads(x)
    except (ValueError, RecursionError):
        raise _bad(f"{where}: an element is not JSON text") from None


def _short(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:37] + "...")


# -- responses ----------------------------------------------------------------------------------

def _output_tensor(name: str, t: AvroType, values: list[Any]) -> dict[str, Any]:
    dt, extra = tensor_type(t)
    n = len(values)
    if extra:
        if set(map(type, values)) <= {list}:
            lengths = set(map(len, values))
            if len(lengths) <= 1:
                k = lengths.pop() if lengths else 0
                flat = list(chain.from_iterable(values))
                return {"name": name, "datatype": dt, "shape": [n, k], "data": flat}
        dt = "BYTES"
    elif dt != "BYTES" or _nonnull(t).name in DATATYPES:
        return {"name": name, "datatype": dt, "shape": [n],
                "data": values}
    return _json_tensor(name, values)


def _json_tensor(name: str, values: list[Any]) -> dict[str, Any]:
    """A BYTES tensor of one JSON text per row (nested or ragged values)."""
    text = [json.dumps(plain_json(v), separators=(",", ":"), allow_nan=False) for v in values]
    return {"name": name, "datatype": "BYTES", "shape": [len(values)], "data": text}


def output_tensors(model: ServedModel, outs: list[Any]) -> list[dict[str, Any]]:
    t = model.output_type
    if model.method == "emit":  # the values each row emitted: as JSON text, rows differ
        return [_json_tensor("output", outs)]
    if isinstance(t, AvroRecord):
        return [_output_tensor(f.name, f.type, [o[f.name] for o in outs]) for f in t.fields]
    return [_output_tensor("output", t, outs)]


def _select(tensors: list[dict[str, Any]], wanted: Any) -> list[dict[str, Any]]:
    if wanted is None:
        return tensors
    if type(wanted) is not list or not all(type(w) is dict and type(w.get("name")) is str
                                           for w in wanted):
        raise _bad("\"outputs\" must be an array of objects with a \"name\"")
    have = {t["name"]: t for t in tensors}
    out = []
    for i, w in enumerate(wanted):
        if w["name"] not in have:
            raise _bad(f"requested output {i} is not an output of the model (outputs: "
                       f"{', '.join(have)})")
        out.append(have[w["name"]])
    return out


# -- endpoints ----------------------------------------------------------------------------------

def routes(server: Any) -> list[Route]:
    from pfa.serve.http import endpoint, json_response, read_body
    from pfa.serve.repository import READY
    from pfa.version import __version__

    repo = server.repository
    limit = server.config.max_body_bytes

    async def server_meta(request: Request, call: Any) -> Response:
        return json_response({"name": "pfa", "version": __version__,
                              "extensions": ["model_repository"]})

    async def live(request: Request, call: Any) -> Response:
        return json_response({"live": True})

    async def ready(request: Request, call: Any) -> Response:
        ok = repo.ready()
        return json_response({"ready": ok}, 200 if ok else 503,
                             None if ok else {"Retry-After": "1"})

    def _entry(request: Request) -> Any:
        p = request.path_params
        return repo.entry(p["name"], p.get("version"))

    async def model_meta(request: Request, call: Any) -> Response:
        entry = _entry(request)
        model = entry.model
        versions = [e.version for e in repo.versions(entry.name)]
        body: dict[str, Any] = {"name": entry.name, "versions": versions, "platform": PLATFORM}
        if model is None:
            raise ServeError(404 if entry.state == "UNAVAILABLE" else 503,
                             f"model {entry.name!r} version {entry.version} is "
                             f"{entry.state.lower()}")
        call.use(model)
        body["inputs"] = tensors_of(model.input_type, input_names(model))
        body["outputs"] = ([{"name": "output", "datatype": "BYTES", "shape": [-1]}]
                           if model.method == "emit" else
                           tensors_of(model.output_type, single="output"))
        return json_response(body)

    async def model_ready(request: Request, call: Any) -> Response:
        entry = _entry(request)
        ok = entry.state == READY
        return json_response({"name": entry.name, "ready": ok}, 200 if ok else 400)

    async def infer(request: Request, call: Any) -> Response:
        p = request.path_params
        model = call.use(server.model(p["name"], p.get("version")))
        ctype = (request.headers.get("content-type") or "application/json").split(";")[0]
        if ctype.strip().lower() not in ("application/json", "text/plain", ""):
            raise ServeError(415, "the infer body must be JSON")
        if request.headers.get("inference-header-content-length"):
            raise _bad("binary tensor data is not supported: send JSON")
        body = decode(await read_body(request, limit))
        if type(body) is not dict:
            raise _bad("the infer request must be a JSON object")
        rid = body.get("id")
        if rid is not None and type(rid) is not str:
            raise _bad("\"id\" must be a string")
        params = body.get("parameters")
        if params is not None and type(params) is not dict:
            raise _bad("\"parameters\" must be an object")
        rows = tensor_rows(model, body.get("inputs"))
        outs = await server.infer(model, rows)
        tensors = _select(output_tensors(model, outs), body.get("outputs"))
        answer: dict[str, Any] = {"model_name": model.name, "model_version": model.version,
                                  "outputs": tensors}
        if rid is not None:
            answer["id"] = rid
        return json_response(answer)

    async def repo_index(request: Request, call: Any) -> Response:
        body = await read_body(request, limit)
        if body.strip():
            payload = decode(body)
            if type(payload) is not dict:
                raise _bad("the index request must be a JSON object")
            ready_only = payload.get("ready") is True
        else:
            ready_only = False
        index = repo.index()
        if ready_only:
            index = [e for e in index if e["state"] == READY]
        return json_response(index)

    async def repo_load(request: Request, call: Any) -> Response:
        import anyio.to_thread

        await read_body(request, limit)
        name = request.path_params["name"]
        await anyio.to_thread.run_sync(repo.load, name)
        return json_response({})

    async def repo_unload(request: Request, call: Any) -> Response:
        await read_body(request, limit)
        repo.unload(request.path_params["name"])
        for key in [k for k in server.monitors if k[0] == request.path_params["name"]]:
            server.metrics.ready.labels(*key).set(0)
        return json_response({})

    def get(path: str, fn: Any) -> Route:
        return Route(path, endpoint(server, PROTOCOL, fn), methods=["GET"])

    def post(path: str, fn: Any) -> Route:
        return Route(path, endpoint(server, PROTOCOL, fn), methods=["POST"])

    m = "/v2/models/{name}"
    mv = "/v2/models/{name}/versions/{version}"
    return [get("/v2", server_meta), get("/v2/health/live", live),
            get("/v2/health/ready", ready),
            get(m, model_meta), get(mv, model_meta),
            get(m + "/ready", model_ready), get(mv + "/ready", model_ready),
            post(m + "/infer", infer), post(mv + "/infer", infer),
            post("/v2/repository/index", repo_index),
            post("/v2/repository/models/{name}/load", repo_load),
            post("/v2/repository/models/{name}/unload", repo_unload)]


def error_body(err: ServeError) -> dict[str, Any]:
    return {"error": err.message}


PROTOCOL = Protocol("v2", routes, error_body,
                    lambda path: path == "/v2" or path.startswith("/v2/"))
