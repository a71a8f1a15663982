"""The layers of sdflow point one way: no subpackage imports one above it, none imports one
that imports it back.

Imports are read from the source with `ast` (inside functions and ``if TYPE_CHECKING``
blocks too, since a deferred import is still a dependency), so a lazy import cannot hide
an upward one. The order is DESIGN.md's pipeline:

    ground (errors, _tomllib, files < names, expr, time_settings, units)
      < dsl < ir < compile < solve < analyse < calibrate, forecasting < explore < cli
    io: imports the ground floor, dsl and analyse (`IO_IMPORTS`); imported only by
        `IO_USERS`

The DSL reaches down only through the late-bound shortcuts of `Model` listed in
`SHORTCUTS`.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sdflow"

GROUND = {"names", "expr", "errors", "files", "time_settings", "units", "_tomllib",
          "toml_schema"}
#: errors, the TOML shim and the file primitives (atomic writes, the cache folder) under
#: the rest of the ground floor, which raises, reads and writes through them
RANK = {**{unit: 0.5 for unit in GROUND}, "errors": 0, "_tomllib": 0, "files": 0,
        "dsl": 1, "io": 1.5, "ir": 2, "compile": 3, "solve": 4, "analyse": 5, "calibrate": 6,
        "forecasting": 6, "explore": 7, "cli": 8}
#: io is a side branch: it reads model files into the DSL and writes models out with
#: their diagrams (analyse lays them out); only `IO_USERS` read or write model files.
IO_IMPORTS = {"dsl", "analyse"}
IO_USERS = {"calibrate", "forecasting", "explore", "cli"}

#: The only places where a layer imports one above it: `Model`'s shortcuts from the top
#: (module, function) -> the layers it may import there.
SHORTCUTS = {
    ("sdflow.dsl.model", "Model.graph"): {"ir"},
    ("sdflow.dsl.model", "Model.check"): {"ir"},
    # backend="numba" compiles for a method, whose tableau the solvers own
    ("sdflow.dsl.model", "Model.compile"): {"compile", "solve"},
    ("sdflow.dsl.model", "Model.simulate"): {"solve"},
    ("sdflow.dsl.model", "Model._repr_html_"): {"analyse"},  # a notebook's display
}

#: Names a subpackage may take from the package root (the public facade imports
#: everything, so anything else from it would hide an upward import).
FROM_ROOT = {"__version__"}


def imports(src: Path):
    """``(module, function, unit, line)`` for every import of one of the package's units
    by a module of another unit; ``function`` is the qualified name of the enclosing
    function ("" at module level), ``unit`` the imported subpackage or top-level module
    (or ``"<root>.name"`` for a name taken from the package root)."""
    root = src.name
    found = []
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module == root:
            continue  # the facade re-exports everything by design
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        own_unit = module.split(".")[1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, function in _walk(tree, ""):
            for target in _targets(node, package, src):
                parts = target.split(".")
                unit = ".".join(parts[1:3]) if parts[1:2] == ["<root>"] else \
                    parts[1] if len(parts) > 1 else None
                if unit is None or unit == own_unit:
                    continue
                found.append((module, function, unit, node.lineno))
    return found


def _walk(node, function):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner = f"{function}.{child.name}" if function else child.name
            yield from _walk(child, inner)
        else:
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, function
            yield from _walk(child, function)


def _targets(node, package: str, src: Path) -> list[str]:
    root = src.name
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == root]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    if module.split(".")[0] != root:
        return []
    if module == root:  # ``from .. import x``: a submodule, or a name of the facade
        return [f"{root}.{a.name}" if (src / a.name).is_dir()
                or (src / f"{a.name}.py").exists() else f"{root}.<root>.{a.name}"
                for a in node.names]
    return [module]


def upward_imports(src: Path) -> list[str]:
    """Every import of a unit that is not below the importer, except the listed shortcuts."""
    bad = []
    for module, function, unit, line in imports(src):
        own = module.split(".")[1]
        where = f"{module}:{line}" + (f" in {function}()" if function else "")
        if unit.startswith("<root>."):
            continue  # see root_imports
        if own not in RANK or unit not in RANK:
            bad.append(f"{where} imports {unit}: give '{own}' and '{unit}' a place in RANK")
        elif own == "io":
            if unit not in GROUND | IO_IMPORTS:
                bad.append(f"{where} imports {unit}; io may import only "
                           f"{sorted(IO_IMPORTS)} and the ground floor")
        elif RANK[unit] >= RANK[own] and unit not in SHORTCUTS.get((module, function), ()):
            bad.append(f"{where} imports {unit}, which is not below {own}")
        elif unit == "io" and own not in IO_USERS:
            bad.append(f"{where} imports io, which only {sorted(IO_USERS)} may use")
    return bad


def root_imports(src: Path) -> list[str]:
    """Names taken from the package root that are not in `FROM_ROOT`."""
    return [f"{module}:{line} takes {unit.split('.', 1)[1]} from the package root"
            for module, _, unit, line in imports(src)
            if unit.startswith("<root>.") and unit.split(".", 1)[1] not in FROM_ROOT]


def cycles(src: Path) -> list[list[str]]:
    """Groups of units that import each other, directly or round a loop (shortcuts
    included: a shortcut is an import like any other for this check)."""
    edges = defaultdict(set)
    for module, _, unit, _ in imports(src):
        if not unit.startswith("<root>."):
            edges[module.split(".")[1]].add(unit)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_no_layer_imports_one_above_it():
    assert upward_imports(SRC) == []


def test_no_subpackages_import_each_other():
    assert cycles(SRC) == []


def test_subpackages_take_nothing_from_the_facade_but_the_version():
    assert root_imports(SRC) == []


def test_every_subpackage_has_a_place_in_the_order():
    units = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    units |= {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    assert units <= set(RANK)


@pytest.fixture
def tree(tmp_path):
    """A small package laid out like sdflow, to show the checks catch what they should."""
    root = tmp_path / "sdflow"

    def write(relative: str, text: str):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for parent in path.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if not init.exists():
                init.write_text("", encoding="utf-8")

    write("names.py", "")
    write("dsl/model.py", "from ..names import x\n\n\nclass Model:\n"
                          "    def simulate(self):\n        from ..solve import simulate\n")
    write("ir/graph.py", "from ..dsl import model\n")
    write("solve/simulate.py", "def run():\n    from ..compile import y\n")
    write("compile/code.py", "")
    return root


def test_checks_catch_an_upward_import_hidden_in_a_function(tree):
    # solve -> compile is down; the shortcut is listed; dsl -> ir ... is fine
    assert upward_imports(tree) == []
    (tree / "compile" / "code.py").write_text("def f():\n    from ..solve import simulate\n")
    assert upward_imports(tree) == [
        "sdflow.compile.code:2 in f() imports solve, which is not below compile"]
    assert cycles(tree) == [["compile", "solve"]]


def test_checks_catch_an_upward_import_outside_the_listed_shortcuts(tree):
    (tree / "dsl" / "model.py").write_text(
        "class Model:\n    def run(self):\n        from ..solve import simulate\n")
    assert upward_imports(tree) == [
        "sdflow.dsl.model:3 in Model.run() imports solve, which is not below dsl"]


def test_checks_catch_a_name_taken_from_the_facade(tree):
    (tree / "ir" / "graph.py").write_text("from .. import Model\nfrom .. import __version__\n")
    assert root_imports(tree) == ["sdflow.ir.graph:1 takes Model from the package root"]
