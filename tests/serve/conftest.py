"""Fixtures of the serving tests (helpers in :mod:`tests.serve.helpers`)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .helpers import iris_document

_IRIS: dict[str, Any] = {}


@pytest.fixture(scope="session")
def iris_doc() -> dict[str, Any]:
    if not _IRIS:
        _IRIS.update(iris_document())
    return json.loads(json.dumps(_IRIS))


