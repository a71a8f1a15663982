"""The model's named feedback loops, a finder that locates each one in the model graph, and
the links a loop knock-out can hold.

A loop is a closed chain of declared variables, each read by the next: an auxiliary or
flow reads the previous one in its equation, a stock reads its flows. Between two named
variables the chain may only pass through hidden nodes (the stocks that SMOOTH and INITIAL
become), so a loop that is found exists exactly as written. The finder reads only the
public graph (`sdflow.Model.graph`): node equations and stock rates as expression trees.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Loop:
    """A feedback loop: ``key`` (R1, B1...), ``title``, ``polarity`` (+1 reinforcing, -1
    balancing), the ``variables`` on it in causal order, and what it means."""

    key: str
    title: str
    polarity: int
    variables: tuple
    meaning: str


_PROTECTION_CHOICE = ("protection payoff", "chosen protectionism", "desired protectionism",
                      "protection change", "protectionism")
_COOPERATION_CHAIN = ("cooperation basis", "desired cooperation", "cooperation change",
                      "cooperation", "interaction")

LOOPS: tuple[Loop, ...] = (
    Loop("R1", "capital accumulation", +1,
         ("capital", "effective capital", "potential output", "output", "investment",
          "capital"),
         "output is partly invested, investment adds to capital, capital raises output"),
    Loop("B1", "depreciation", -1, ("capital", "depreciation", "capital"),
         "the larger the capital stock, the more wears out"),
    Loop("B2", "diminishing returns", -1,
         ("capital", "return on capital", "expected return", "investment odds",
          "investment share", "investment", "capital"),
         "more capital per unit of output lowers its return and the share invested"),
    Loop("B3", "overcapacity", -1,
         ("investment", "duplicate construction", "duplicate capacity", "effective capital",
          "potential output", "output", "return on capital", "expected return",
          "investment odds", "investment share", "investment"),
         "duplicate plants stand idle, lower output and returns, and so investment"),
    Loop("B4", "investment catch-up", -1,
         ("output", "perceived growth", "growth gap", "tournament pressure",
          "investment odds", "investment share", "investment", "capital",
          "effective capital", "potential output", "output"),
         "members lagging in growth invest more, which closes the gap"),
    Loop("B7", "catch-up", -1,
         ("output", "output per person", "catch-up potential", "productivity growth",
          "productivity", "potential output", "output"),
         "a member closing its productivity gap to its partners learns less from them"),
    Loop("R2", "trust and cooperation", +1,
         ("trust",) + _COOPERATION_CHAIN + ("kept agreements", "trust building", "trust"),
         "trust makes joint projects worth the risk; kept agreements build trust"),
    Loop("R3", "shared gains", +1,
         ("market integration", "realised shared gain", "gain signal", "trust building",
          "trust") + _COOPERATION_CHAIN + ("integration gain", "market integration"),
         "integration yields visible shared gains, which build trust, cooperation and more "
         "integration"),
    Loop("B8", "temptation of open markets", -1,
         ("market integration", "capture potential", "capture opportunity")
         + _PROTECTION_CHOICE + ("segmentation", "market integration"),
         "the more open partners' markets are, the more sales protection can divert, the "
         "more members protect, and the more segmented markets become"),
    Loop("R4", "stake in integration", +1,
         ("market integration", "integration stake") + _PROTECTION_CHOICE
         + ("segmentation", "market integration"),
         "the more integrated a member is, the more it sees at stake, the less it protects"),
    Loop("R5", "distrust spiral", +1,
         ("protectionism", "opportunism", "seen opportunism", "trust erosion", "trust")
         + _COOPERATION_CHAIN + ("integration gain", "market integration",
                                 "integration stake") + _PROTECTION_CHOICE,
         "opportunism seen by partners erodes their trust and joint projects, integration "
         "falls, less is at stake, and protection pays more"),
    Loop("R6", "regional public goods", +1,
         ("regional public goods", "public goods per person", "public goods effect",
          "potential output", "output", "contributions", "regional public goods"),
         "infrastructure raises output, part of which is contributed to infrastructure"),
    Loop("B5", "public goods decay", -1,
         ("regional public goods", "public goods depreciation", "regional public goods"),
         "infrastructure wears out in proportion to its stock"),
    Loop("R7", "regional demand spillover", +1,
         ("output", "perceived output", "market ratio", "market size effect",
          "potential output", "output"),
         "a partner's growth enlarges one's effective market (positive across members; "
         "one's own output only dilutes the ratio)"),
    Loop("B6", "cooperation adjustment", -1,
         ("cooperation", "cooperation change", "cooperation"),
         "effort in joint projects moves towards the desired effort"),
)
"""Every named loop of the regional integration model."""

HOLDABLE = ("capture opportunity", "integration stake", "protection payoff")
"""Links `build(hold=...)` can hold at a value: holding one cuts every loop through it
(``capture opportunity``: B8; ``integration stake``: R4 and R5; ``protection payoff``: B8,
R4, R5 and the temptation's pull on cooperation)."""


def name_key(name: str) -> str:
    """A name as the model graph keys it: case, underscores and repeated spaces ignored.

    Examples
    --------
    >>> name_key("Market_Integration")
    'market integration'
    """
    return " ".join(name.replace("_", " ").lower().split())


def references(expr) -> list[str]:
    """Keys of the graph nodes an expression tree reads (`sdflow.Expr.children` walk)."""
    found: dict[str, None] = {}
    stack = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        key = getattr(node, "key", None)
        if isinstance(key, str):
            found.setdefault(key, None)
        stack.extend(node.children())
    return list(found)


def influence_edges(graph) -> dict[str, list[str]]:
    """For each node of a `ModelGraph`, the nodes it reads (equation, or a stock's rate)."""
    return {key: references(node.rate if node.kind == "stock" else node.equation)
            for key, node in graph.nodes.items()}


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
