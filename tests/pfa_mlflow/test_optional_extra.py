"""MLflow is an optional extra: only pfa.mlflow imports it, and without it pfa.mlflow says
which extra to install."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pfa"


def _imports_mlflow(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(
                a.name == "mlflow" or a.name.startswith("mlflow.") for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == "mlflow" or node.module.startswith("mlflow.")):
            return True
    return False


def test_only_pfa_mlflow_imports_mlflow() -> None:
    importers = {p.relative_to(PACKAGE).parts[0] for p in PACKAGE.rglob("*.py")
                 if _imports_mlflow(p)}
    assert importers == {"mlflow"}


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=PACKAGE.parent)


def test_the_engine_does_not_load_mlflow() -> None:
    r = _run("import sys, pfa\n"
             "from pfa.engine.engine import Engine\n"
             "Engine.from_json({'input': 'int', 'output': 'int', 'action': 'input'}).action(1)\n"
             "print('mlflow' in sys.modules)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_without_mlflow_the_error_names_the_extra() -> None:
    r = _run("import sys\nsys.modules['mlflow'] = None\n"
             "try:\n    import pfa.mlflow\nexcept ImportError as e:\n    print(e)\n")
    assert r.returncode == 0, r.stderr
    assert "pip install 'pfa[mlflow]'" in r.stdout
