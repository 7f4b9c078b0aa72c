"""The import layers of :mod:`pfa`, checked on the source (``ast``), not on a running import.

:data:`LAYERS` is the one declaration of the layering (``docs/architecture.md`` draws the same
table). A module belongs to the layer of the longest prefix that names it (``pfa`` itself only
by exact name), and may import modules of its own layer or of lower ones. The rules:

* **layers**: no import of a module of a higher layer;
* **cycles**: no import cycle between pfa's modules, whatever the layers;
* **private names**: no ``from m import _name`` from another module, and a private module
  ``pkg._mod`` is imported only by modules inside ``pkg`` (no exception for package
  ``__init__`` re-exports: they re-export public names only).

Every ``import`` statement counts, also inside functions and ``if TYPE_CHECKING:`` blocks
(an import moved into a function to dodge a cycle is still a cycle). Imports made by name at
run time (``importlib.import_module``: the library's namespace modules, the CLI's commands,
the exporters' converters) are registries finding their members and are not edges.

:data:`KNOWN_VIOLATIONS` lists the imports that still break a rule, each with the helper that
owns the importing file; an entry that no longer matches an import fails the test too, so the
list can only shrink.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "pfa"

#: Layers, lowest first: (name, module prefixes).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("pfa.errors", "pfa.names", "pfa.paths", "pfa.terminal", "pfa.version",
              "pfa._gcpause")),
    ("avro", ("pfa.avro",)),
    ("document", ("pfa.document",)),
    ("check", ("pfa.check",)),
    ("runtime", ("pfa.runtime", "pfa.hostfiles", "pfa.engine.state", "pfa.engine.options",
                 "pfa.engine.inputs", "pfa.engine.binary")),
    ("lib", ("pfa.lib",)),
    ("compilers", ("pfa.engine.scalar", "pfa.engine.vector", "pfa.engine.patterns",
                   "pfa.engine.scopes", "pfa.engine.backends",
                   "pfa.engine.batch", "pfa.engine.native")),
    ("engine", ("pfa.engine",)),
    ("formats", ("pfa.io", "pfa.exporters", "pfa.onnx")),
    ("services", ("pfa.serve", "pfa.mlflow", "pfa.spark")),
    ("commands", ("pfa.commands", "pfa.cli", "pfa.demo", "pfa")),
)

#: (importing module, imported module, imported name) -> owner of the importing file; name None
#: stands for every import of that module by that importer.
KNOWN_VIOLATIONS: dict[tuple[str, str, str | None], str] = {
}


@dataclass(frozen=True)
class Import:
    """One imported module (and name, for ``from m import name`` of a non-module)."""

    importer: str
    target: str
    name: str | None
    path: Path
    line: int

    @property
    def key(self) -> tuple[str, str, str | None]:
        return self.importer, self.target, self.name

    def where(self) -> str:
        shown = self.target if self.name is None else f"{self.target}.{self.name}"
        rel = self.path.relative_to(PACKAGE_DIR.parent)
        return f"{rel}:{self.line}: {self.importer} imports {shown}"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> Iterator[Import]:
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "pfa":
                    yield Import(module, alias.name, None, path, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            if base.split(".")[0] != "pfa":
                continue
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield Import(module, f"{base}.{alias.name}", None, path, node.lineno)
                else:
                    yield Import(module, base, alias.name, path, node.lineno)


ALL_IMPORTS = [imp for module, path in MODULES.items() for imp in _imports(module, path)]


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` of the longest prefix naming ``module``."""
    best, best_len = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "pfa" and module.startswith(prefix + "."))
            if matches and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _allowed(imp: Import, key: tuple[str, str, str | None]) -> bool:
    return imp.key == key or (key[2] is None and imp.key[:2] == key[:2])


def _checked_imports() -> list[Import]:
    return [imp for imp in ALL_IMPORTS if not any(_allowed(imp, k) for k in KNOWN_VIOLATIONS)]


def _layer_violations(imports: list[Import]) -> list[str]:
    out = []
    for imp in imports:
        if imp.target not in MODULES:
            continue
        mine, theirs = layer_of(imp.importer), layer_of(imp.target)
        if mine >= 0 and theirs > mine:
            out.append(f"{imp.where()} — layer {LAYERS[mine][0]!r} may not import layer "
                       f"{LAYERS[theirs][0]!r}")
    return out


