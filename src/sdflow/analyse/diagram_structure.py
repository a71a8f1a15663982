"""What a diagram shows: its variables, links with their polarity, and loop marks.

`diagram_structure` reads a model graph into a `DiagramStructure`; `sdflow.analyse.diagrams`
draws it with Graphviz and `sdflow.io.xmile_views` lays it out as XMILE views. Only the
modeller's variables appear: a link that passes through the hidden stocks a smooth or a
delay became is drawn from its input to the variable holding the builtin, with the sign
of the whole path. Lookups are part of the equations that call them, not nodes.

Polarity comes from the equations where they fix it (`sdflow.analyse.polarity`); links
between changing variables whose sign the equations leave open are signed along a
baseline run, as `sdflow.analyse.loops` signs them, so that a loop's R or B agrees with
the marks on its links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..errors import SdflowError, SimulationError
from ..ir.graph import ModelGraph
from ..ir.order import references
from .causal_graph import DYNAMIC_KINDS, Link
from .equation_text import equation_text
from .polarity import combine, link_sign, times

KINDS = ("stock_flow", "causal_loop")
#: the kind of a node of the diagram: a variable's kind, or a source/sink of a flow
NODE_KINDS = ("stock", "flow", "aux", "const", "data", "cloud")


class DiagramError(SdflowError, ValueError):
    """A diagram cannot be drawn as asked (unknown kind, variable or loop id)."""


@dataclass(frozen=True)
class DiagramNode:
    """One box, valve, name or cloud of a diagram.

    ``key`` is the variable's key in the model graph (``cloud:<flow>:in`` / ``:out`` for
    the source or sink of a flow); ``tooltip`` holds the equation, units, dimensions and
    documentation.
    """

    key: str
    name: str
    kind: str
    label: str
    tooltip: str = ""


@dataclass(frozen=True)
class DiagramEdge:
    """An arrow ``source -> target`` between node keys.

    ``kind`` is ``"material"`` (a flow's pipe: stock or cloud to valve, valve to stock or
    cloud) or ``"information"`` (the target's equation reads the source);
    ``sign`` is +1, -1, 0 (no effect at the model's values: a factor set to zero) or
    None (not fixed).
    """

    source: str
    target: str
    kind: str
    sign: Optional[int] = None


@dataclass(frozen=True)
class LoopMark:
    """A loop id (``R1``) to place among the variables ``keys`` it runs through."""

    id: str
    polarity: str
    keys: tuple[str, ...]
    variables: tuple[str, ...]


@dataclass
class DiagramStructure:
    """The nodes, edges and loop marks of one diagram, in a deterministic order."""

    kind: str
    nodes: dict[str, DiagramNode] = field(default_factory=dict)
    edges: list[DiagramEdge] = field(default_factory=list)
    loops: list[LoopMark] = field(default_factory=list)


def tooltip(node) -> str:
    """The hover text of a graph node: equation, units, dimensions, documentation.

    Examples
    --------
    >>> from sdmodels.reference import sir
    >>> print(tooltip(sir.build().graph().node("recovering")))
    recovering (flow) = infectious / duration
    units: person/day
    recoveries per day
    """
    source = node.source
    if node.kind == "stock":
        inflows = [f.name for f in getattr(source, "inflows", ())] or node.inflows
        outflows = [f.name for f in getattr(source, "outflows", ())] or node.outflows
        rate = " + ".join(inflows) + "".join(f" - {f}" for f in outflows)
        rate = f"-{rate[3:]}" if rate.startswith(" - ") else rate or "0"
        first = f"{node.name} (stock): d/dt = {rate}"
        initial = getattr(source, "initial", None)
        if initial is not None:
            first += f"; initial {equation_text(initial)}"
    elif node.kind == "const":
        value = getattr(source, "value", node.value)
        first = f"{node.name} (constant) = {_values(value)}"
    elif node.kind == "data":
        first = f"{node.name} (data series)"
    else:
        equation = getattr(source, "equation", None)
        text = equation_text(equation) if equation is not None else "?"
        first = f"{node.name} ({node.kind}) = {text}"
    lines = [first]
    if node.units_text:
        lines.append(f"units: {node.units_text}")
    if node.dims:
        lines.append("dimensions: " + ", ".join(d.name for d in node.dims))
    if node.doc:
        lines.append(node.doc)
    return "\n".join(lines)


def _values(value) -> str:
    import numpy as np

    array = np.asarray(value, float)
    if array.ndim == 0 or array.size == 1:
        return f"{float(array.reshape(-1)[0]):g}"
    shown = ", ".join(f"{v:g}" for v in array.reshape(-1)[:6])
    return f"[{shown}{', ...' if array.size > 6 else ''}]"


def _label(node) -> str:
    if node.dims:
        return f"{node.name}\n[{', '.join(d.name for d in node.dims)}]"
    return node.name


def _visible(graph: ModelGraph, key: str) -> bool:
    node = graph.nodes[key]
    return not node.hidden and node.kind in ("stock", "flow", "aux", "const", "data",
                                             "pipeline")


def _reads(node, initial_values: bool = True) -> list[tuple[str, object]]:
    """(key, expression) pairs: the nodes ``node`` reads and the expression reading them.

    A stock reads its initial value's inputs (links that act once, at the start: drawn
    in stock-and-flow diagrams, as Stella draws them, unless ``initial_values`` is
    false); its flows are material links, added apart.
    """
    starts = [node.initial, node.init_equation] if initial_values else []
    if node.kind == "stock" and not node.hidden:
        parts = starts
    elif node.kind == "stock":
        parts = [node.rate] + starts
    else:
        parts = [node.equation, node.delay_time] + starts
    return [(key, expr) for expr in parts if expr is not None for key in references(expr)]


def visible_influences(graph: ModelGraph, initial_values: bool = True
                       ) -> dict[tuple[str, str], Optional[int]]:
    """Information links between visible variables, with their sign (None: not fixed).

    A path through hidden nodes (the stocks of a smooth or delay, frozen initial values)
    counts as one link from its visible start to its visible end; its sign is the
    product of the signs along it (paths that disagree leave it open). Links from the
inputs of initial values are left out unless ``initial_values``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> p = m.aux("perceived x", sf.smooth(x, 2.0))
    >>> _ = m.flow("gap", m.const("goal", 5.0) - p, sink=x)
    >>> sorted(visible_influences(m.graph()).items())
    [(('goal', 'gap'), 1), (('perceived x', 'gap'), -1), (('x', 'perceived x'), 1)]
    """
    links: dict[tuple[str, str], Optional[int]] = {}
    memo: dict[str, dict[str, Optional[int]]] = {}

    def upstream(key: str, path: frozenset) -> dict[str, Optional[int]]:
        """Visible nodes reaching ``key`` (directly or through hidden ones), with signs."""
        if key in memo:
            return memo[key]
        node = graph.nodes[key]
        found: dict[str, Optional[int]] = {}
        for source, expr in _reads(node, initial_values):
            sign = 1 if node.kind == "pipeline" and expr is node.equation else \
                link_sign(expr, source, graph)
            if _visible(graph, source):
                found[source] = combine(found.get(source, 0), sign)
            elif source not in path:  # a hidden node: go through it
                for start, inner in upstream(source, path | {source}).items():
                    found[start] = combine(found.get(start, 0), times(sign, inner))
        memo[key] = found
        return found

    for key in graph.nodes:
        if _visible(graph, key):
            for source, sign in upstream(key, frozenset({key})).items():
                if source != key:
                    links[(source, key)] = sign
    return links


def diagram_structure(model, kind: str = "stock_flow", loops=None, around=None,
                      depth: int = 1, constants: bool | None = None,
                      signs_from_run: bool = True, max_loop_marks: int = 30
                      ) -> DiagramStructure:
    """The nodes, edges and loop marks of a diagram of ``model`` (see `sdflow.diagram`).

    Examples
    --------
    >>> from sdmodels.reference import teacup
    >>> s = diagram_structure(teacup.build(), "causal_loop")
    >>> [(e.source, e.target, e.sign) for e in s.edges]
    [('heat loss to room', 'teacup temperature', -1), ('teacup temperature', 'heat loss to room', 1)]
    >>> [(m.id, m.polarity) for m in s.loops]
    [('B1', 'balancing')]
    """
    if kind not in KINDS:
        raise DiagramError(f"unknown diagram kind {kind!r}; use one of {', '.join(KINDS)}")
    graph: ModelGraph = model.graph()
    if constants is None:
        constants = kind == "stock_flow"
    # initial values act once, at the start: no part of a causal loop diagram
    influences = visible_influences(graph, initial_values=kind == "stock_flow")
    visible = [k for k in graph.nodes if _visible(graph, k)
               and (constants or graph.nodes[k].kind in DYNAMIC_KINDS)]
    flows = {(f, k): +1 for k in visible if graph.nodes[k].kind == "stock"
             for f in graph.nodes[k].inflows}
    flows.update({(f, k): -1 for k in visible if graph.nodes[k].kind == "stock"
                  for f in graph.nodes[k].outflows})

    if loops is not None and not isinstance(loops, (str, bool)) and not list(loops):
        loops = False
    chosen = not isinstance(loops, bool) and loops is not None  # ids: a subset
    scorer = _run_scorer(model, graph, influences) if signs_from_run else None
    if scorer is not None:
        influences = _sign_open_links(graph, influences, scorer)
    marks = []
    if chosen or loops is True or loops is None and kind == "causal_loop":
        marks = _loop_marks(model, graph, loops if chosen else None, scorer, max_loop_marks)

    shown = set(visible)
    if chosen:  # only the variables of the loops asked for
        shown = {k for mark in marks for k in mark.keys}
    if around is not None:
        shown &= neighbourhood(graph, around, depth, influences, flows)
    structure = DiagramStructure(kind)
    for key in visible:
        if key in shown:
            node = graph.nodes[key]
            structure.nodes[key] = DiagramNode(key, node.name, node.kind, _label(node),
                                               tooltip(node))
    if kind == "stock_flow":
        _add_pipes(structure, graph)
    else:
        structure.edges += [DiagramEdge(f, s, "information", sign)
                            for (f, s), sign in flows.items()
                            if f in structure.nodes and s in structure.nodes]
    structure.edges += [DiagramEdge(s, t, "information", sign)
                        for (s, t), sign in influences.items()
                        if s in structure.nodes and t in structure.nodes]
    structure.loops = [m for m in marks if all(k in structure.nodes for k in m.keys)]
    return structure


def _add_pipes(structure: DiagramStructure, graph: ModelGraph) -> None:
    """Material links of every shown flow: from its source stock (or a cloud) through
    its valve to its sink stock (or a cloud). A stock cut off by the subset shown is
    drawn as a cloud too, named after it."""
    for key in list(structure.nodes):
        node = graph.nodes[key]
        if node.kind != "flow":
            continue
        source = next((s for s, n in graph.nodes.items()
                       if n.kind == "stock" and key in n.outflows), None)
        sink = next((s for s, n in graph.nodes.items()
                     if n.kind == "stock" and key in n.inflows), None)
        for end, stock in (("in", source), ("out", sink)):
            if stock is None or stock not in structure.nodes:
                cloud = f"cloud:{key}:{end}"
                hint = f"beyond the diagram: {graph.nodes[stock].name}" if stock else \
                    ("source" if end == "in" else "sink") + " outside the model"
                structure.nodes[cloud] = DiagramNode(cloud, "", "cloud", "", hint)
                stock = cloud
            pair = (stock, key) if end == "in" else (key, stock)
            structure.edges.append(DiagramEdge(*pair, "material",
                                               -1 if end == "in" else +1))


def neighbourhood(graph: ModelGraph, name: str, depth: int, influences, flows) -> set[str]:
    """Keys of the visible variables within ``depth`` links of variable ``name``, either
    way (``name`` included)."""
    from ..dsl.model import name_key

    start = name_key(name)
    if start not in graph.nodes or not _visible(graph, start):
        known = sorted(graph.nodes[k].name for k in graph.nodes if _visible(graph, k))
        raise DiagramError(f"around={name!r}: the model has no variable of that name; "
                           f"variables: {', '.join(known[:20])}"
                           + (", ..." if len(known) > 20 else ""))
    if depth < 0:
        raise DiagramError(f"depth={depth}: give a number of links of at least 0")
    adjacent: dict[str, set[str]] = {}
    for source, target in list(influences) + list(flows):
        adjacent.setdefault(source, set()).add(target)
        adjacent.setdefault(target, set()).add(source)
    reached, frontier = {start}, {start}
    for _ in range(depth):
        frontier = {n for k in frontier for n in adjacent.get(k, ())} - reached
        reached |= frontier
    return reached


def _loop_marks(model, graph: ModelGraph, wanted, scorer, max_marks: int) -> list[LoopMark]:
    """Loop marks of the loops ``wanted`` (ids; None: the first ``max_marks``)."""
    from .loops import find_loops

    found = find_loops(model, scorer=scorer)
    if wanted is None:
        chosen = found[:max_marks]
    else:
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        by_id = {loop.id: loop for loop in found}
        unknown = [w for w in wanted if w not in by_id]
        if unknown:
            raise DiagramError(f"loops={unknown}: the model has no loop of that id; its "
                               f"loops are {', '.join(by_id) or 'none'} (see sf.loops)")
        chosen = [by_id[w] for w in wanted]
    return [LoopMark(loop.id, loop.polarity,
                     tuple(dict.fromkeys(k if _visible(graph, k) else _holder(graph, k)
                                         for k in loop.keys)),
                     loop.variables) for loop in chosen]


def _holder(graph: ModelGraph, hidden: str) -> str:
    """The visible variable that reads the hidden node ``hidden`` (directly or through
    other hidden nodes): the one whose builtin made it."""
    readers = {k: {r for r, _ in _reads(n)} for k, n in graph.nodes.items()}
    seen, frontier = {hidden}, {hidden}
    while frontier:
        for key in graph.nodes:
            if readers[key] & frontier and _visible(graph, key):
                return key
        frontier = {k for k, r in readers.items() if r & frontier} - seen
        seen |= frontier
    raise DiagramError(f"no variable of the model holds the hidden node {hidden!r}")


def _open_links(graph: ModelGraph, influences) -> list[Link]:
    """Direct links between changing variables whose sign the equations leave open."""
    return [Link(s, t, "equation") for (s, t), sign in influences.items()
            if sign is None and graph.nodes[s].kind in DYNAMIC_KINDS
            and graph.nodes[t].kind in DYNAMIC_KINDS
            and s in references(graph.nodes[t].equation)]


def _run_scorer(model, graph: ModelGraph, influences):
    """A link scorer on the model's baseline run when some sign needs one, else None."""
    if not _open_links(graph, influences):
        return None
    from .link_scores import LinkScorer, baseline

    try:
        return LinkScorer(baseline(model))
    except SimulationError:  # a model that cannot run is still drawn, its signs left open
        return None


def _sign_open_links(graph: ModelGraph, influences, scorer):
    """``influences`` with the open signs of direct links between changing variables
    taken from the scorer's run (as `sdflow.analyse.loops` signs them)."""
    from .loops import runtime_signs

    signed = runtime_signs(scorer, _open_links(graph, influences))
    return {pair: signed.get(Link(*pair, "equation"), sign)
            for pair, sign in influences.items()}
