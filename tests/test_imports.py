"""Layers that hold: no import cycle between the modules of opsdocs, nor between its packages.

Every ``import`` counts, at module level or inside a function, and also under ``TYPE_CHECKING``
(a type-only cycle is still a tangle of layers) -- except the lazy facades: a package's
``__init__`` that names its own submodules only for type checkers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import opsdocs

SRC = Path(opsdocs.__file__).parent


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The opsdocs modules ``name`` imports (``from a import b`` counts ``a.b`` when a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    facade: set[int] = set()
    if is_package:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and _is_type_checking(node):
                facade.update(id(sub) for sub in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        for target in targets:
            if target not in modules or target == name:
                continue
            if id(node) in facade and target.startswith(f"{name}."):
                continue  # a lazy facade naming its own submodules for type checkers
            found.add(target)
    return found


def _cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: set[frozenset[str]] = set()
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    result.add(frozenset(members))
    return result


def _module_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _package_graph(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    """Edges between the top-level parts of opsdocs (``opsdocs.slo``, ``opsdocs.workspace``...)."""

    def top(name: str) -> str:
        return ".".join(name.split(".")[:2])

    graph: dict[str, set[str]] = {}
    for name, targets in modules.items():
        graph.setdefault(top(name), set())
        for target in targets:
            if top(target) != top(name) and "opsdocs" not in (name, target):
                graph[top(name)].add(top(target))
    return graph


def _show(cycles: set[frozenset[str]]) -> str:
    return "; ".join(" <-> ".join(sorted(cycle)) for cycle in sorted(cycles, key=sorted))


def test_the_walker_finds_a_cycle_through_a_lazy_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == {frozenset({"a", "b", "c"})}
    assert _cycles({"a": {"b"}, "b": set()}) == set()


def test_no_import_cycle_between_modules() -> None:
    cycles = _cycles(_module_graph())
    assert not cycles, f"import cycle: {_show(cycles)}"


def test_no_import_cycle_between_packages() -> None:
    cycles = _cycles(_package_graph(_module_graph()))
    assert not cycles, f"import cycle between packages: {_show(cycles)}"


def test_fileio_imports_nothing_of_opsdocs() -> None:
    assert _module_graph()["opsdocs.fileio"] == set()


def test_records_imports_nothing_of_opsdocs() -> None:
    # diagnostics, the bottom of every layer, declares its JSON form with it
    assert _module_graph()["opsdocs.records"] == set()
