"""No import circles among monitor's modules (a project rule), read from the source with ast.

Only imports that run when a module is first imported count: those at module
level (also inside a module-level ``if``/``try``), not those under ``if
TYPE_CHECKING:`` nor those deferred into a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO


def _modules(package: Path) -> dict[str, Path]:
    names = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_at_import(
    body: list[ast.stmt], type_only: bool = False
) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            found += _run_at_import(node.orelse, type_only)
            if type_only or not _is_type_checking(node.test):
                found += _run_at_import(node.body, type_only)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                found += _run_at_import(block, type_only)
    return found


def import_graph(package: Path, type_only: bool = False) -> dict[str, set[str]]:
    """Each module of ``package`` and the modules of it that it imports when imported
    (with ``type_only``, also those it imports under ``if TYPE_CHECKING:``)."""
    modules = _modules(package)

    def known(name: str) -> str | None:  # the module itself, else its closest package
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in _run_at_import(ast.parse(path.read_text(encoding="utf-8")).body, type_only):
            if isinstance(node, ast.Import):
                targets |= {known(alias.name) for alias in node.names}
                continue
            base = node.module or ""
            if node.level:
                up = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # `from pkg import mod` imports the module pkg.mod; `from mod import name`, mod.
            targets |= {known(f"{base}.{alias.name}") or known(base) for alias in node.names}
        graph[name] = {t for t in targets if t and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    reachable = {name: reach(name) for name in graph}
    groups = {
        tuple(sorted(n for n in reachable[name] if name in reachable[n]))
        for name in graph
        if name in reachable[name]
    }
    return sorted(list(group) for group in groups)


def test_monitor_modules_import_no_circle() -> None:
    graph = import_graph(REPO / "monitor")
    assert len(graph) > 50 and "monitor.config" in graph["monitor.cli_common"]
    assert cycles(graph) == []


def test_type_only_imports_make_no_circle_either() -> None:
    # A circle of annotations is one module's types in the wrong place (store/records.py
    # holds the records Store and its mixins share, which store/judged.py imported from
    # the package it is part of).
    assert cycles(import_graph(REPO / "monitor", type_only=True)) == []


def test_a_circle_is_found_and_deferred_or_type_only_imports_are_not_one(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "from pkg import b\n",
        "b.py": "try:\n    from pkg.sub.c import name\nexcept ImportError:\n    pass\n",
        "sub/__init__.py": "",
        "sub/c.py": "import pkg.a\n",
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import e\n",
        "e.py": "def late():\n    from . import d\n",
        "g.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import h\n",
        "h.py": "from pkg import g\n",
    }
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    assert cycles(import_graph(package, type_only=True)) == [
        ["pkg.a", "pkg.b", "pkg.sub.c"],
        ["pkg.g", "pkg.h"],
    ]
