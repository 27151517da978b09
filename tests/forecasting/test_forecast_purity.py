"""forecasting/ stays pure: no web/db/app imports, no clock, no printing outside the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "forecasting"
FORBIDDEN_IMPORTS = ("flask", "sqlalchemy", "scm", "blueprints")
FILES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_forbidden_imports_clock_or_print(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_IMPORTS, f"{path.name} imports {name}"
        if isinstance(node, ast.Attribute) and node.attr in ("now", "utcnow", "today"):
            pytest.fail(f"{path.name}:{node.lineno} reads the clock ({node.attr}); pass time in")
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            pytest.fail(f"{path.name}:{node.lineno} prints")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_functions_and_files_stay_small(path):
    source = path.read_text()
    assert len(source.splitlines()) < 500, path.name
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= 60, f"{path.name}:{node.name} has {length} lines"


def test_package_was_found():
    assert {"engine.py", "models.py", "series.py", "backtest.py", "policy.py"} <= {p.name for p in FILES}
