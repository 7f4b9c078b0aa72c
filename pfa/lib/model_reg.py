"""model.reg.*: linear regression, propagated variances, Gaussian processes and the (deprecated)
residual / pull / chi-square helpers."""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import mul
from typing import Any

import numpy as np
from scipy.special import gammainc

from pfa.avro.types import AvroRecord
from pfa.lib.la import depth, param_type
from pfa.lib.numeric import ieee_div
from pfa.lib.registry import CallSite, batch, error, specialized
from pfa.runtime.columns import Arr, Const, NotVectorized, dot_rows, fail_all, py_sum

_isfinite = math.isfinite
_EMPTY: dict[str, Any] = {}


def _field_kind(record: Any, field: str) -> tuple[str, int]:
    """(kind, depth) of a field of the record type ``record``."""
    if isinstance(record, AvroRecord):
        f = record.field(field)
        if f is not None:
            return depth(f.type)
    return "scalar", 0


# -- model.reg.linear --------------------------------------------------------------------------

@specialized("model.reg.linear")
def _linear(site: CallSite) -> Callable[..., Any]:
    kind, n = _field_kind(param_type(site, 1), "coeff")

    if kind == "array" and n == 1:
        def linear(datum: list[float], model: dict[str, Any]) -> float:
            coeff = model["coeff"]
            if len(coeff) != len(datum):
                raise error(31000)
            return sum(map(mul, coeff, datum), 0.0) + model["const"]
        return linear

    if kind == "array":
        def linear_multi(datum: list[float], model: dict[str, Any]) -> list[float]:
            coeff = model["coeff"]
            const = model["const"]
            if len(const) != len(coeff):
                raise error(31001)
            size = len(datum)
            out = []
            for row, c in zip(coeff, const):
                if len(row) != size:
                    raise error(31000)
                out.append(sum(map(mul, row, datum), 0.0) + c)
            return out
        return linear_multi

    if n == 1:
        def linear_map(datum: dict[str, float], model: dict[str, Any]) -> float:
            coeff = model["coeff"]
            s = 0.0
            for k, v in datum.items():
                c = coeff.get(k)
                if c is not None:
                    s += v * c
            return s + model["const"]
        return linear_map

    def linear_map_multi(datum: dict[str, float], model: dict[str, Any]) -> dict[str, float]:
        coeff = model["coeff"]
        const = model["const"]
        out = {}
        for key in coeff.keys() | const.keys():
            row = coeff.get(key, _EMPTY)
            s = 0.0
            for k, v in datum.items():
                c = row.get(k)
                if c is not None:
                    s += v * c
            out[key] = s + const.get(key, 0.0)
        return out
    return linear_map_multi


# -- model.reg.linearVariance ------------------------------------------------------------------

def _quadratic(x: list[float], c: list[list[float]]) -> float:
    """xᵀ C x for a square C matching x (else "misaligned covariance")."""
    size = len(x)
    if len(c) != size:
        raise error(31010)
    total = 0.0
    for xi, row in zip(x, c):
        if len(row) != size:
            raise error(31010)
        total += xi * sum(map(mul, row, x), 0.0)
    return total


def _quadratic_map(x: dict[str, float], c: dict[str, dict[str, float]]) -> float:
    total = 0.0
    for i, xi in x.items():
        row = c.get(i)
        if row:
            s = 0.0
            for j, cij in row.items():
                xj = x.get(j)
                if xj is not None:
                    s += cij * xj
            total += xi * s
    return total


@specialized("model.reg.linearVariance")
def _linear_variance(site: CallSite) -> Callable[..., Any]:
    kind, n = _field_kind(param_type(site, 1), "covar")

    if kind == "array" and n == 2:
        def variance(datum: list[float], model: dict[str, Any]) -> float:
            return _quadratic([*datum, 1.0], model["covar"])
        return variance

    if kind == "array":
        def variance_multi(datum: list[float], model: dict[str, Any]) -> list[float]:
            x = [*datum, 1.0]
            return [_quadratic(x, c) for c in model["covar"]]
        return variance_multi

    if n == 2:
        def variance_map(datum: dict[str, float], model: dict[str, Any]) -> float:
            return _quadratic_map({**datum, "": 1.0}, model["covar"])
        return variance_map

    def variance_map_multi(datum: dict[str, float], model: dict[str, Any]) -> dict[str, float]:
        x = {**datum, "": 1.0}
        return {k: _quadratic_map(x, c) for k, c in model["covar"].items()}
    return variance_map_multi


# -- model.reg.gaussianProcess -----------------------------------------------------------------

