"""The child side of the hostile-input harness: runs cases one by one under a memory limit and
an audit hook, and reports one JSON line per case.

Run as ``python worker.py '{"memory": BYTES}'``; it reads cases (JSON lines) on stdin and
writes results (JSON lines) on the stdout it started with (the cases' own prints go to
stderr). A case is a JSON object (see :mod:`runner` for the fields); its result says
``bad`` (a list of broken promises, empty when the case passed), ``outcome`` (what
happened, e.g. ``ok`` or ``PfaRuntimeError(18000)``) and the time it took.

The process exits after a ``MemoryError`` (its heap may be fragmented); the parent restarts
it, and kills and restarts it when a case runs past its wall-clock limit.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
GRACE = 1.0        # seconds a routine may run past its timeout option
LOAD_SLACK = 2.0   # wall-clock seconds tolerated on top (CPU time is the exact measure)
BUILD_LIMIT = 5.0  # CPU seconds to read, check and compile a (small) hostile document


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# ---------------------------------------------------------------------------------------------
# outcomes
# ---------------------------------------------------------------------------------------------

class Report:
    """What one case did: its outcome steps and the promises it broke."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.bad: list[str] = []
        self.pfa_errors = 0

    def error(self, where: str, exc: BaseException) -> str:
        """Record an exception; returns its short outcome label."""
        from pfa.errors import PfaError, PfaRuntimeError, PfaTimeoutError, PfaUserError


        label = outcome_label(exc)
        self.steps.append(f"{where}: {label}: {_clip(str(exc), 160)}")
        self.pfa_errors += isinstance(exc, PfaError)
        if isinstance(exc, MemoryError):
            self.bad.append(f"{where}: MemoryError (over the memory limit)")
        elif not isinstance(exc, PfaError):
            tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
            self.bad.append(f"{where}: non-PFA exception {type(exc).__name__}: "
                            f"{_clip(str(exc))}\n{_clip(''.join(tb[-4:]), 1200)}")
        elif isinstance(exc, PfaRuntimeError):
            msg = str(exc)
            if "unexpected" in msg and exc.code is None:
                cause = exc.__cause__
                tb = ("" if cause is None else _clip("".join(traceback.format_exception(
                    type(cause), cause, cause.__traceback__)[-3:]), 900))
                self.bad.append(f"{where}: internal error wrapped without a code: "
                                f"{_clip(msg)}\n{tb}")
            elif exc.code is None and not isinstance(exc, PfaUserError | PfaTimeoutError):
                self.bad.append(f"{where}: runtime error without a code: {_clip(msg)}")
        return label


def outcome_label(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    return f"{type(exc).__name__}({code})" if code is not None else type(exc).__name__


def _clip(text: str, n: int = 300) -> str:
    text = text.replace("\x00", "\\0")
    return text if len(text) <= n else text[:n] + f"…(+{len(text) - n} chars)"


class Clock:
    """Wall-clock and CPU time of one step."""

    def __enter__(self) -> Clock:
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0

    def over(self, limit: float) -> bool:
        """Past ``limit``: by CPU time (exact), or by wall-clock time with slack for a
        loaded machine (scaled by the load average per core, so other processes competing
        for the CPUs do not make a bounded case look like a hang)."""
        load = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
        return self.cpu > limit or self.wall > limit * load + LOAD_SLACK


# ---------------------------------------------------------------------------------------------
# comparing batch results with action results
# ---------------------------------------------------------------------------------------------

def same(a: Any, b: Any, loose_null: bool = False) -> bool:
    """Bit-identical engine values (NaN equals NaN); ``loose_null``: None equals NaN."""
    if loose_null and (a is None or b is None):
        other = b if a is None else a
        return other is None or (isinstance(other, float) and math.isnan(other))
    if isinstance(a, float) and isinstance(b, float):
        return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (
            math.isnan(a) and math.isnan(b))
    if type(a) is not type(b) and not (isinstance(a, int) and isinstance(b, int)
                                       and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y, loose_null) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], loose_null) for k in a)
    return a == b


