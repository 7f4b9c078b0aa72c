"""Whatever bytes an input file holds, ``pfa score`` ends with exit status 0, 1 or 2 and
one-line messages — never an internal error (status 3) or a traceback. Inputs: random bytes,
and valid files of each format cut short or with a byte changed."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.cli import main
from tests.io.score_helpers import EXT, FORMATS, MIXED_DOC, write_input

GOOD = pa.table({"age": [1.0, None, 3.5], "city": ["a", None, "b"], "n": [1, 2, 0]})


def _run(tmp_path, fmt, data, capsys):
    model = tmp_path / "m.pfa"
    model.write_text(json.dumps(MIXED_DOC))
    src = tmp_path / f"in{EXT[fmt]}"
    src.write_bytes(data)
    out = tmp_path / "out.jsonl"
    code = main(["score", str(model), str(src), "-o", str(out), "-q", "--chunk-size", "2"])
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert "Exception ignored" not in err, err


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes(tmp_path, capsys, fmt, data):
    _run(tmp_path, fmt, data, capsys)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0, 1), flip=st.none() | st.tuples(st.floats(0, 1), st.integers(0, 255)))
def test_damaged_files(tmp_path, capsys, fmt, cut, flip):
    src = tmp_path / f"good{EXT[fmt]}"
    write_input(GOOD, fmt, src)
    data = bytearray(src.read_bytes())
    if flip is not None and data:
        data[int(flip[0] * (len(data) - 1))] = flip[1]
    _run(tmp_path, fmt, bytes(data[:max(0, int(cut * len(data)))] if cut < 1 else data),
         capsys)
