"""Pipelines as plain, printable data: a :class:`Spec` names an estimator class of the
converter registry and its parameters, so a drawn case prints as code-like text and can be
rebuilt exactly (``build``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pfa.exporters import registry


@dataclass(frozen=True)
class Spec:
    """An estimator: its class name (as in the registry) and constructor parameters. Nested
    estimators are Specs inside ``params`` (also inside lists and tuples)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"


@dataclass(frozen=True)
class Fn:
    """A numpy function given as a parameter (printed as ``np.<name>``)."""

    name: str

    def __repr__(self) -> str:
        return f"np.{self.name}"


@cache
def converters() -> tuple[registry.Converter, ...]:
    """Every sklearn converter of the registry whose estimator library is installed: the
    list of what is fuzzed."""
    return tuple(c for c in registry.supported("sklearn") if c.available)


@cache
def estimator_class(name: str) -> type:
    """The estimator class registered under ``name``."""
    for conv in converters():
        if conv.estimator == name:
            return conv.estimator_class()
    raise KeyError(f"{name} is not in the converter registry")


def role(name: str) -> str:
    return next(c.role for c in converters() if c.estimator == name)


def module(name: str) -> str:
    return next(c.module for c in converters() if c.estimator == name)


def build(obj: Any) -> Any:
    """A fresh unfitted estimator (or structure of them) from a Spec."""
    if isinstance(obj, Spec):
        params = {k: build(v) for k, v in obj.params.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # deprecated but supported classes
            return estimator_class(obj.name)(**params)
    if isinstance(obj, Fn):
        import numpy as np

        return getattr(np, obj.name)
    if isinstance(obj, list):
        return [build(x) for x in obj]
    if isinstance(obj, tuple):
        return tuple(build(x) for x in obj)
    return obj


def walk(obj: Any):
    """Every Spec inside ``obj`` (depth first, ``obj`` first)."""
    if isinstance(obj, Spec):
        yield obj
        for v in obj.params.values():
            yield from walk(v)
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            yield from walk(x)


@cache
def tags(name: str) -> Any:
    """sklearn's tags of a default instance (None when the class needs arguments)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimator_class(name)().__sklearn_tags__()
    except TypeError:
        return None


def allows_nan(name: str) -> bool:
    t = tags(name)
    return bool(t and t.input_tags.allow_nan)


def positive_only(name: str) -> bool:
    t = tags(name)
    return bool(t and t.input_tags.positive_only)


def multi_output(name: str) -> bool:
    t = tags(name)
    return bool(t and t.target_tags.multi_output)
