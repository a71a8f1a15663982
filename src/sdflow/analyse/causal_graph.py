"""The causal links of a model graph: who influences whom within one time step.

A link ``x -> z`` exists when ``z``'s equation reads ``x`` (auxiliaries, flows, DELAY
FIXED inputs), when ``x`` is a flow into or out of stock ``z``, or when ``x`` appears in
the rate of a hidden stock ``z`` (the stocks that smooths, delays and trends become).
Constants, data series and frozen initial values never change within a run, so they take
part in no loop and are left out; so are stocks' initial values (read once, at the start).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.graph import ModelGraph
from ..ir.order import references

#: node kinds that change during a run and can therefore lie on a feedback loop
DYNAMIC_KINDS = ("stock", "flow", "aux", "pipeline")


@dataclass(frozen=True)
class Link:
    """One causal link ``source -> target`` between node keys.

    ``role`` says how the target uses the source: ``"equation"`` (the target's equation
    reads it), ``"inflow"`` / ``"outflow"`` (a flow filling or draining a stock) or
    ``"rate"`` (a hidden stock's rate reads it).
    """

    source: str
    target: str
    role: str


def causal_links(graph: ModelGraph) -> list[Link]:
    """Every link between dynamic nodes of ``graph``, in a deterministic order.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=4, dt=1)
    >>> x = m.stock("x", initial=100.0)
    >>> _ = m.flow("out", m.const("k", 0.1) * x, source=x)
    >>> [(l.source, l.target, l.role) for l in causal_links(m.graph())]
    [('out', 'x', 'outflow'), ('x', 'out', 'equation')]
    """
    nodes = graph.nodes
    dynamic = {k for k, n in nodes.items() if n.kind in DYNAMIC_KINDS}
    links: list[Link] = []
    for key, node in nodes.items():
        if key not in dynamic:
            continue
        if node.kind == "stock" and not node.hidden:
            links += [Link(f, key, "inflow") for f in node.inflows]
            links += [Link(f, key, "outflow") for f in node.outflows]
        elif node.kind == "stock":
            links += [Link(d, key, "rate") for d in references(node.rate) if d in dynamic]
        else:
            # an ACTIVE INITIAL's init_equation is read once, at the start: not a link
            links += [Link(d, key, "equation") for d in references(node.equation)
                      if d in dynamic]
    return links
