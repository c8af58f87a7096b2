"""The house: blueprints are leaves, services never reach up into the web layer, no import cycle between
packages, and views hold no queries."""

from __future__ import annotations

import ast
import pathlib
import re

import pytest

PACKAGE = pathlib.Path("intake")
BLUEPRINTS = sorted(path.parent.name for path in PACKAGE.glob("*/routes.py")) + ["api"]
BLUEPRINTS = sorted(set(BLUEPRINTS))


def imported_modules(path: pathlib.Path) -> set[str]:
    """Every intake module a file imports (relative imports resolved), at any depth of the file."""
    module = ".".join(path.with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    if path.name == "__init__.py":
        package = module.rsplit(".", 1)[0] if module.endswith(".__init__") else module
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("intake"):
                found.add(name)
                found.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("intake"))
    return found


def top_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "intake" else None


def package_imports() -> dict[str, set[str]]:
    """For each top-level package or module of intake, the others it imports."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        owner = top_package(".".join(path.with_suffix("").parts))
        if owner in (None, "__init__"):
            continue
        targets = {top_package(module) for module in imported_modules(path)}
        graph.setdefault(owner, set()).update(t for t in targets if t and t != owner)
    return graph


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_a_blueprint_imports_no_other_blueprint(blueprint):
    others = package_imports().get(blueprint, set()) & (set(BLUEPRINTS) - {blueprint})
    assert others == set(), f"{blueprint} imports {others}: move what they share to intake/web/"


HELPERS = {"clock", "scoping", "database", "extensions", "config", "formatting", "inputs", "formfields", "vocabulary",
           "errors", "vendor", "language"}
# What each floor may import, besides itself: only floors below it.
FLOORS = {
    **{helper: HELPERS - {helper} for helper in HELPERS},
    "web": {"services", "models"} | HELPERS,
    "services": {"models"} | HELPERS,
    "models": HELPERS,
}


@pytest.mark.parametrize("floor", sorted(FLOORS))
def test_each_floor_imports_only_the_floors_below(floor):
    assert package_imports().get(floor, set()) - FLOORS[floor] == set()


def test_no_import_cycle_between_packages():
    graph = package_imports()
    # The app factory and the table of features may name every package; nothing may name them back.
    for root in ("blueprints", "cli"):
        graph.pop(root, None)

    def cycle_from(start):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return path + [nxt]
                if nxt not in path:
                    stack.append((nxt, path + [nxt]))
        return None

    cycles = [cycle_from(node) for node in graph]
    assert [c for c in cycles if c] == []


QUERY = re.compile(r"\b(sa\.select|select|db\.session\.query|\.query)\(")


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_views_hold_no_queries(blueprint):
    offenders = []
    for path in (PACKAGE / blueprint).glob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if QUERY.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path}:{number}: {line.strip()}")
    assert offenders == [], "reads belong in services, named for what they return:\n" + "\n".join(offenders)