def _py(v: Any) -> Any:
    """Plain Python value of a numpy / pandas / Arrow scalar or container."""
    import numpy as np

    if isinstance(v, np.ndarray):
        return [_py(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, list):
        return [_py(x) for x in v]
    if isinstance(v, dict):
        return {k: _py(x) for k, x in v.items()}
    return v


def batch_rows(out: Any, n: int) -> tuple[list[Any], bool]:
    """The per-row values of an ``action_batch`` result and whether nulls may be NaN."""
    import numpy as np

    mod = type(out).__module__
    if isinstance(out, list):
        return out, False
    if isinstance(out, np.ndarray):
        return [_py(x) for x in out], True
    if mod.startswith("pandas"):
        cols = list(out.columns)
        return [{c: _py(out[c].iloc[i]) for c in cols} for i in range(len(out))], True
    if mod.startswith("pyarrow"):
        return out.to_pylist(), True
    if isinstance(out, dict):
        return [{k: _py(v[i]) for k, v in out.items()} for i in range(n)], True
    raise TypeError(f"unknown batch output kind {type(out).__name__}")


# ---------------------------------------------------------------------------------------------
# running a case
# ---------------------------------------------------------------------------------------------

def _options(case: dict[str, Any], tmp: str) -> dict[str, Any] | None:
    opts = case.get("options")
    return None if opts is None else json.loads(json.dumps(opts).replace("{tmp}", tmp))


def _timeout_s(case: dict[str, Any], engine: Any = None) -> float | None:
    """The action timeout in seconds the case runs with, if any."""
    if engine is not None:
        t = engine.options.timeout_for("action")
        return t / 1000 if t >= 0 else None
    t = (case.get("options") or {}).get("timeout")
    return t / 1000 if isinstance(t, int) and t >= 0 else None


def _build(case: dict[str, Any], tmp: str, opts: dict[str, Any] | None) -> Any:
    from pfa.engine.engine import Engine

    extra = json.loads(json.dumps(case.get("engine_kwargs") or {}).replace("{tmp}", tmp))
    if "yaml" in case:
        return Engine.from_yaml(_text(case, "yaml", tmp), options=opts, **extra)
    if "doc_json" in case:
        return Engine.from_json(_text(case, "doc_json", tmp), options=opts, **extra)
    doc = json.loads(json.dumps(case["doc"]).replace("{tmp}", tmp))
    return Engine.from_json(doc, options=opts, **extra)


def _text(case: dict[str, Any], key: str, tmp: str) -> str:
    """The case's document text with ``{tmp}`` and its placeholders filled in."""
    text = case[key].replace("{tmp}", tmp)
    for name, spec in (case.get("expand") or {}).items():
        text = text.replace(f'"{name}"' if spec.get("raw") else name, _expand(spec))
    return text


def _expand(spec: dict[str, Any]) -> str:
    """Text too big to send literally: ``prefix`` + ``repeat`` × ``times`` (or ``open`` ×
    ``depth`` + ``inner`` + ``close`` × ``depth``) + ``suffix``; a ``raw`` placeholder
    replaces a whole JSON string (quotes included), any other only the placeholder text."""
    if "repeat" in spec:
        body = spec["repeat"] * spec["times"]
    else:
        body = spec["open"] * spec["depth"] + spec["inner"] + spec["close"] * spec["depth"]
    return spec.get("prefix", "") + body + spec.get("suffix", "")


def _write_files(case: dict[str, Any], tmp: str) -> None:
    os.makedirs(os.path.join(tmp, "allowed"), exist_ok=True)
    for name, content in (case.get("files") or {}).items():
        path = os.path.join(tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, dict):
            data = base64.b64decode(content["b64"])
        else:
            data = content.encode("utf-8", "surrogateescape")
        with open(path, "wb") as f:
            f.write(data)
    for name, target in (case.get("symlinks") or {}).items():
        os.symlink(target.replace("{tmp}", tmp), os.path.join(tmp, name))


def _rss_mb() -> list[int] | None:
    """The worker's virtual and resident memory after a case (MiB), to spot leaks."""
    try:
        with open("/proc/self/statm") as f:
            fields = f.read().split()
        page = os.sysconf("SC_PAGE_SIZE")
        return [int(fields[0]) * page // 2**20, int(fields[1]) * page // 2**20]
    except OSError:
        return None


def run_case(case: dict[str, Any], auditor: Any) -> dict[str, Any]:
    rep = Report()
    tmp = tempfile.mkdtemp(prefix="pfa-hostile-")
    _write_files(case, tmp)
    t0 = time.perf_counter()
    auditor.begin([a.replace("{tmp}", tmp) for a in case.get("allow", ["{tmp}/allowed"])])
    try:
        _run(case, tmp, rep)
    except MemoryError:
        auditor.end()
        raise
    except BaseException as exc:  # the harness itself must report, not die
        rep.error("harness", exc)
    finally:
        violations = auditor.end()
        shutil.rmtree(tmp, ignore_errors=True)
    if case.get("expect") == "error" and not rep.pfa_errors:
        rep.bad.append("expected a PFA error (refusal), every step succeeded")
    rep.bad.extend(f"host access: {v}" for v in violations[:5])
    if len(violations) > 5:
        rep.bad.append(f"host access: … and {len(violations) - 5} more")
    return {"id": case["id"], "bad": rep.bad, "outcome": rep.steps,
            "seconds": round(time.perf_counter() - t0, 3), "vm_rss_mb": _rss_mb(),
            "threads": threading.active_count(),
            "restart": any("MemoryError" in b for b in rep.bad)}


def _probe(name: str) -> None:
    """Deliberate misbehaviour, to show that the harness notices each kind (self-test)."""
    import subprocess

    from pfa.errors import PfaRuntimeError

    if name == "open-outside":
        with open("/etc/hostname", "rb") as f:
            f.read()
    elif name == "listdir-outside":
        os.listdir("/etc")
    elif name == "allocate":
        bytearray(8 * 2**30)
    elif name == "spin":
        end = time.process_time() + 3
        while time.process_time() < end:
            pass
    elif name == "hang":
        time.sleep(3600)
    elif name == "type-error":
        raise TypeError("a stray Python exception")
    elif name == "uncoded":
        raise PfaRuntimeError(None, "a runtime error without a code")
    elif name == "subprocess":
        subprocess.run(["true"], check=False)
    elif name == "crash":
        os.abort()


def _run(case: dict[str, Any], tmp: str, rep: Report) -> None:
    opts = _options(case, tmp)
    if case.get("probe"):
        with Clock() as clk:
            try:
                _probe(case["probe"])
            except BaseException as exc:  # noqa: BLE001
                rep.error("probe", exc)
        _time_check("probe", clk, _timeout_s(case), rep)
        return
    if case.get("api") == "check":
        _check_only(case, tmp, rep)
        return
    with Clock() as clk:
        try:
            engine = _build(case, tmp, opts)
        except BaseException as exc:  # noqa: BLE001 - classified in Report
            engine = None
            rep.error("build", exc)
    if clk.cpu > BUILD_LIMIT:
        rep.bad.append(f"build: took {clk.cpu:.1f} s of CPU (limit {BUILD_LIMIT} s)")
    if engine is None:
        if case.get("expect") == "ok":
            rep.bad.append("build: expected to succeed")
        return
    rep.steps.append("build: ok")
    limit = _timeout_s(case, engine)
    outcomes = _actions(case, engine, limit, rep)
    if case.get("batch_builder"):
        _builder_batch(case, opts, tmp, limit, rep)
    elif case.get("batch") and engine.method == "map" and outcomes:
        _compare_batch(case, opts, tmp, outcomes, limit, rep)


def _check_only(case: dict[str, Any], tmp: str, rep: Report) -> None:
    from pfa.check.checker import check
    from pfa.document.reader import read, read_yaml

    with Clock() as clk:
        try:
            if "yaml" in case:
                check(read_yaml(_text(case, "yaml", tmp)))
            elif "doc_json" in case:
                check(read(_text(case, "doc_json", tmp)))
            else:
                check(read(case["doc"]))
            rep.steps.append("check: ok")
        except BaseException as exc:  # noqa: BLE001
            rep.error("check", exc)
            if case.get("expect") == "ok":
                rep.bad.append("check: expected the document to be accepted")
    if clk.cpu > BUILD_LIMIT:
        rep.bad.append(f"check: took {clk.cpu:.1f} s of CPU (limit {BUILD_LIMIT} s)")


def _actions(case: dict[str, Any], engine: Any, limit: float | None,
             rep: Report) -> list[tuple[Any, Any]]:
    """Run ``action`` on each input; returns (datum, ("ok", value) | ("err", exc))."""
    from pfa.errors import PfaTimeoutError

    outcomes: list[tuple[Any, Any]] = []
    for i, text in enumerate(case.get("inputs_json") or []):
        with Clock() as clk:
            try:
                engine.action_json(text.encode("utf-8", "surrogatepass")
                                   if isinstance(text, str) else text)
                rep.steps.append(f"action_json[{i}]: ok")
            except BaseException as exc:  # noqa: BLE001
                rep.error(f"action_json[{i}]", exc)
        _time_check(f"action_json[{i}]", clk, limit, rep)
    for i, obj in enumerate(case.get("inputs") or []):
        try:
            datum = engine.decode_input(obj)
        except BaseException as exc:  # noqa: BLE001
            rep.error(f"decode[{i}]", exc)
            continue
        with Clock() as clk:
            try:
                out = engine.action(datum)
                outcomes.append((datum, ("ok", out)))
                rep.steps.append(f"action[{i}]: ok")
                _expected_output(case, i, engine, out, rep)
            except BaseException as exc:  # noqa: BLE001
                outcomes.append((datum, ("err", exc)))
                rep.error(f"action[{i}]", exc)
        _time_check(f"action[{i}]", clk, limit, rep)
        if isinstance(outcomes[-1][1][1], PfaTimeoutError | MemoryError):
            break
    return outcomes


def _expected_output(case: dict[str, Any], i: int, engine: Any, out: Any,
                     rep: Report) -> None:
    want = case.get("outputs")
    if want is None or i >= len(want):
        return
    got = engine.encode_output(out)
    if json.dumps(got, sort_keys=True) != json.dumps(want[i], sort_keys=True):
        rep.bad.append(f"action[{i}]: output {_clip(repr(got))}, expected {want[i]!r}")


def _time_check(where: str, clk: Clock, limit: float | None, rep: Report) -> None:
    if limit is not None and clk.over(limit + GRACE):
        rep.bad.append(f"{where}: ran {clk.wall:.2f} s wall / {clk.cpu:.2f} s CPU, past the "
                       f"timeout {limit:.3f} s + {GRACE} s grace")


def _compare_batch(case: dict[str, Any], opts: dict[str, Any] | None, tmp: str,
                   outcomes: list[tuple[Any, Any]], limit: float | None, rep: Report) -> None:
    """``action_batch`` on a fresh engine must equal ``action`` on every row: as a list,
    as a list with ``on_error="null"``, and as columns (a numpy array or a DataFrame) when
    the input type allows it."""
    from pfa.errors import PfaTimeoutError

    if any(isinstance(o[1], PfaTimeoutError | MemoryError) for _, o in outcomes):
        return  # not deterministic
    rows = [d for d, _ in outcomes]
    kinds: list[tuple[str, Any, str]] = [("list", list(rows), "raise"),
                                         ("list", list(rows), "null")]
    columns = _as_columns(case, rows, opts, tmp)
    if columns is not None:
        kinds.append((type(columns).__name__, columns, "raise"))
    for kind, data, on_error in kinds:
        engine = _build(case, tmp, opts)
        where = f"action_batch({kind}, on_error={on_error!r})"
        got, err, loose = None, None, False
        with Clock() as clk:
            try:
                out = engine.action_batch(data, on_error=on_error)
                if on_error == "null":
                    _judge_null_mode(outcomes, out, rep, where)
                    continue
                got, loose = batch_rows(out, len(rows))
            except BaseException as exc:  # noqa: BLE001
                err = exc
        if limit is not None and clk.over(len(rows) * limit + GRACE):
            rep.bad.append(f"{where}: ran {clk.cpu:.2f} s CPU past {len(rows)} × timeout")
        _judge_batch(outcomes, got, err, loose, rep, where)
        if rep.bad:
            return


_SIMPLE = {"double", "float", "int", "long", "string", "boolean"}


def _as_columns(case: dict[str, Any], rows: list[Any], opts: dict[str, Any] | None,
                tmp: str) -> Any:
    """The rows as a numpy array (primitive input) or a DataFrame (record of primitives)."""
    import numpy as np
    import pandas as pd

    from pfa.avro.types import AvroRecord

    if not rows:
        return None
    engine = _build(case, tmp, opts)
    t = engine.input_type
    name = getattr(t, "name", None)
    if name in ("double", "int", "long") and all(type(r) in (int, float) for r in rows):
        return np.array(rows, dtype=np.float64 if name == "double" else np.int64)
    if isinstance(t, AvroRecord):
        fields = [f.name for f in t.fields]
        if all(getattr(f.type, "name", None) in _SIMPLE for f in t.fields) and all(
                isinstance(r, dict) for r in rows):
            return pd.DataFrame({f: [r.get(f) for r in rows] for f in fields})
    return None


def _judge_null_mode(outcomes: list[tuple[Any, Any]], out: Any, rep: Report,
                     where: str) -> None:
    """``on_error="null"``: null exactly where action failed, equal values elsewhere."""
    values = getattr(out, "values", None)
    errors = getattr(out, "errors", None)
    if values is None or errors is None:
        rep.bad.append(f"{where}: returned {type(out).__name__}, not a BatchResult")
        return
    got, loose = batch_rows(values, len(outcomes))
    failed_rows = sorted(r for r, *_ in errors)
    want_failed = [i for i, (_, o) in enumerate(outcomes) if o[0] == "err"]
    if failed_rows != want_failed:
        rep.bad.append(f"{where}: failed rows {failed_rows}, action failed on {want_failed}")
        return
    for i, (_, (status, want)) in enumerate(outcomes):
        if status == "ok" and not same(_py(want), got[i], loose):
            rep.bad.append(f"{where}: row {i} differs: action {_clip(repr(want), 200)}, "
                           f"batch {_clip(repr(got[i]), 200)}")
            return
    rep.steps.append(f"{where}: ok")


def _judge_batch(outcomes: list[tuple[Any, Any]], got: list[Any] | None,
                 err: BaseException | None, loose: bool, rep: Report, where: str) -> None:
    from pfa.errors import PfaError, PfaTimeoutError

    failing = [i for i, (_, o) in enumerate(outcomes) if o[0] == "err"]
    if got is None:
        assert err is not None
        rep.error(where, err)
        if isinstance(err, PfaTimeoutError):
            return  # a timeout depends on the machine's load: nothing to compare
        if isinstance(err, PfaError) and not failing:
            rep.bad.append(f"{where}: raised {outcome_label(err)} ({_clip(str(err))}) where "
                           f"action succeeded on every row")
        elif isinstance(err, PfaError) and failing:
            row = getattr(err, "row", None)
            first = outcomes[failing[0]][1][1]
            if row is not None and row != failing[0]:
                rep.bad.append(f"{where}: failed at row {row}, action first fails at row "
                               f"{failing[0]}")
            elif (getattr(first, "code", None) is not None
                  and getattr(err, "code", None) != first.code):
                rep.bad.append(f"{where}: error code {getattr(err, 'code', None)}, action's "
                               f"first failing row has code {first.code}")
        return
    rep.steps.append(f"{where}: ok")
    if failing:
        rep.bad.append(f"{where}: succeeded where action failed on row {failing[0]} "
                       f"({outcome_label(outcomes[failing[0]][1][1])}); batch gave "
                       f"{_clip(repr(got[failing[0]] if failing[0] < len(got) else None))}")
        return
    if len(got) != len(outcomes):
        rep.bad.append(f"{where}: {len(got)} results for {len(outcomes)} rows")
        return
    for i, (_, (_, want)) in enumerate(outcomes):
        if not same(_py(want), got[i], loose):
            rep.bad.append(f"{where}: row {i} differs: action {_clip(repr(want), 200)}, "
                           f"batch {_clip(repr(got[i]), 200)}")
            return


def _builder_batch(case: dict[str, Any], opts: dict[str, Any] | None, tmp: str,
                   limit: float | None, rep: Report) -> None:
    """A malformed batch from :mod:`batches`: refused, or equal to ``action`` row by row."""
    import batches

    spec = case["batch_builder"]
    data, rows = batches.BUILDERS[spec["name"]](**spec.get("args", {}))
    engine = _build(case, tmp, opts)
    outcomes: list[tuple[Any, Any]] = []
    if rows is not None:
        for datum in rows:
            try:
                outcomes.append((datum, ("ok", engine.action(datum))))
            except BaseException as exc:  # noqa: BLE001
                outcomes.append((datum, ("err", exc)))
                rep.error("action(row)", exc)
    engine = _build(case, tmp, opts)
    got, err, loose = None, None, False
    try:
        out = engine.action_batch(data)
        got, loose = batch_rows(out, len(rows) if rows is not None else 0)
    except BaseException as exc:  # noqa: BLE001
        err = exc
    where = f"action_batch({spec['name']})"
    if rows is None:
        if got is not None:
            rep.steps.append(f"{where}: ok")
            rep.bad.append(f"{where}: accepted a batch with no row-by-row meaning "
                           f"(returned {_clip(repr(got), 200)})")
        else:
            rep.error(where, err)  # type: ignore[arg-type]
        return
    _judge_batch(outcomes, got, err, loose, rep, where)


# ---------------------------------------------------------------------------------------------
# main loop
# ---------------------------------------------------------------------------------------------

def main() -> None:
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.path.insert(0, HERE)
    # everything a case may need is imported before the memory limit and the audit hook
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    with contextlib.suppress(ImportError):
        import pyarrow  # noqa: F401
    import audit
    import batches  # noqa: F401

    from pfa.check.checker import check  # noqa: F401
    from pfa.engine import batch, vector  # noqa: F401
    from pfa.engine.engine import Engine  # noqa: F401

    if config.get("memory"):
        _limit_memory(int(config["memory"]))
    auditor = audit.Auditor()
    auditor.install()
    out.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        try:
            result = run_case(case, auditor)
        except MemoryError:
            result = {"id": case["id"], "bad": ["MemoryError: over the memory limit"],
                      "outcome": ["MemoryError"], "seconds": None, "restart": True}
        out.write(json.dumps(result, default=repr) + "\n")
        if result.get("restart"):
            return


if __name__ == "__main__":
    main()
