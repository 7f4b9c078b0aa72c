"""``pfa score`` as a user meets it: file errors (exit 2, one line naming the file and the
column, no traceback, no partial output), bad cells, empty files, streaming in chunks."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pfa.cli import main
from pfa.engine.engine import Engine
from tests.cli_run import TRACEBACK
from tests.cli_run import pfa_cli as _pfa_cli
from tests.io.score_helpers import EXT, FORMATS, MIXED_DOC, read_output, write_input


def pfa_cli(*args, cwd):
    """The command in a subprocess, its stdout and stderr as text."""
    proc = _pfa_cli(*args, cwd=cwd)
    proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    return proc


@pytest.fixture
def model(tmp_path):
    p = tmp_path / "m.pfa"
    p.write_text(json.dumps(MIXED_DOC))
    return str(p)


def test_columns_that_do_not_match(tmp_path, model):
    src = tmp_path / "in.csv"
    src.write_text("age,town,n\n1,rome,2\n")
    proc = pfa_cli("score", model, str(src), "-o", str(tmp_path / "out.parquet"), cwd=tmp_path)
    assert proc.returncode == 2 and TRACEBACK not in proc.stderr
    assert "in.csv" in proc.stderr and "'city'" in proc.stderr and "'town'" in proc.stderr
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.parametrize("args,message", [
    (["in.csv", "-o", "out.xyz"], "cannot tell the output format"),
    (["nope.csv"], "nope.csv: cannot read"),
    (["in.csv", "-o", "in.csv"], "different files"),
    (["in.csv", "--keep", "idx"], "--keep column 'idx' is not in the file"),
    (["in.csv", "--keep", "k"], "has the name of an output column"),
    (["-", "--input-format", "parquet"], "parquet cannot be read from standard input"),
    (["in.csv", "--chunk-size", "0"], "--chunk-size must be at least 1"),
])
def test_usage_errors_exit_2(tmp_path, model, args, message):
    (tmp_path / "in.csv").write_text("age,city,n,k\n1,rome,2,3\n")
    proc = pfa_cli("score", model, *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and TRACEBACK not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_not_a_parquet_file(tmp_path, model):
    (tmp_path / "in.parquet").write_text("age,city\n")
    proc = pfa_cli("score", model, "in.parquet", cwd=tmp_path)
    assert proc.returncode == 2 and "in.parquet: cannot read as Parquet" in proc.stderr
    assert TRACEBACK not in proc.stderr


def test_bad_cells_refuse_their_row_only(tmp_path, model, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,age,city,n\n1,79,rome,2\n2,abc,paris,1\n3,4,x,1.5\n4,,,1\n5,1,2,3,4\n"
                   "6,2,y,1\n")
    out = tmp_path / "out.jsonl"
    code = main(["score", model, str(src), "-o", str(out), "--keep", "id", "--chunk-size", "2"])
    assert code == 1
    err = capsys.readouterr().err
    assert "row 2, column 'age': input error: cannot read 'abc' as a number" in err
    assert "row 3, column 'n': input error: cannot read '1.5' as an integer" in err
    assert "read error: line 6: expected 4 fields, found 5" in err  # no output row
    assert "5 rows read, 3 scored, 3 failed" in err
    rows = read_output("jsonl", out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "6"]
    assert [r["k"] for r in rows] == [50, None, None, 100, 100]


def test_refused_values_in_typed_files(tmp_path, model):
    """A value the input contract refuses (a string for a number) in Parquet: the row is
    reported with its field, the other rows are scored."""
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"age": [1.0, 2.0], "city": ["a", "b"], "n": ["1", "x"]}), src)
    errs = tmp_path / "e.jsonl"
    out = tmp_path / "o.jsonl"
    assert main(["score", model, str(src), "-o", str(out), "--errors", str(errs), "-q"]) == 1
    # a whole column of the wrong kind: every row refused, named by field
    assert [json.loads(x)["field"] for x in errs.read_text().splitlines()] == ["n", "n"]
    assert read_output("jsonl", out) == [{k: None for k in ("y", "c", "z", "k", "tags")}] * 2


@pytest.mark.parametrize("fin", FORMATS)
@pytest.mark.parametrize("fout", ["csv", "parquet", "jsonl"])
def test_empty_inputs(tmp_path, model, fin, fout):
    src = tmp_path / f"in{EXT[fin]}"
    empty = pa.table({"id": pa.array([], pa.int64()), "age": pa.array([], pa.float64()),
                      "city": pa.array([], pa.string()), "n": pa.array([], pa.int32())})
    write_input(empty, fin, src)  # CSV: a header only; JSON lines: an empty file
    out = tmp_path / f"out{EXT[fout]}"
    assert main(["score", model, str(src), "-o", str(out), "-q"]) == 0
    assert read_output(fout, out) == []
    if fout == "parquet":
        assert pq.read_schema(out).names == ["y", "c", "z", "k", "tags"]


def test_empty_csv_file(tmp_path, model, capsys):
    (tmp_path / "in.csv").write_bytes(b"")
    assert main(["score", model, str(tmp_path / "in.csv"), "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == '"y","c","z","k","tags"'
    assert "0 rows read" in captured.err


def test_streams_in_bounded_chunks(tmp_path, model, monkeypatch):
    """A file larger than the chunk is scored chunk by chunk: action_batch never sees more
    than --chunk-size rows, and the output is complete and in order."""
    n = 1000
    rows = [{"id": i, "age": float(i), "city": "c", "n": 1 + i % 5} for i in range(n)]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src, row_group_size=300)
    seen: list[int] = []
    real = Engine.action_batch

    def spy(self, data, **kw):
        seen.append(len(next(iter(data.values()))) if isinstance(data, dict) else len(data))
        return real(self, data, **kw)

    monkeypatch.setattr(Engine, "action_batch", spy)
    out = tmp_path / "out.csv"
    assert main(["score", model, str(src), "-o", str(out), "--chunk-size", "64",
                 "--keep", "id", "-q"]) == 0
    assert max(seen) <= 64 and sum(seen) == n and len(seen) >= n // 64
    got = read_output("csv", out)
    assert [int(r["id"]) for r in got] == list(range(n))
    assert [float(r["y"]) for r in got] == [2.0 * i for i in range(n)]


def test_workers_keep_order(tmp_path, model):
    rows = [{"id": i, "age": float(i), "city": None, "n": i % 4} for i in range(400)]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["score", model, str(src), "-o", str(one), "--chunk-size", "50", "-q"]) == 1
    assert main(["score", model, str(src), "-o", str(two), "--chunk-size", "50", "-q",
                 "--workers", "2"]) == 1
    assert one.read_text() == two.read_text()


def test_progress_is_silent_off_a_terminal(tmp_path, model):
    (tmp_path / "in.csv").write_text("age,city,n\n1,rome,2\n")
    proc = pfa_cli("score", model, "in.csv", "-o", "out.csv", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr.startswith("pfa score: 1 rows read, 1 scored, 0 failed")
    proc = pfa_cli("score", model, "in.csv", "-o", "out.csv", "-q", cwd=tmp_path)
    assert proc.stderr == ""


def test_array_input(tmp_path, capsys):
    doc = {"input": {"type": "array", "items": "double"}, "output": "double",
           "action": {"a.sum": ["input"]}}
    model = tmp_path / "a.pfa"
    model.write_text(json.dumps(doc))
    (tmp_path / "in.csv").write_text("id,x0,x1,x2\na,1,2,3\nb,4,,6\n")
    assert main(["score", str(model), str(tmp_path / "in.csv"), "--array-input",
                 "--keep", "id", "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == '"id","output"' and out[1] == '"a",6' and out[2].startswith('"b",nan')
    assert main(["score", str(model), str(tmp_path / "in.csv"), "-q"]) == 2
    assert "use --array-input" in capsys.readouterr().err


class _Terminal:
    """A stand-in for a terminal on stderr."""

    def __init__(self):
        import io

        self.buffer = io.StringIO()

    def write(self, text):
        return self.buffer.write(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_progress_bar_on_a_terminal(tmp_path, model, monkeypatch):
    rows = [{"age": float(i), "city": "c", "n": 1} for i in range(300)]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    assert main(["score", model, str(src), "-o", str(tmp_path / "o.csv"),
                 "--chunk-size", "100"]) == 0
    text = term.buffer.getvalue()
    assert "/300 [" in text and "rows/s" in text  # tqdm: the total from Parquet metadata
    assert "pfa score: 300 rows read, 300 scored, 0 failed" in text


def test_only_map_documents(tmp_path, capsys):
    doc = {"input": "double", "output": "double", "method": "emit",
           "action": {"emit": ["input"]}}
    model = tmp_path / "e.pfa"
    model.write_text(json.dumps(doc))
    (tmp_path / "in.csv").write_text("x\n1\n")
    assert main(["score", str(model), str(tmp_path / "in.csv")]) == 2
    assert "runs map documents; this one is 'emit' (use pfa run)" in capsys.readouterr().err
