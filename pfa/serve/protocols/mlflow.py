"""MLflow's scoring protocol, as ``mlflow models serve`` answers it.

``POST /invocations`` (the default model) and ``POST /models/<name>[/versions/<v>]/invocations``
take JSON with exactly one of ``dataframe_split``, ``dataframe_records``, ``instances``,
``inputs`` (and optional ``params``), CSV (``text/csv``, a header row) or Parquet
(``application/vnd.apache.parquet``), and answer ``{"predictions": [...]}``, one entry per row.
``/ping``, ``/health`` and ``/version`` exist at both levels. Errors are
``{"error_code": ..., "message": ...}``. A JSON body of number records for a model whose inputs
are all doubles is read straight into a block of doubles (:func:`number_rows`); any body that
reader does not take is decoded as JSON, with the same result.
"""

from __future__ import annotations

import csv
import io
import json
from itertools import repeat
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pfa.avro.types import AvroRecord, AvroUnion
from pfa.serve.errors import BAD_REQUEST, INVALID_PARAMETER_VALUE, ServeError
from pfa.serve.model import NumberRows, ServedModel, block_of
from pfa.serve.strictjson import decode

try:
    from pfa.serve._records import parse_records  # type: ignore[import-not-found]
except ImportError:  # no compiler at install time: every body is decoded as JSON
    parse_records = None

from . import Protocol

JSON_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")
JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv",)
PARQUET_TYPES = ("application/vnd.apache.parquet", "application/x-parquet",
                 "application/parquet")
PARQUET_EXPANSION = 8
"""A Parquet body may decode to at most this many times the body-size limit."""


def _bad(message: str, code: str = BAD_REQUEST) -> ServeError:
    return ServeError(400, message, code)


def content_kind(header: str | None) -> str:
    """"json", "csv" or "parquet" from a Content-Type header; 415 otherwise."""
    if not header:
        raise ServeError(415, "missing Content-Type: use application/json, text/csv or "
                              "application/vnd.apache.parquet")
    media, _, params = header.partition(";")
    media = media.strip().lower()
    for p in params.split(";"):
        key, _, value = p.strip().partition("=")
        if key.lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise ServeError(415, "only UTF-8 bodies are accepted")
    if media in JSON_TYPES:
        return "json"
    if media in CSV_TYPES:
        return "csv"
    if media in PARQUET_TYPES:
        return "parquet"
    raise ServeError(415, "unsupported Content-Type: use application/json, text/csv or "
                          "application/vnd.apache.parquet")


# -- rows ---------------------------------------------------------------------------------------

def _columns(model: ServedModel) -> list[str]:
    """The input columns of a record input, under their original names when known."""
    return model.row_keys if model.row_keys is not None else ["input"]


def _row_value(model: ServedModel, row: Any, i: int) -> Any:
    """A row as the engine's datum: a record input takes an object; any other input takes
    the value itself, or an object with a single column."""
    if isinstance(model.input_type, AvroRecord):
        if type(row) is not dict:
            raise _bad(f"row {i}: expected an object of columns, found {_kind(row)}",
                       INVALID_PARAMETER_VALUE)
        return row
    if type(row) is dict:
        if len(row) != 1:
            raise _bad(f"row {i}: the model takes a single value, found {len(row)} columns",
                       INVALID_PARAMETER_VALUE)
        return next(iter(row.values()))
    return row


def _row_values(model: ServedModel, values: list[Any]) -> list[Any]:
    """:func:`_row_value` of every row (the list itself when no row needs a change)."""
    types = set(map(type, values))
    if (types <= {dict}) if isinstance(model.input_type, AvroRecord) else dict not in types:
        return values
    return [_row_value(model, r, i) for i, r in enumerate(values)]


def _kind(v: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(v), "a number")


