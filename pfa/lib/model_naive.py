"""model.naive.*: log-likelihoods of Gaussian, multinomial and Bernoulli naive Bayes models."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pfa.avro.types import AvroRecord
from pfa.lib.la import param_type
from pfa.lib.registry import CallSite, error, specialized

_LOG_2PI = math.log(2.0 * math.pi)
_TINY = 5e-324  # smallest positive double, keeps log() finite for underflowing probabilities
_log = math.log


@specialized("model.naive.gaussian")
def _gaussian(site: CallSite) -> Callable[..., Any]:
    def term(x: float, model: dict[str, float]) -> float:
        var = model["variance"]
        if var <= 0.0:
            raise error(10001)
        d = x - model["mean"]
        return 0.5 * (_LOG_2PI + _log(var)) + 0.5 * d * d / var

    if getattr(param_type(site, 0), "name", "array") != "map":
        def gaussian(datum: list[float], class_model: list[dict[str, float]]) -> float:
            if len(datum) != len(class_model):
                raise error(10000)
            ll = 0.0
            for x, m in zip(datum, class_model):
                ll -= term(x, m)
            return ll
        return gaussian

    def gaussian_map(datum: dict[str, float], class_model: dict[str, dict[str, float]]
                     ) -> float:
        if datum.keys() != class_model.keys():
            raise error(10000)
        ll = 0.0
        for k, x in datum.items():
            ll -= term(x, class_model[k])
        return ll
    return gaussian_map


@specialized("model.naive.multinomial")
def _multinomial(site: CallSite) -> Callable[..., Any]:
    is_record = isinstance(param_type(site, 1), AvroRecord)
    is_map = getattr(param_type(site, 0), "name", "array") == "map"

    def check(probs: Any) -> float:
        if not probs or not all(p > 0.0 for p in probs):
            raise error(10011)
        return sum(probs, 0.0)


    if is_map:
        def multinomial_map(datum: dict[str, float], class_model: Any) -> float:
            model: dict[str, float] = class_model["values"] if is_record else class_model
            norm = check(list(model.values()))
            if datum.keys() != model.keys():
                raise error(10010)
            return sum((d * _log(model[k] / norm + _TINY) for k, d in datum.items()), 0.0)
        return multinomial_map

    def multinomial(datum: list[float], class_model: Any) -> float:
        model: list[float] = class_model["values"] if is_record else class_model
        norm = check(model)
        if len(datum) != len(model):
            raise error(10010)
        return sum((d * _log(p / norm + _TINY) for d, p in zip(datum, model)), 0.0)
    return multinomial


@specialized("model.naive.bernoulli")
def _bernoulli(site: CallSite) -> Callable[..., Any]:
    is_record = isinstance(param_type(site, 1), AvroRecord)

    def bernoulli(datum: list[str], class_model: Any) -> float:
        model: dict[str, float] = class_model["values"] if is_record else class_model
        ll = 0.0
        for p in model.values():
            if not 0.0 < p < 1.0:
                raise error(10020)
            ll += _log(1.0 - p)
        for item in set(datum):
            p = model.get(item)
            if p is not None:
                ll += _log(p) - _log(1.0 - p)
        return ll
    return bernoulli
