"""docs/architecture.md's import table is the code's: it is generated here from every
import statement in lamtui/ (lazy and type-only ones included) and must match the doc.
When it fails, paste the table it prints between the markers in the doc."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- imports:begin -->", "<!-- imports:end -->"


def _layer_of() -> dict[str, int]:
    """Each top-level module or package of lamtui -> its layer (0: the top)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    return {name.strip(): i for i, layer in enumerate(layers) for name in layer.split("|")}


def _units() -> list[str]:
    """The top-level modules and packages of lamtui, in layer order, top first."""
    return list(_layer_of())


def _unit_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] != "__main__" else None


def import_graph() -> dict[str, set[str]]:
    """unit -> the other lamtui units it imports (the module graph, by top-level room)."""
    graph: dict[str, set[str]] = {}
    for module, targets in _module_graph().items():
        unit = _unit_of(module)
        if unit is None:
            continue
        rooms = {_unit_of(target) for target in targets} - {None, unit}
        graph.setdefault(unit, set()).update(room for room in rooms if room is not None)
    return graph


def render_table() -> str:
    units = _units()
    order = {unit: i for i, unit in enumerate(units)}
    graph = import_graph()
    rows = ["| room | imports from lamtui |", "|---|---|"]
    for unit in units:
        imported = sorted(graph.get(unit, set()), key=lambda u: order.get(u, len(order)))
        rows.append(f"| `{unit}` | {', '.join(f'`{u}`' for u in imported) or '—'} |")
    return "\n".join(rows)


def test_every_room_has_a_layer() -> None:
    assert set(import_graph()) <= set(_units())


def test_imports_point_down_the_layers() -> None:
    """Upward, or sideways between the rooms of one layer (`a | b`)."""
    layer_of = _layer_of()
    wrong = [
        (unit, target)
        for unit, targets in import_graph().items()
        for target in targets
        if layer_of[target] <= layer_of[unit]
    ]
    assert wrong == []


def test_the_doc_holds_the_generated_import_table() -> None:
    text = DOC.read_text()
    found = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, re.DOTALL)
    assert found, f"docs/architecture.md has no {BEGIN} ... {END} block"
    expected = render_table()
    assert found.group(1).strip() == expected, "update the doc's table to:\n" + expected


def test_the_generator_sees_an_import() -> None:
    """The graph is not vacuous: the known downward imports show up."""
    graph = import_graph()
    assert "contract" in graph["agent"] and "agent" in graph["session"]
    assert not graph["contract"]


def _module_graph() -> dict[str, set[str]]:
    """module -> the lamtui modules it imports anywhere in its text (lazy and type-only
    imports too: a cycle through them is still two modules that need each other)."""
    package = ROOT / "lamtui"
    modules: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                found |= subs
                if len(subs) < len(node.names):  # a name from the module itself
                    found.add(node.module)
        graph[name] = (found & modules.keys()) - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_two_modules_import_each_other() -> None:
    assert _cycles(_module_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