def _split_rows(model: ServedModel, split: Any) -> list[Any]:
    if type(split) is not dict:
        raise _bad("dataframe_split must be an object with \"columns\" and \"data\"")
    data = split.get("data")
    if type(data) is not list:
        raise _bad("dataframe_split.data must be an array of rows")
    cols = split.get("columns")
    if cols is None:
        cols = _columns(model)
    if type(cols) is not list or not all(type(c) is str for c in cols):
        raise _bad("dataframe_split.columns must be an array of column names")
    if len(set(cols)) != len(cols):
        raise _bad("dataframe_split.columns names a column twice")
    record = isinstance(model.input_type, AvroRecord)
    if not record and len(cols) != 1:
        raise _bad(f"the model takes a single column, found {len(cols)}")
    n = len(cols)
    if not (set(map(type, data)) <= {list} and set(map(len, data)) <= {n}):
        for i, r in enumerate(data):
            if type(r) is not list or len(r) != n:
                raise _bad(f"dataframe_split.data row {i}: expected an array of {n} values",
                           INVALID_PARAMETER_VALUE)
    return list(map(dict, map(zip, repeat(cols), data))) if record else [r[0] for r in data]


def _column_rows(model: ServedModel, cols: dict[str, Any], key: str) -> list[Any]:
    """Rows of a columnar object (column → array of values)."""
    lengths = set()
    for i, values in enumerate(cols.values()):
        if type(values) is not list:
            raise _bad(f"{key}: column {i} must be an array of values")
        lengths.add(len(values))
    if len(lengths) > 1:
        raise _bad(f"{key}: the columns have different lengths")
    n = lengths.pop() if lengths else 0
    if n == 0:
        return []
    return list(map(dict, map(zip, repeat(list(cols)), zip(*cols.values()))))


def _short(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:37] + "...")


def json_rows(model: ServedModel, body: Any) -> list[Any]:
    """The rows of a JSON request body."""
    if type(body) is not dict:
        raise _bad("the body must be a JSON object with one of " + ", ".join(JSON_KEYS))
    present = [k for k in JSON_KEYS if k in body]
    unknown = [k for k in body if k not in JSON_KEYS and k != "params"]
    if len(present) != 1 or unknown:
        raise _bad("the body must have exactly one of " + ", ".join(JSON_KEYS) +
                   " (and optionally params)" + (f", found {len(present)}" if not unknown
                                                 else ", found other keys"))
    params = body.get("params")
    if params is not None and type(params) is not dict:
        raise _bad("params must be an object", INVALID_PARAMETER_VALUE)
    key = present[0]
    value = body[key]
    if key == "dataframe_split":
        return _split_rows(model, value)
    if key == "dataframe_records":
        if type(value) is not list:
            raise _bad("dataframe_records must be an array of objects")
        return _row_values(model, value)
    if type(value) is dict:  # columnar "instances"/"inputs"
        if not isinstance(model.input_type, AvroRecord):
            raise _bad(f"{key}: the model takes single values, give an array of them")
        return _column_rows(model, value, key)
    if type(value) is not list:
        raise _bad(f"{key} must be an array of rows or an object of columns")
    return _row_values(model, value)


def number_rows(model: ServedModel, body: bytes) -> NumberRows | None:
    """The rows of a JSON body of number records read straight into a block, for a model
    whose input fields are all doubles; None for any other body or model (it is then
    decoded as JSON and read by :func:`json_rows`, which gives the same values)."""
    keys = model.number_keys
    if keys is None or parse_records is None:
        return None
    block = block_of(parse_records(body, keys), keys)
    return None if block is None else NumberRows(block, keys)


def _csv_cell(t: Any, text: str, row: int, col: str) -> Any:
    """A CSV field as the value its Avro type wants ("" is null/missing)."""
    if isinstance(t, AvroUnion):
        if text == "" and any(b.name == "null" for b in t.types):
            return None
        for b in t.types:
            if b.name != "null":
                try:
                    return _csv_cell(b, text, row, col)
                except ServeError:
                    continue
        raise _bad(f"row {row}, column {_short(col)}: not a value of the column's type",
                   INVALID_PARAMETER_VALUE)
    name = t.name
    try:
        if name in ("double", "float"):
            return float(text) if text != "" else None
        if name in ("int", "long"):
            return int(text) if text != "" else None
        if name == "boolean":
            low = text.strip().lower()
            if low in ("true", "1"):
                return True
            if low in ("false", "0"):
                return False
            raise ValueError
    except ValueError:
        raise _bad(f"row {row}, column {_short(col)}: not a {name}",
                   INVALID_PARAMETER_VALUE) from None
    if name in ("string", "enum", "bytes", "fixed"):
        return text
    if text == "":
        return None
    try:
        return json.loads(text)  # arrays, maps, records written as JSON
    except (ValueError, RecursionError):
        raise _bad(f"row {row}, column {_short(col)}: not a JSON value of type {name}",
                   INVALID_PARAMETER_VALUE) from None


