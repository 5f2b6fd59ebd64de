"""Imports only go down the layers: web over domain over storage.

- app.storage imports nothing of app.domain or app.web;
- app.domain never imports app.web, nor storage's engine wiring or
  migrations (it works through app.storage.database and models);
- nothing below the entry points imports them (cli, quickstart, server).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ("app.cli", "app.quickstart", "app.server")
FORBIDDEN = {
    "app.storage": ("app.domain", "app.web", "app.services", *ENTRY_POINTS),
    "app.domain": (
        "app.web",
        "app.services",
        "app.storage.engine",
        "app.storage.migrate",
        *ENTRY_POINTS,
    ),
    "app.web": ENTRY_POINTS,
    "handlers": ENTRY_POINTS,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


SOURCES = sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")])


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: module_name(path))
def test_no_import_goes_up_a_layer(path):
    name = module_name(path)
    layer = next((layer for layer in FORBIDDEN if name.startswith(layer)), None)
    if layer is None:
        return
    upward = [
        module
        for module in imported(path)
        for forbidden in FORBIDDEN[layer]
        if module == forbidden or module.startswith(forbidden + ".")
    ]
    assert upward == [], f"{name} imports {upward}, above {layer}"


def test_the_top_of_app_holds_few_modules_and_the_layers_are_packages():
    top = [path.name for path in (ROOT / "app").glob("*.py")]
    assert len(top) <= 8, top
    for layer in ("domain", "storage", "web"):
        assert (ROOT / "app" / layer / "__init__.py").exists()


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: module_name(path))
def test_no_module_is_over_250_lines(path):
    assert len(path.read_text().splitlines()) <= 250
