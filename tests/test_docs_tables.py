"""The README's generated tables equal what their registries generate now.

Each front end's table of converters (``python -m pfa.exporters.registry --update README.md``)
and the ONNX compile subset (``python -m pfa.onnx.compiler``) lie between markers in
``README.md``; a converter or lowering added without regenerating the README fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pfa.exporters import registry
from pfa.exporters.frontends import front_ends
from pfa.onnx import compiler

README = Path(__file__).resolve().parent.parent / "README.md"

#: marker pair -> the table it must hold, for every generated table of the README
TABLES = {registry.markers(f.name): (lambda name=f.name: registry.markdown_table(name))
          for f in front_ends()}
TABLES[("<!-- onnx-subset:start -->", "<!-- onnx-subset:end -->")] = compiler.markdown_table


@pytest.mark.parametrize("start,end", list(TABLES), ids=lambda m: m)
def test_readme_table_is_generated(start: str, end: str) -> None:
    text = README.read_text()
    got = registry.between(text, start, end)
    assert got == TABLES[start, end](), (
        f"README.md's table between {start} and {end} is stale: regenerate it")


def test_every_front_end_has_a_table() -> None:
    assert {f.name for f in front_ends()} >= {"sklearn", "spark", "onnx"}
    assert registry.table_libraries() == [f.name for f in front_ends()]


def test_update_rewrites_only_the_tables(tmp_path: Path) -> None:
    """``update_readme`` on a README with stale tables gives the current README back."""
    text = README.read_text()
    for library in registry.table_libraries():
        start, end = registry.markers(library)
        text = registry.replace_between(text, start, end, "| stale |")
    path = tmp_path / "README.md"
    path.write_text(text)
    registry.update_readme(str(path))
    assert path.read_text() == README.read_text()


def test_update_names_a_missing_table(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("# no tables\n")
    with pytest.raises(ValueError, match="no table for the sklearn front end"):
        registry.update_readme(str(path), ["sklearn"])
