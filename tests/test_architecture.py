"""The import directions and size limits of ARCHITECTURE.md, checked on the source with ast."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("scm", "blueprints", "forecasting")
MAX_FUNCTION_LINES = 60
MAX_FILE_LINES = 500
# Declarative documents, not logic: a long literal reads better whole.
LONG_FUNCTION_ALLOWED = {("blueprints/api/openapi.py", "build_document")}
REQUEST_GLOBALS = {"request", "session", "g", "flash", "abort", "url_for", "current_user"}


def python_files(*dirs: str) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / d).rglob("*.py"))


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) for every import statement in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [alias.name for alias in node.names]))
    return out


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", python_files("forecasting"), ids=rel)
def test_forecasting_is_pure(path: Path) -> None:
    for module, _names in imports(path):
        assert module.split(".")[0] not in {"flask", "sqlalchemy", "scm", "blueprints", "flask_sqlalchemy"}, (
            f"{rel(path)} imports {module}")


@pytest.mark.parametrize("path", python_files("scm/services", "scm/models"), ids=rel)
def test_services_and_models_know_nothing_of_requests(path: Path) -> None:
    for module, names in imports(path):
        assert not module.startswith("blueprints"), f"{rel(path)} imports {module}"
        if module in ("flask", "flask_login"):
            assert not set(names) & REQUEST_GLOBALS, f"{rel(path)} uses {set(names) & REQUEST_GLOBALS}"


@pytest.mark.parametrize("path", python_files("scm"), ids=rel)
def test_only_the_factory_imports_blueprints(path: Path) -> None:
    if rel(path) == "scm/app.py":
        return
    assert not [m for m, _ in imports(path) if m.startswith("blueprints")], f"{rel(path)} imports blueprints"


def _writes_stock(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = node.args[0] if node.args else None
            target = first.id if isinstance(first, ast.Name) else ""
            if name == "StockMove" or (name in {"update", "insert", "delete"} and target == "StockBalance"):
                found.append(f"line {node.lineno}: {name}({target})")
    return found


@pytest.mark.parametrize("path", python_files(*SOURCE_DIRS), ids=rel)
def test_only_the_ledger_writes_stock(path: Path) -> None:
    if rel(path) == "scm/services/stock/ledger.py":
        return
    assert _writes_stock(ast.parse(path.read_text())) == [], f"{rel(path)} writes stock outside the ledger"


def test_the_stock_write_detector_sees_a_write() -> None:
    assert _writes_stock(ast.parse("update(StockBalance).values(on_hand=1)\nStockMove(kind='x')")) != []


@pytest.mark.parametrize("path", python_files(*SOURCE_DIRS), ids=rel)
def test_small_files_and_functions(path: Path) -> None:
    source = path.read_text()
    assert source.count("\n") <= MAX_FILE_LINES, f"{rel(path)} has more than {MAX_FILE_LINES} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if (rel(path), node.name) not in LONG_FUNCTION_ALLOWED:
                assert length <= MAX_FUNCTION_LINES, f"{rel(path)}:{node.lineno} {node.name} is {length} lines"


@pytest.mark.parametrize("path", python_files("scm/services", "forecasting"), ids=rel)
def test_time_is_an_argument(path: Path) -> None:
    """No reading the clock inside business rules (ARCHITECTURE principle 8); callers pass `now`."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in {"now", "today", "utcnow"}:
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            assert name not in {"datetime", "date"}, f"{rel(path)}:{node.lineno} reads the clock"
