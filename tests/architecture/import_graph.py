"""The import graph of `src/`, read from the source with `ast` (nothing is imported).

Imports under `if TYPE_CHECKING:` are left out: they never run, so they cannot form a
circle at import time, and they are how a lower layer names a type of a higher one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGES = ("engine_sim", "migration")


@dataclass(frozen=True)
class Import:
    importer: str  # the module that imports
    imported: str  # the project module it names (the longest prefix that is a module)
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (SRC / package).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> list[Import]:
    found: list[Import] = []
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, in_function)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    target = _resolve(alias.name, known)
                    if target:
                        found.append(Import(module, target, child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = module if is_package else module.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{base}" if base else package
                for alias in child.names:  # `from pkg import module` names a module
                    target = _resolve(f"{base}.{alias.name}", known) or _resolve(base, known)
                    if target:
                        found.append(Import(module, target, child.lineno, in_function))
            else:
                nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
                visit(child, nested)

    visit(ast.parse(path.read_text(), str(path)), False)
    return found


def graph() -> list[Import]:
    known = modules()
    return [i for module, path in sorted(known.items()) for i in imports_of(module, path, known)
            if i.imported != module]


def cycles(edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    adjacent: dict[str, set[str]] = {}
    for edge in edges:
        adjacent.setdefault(edge.importer, set()).add(edge.imported)
        adjacent.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(adjacent[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(adjacent):
        if node not in index:
            connect(node)
    return components