def _gp_fit_predict(x: np.ndarray, xs: np.ndarray, y: np.ndarray, nugget: Any,
                    weight: float | None, kernel: Callable[[list, list], float]) -> float:
    """Kriging with a constant regression term on normalized inputs and outputs."""
    n = len(xs)
    with np.errstate(all="ignore"):
        xmean, xstd = xs.mean(axis=0), xs.std(axis=0)
        xstd = np.where(xstd == 0.0, 1.0, xstd)  # a constant feature (e.g. one entry)
        xnorm = (xs - xmean) / xstd
        ymean, ystd = y.mean(), y.std()
        ystd = ystd if ystd != 0.0 else 1.0
        ynorm = (y - ymean) / ystd
        rows = xnorm.tolist()
        r = np.eye(n) * (1.0 + nugget)
        for i in range(n - 1):
            for j in range(i + 1, n):
                r[i, j] = r[j, i] = kernel(rows[i], rows[j])
        try:
            chol = np.linalg.cholesky(r)
        except np.linalg.LinAlgError:
            raise error(31088) from None
        if not np.isfinite(chol).all():
            raise error(31088)
        ft = np.linalg.solve(chol, np.ones((n, 1)))
        yt = np.linalg.solve(chol, ynorm)
        if weight is None:
            q, g = np.linalg.qr(ft)
            beta = np.linalg.solve(g, q.T @ yt)
        else:
            beta = np.array([weight])
        gamma = np.linalg.solve(chol.T, yt - ft @ beta)
        xq = ((x - xmean) / xstd).tolist()
        pred = float(beta[0]) + sum(kernel(xq, row) * g for row, g in zip(rows, gamma.tolist()))
        return float(ymean + ystd * pred)


@specialized("model.reg.gaussianProcess")
def _gaussian_process(site: CallSite) -> Callable[..., Any]:
    """Each component of a vector ``to`` is its own fit; with a null ``krigingWeight`` each
    one is universal Kriging (spec). The reference implementation (titus) reuses the first
    component's fitted weight for the later components, which is why its examples differ
    from these results by 0.2-0.7% in all but the first component."""
    vector_x = depth(param_type(site, 0))[0] == "array"
    table_t = param_type(site, 1)
    record = getattr(table_t, "items", None)
    vector_to = _field_kind(record, "to")[0] == "array"
    has_sigma = isinstance(record, AvroRecord) and record.field("sigma") is not None



    def gp(x: Any, table: list[dict[str, Any]], kriging_weight: float | None,
           kernel: Callable[[list, list], float]) -> Any:
        if not table:
            raise error(31080)
        if vector_x:
            if not x:
                raise error(31081)
            if any(len(t["x"]) != len(x) for t in table):
                raise error(31082)
        if vector_to:
            dims = len(table[0]["to"])
            if dims < 1:
                raise error(31083)
            if any(len(t["to"]) != dims for t in table):
                raise error(31084)
        xs = np.array([t["x"] if vector_x else [t["x"]] for t in table], dtype=float)
        xq = np.array(x if vector_x else [x], dtype=float)
        if not np.isfinite(xq).all():
            raise error(31085)
        tos = np.array([t["to"] for t in table], dtype=float)
        if not (np.isfinite(xs).all() and np.isfinite(tos).all()):
            raise error(31086)
        if kriging_weight is not None and not _isfinite(kriging_weight):
            raise error(31087)
        sigmas = np.array([t["sigma"] for t in table], dtype=float) if has_sigma else None
        if not vector_to:
            tos = tos[:, None]
            if sigmas is not None:
                sigmas = sigmas[:, None]
        out = []
        for k in range(tos.shape[1]):
            y = tos[:, k]
            if sigmas is None:
                nugget: Any = 10.0 * np.finfo(float).eps
            else:
                with np.errstate(all="ignore"):
                    nugget = np.where(y != 0.0, (sigmas[:, k] / np.where(y != 0.0, y, 1.0)) ** 2,
                                      math.inf)
            out.append(_gp_fit_predict(xq, xs, y, nugget, kriging_weight, kernel))
        return out if vector_to else out[0]
    return gp


# -- deprecated model.reg.* (moved to stat.test.*) ---------------------------------------------

@specialized("model.reg.residual")
def _residual(site: CallSite) -> Callable[..., Any]:
    kind = depth(param_type(site, 0))[0]
    if kind == "scalar":
        return lambda observation, prediction: float(observation - prediction)


    if kind == "array":
        def residual(observation: list[float], prediction: list[float]) -> list[float]:
            if len(observation) != len(prediction):
                raise error(31020)
            return [float(o - p) for o, p in zip(observation, prediction)]
        return residual

    def residual_map(observation: dict[str, float],
                     prediction: dict[str, float]) -> dict[str, float]:
        if observation.keys() != prediction.keys():
            raise error(31020)
        return {k: float(o - prediction[k]) for k, o in observation.items()}
    return residual_map


