"""The converter registry checks itself: its modules are found by walking the converters
package, every registered class path resolves, and what it lists (the README table) does not
depend on which optional libraries are installed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pfa.exporters import registry

ROOT = Path(__file__).resolve().parents[2]
CONVERTERS = registry.supported("sklearn")


def test_every_converter_module_is_discovered():
    """Each module file of the converters package is imported by the registry, and every
    registered converter comes from one of them."""
    package = ROOT / "pfa" / "exporters" / "sklearn" / "converters"
    files = {f"{registry.converters_package('sklearn')}.{p.stem}" for p in package.glob("*.py")
             if p.stem != "__init__"}
    modules = set(registry.converter_modules("sklearn"))
    assert modules == files
    assert {c.fn.__module__ for c in CONVERTERS} <= modules


def test_a_new_module_registers_without_being_listed(tmp_path, monkeypatch):
    """Dropping a module into a front end's converters package is all a converter needs."""
    pkg = tmp_path / "fake_frontend_converters"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "widgets.py").write_text(textwrap.dedent('''
        from pfa.exporters.registry import converter

        @converter("fake", "fakelib.widgets", ["Widget", "Gadget"], "regressor", "a note")
        def widget(est, b, data):
            return None
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "converters_package", lambda library: pkg.name)
    assert registry.supported_names("fake") == ["Gadget", "Widget"]
    assert registry.lookup_class("fake", "fakelib.widgets._impl", "Widget").notes == "a note"
    assert registry.lookup_class("fake", "otherlib", "Widget") is None


@pytest.mark.parametrize("conv", CONVERTERS, ids=[c.estimator for c in CONVERTERS])
def test_registered_class_path_resolves(conv):
    """``module.estimator`` names a class, and the registry finds the converter from it."""
    assert conv.role in registry.ROLES
    assert "|" not in conv.notes  # it would break the README table
    if not conv.available:
        pytest.skip(f"{conv.requires} is not installed")
    cls = conv.estimator_class()
    assert isinstance(cls, type) and cls.__name__ == conv.estimator
    assert registry.lookup_class("sklearn", cls.__module__, cls.__name__) is conv


def test_optional_libraries_do_not_change_the_registry():
    """With xgboost and lightgbm unimportable, the same converters (and README table) are
    registered; only ``available`` changes."""
    script = textwrap.dedent('''
        import json, sys
        sys.modules["xgboost"] = None  # import xgboost now fails; find_spec gives None
        sys.modules["lightgbm"] = None
        from pfa.exporters import registry
        print(json.dumps({"table": registry.markdown_table(),
                          "unavailable": sorted(c.estimator for c in registry.supported()
                                                if not c.available)}))
    ''')
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    got = json.loads(out)
    assert got["table"] == registry.markdown_table()
    assert got["unavailable"] == ["LGBMClassifier", "LGBMRegressor", "XGBClassifier",
                                  "XGBRegressor"]
    assert {c.requires for c in CONVERTERS if c.estimator in got["unavailable"]} == {
        "xgboost", "lightgbm"}


def test_readme_table_is_the_registry():
    """The README's table is generated from the registry (``python -m
    pfa.exporters.registry --update README.md``)."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index(registry.START) + len(registry.START)
    assert readme[start:readme.index(registry.END)].strip() == registry.markdown_table()
