"""The overlapped pipeline of ``pfa score`` (pfa/io/pipeline.py): items and errors come out
in order through the read-ahead thread and the background writer, an early stop ends the
threads, the batches alive at once stay bounded; end to end, every chunk size gives the
outputs and the error file of ``Engine.action``; write failures name the file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.cli import main
from pfa.engine.engine import Engine
from pfa.io.batch import Batch
from pfa.io.pipeline import BackgroundWriter, read_ahead
from pfa.io.scoring import READ_AHEAD, WRITE_BEHIND, BatchScorer, InputColumns, score_file
from tests.io.score_helpers import MIXED_DOC
from tests.io.test_score_formats import check_run, rows_strategy

REPO = Path(__file__).resolve().parents[2]


class Boom(Exception):
    pass


def _source(items: list[int], fail_at: int | None, log: dict) -> object:
    """A generator of ``items`` (raising Boom at index ``fail_at``) that records how far it
    got and whether it was closed."""
    try:
        for i, x in enumerate(items):
            if i == fail_at:
                raise Boom(i)
            log["produced"] += 1
            log["lead"] = max(log["lead"], log["produced"] - log["consumed"])
            yield x
    finally:
        log["closed"] = True


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.integers(), max_size=30), depth=st.integers(0, 3),
       fail=st.none() | st.integers(0, 30))
def test_read_ahead_keeps_order_errors_and_bound(items, depth, fail):
    log = {"produced": 0, "consumed": 0, "lead": 0, "closed": False}
    got = []
    fails = fail is not None and fail < len(items)
    it = read_ahead(_source(items, fail, log), depth)
    try:
        for x in it:
            got.append(x)
            log["consumed"] += 1
    except Boom as exc:
        assert fails and exc.args == (fail,)
    else:
        assert not fails
    assert got == (items[:fail] if fails else items)
    assert log["closed"]
    # the queue, the item the thread holds, and the one the caller has not counted yet
    assert log["lead"] <= depth + 2


@pytest.mark.parametrize("depth", [1, 2])
def test_read_ahead_early_close_stops_the_thread(depth):
    log = {"produced": 0, "consumed": 0, "lead": 0, "closed": False}
    it = read_ahead(_source(list(range(1000)), None, log), depth)
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    it.close()
    assert log["closed"]
    assert log["produced"] <= 3 + depth + 1
    assert not [t for t in threading.enumerate() if t.name == "pfa-read-ahead"]


class ListWriter:
    """A writer keeping the first column of each table; raising Boom at table ``fail_at``."""

    def __init__(self, fail_at: int | None = None, pause: float = 0.0) -> None:
        self.rows: list[list[int]] = []
        self.fail_at = fail_at
        self.pause = pause
        self.closed = False

    def write(self, table: pa.Table) -> None:
        if len(self.rows) == self.fail_at:
            raise Boom(self.fail_at)
        if self.pause:
            time.sleep(self.pause)
        self.rows.append(table.column(0).to_pylist())

    def close(self) -> None:
        self.closed = True


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.lists(st.integers(-5, 5), max_size=4), max_size=12),
       fail=st.none() | st.integers(0, 12), depth=st.integers(1, 3))
def test_background_writer_order_and_errors(parts, fail, depth):
    inner = ListWriter(fail)
    w = BackgroundWriter(inner, depth)
    fails = fail is not None and fail < len(parts)
    raised = None
    try:
        for p in parts:
            w.write(pa.table({"x": pa.array(p, type=pa.int64())}))
        w.close()
    except Boom as exc:
        raised = exc
        with pytest.raises(Boom):  # the writer stays failed
            w.write(pa.table({"x": pa.array([0], type=pa.int64())}))
        w.abort()
    assert inner.closed
    assert (raised is not None) == fails
    if fails:
        assert raised.args == (fail,) and inner.rows == parts[:fail]
    else:
        assert inner.rows == parts


def test_background_writer_abort_drops_what_waits():
    inner = ListWriter(pause=0.01)
    w = BackgroundWriter(inner, 1)
    parts = [[i] for i in range(20)]
    for p in parts:
        w.write(pa.table({"x": pa.array(p, type=pa.int64())}))
    w.abort()
    assert inner.closed
    assert inner.rows == parts[:len(inner.rows)]  # a prefix, in order
    assert not [t for t in threading.enumerate() if t.name == "pfa-writer"]


class CountingReader:
    """``n`` batches of ``size`` rows of the mixed document, counting those made."""

    path = "counting"
    columns = ["age", "city", "n"]
    total_rows = None

    def __init__(self, n: int, size: int, log: dict) -> None:
        self.n, self.size, self.log = n, size, log

    def column_arrow_type(self, name: str) -> pa.DataType | None:
        return None

    def batches(self):
        for b in range(self.n):
            self.log["made"] += 1
            self.log["most"] = max(self.log["most"], self.log["made"] - self.log["written"])
            k = self.size
            yield Batch(b * k + 1, k, columns={
                "age": pa.array([float(b)] * k), "city": pa.array(["x"] * k),
                "n": pa.array([b % 3] * k, type=pa.int32())})

    def close(self) -> None:
        pass


class CountingWriter(ListWriter):
    def __init__(self, log: dict) -> None:
        super().__init__(pause=0.002)
        self.log = log

    def write(self, table: pa.Table) -> None:
        super().write(table)
        self.log["written"] += 1


def test_batches_in_flight_are_bounded():
    """However slow the writer, the reader is at most a few batches ahead of it."""
    engine = Engine.from_json(MIXED_DOC)
    scorer = BatchScorer(engine, InputColumns.of(engine), "null")
    log = {"made": 0, "written": 0, "most": 0}
    writer = CountingWriter(log)
    errors: list = []
    summary = score_file(scorer, CountingReader(60, 7, log), lambda schema: writer,
                         on_errors=errors.extend)
    assert writer.closed and log["written"] == 60 and summary.rows_read == 420
    # read-ahead queue + the reader's batch + the scored one + write queue + the written one
    # (+1: the writer counts after writing)
    assert log["most"] <= READ_AHEAD + WRITE_BEHIND + 4
    assert [e.row for e in errors] == [b * 7 + i + 1 for b in range(0, 60, 3) for i in range(7)]
    assert [r[0] for r in writer.rows] == [None if b % 3 == 0 else 2 * b for b in range(60)]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arrow"])
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy(20), chunk=st.integers(1, 6))
def test_every_chunk_size_equals_action(tmp_path, fmt, rows, chunk):
    """Outputs, kept ids and the error file in input order for any chunk size."""
    check_run(tmp_path, rows, fmt, fmt, "--chunk-size", str(chunk))


def _is_device(path: str) -> bool:
    return os.path.exists(path) and stat.S_ISCHR(os.stat(path).st_mode)


@pytest.mark.skipif(not _is_device("/dev/full"), reason="needs the /dev/full device")
@pytest.mark.parametrize("where", ["output", "errors"])
def test_a_full_disk_names_the_file(tmp_path, capsys, where):
    model = tmp_path / "m.pfa"
    model.write_text(json.dumps(MIXED_DOC))
    src = tmp_path / "in.csv"
    src.write_text("age,city,n\n" + "".join(f"{i}.5,c{i},{i % 4}\n" for i in range(3000)))
    out = "/dev/full" if where == "output" else str(tmp_path / "out.csv")
    errs = "/dev/full" if where == "errors" else str(tmp_path / "errors.jsonl")
    code = main(["score", str(model), str(src), "-o", out, "--output-format", "csv",
                 "--errors", errs, "--chunk-size", "100", "-q"])
    assert code == 2
    assert "/dev/full: cannot write: No space left on device" in capsys.readouterr().err
    assert _is_device("/dev/full")  # a failed run never removes a device


def test_standard_input(tmp_path):
    """CSV from a pipe (read in the caller's thread, no read-ahead) in a real process."""
    model = tmp_path / "m.pfa"
    model.write_text(json.dumps(MIXED_DOC))
    proc = subprocess.run(
        [sys.executable, "-m", "pfa.cli", "score", str(model), "-", "--input-format", "csv",
         "-o", "-", "--on-error", "fail", "--chunk-size", "2", "-q"],
        input=b"age,city,n\n1.0,a,1\n2.0,b,4\n3.0,c,0\n4.0,d,1\n", capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith('"y",') and [x.split(",")[0] for x in lines[1:]] == ["2", "4"]
    assert "row 3" in proc.stderr.decode()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_worker_processes_keep_order_and_errors(tmp_path, fmt):
    """--workers 2: chunks scored in two processes, read ahead and written behind; outputs,
    kept ids and the error file in input order."""
    rows = [{"id": i + 1, "age": None if i % 5 == 0 else i / 4, "city": ["rome", None, ""][i % 3],
             "n": i % 4} for i in range(40)]
    check_run(tmp_path, rows, fmt, "parquet", "--workers", "2", "--chunk-size", "3")