@specialized("model.reg.pull")
def _pull(site: CallSite) -> Callable[..., Any]:
    kind = depth(param_type(site, 0))[0]
    if kind == "scalar":
        return lambda observation, prediction, uncertainty: ieee_div(
            float(observation - prediction), uncertainty)

    def check(n: int, pred: Any, unc: Any) -> None:
        if len(pred) != n:
            raise error(31030)
        if len(unc) != n:
            raise error(31031)

    if kind == "array":
        def pull(observation: list[float], prediction: list[float],
                 uncertainty: list[float]) -> list[float]:
            check(len(observation), prediction, uncertainty)
            return [ieee_div(float(o - p), u)
                    for o, p, u in zip(observation, prediction, uncertainty)]
        return pull

    def pull_map(observation: dict[str, float], prediction: dict[str, float],
                 uncertainty: dict[str, float]) -> dict[str, float]:
        check(len(observation), prediction, uncertainty)
        if observation.keys() != prediction.keys():
            raise error(31030)
        if observation.keys() != uncertainty.keys():
            raise error(31031)
        return {k: ieee_div(float(o - prediction[k]), uncertainty[k])
                for k, o in observation.items()}
    return pull_map


def _mahalanobis_solve(diff: list[float], cov: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        try:
            sol = np.linalg.solve(cov, np.asarray(diff, dtype=float))
        except np.linalg.LinAlgError:
            return math.nan
        q = float(sol @ np.asarray(diff, dtype=float))
    return math.sqrt(q) if q >= 0.0 else math.nan


@specialized("model.reg.mahalanobis")
def _mahalanobis(site: CallSite) -> Callable[..., Any]:



    if depth(param_type(site, 0))[0] == "array":
        def mahalanobis(observation: list[float], prediction: list[float],
                        covariance: list[list[float]]) -> float:
            size = len(observation)
            if size < 1:
                raise error(31040)
            if len(prediction) != size:
                raise error(31041)
            if len(covariance) != size or any(len(row) != size for row in covariance):
                raise error(31042)
            diff = [o - p for o, p in zip(observation, prediction)]
            return _mahalanobis_solve(diff, np.asarray(covariance, dtype=float))
        return mahalanobis

    def mahalanobis_map(observation: dict[str, float], prediction: dict[str, float],
                        covariance: dict[str, dict[str, float]]) -> float:
        if len(observation) < 1:
            raise error(31040)
        if observation.keys() != prediction.keys():
            raise error(31041)
        keys = list(observation)
        try:
            cov = np.array([[covariance[a][b] for b in keys] for a in keys], dtype=float)
        except KeyError:
            raise error(31042) from None
        return _mahalanobis_solve([observation[k] - prediction[k] for k in keys], cov)
    return mahalanobis_map


@specialized("model.reg.updateChi2")
def _update_chi2(site: CallSite) -> Callable[..., Any]:
    kind = depth(param_type(site, 0))[0]
    if kind == "scalar":
        def squares(pull: float) -> float:
            return float(pull * pull)
    elif kind == "array":
        def squares(pull: list[float]) -> float:
            return sum((y * y for y in pull), 0.0)
    else:
        def squares(pull: dict[str, float]) -> float:
            return sum((y * y for y in pull.values()), 0.0)

    def update_chi2(pull: Any, state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "chi2": state["chi2"] + squares(pull), "DOF": state["DOF"] + 1}
    return update_chi2


@specialized("model.reg.reducedChi2")
def _reduced_chi2(site: CallSite) -> Callable[..., Any]:
    def reduced_chi2(state: dict[str, Any]) -> float:
        return ieee_div(float(state["chi2"]), state["DOF"])
    return reduced_chi2


@specialized("model.reg.chi2Prob")
def _chi2_prob(site: CallSite) -> Callable[..., Any]:
    def chi2_prob(state: dict[str, Any]) -> float:
        chi2, dof = float(state["chi2"]), state["DOF"]
        if dof < 0:
            raise error(31070)
        if chi2 != chi2:
            return math.nan
        if chi2 <= 0.0:
            return 0.0
        if dof == 0:
            return 1.0
        return float(gammainc(dof / 2.0, chi2 / 2.0))
    return chi2_prob


# -- batch forms ------------------------------------------------------------------------------

@batch("model.reg.linear")
def _linear_v(site: CallSite) -> Callable[..., Any]:
    kind, n = _field_kind(param_type(site, 1), "coeff")

    def impl(env: Any, datum: Any, model: Any) -> Any:
        if kind != "array" or not isinstance(model, Const) or not isinstance(datum, Arr) \
                or datum.data.ndim != 2:
            raise NotVectorized("model.reg.linear of this shape")
        x = datum.data
        size = x.shape[1]
        coeff, const = model.value["coeff"], model.value["const"]
        if n == 1:
            if len(coeff) != size:
                fail_all(env, error(31000))
                raise NotVectorized("misaligned")
            c = np.array(coeff, dtype=np.float64)
            return py_sum([c[j] * x[:, j] for j in range(size)]) + const
        if len(const) != len(coeff):
            fail_all(env, error(31001))
            raise NotVectorized("misaligned")
        if any(len(row) != size for row in coeff):
            fail_all(env, error(31000))
            raise NotVectorized("misaligned")
        c = np.array(coeff, dtype=np.float64).reshape(len(coeff), size)
        out = dot_rows(c, x) + np.array(const, dtype=np.float64)[:, None]  # (outputs, n)
        return Arr(out.T)
    return impl