def csv_rows(model: ServedModel, body: bytes) -> list[Any]:
    """The rows of a CSV body (a header row names the columns)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _bad(f"the body is not UTF-8 (byte offset {exc.start})") from None
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _bad(f"the body is not valid CSV: {exc}") from None
    if not table:
        raise _bad("the CSV body has no header row")
    header, data = table[0], [r for r in table[1:] if r]
    t = model.input_type
    if isinstance(t, AvroRecord):
        aliases = model.engine.input_aliases or {}
        types = {f.name: f.type for f in t.fields}
        col_types = [types.get(aliases.get(c, c)) for c in header]
    else:
        if len(header) != 1:
            raise _bad(f"the model takes a single column, found {len(header)}")
        col_types = [t]
    rows = []
    for i, r in enumerate(data):
        if len(r) != len(header):
            raise _bad(f"row {i}: expected {len(header)} fields, found {len(r)}",
                       INVALID_PARAMETER_VALUE)
        values = [(_csv_cell(ct, v, i, c) if ct is not None else v)
                  for c, ct, v in zip(header, col_types, r)]
        rows.append(dict(zip(header, values)) if isinstance(t, AvroRecord) else values[0])
    return rows


def parquet_rows(model: ServedModel, body: bytes, limit: int) -> list[Any]:
    """The rows of a Parquet body (decoded size bounded)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        f = pq.ParquetFile(io.BytesIO(body))
        meta = f.metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if size > PARQUET_EXPANSION * limit:
            raise ServeError(413, "the Parquet body decodes to more than the size limit")
        table = f.read()
    except ServeError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _bad(f"the body is not a readable Parquet file ({type(exc).__name__})") from None
    return _row_values(model, table.to_pylist())


# -- endpoints ----------------------------------------------------------------------------------

def routes(server: Any) -> list[Route]:
    from pfa.serve.http import endpoint, json_response, read_body
    from pfa.version import __version__

    limit = server.config.max_body_bytes

    async def invocations(request: Request, call: Any) -> Response:
        params = request.path_params
        model = call.use(server.model(params.get("name"), params.get("version")))
        kind = content_kind(request.headers.get("content-type"))
        body = await read_body(request, limit)
        if kind == "json":
            rows = number_rows(model, body) or json_rows(model, decode(body))
        elif kind == "csv":
            rows = csv_rows(model, body)
        else:
            rows = parquet_rows(model, body, limit)
        outs = await server.infer(model, rows)
        return json_response({"predictions": outs})

    async def ping(request: Request, call: Any) -> Response:
        name = request.path_params.get("name")
        if name is None:
            if not server.repository.ready():
                raise ServeError(503, "not ready: models are loading or failed to load",
                                 headers={"Retry-After": "1"})
        else:
            call.use(server.model(name))
        return Response("\n", 200, media_type="application/json")

    async def version(request: Request, call: Any) -> Response:
        name = request.path_params.get("name")
        if name is not None:
            call.use(server.model(name))
        return Response(__version__, 200, media_type="text/plain")

    def post(path: str, fn: Any) -> Route:
        return Route(path, endpoint(server, PROTOCOL, fn), methods=["POST"])

    def get(path: str, fn: Any) -> Route:
        return Route(path, endpoint(server, PROTOCOL, fn), methods=["GET"])

    return [post("/invocations", invocations), post("/models/{name}/invocations", invocations),
            post("/models/{name}/versions/{version}/invocations", invocations),
            get("/ping", ping), get("/health", ping), get("/version", version),
            get("/models/{name}/ping", ping), get("/models/{name}/health", ping),
            get("/models/{name}/version", version)]


def error_body(err: ServeError) -> dict[str, Any]:
    return {"error_code": err.error_code, "message": err.message}


PROTOCOL = Protocol("mlflow", routes, error_body,
                    lambda path: path in ("/invocations", "/ping", "/health", "/version")
                    or path.startswith("/models/"))
