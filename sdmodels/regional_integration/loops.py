"""The model's named feedback loops, and a finder that locates each one in the model graph.

A loop is a closed chain of declared variables, each read by the next: an auxiliary or
flow reads the previous one in its equation, a stock reads its flows. Between two named
variables the chain may only pass through hidden nodes (the stocks that SMOOTH, TREND and
INITIAL become), so a loop that is found exists exactly as written.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from sdflow.names import name_key
from sdflow.ir.order import references


@dataclass(frozen=True)
class Loop:
    """A feedback loop: ``key`` (R1, B1...), ``title``, ``polarity`` (+1 reinforcing, -1
    balancing), the ``variables`` on it in causal order, and what it means."""

    key: str
    title: str
    polarity: int
    variables: tuple
    meaning: str


LOOPS: tuple[Loop, ...] = (
    Loop("R1", "capital accumulation", +1, ("capital", "output", "investment", "capital"),
         "output is partly invested, investment adds to capital, capital raises output"),
    Loop("B1", "depreciation", -1, ("capital", "depreciation", "capital"),
         "the larger the capital stock, the more wears out"),
    Loop("B2", "diminishing returns", -1,
         ("capital", "return on capital", "expected return", "investment odds",
          "investment share", "investment", "capital"),
         "more capital per unit of output lowers its return and the share invested"),
    Loop("B3", "overcapacity", -1,
         ("investment", "duplicate construction", "duplicate capacity", "overcapacity share",
          "return on capital", "expected return", "investment odds", "investment share",
          "investment"),
         "duplicate projects lower returns and so investment"),
    Loop("B4", "investment catch-up", -1,
         ("output", "perceived growth", "growth gap", "tournament pressure",
          "investment odds", "investment share", "investment", "capital", "output"),
         "members lagging in growth invest more, which closes the gap"),
    Loop("B7", "catch-up", -1,
         ("output", "output per person", "catch-up potential", "productivity growth",
          "productivity", "output"),
         "a member closing its productivity gap to its partners learns less from them"),
    Loop("R2", "trust and cooperation", +1,
         ("trust", "desired cooperation", "cooperation change", "cooperation", "interaction",
          "kept agreements", "trust building", "trust"),
         "trust makes joint projects worth the risk; kept agreements build trust"),
    Loop("R3", "shared gains", +1,
         ("market integration", "realised shared gain", "gain signal", "trust building",
          "trust", "desired cooperation", "cooperation change", "cooperation", "interaction",
          "integration gain", "market integration"),
         "integration yields visible shared gains, which build trust, cooperation and more "
         "integration"),
    Loop("R4", "tournament trap", +1,
         ("protectionism", "segmentation", "market integration", "market ratio",
          "market size effect", "output", "perceived growth", "growth gap",
          "tournament pressure", "protection rise", "protectionism"),
         "protection shrinks the market a member sells to, its growth lags, and tournament "
         "pressure calls for more protection"),
    Loop("R5", "distrust spiral", +1,
         ("protectionism", "opportunism", "perceived opportunism", "trust erosion", "trust",
          "mean trust", "protection fall", "protectionism"),
         "opportunism seen by partners erodes their trust; distrustful members drop less "
         "protection (through the partners: two negative links)"),
    Loop("R6", "regional public goods", +1,
         ("regional public goods", "public goods per person", "public goods effect",
          "output", "contributions", "regional public goods"),
         "infrastructure raises output, part of which is contributed to infrastructure"),
    Loop("B5", "public goods decay", -1,
         ("regional public goods", "public goods depreciation", "regional public goods"),
         "infrastructure wears out in proportion to its stock"),
    Loop("R7", "regional demand spillover", +1,
         ("output", "perceived output", "market ratio", "market size effect", "output"),
         "a partner's growth enlarges one's effective market (positive across members; "
         "one's own output only dilutes the ratio)"),
    Loop("B6", "cooperation adjustment", -1,
         ("cooperation", "cooperation change", "cooperation"),
         "effort in joint projects moves towards the desired effort"),
)
"""Every named loop of the regional integration model."""


def influence_edges(graph) -> dict[str, list[str]]:
    """For each node of a `ModelGraph`, the nodes it reads (equation, or a stock's rate)."""
    edges = {}
    for key, node in graph.nodes.items():
        expr = node.rate if node.kind == "stock" else node.equation
        edges[key] = references(expr)
    return edges


def find_loop(graph, loop: Loop) -> list[str] | None:
    """The chain of node keys realising ``loop`` in ``graph``, or None if a link is missing.

    Examples
    --------
    >>> from sdmodels.regional_integration import build
    >>> graph = build("jjj", stop=2006).graph()
    >>> find_loop(graph, LOOPS[1])
    ['capital', 'depreciation', 'capital']
    """
    edges = influence_edges(graph)
    readers: dict[str, list[str]] = {k: [] for k in edges}
    for key, deps in edges.items():
        for dep in deps:
            readers.setdefault(dep, []).append(key)
    keys = [name_key(v) for v in loop.variables]
    chain = [keys[0]]
    for a, b in zip(keys, keys[1:]):
        path = _hidden_path(graph, readers, a, b)
        if path is None:
            return None
        chain += path[1:]
    return chain


def _hidden_path(graph, readers, a: str, b: str) -> list[str] | None:
    """Shortest influence path a -> b whose inner nodes are all hidden."""
    previous = {a: None}
    queue = deque([a])
    while queue:
        node = queue.popleft()
        for nxt in readers.get(node, []):
            if nxt == b:
                path = [b, node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return path[::-1]
            if nxt not in previous and graph.nodes[nxt].hidden:
                previous[nxt] = node
                queue.append(nxt)
    return None
