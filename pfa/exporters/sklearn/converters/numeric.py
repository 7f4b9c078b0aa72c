"""Numeric rules shared by the model converters: comparisons and sums as numpy makes them,
and the refusal of models that sklearn computes in float32."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.refusals import Refusal
from pfa.exporters.sklearn.core import fitted_attr


def above(x: Any, threshold: Any) -> dict:
    """``x > threshold`` as numpy computes it: false for NaN (PFA orders NaN above every
    number, so a bare ``>`` would be true), as sklearn's ``scores > 0`` and libsvm's votes."""
    return {"&&": [{"!": {"impute.isnan": x}}, {">": [x, threshold]}]}


def float64_attr(est: Any, name: str) -> np.ndarray:
    """A fitted parameter array as float64, refusing a model fitted on float32 data: sklearn
    keeps float32 parameters and computes in float32 then, which a document (double) cannot
    reproduce exactly."""
    value = fitted_attr(est, name)
    first = value[0] if isinstance(value, list) and value else value
    if getattr(first, "dtype", None) == np.float32:
        raise Refusal("float32 data",
                      f"the model was fitted on float32 data (its {name} is float32): "
                      "sklearn then computes in float32, which a PFA document (double) "
                      "cannot reproduce exactly; fit it on float64 data")
    return np.asarray(value, dtype=np.float64) if not isinstance(value, list) else value


def numpy_row_sum(terms: list[Any]) -> Any:
    """The sum of ``terms`` in the order numpy 2's ``sum(axis=1)`` adds the row of a
    C-contiguous array (or a single row): pairwise, with eight partial sums up to 128 terms
    and halves above. (A Fortran-ordered array of several rows is summed left to right
    instead; the two orders agree below eight terms.)"""
    n = len(terms)
    if n < 8:
        total = terms[0]
        for x in terms[1:]:
            total = {"+": [total, x]}
        return total
    if n <= 128:
        partial = list(terms[:8])
        whole = n - n % 8
        for i in range(8, whole, 8):
            partial = [{"+": [partial[k], terms[i + k]]} for k in range(8)]
        r = [{"+": [partial[k], partial[k + 1]]} for k in range(0, 8, 2)]
        total = {"+": [{"+": [r[0], r[1]]}, {"+": [r[2], r[3]]}]}
        for x in terms[whole:]:
            total = {"+": [total, x]}
        return total
    half = n // 2
    half -= half % 8
    return {"+": [numpy_row_sum(terms[:half]), numpy_row_sum(terms[half:])]}


#: numpy's einsum sum of products over a contiguous row: the baseline SIMD build of x86-64
#: (SSE: two lanes, multiply then add, no fused multiply-add), unrolled four vectors deep
EINSUM_LANES, EINSUM_UNROLL = 2, 4


def einsum_lanes(n: int) -> list[list[int]]:
    """The order in which numpy 2's ``einsum("ij,ij->i", a, b)`` adds the products ``a[j] *
    b[j]`` of a C-contiguous row of ``n`` (sklearn's ``row_norms``): one list of positions per
    accumulator lane, each summed left to right from 0.0, then lane 0 + lane 1. Lane ``l``
    takes the positions ``j = l (mod 2)``: in each block of eight, the last pair first; then
    the leftover pairs in order (a missing partner adds a zero). numpy compiles einsum for its
    x86-64 baseline only; other architectures may differ."""
    lanes: list[list[int]] = [[] for _ in range(EINSUM_LANES)]
    step = EINSUM_LANES * EINSUM_UNROLL
    i = 0
    while n - i >= step:
        for u in reversed(range(EINSUM_UNROLL)):
            for lane in range(EINSUM_LANES):
                lanes[lane].append(i + u * EINSUM_LANES + lane)
        i += step
    for j in range(i, n):
        lanes[(j - i) % EINSUM_LANES].append(j)
    return lanes