def _private_violations(imports: list[Import]) -> list[str]:
    out = []
    for imp in imports:
        if imp.name is not None and _is_private(imp.name) and imp.target != imp.importer:
            out.append(f"{imp.where()} — private name of another module")
        parts = imp.target.split(".")
        for i, part in enumerate(parts):
            if _is_private(part):
                owner_package = ".".join(parts[:i])
                if not imp.importer.startswith(owner_package + "."):
                    out.append(f"{imp.where()} — private module of package {owner_package}")
                break
    return out


def _cycles(imports: list[Import]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in imports:
        if imp.target in MODULES and imp.target != imp.importer:
            graph[imp.importer].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_every_module_has_a_layer() -> None:
    missing = [m for m in MODULES if layer_of(m) < 0]
    assert not missing, f"modules in no layer of tests/test_layers.py LAYERS: {missing}"


def test_imports_go_down_the_layers() -> None:
    problems = _layer_violations(_checked_imports())
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_no_import_cycles() -> None:
    imports = _checked_imports()
    problems = []
    for component in _cycles(imports):
        members = set(component)
        edges = [imp.where() for imp in imports
                 if imp.importer in members and imp.target in members]
        problems.append(f"cycle between {', '.join(component)}:\n  " + "\n  ".join(edges))
    assert not problems, "import cycles:\n" + "\n".join(problems)


def test_the_library_does_not_import_the_engine_package() -> None:
    """Issue 11's acceptance: nothing in pfa.lib imports from pfa.engine (not even the
    run-time modules still kept there: the library reaches the engine only through
    pfa.runtime)."""
    problems = [imp.where() for imp in _checked_imports()
                if imp.importer.startswith("pfa.lib") and imp.target.startswith("pfa.engine")]
    assert not problems, "pfa.lib imports pfa.engine:\n" + "\n".join(problems)


def test_no_private_imports_across_modules() -> None:
    problems = _private_violations(_checked_imports())
    assert not problems, "imports of private names:\n" + "\n".join(problems)


def test_known_violations_still_exist() -> None:
    """An allow-list entry whose import is gone must be deleted (the list only shrinks)."""
    for key, owner in KNOWN_VIOLATIONS.items():
        matching = [imp for imp in ALL_IMPORTS if _allowed(imp, key)]
        assert matching, f"{key} (owner {owner}) no longer occurs: delete it"
        broken = (_layer_violations(matching) + _private_violations(matching)
                  or any(set(key[:2]) <= set(c) for c in _cycles(ALL_IMPORTS)))
        assert broken, f"{key} (owner {owner}) breaks no rule any more: delete it"


def _fixture_imports(source: str, module: str = "pfa.check.fake") -> list[Import]:
    path = PACKAGE_DIR / "check" / "fake.py"
    tree_imports = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if target in MODULES:
                    tree_imports.append(Import(module, target, None, path, node.lineno))
                else:
                    tree_imports.append(Import(module, node.module or "", alias.name, path,
                                               node.lineno))
    return tree_imports


def test_the_checks_catch_what_they_claim() -> None:
    """The rules fire on a planted import (so the tests above cannot pass vacuously)."""
    upward = _fixture_imports("def f():\n    from pfa.engine.engine import Engine\n")
    assert _layer_violations(upward) == [
        "pfa/check/fake.py:2: pfa.check.fake imports pfa.engine.engine.Engine — layer 'check' "
        "may not import layer 'engine'"]
    private = _fixture_imports("from pfa.avro.types import _x\nfrom pfa.lib._numeric import f\n")
    assert len(_private_violations(private)) == 2
    loop = [Import("pfa.avro.types", "pfa.avro.data", None, PACKAGE_DIR, 1),
            Import("pfa.avro.data", "pfa.avro.types", None, PACKAGE_DIR, 1)]
    assert ["pfa.avro.data", "pfa.avro.types"] in _cycles(loop)


def test_importing_pfa_loads_only_the_errors() -> None:
    """``import pfa`` (and so the ``pfa`` command's start) loads no engine nor numpy: the names
    are imported on first use, so a Ctrl-C while the engine loads lands in the CLI's handler."""
    code = ("import sys, pfa, pfa.cli\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('pfa'))\n"
            "assert not [m for m in loaded if m.startswith(('pfa.engine', 'pfa.lib'))], loaded\n"
            "assert 'numpy' not in sys.modules\n"
            "from pfa import Engine, check, read, read_yaml\n"
            "assert Engine.__module__ == 'pfa.engine.engine' and 'Engine' in dir(pfa)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE_DIR.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
