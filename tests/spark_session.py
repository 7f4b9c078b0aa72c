"""One local Spark session per test process, shared by every Spark test.

tests/conftest.py registers this module as a plugin, so any test anywhere under tests/ can ask
for the ``spark`` fixture by name (no import). Every test that uses it joins the xdist group
``spark``, so under ``pytest -n 2 --dist loadgroup`` all Spark tests land in one worker and only
one JVM starts. ``SPARK_MARKS`` (``slow`` + the group) is for a module's ``pytestmark``.
The fixture skips (with the reason) when pyspark cannot be imported or ``java`` is not on the
PATH. The session is ``local[2]`` bound to 127.0.0.1 with the UI off, two shuffle partitions, a
small driver and Arrow on; the Python workers run this interpreter
(:func:`pfa.spark.session.local_session`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

SPARK_MARKS = [pytest.mark.slow, pytest.mark.xdist_group("spark")]


def spark_unavailable() -> str | None:
    """Why a local Spark session cannot start here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"pyspark is not importable ({exc})"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (pyspark needs a JVM: no `java` on PATH, no JAVA_HOME)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The shared local SparkSession; skips when pyspark or Java is missing."""
    reason = spark_unavailable()
    if reason is not None:
        pytest.skip(reason)
    from pfa.spark.session import local_session

    session = local_session(cores=2, driver_memory="1g", app="pfa-tests")
    try:
        yield session
    finally:
        session.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that uses the ``spark`` fixture joins the xdist group ``spark`` (one JVM).

    Under ``--dist loadgroup`` an xdist worker names a grouped test ``<nodeid>@<group>`` so the
    scheduler sends a group to one worker; pytest-xdist 3.8 does it by setting ``_nodeid``,
    which pytest 9 no longer reads (node ids live in ``_id``), so the groups were ignored and
    each worker started its own JVM. This hook names them the way pytest 9 reads."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("spark"))
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                         for m in item.iter_markers("xdist_group")})
        node_id = getattr(item, "_id", None)
        suffix = "@" + "_".join(groups)
        if groups and node_id is not None and hasattr(node_id, "parse") and \
                not item.nodeid.endswith(suffix):
            item._id = type(node_id).parse(item.nodeid + suffix)
