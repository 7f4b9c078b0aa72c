"""``pfa score`` over every input × output format: the output of every row equals
``Engine.action`` on it (a differential test over generated tables, hypothesis), failed rows
are reported with the spec's error code and null outputs, kept columns are copied."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.cli import main
from pfa.engine.engine import Engine
from tests.io.score_helpers import (
    EXT,
    FORMATS,
    MIXED_DOC,
    check_rows,
    expected,
    read_output,
    write_input,
)

OUT_FIELDS = ["y", "c", "z", "k", "tags"]
CITIES = ["rome", "paris", "", "a,b", 'say "hi"', "ünïcode", "two\nlines", " pad "]


def table_of(rows: list[dict]) -> pa.Table:
    return pa.table({
        "id": pa.array([r["id"] for r in rows], type=pa.int64()),
        "age": pa.array([r["age"] for r in rows], type=pa.float64()),
        "city": pa.array([r["city"] for r in rows], type=pa.string()),
        "n": pa.array([r["n"] for r in rows], type=pa.int32()),
        "extra": pa.array([f"x{r['id']}" for r in rows], type=pa.string()),
    })


row_strategy = st.fixed_dictionaries({
    "age": st.none() | st.floats(allow_nan=False, allow_infinity=False, width=64),
    "city": st.none() | st.sampled_from(CITIES),
    "n": st.integers(-4, 4),
})


def rows_strategy(max_size: int = 12):
    return st.lists(row_strategy, max_size=max_size).map(
        lambda rows: [{"id": i + 1, **r} for i, r in enumerate(rows)])


def score(tmp_path, rows, fin, fout, *extra, doc=MIXED_DOC):
    model = tmp_path / "m.pfa"
    model.write_text(json.dumps(doc))
    src = tmp_path / f"in{EXT[fin]}"
    dst = tmp_path / f"out{EXT[fout]}"
    errs = tmp_path / "errors.jsonl"
    for p in (dst, errs):
        if p.exists():
            p.unlink()
    write_input(table_of(rows), fin, src)
    code = main(["score", str(model), str(src), "-o", str(dst), "--errors", str(errs),
                 "--keep", "id", "--chunk-size", "3", "-q", *extra])
    return code, read_output(fout, dst), [json.loads(x) for x in errs.read_text().splitlines()]


def check_run(tmp_path, rows, fin, fout, *extra):
    engine = Engine.from_json(MIXED_DOC)
    inputs = [{k: r[k] for k in ("age", "city", "n")} for r in rows]
    want = expected(engine, inputs)
    code, out, errors = score(tmp_path, rows, fin, fout, *extra)
    failed = [i + 1 for i, (_, e) in enumerate(want) if e is not None]
    assert code == (1 if failed else 0)
    check_rows(out, want, fout, OUT_FIELDS, keep={"id": [r["id"] for r in rows]})
    assert [e["row"] for e in errors] == failed
    for e in errors:
        err = want[e["row"] - 1][1]
        assert (e["kind"], e["code"], e["message"]) == ("runtime", err.code, err.message)


FIXED = [{"id": 1, "age": 79.0, "city": "rome", "n": 3},
         {"id": 2, "age": None, "city": None, "n": 1},
         {"id": 3, "age": -0.5, "city": "", "n": 0},
         {"id": 4, "age": 1e300, "city": 'say "hi"', "n": -4},
         {"id": 5, "age": 0.1, "city": "two\nlines", "n": 2},
         {"id": 6, "age": 5e-324, "city": "ünïcode", "n": 1},
         {"id": 7, "age": 2.5, "city": "paris", "n": 0}]


@pytest.mark.parametrize("fout", FORMATS)
@pytest.mark.parametrize("fin", FORMATS)
def test_every_format_pair(tmp_path, fin, fout):
    check_run(tmp_path, FIXED, fin, fout)


@pytest.mark.parametrize("fin", FORMATS)
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy())
def test_generated_tables_equal_action(tmp_path, fin, rows):
    check_run(tmp_path, rows, fin, "parquet")


@pytest.mark.parametrize("fout", FORMATS)
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy())
def test_generated_tables_every_output(tmp_path, fout, rows):
    check_run(tmp_path, rows, "csv", fout)


@pytest.mark.parametrize("mode,rows_out,code", [("skip", 5, 1), ("fail", 2, 1)])
def test_on_error_skip_and_fail(tmp_path, mode, rows_out, code):
    got, out, errors = score(tmp_path, FIXED, "csv", "jsonl", "--on-error", mode)
    assert got == code and len(out) == rows_out
    if mode == "skip":
        assert [r["id"] for r in out] == ["1", "2", "4", "5", "6"]  # CSV ids stay text
        assert [e["row"] for e in errors] == [3, 7]
    else:  # stops before the first failing row (row 3): rows 1-2 written
        assert [r["id"] for r in out] == ["1", "2"] and [e["row"] for e in errors] == [3]


def test_plain_json_record_of_the_issue(tmp_path, capsys):
    """The issue's plain record {"age": 79.0, "city": "rome"} scores; --avro-json reads the
    tagged encoding."""
    model = tmp_path / "m.pfa"
    model.write_text(json.dumps(MIXED_DOC))
    src = tmp_path / "in.jsonl"
    src.write_text('{"age": 79.0, "city": "rome", "n": 5}\n\n{"age": null, "city": null, '
                   '"n": 1}\n')
    assert main(["score", str(model), str(src), "-o", "-", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0]) == {"y": 158.0, "c": "rome", "z": 79.5, "k": 20,
                                    "tags": ["rome", "rome"]}
    assert json.loads(lines[1])["c"] == "none"
    src.write_text('{"age": {"double": 79.0}, "city": {"string": "rome"}, "n": 5}\n')
    assert main(["score", str(model), str(src), "--avro-json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "y": 158.0, "c": "rome", "z": {"double": 79.5}, "k": 20, "tags": ["rome", "rome"]}
