"""The packages of `jepa_explorer` import each other without cycles: every import, also the ones inside
functions, read from the source, drawn as one edge between the two packages (a top-level module such as
`cli` or `device` counts as a package of its own). A cycle means two packages can only be understood
(and changed) together; the message names it."""

import ast
from pathlib import Path

import jepa_explorer

ROOT = Path(jepa_explorer.__file__).parent


def _unit(module: str) -> str | None:
    """`jepa_explorer.engine.session` -> "engine"; `jepa_explorer.cli` -> "cli"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "jepa_explorer" else None


def package_graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        source = _unit(module.removesuffix(".__init__"))
        if source is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level > 0:  # relative: stays in its package or goes up
                names = [".".join(module.split(".")[: -node.level] + ([node.module] if node.module else []))]
            else:
                continue
            for name in names:
                target = _unit(name)
                if target is not None and target != source:
                    edges.setdefault(source, set()).add(target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (a depth-first search)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_search_finds_a_cycle_where_there_is_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_packages_import_each_other_without_cycles():
    edges = package_graph()
    assert {"app", "gui", "engine", "checkpoints", "train"} <= set(edges)  # the graph was read
    cycle = find_cycle(edges)
    assert cycle is None, "package import cycle: " + " -> ".join(cycle)


def test_the_core_sits_below_the_app_model_and_the_app_model_below_the_views():
    edges = package_graph()
    for core in ("models", "checkpoints", "engine", "masks", "media", "analysis", "device", "app"):
        assert "gui" not in edges.get(core, set()), f"{core} imports gui"
    assert "checkpoints" not in edges.get("models", set()) and "engine" not in edges.get("checkpoints", set())
