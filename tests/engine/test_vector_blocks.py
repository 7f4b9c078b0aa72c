"""The block kernels of :mod:`pfa.engine.patterns.blocks` (tree datum record, defaultOnNull
array, ``a.map`` of ``cast.float``) give the scalar engine's values and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pfa import Engine
from pfa.runtime.columns import BlockRec
from tests.engine.batch_helpers import assert_batch_equals_scalar, same

FIELDS = [{"name": f"x{i}", "type": ["null", "double"]} for i in range(3)]


def _doc(positions: list[int]) -> dict:
    feats = {"new": [{"impute.defaultOnNull": [f"input.x{i}", {"double": "NaN"}]}
                     for i in range(3)], "type": {"type": "array", "items": "double"}}
    cast = {"a.map": ["features", {"params": [{"v": "double"}], "ret": "float",
                                   "do": {"cast.float": "v"}}]}
    values, fields = {}, []
    for i in positions:
        v = {"attr": "features32", "path": [i]}
        for tag, inf in (("lo", "-Infinity"), ("hi", "Infinity")):
            values[f"f{i}_{tag}"] = {"if": {"impute.isnan": v}, "then": {"float": inf},
                                     "else": v}
            fields.append({"name": f"f{i}_{tag}", "type": "float"})
    rec = {"type": "record", "name": "D", "fields": fields}
    return {"input": {"type": "record", "name": "In", "fields": FIELDS},
            "output": "double",
            "action": [{"let": {"features": feats}}, {"let": {"features32": cast}},
                       {"let": {"d": {"new": values, "type": rec}}},
                       {"+": [f"d.f{positions[0]}_lo", f"d.f{positions[-1]}_hi"]}]}


def _rows(n: int) -> list[dict]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        row = {}
        for i in range(3):
            r = rng.random()
            row[f"x{i}"] = None if r < 0.2 else (math.nan if r < 0.3 else
                                                 float(rng.normal() * 1e39 ** (r > 0.9)))
        out.append(row)
    return out


@pytest.mark.parametrize("positions", [[0, 1, 2], [2, 0], [1, 5]])
def test_block_kernels_equal_scalar(positions: list[int]) -> None:
    assert_batch_equals_scalar(_doc(positions), _rows(200), chunk_size=64)


def test_block_kernels_from_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    rows = _rows(300)
    frame = pd.DataFrame({k: [np.nan if r[k] is None else r[k] for r in rows]
                          for k in ("x0", "x1", "x2")})
    doc = _doc([0, 1, 2])
    got = Engine.from_json(doc).action_batch(frame, chunk_size=100)
    scalar = Engine.from_json(doc)
    want = [scalar.action({k: None if math.isnan(v) else v for k, v in r.items()})
            for r in frame.to_dict("records")]
    assert all(same(float(g), w) for g, w in zip(got, want))


def test_block_record_fields_are_block_rows() -> None:
    block = np.arange(6, dtype=np.float64).reshape(2, 3)
    rec = BlockRec(block, ["a", "b"])
    assert rec.rows == {"a": 0, "b": 1}
    assert rec.fields["b"].tolist() == [3.0, 4.0, 5.0]
