"""`loops`: the feedback loops of a model, with their polarity.

Loops are found on the graph of variables (`sdflow.analyse.causal_graph`). A loop through
a smooth, delay or trend passes through the hidden stocks the builtin became; those are
not shown: the loop names the modeller's variable that holds the builtin (``perceived
price`` for ``m.aux("perceived price", sf.smooth(price, 2))``). Loops made of hidden
stocks only (a smooth's own adjustment towards its input) are internal to the builtin and
are not listed. Where two loops would show the same variables (a TREND's input reaches
its output directly and through the trend's average), both show their hidden stocks
(``perceived growth.trend``) to tell them apart.

Polarity is the product of the signs of the links around the loop. A link's sign comes
from its equation's tree where that fixes it (`sdflow.analyse.polarity`), otherwise from
a baseline run: the sign of the link score (`sdflow.analyse.link_scores`) wherever it is
not zero. A link whose sign changes during the run, or that never acts, leaves its loops
``undetermined``. Between arrayed variables the run signs each element link on its own
(``growth gap[Anhui]`` falls with ``perceived growth[Anhui]`` and rises with the other
members' through their mean): a link of variables whose element links disagree is
undetermined, and the loops between elements (``elements=True``) say more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..ir.graph import ModelGraph
from .causal_graph import Link, causal_links
from .cycles import simple_cycles
from .polarity import link_sign

POLARITY_NAMES = {1: "reinforcing", -1: "balancing", None: "undetermined"}
PREFIXES = {"reinforcing": "R", "balancing": "B", "undetermined": "U"}


@dataclass(frozen=True)
class Loop:
    """One feedback loop: node keys and links in order around it, and its polarity.

    ``partition`` numbers the loop's cycle partition (Eberlein & Schoenberg 2020): the
    strongly connected part of the model it lies in. Loops of different partitions
    cannot influence each other's variables.
    """

    id: str
    keys: tuple[str, ...]
    links: tuple[Link, ...]
    variables: tuple[str, ...]
    polarity: str
    partition: int


def find_loops(model, max_loops: int = 10_000, max_length: int | None = None,
               scorer=None) -> list[Loop]:
    """The loops of ``model`` with ids, sorted by length then names (see `loops`).

    Links whose sign the equations do not fix are signed along a run: ``scorer`` (a
    `LinkScorer`), or the model's baseline run when not given.
    """
    graph: ModelGraph = model.graph()
    links = causal_links(graph)
    by_pair = {(l.source, l.target): l for l in links}
    found = []
    for cycle in simple_cycles([(l.source, l.target) for l in links], max_loops, max_length):
        keys = _rotate(cycle, graph)
        if keys is None:
            continue
        variables = tuple(graph.nodes[k].name for k in keys if not graph.nodes[k].hidden)
        ring = tuple(by_pair[(a, b)] for a, b in zip(keys, keys[1:] + keys[:1]))
        found.append((keys, ring, variables))
    found = show_hidden_where_ambiguous(found, lambda k: graph.nodes[k].name)
    found.sort(key=lambda item: (len(item[2]), item[2], item[0]))

    varying = frozenset(scorer.run.constants) if scorer is not None else frozenset()
    signs = {l: structural_sign(l, graph, varying) for _, ring, _ in found for l in ring}
    undecided = [l for l, s in signs.items() if s is None]
    if undecided:
        if scorer is None:
            from .link_scores import LinkScorer, baseline
            scorer = LinkScorer(baseline(model))
        signs.update(runtime_signs(scorer, undecided))

    component = strongly_connected(links)
    partitions: dict[int, int] = {}
    polarities = [loop_polarity(signs[l] for l in ring) for _, ring, _ in found]
    return [Loop(loop_id, keys, ring, variables, polarity,
                 partitions.setdefault(component[keys[0]], len(partitions)))
            for loop_id, polarity, (keys, ring, variables)
            in zip(number_loops(polarities), polarities, found)]


def loop_polarity(signs) -> str:
    """``reinforcing``, ``balancing`` or ``undetermined`` from the signs of a loop's links."""
    product: Optional[int] = 1
    for sign in signs:
        product = None if product is None or sign is None else product * sign
    return POLARITY_NAMES[product]


def number_loops(polarities: list[str]) -> list[str]:
    """Ids R1, R2..., B1..., U1... in the order given, counting each polarity apart."""
    counters = {prefix: 0 for prefix in PREFIXES.values()}
    ids = []
    for polarity in polarities:
        prefix = PREFIXES[polarity]
        counters[prefix] += 1
        ids.append(f"{prefix}{counters[prefix]}")
    return ids


def strongly_connected(links) -> dict:
    """Node -> index of its strongly connected component (links: ``.source``, ``.target``)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_edges_from((l.source, l.target) for l in links)
    return {key: i for i, members in enumerate(nx.strongly_connected_components(graph))
            for key in members}


def show_hidden_where_ambiguous(found: list, label) -> list:
    """``(nodes, links, variables)`` with the hidden nodes shown (``label(node)``) in the
    loops that would otherwise show the same variables (one loop through a builtin's
    hidden stock, one past it), so that every row names a different loop."""
    count: dict = {}
    for _, _, variables in found:
        count[variables] = count.get(variables, 0) + 1
    return [(nodes, ring, variables if count[variables] == 1 else
             tuple(label(node) for node in nodes))
            for nodes, ring, variables in found]


def _rotate(cycle: list[str], graph: ModelGraph) -> tuple[str, ...] | None:
    """The cycle started at its first visible stock by name (else its first visible
    variable); None for a cycle of hidden nodes only."""
    nodes = graph.nodes
    visible = [k for k in cycle if not nodes[k].hidden]
    if not visible:
        return None
    stocks = [k for k in visible if nodes[k].kind == "stock"]
    start = min(stocks or visible, key=lambda k: nodes[k].name)
    i = cycle.index(start)
    return tuple(cycle[i:] + cycle[:i])


def structural_sign(link: Link, graph: ModelGraph,
                    varying: frozenset = frozenset()) -> Optional[int]:
    """The link's sign fixed by its role or read off its equation (`link_sign`); the
    constants in ``varying`` are set per run, so their declared signs do not count."""
    if link.role == "inflow":
        return 1
    if link.role == "outflow":
        return -1
    target = graph.nodes[link.target]
    if target.kind == "pipeline":  # DELAY FIXED passes its input on unchanged
        return 1
    expr = target.rate if link.role == "rate" else target.equation
    return link_sign(expr, link.source, graph, varying)


def runtime_signs(scorer, links: list[Link]) -> dict:
    """Sign of each link's score along the scorer's run(s): +1 or -1 where it never
    changes sign (zeros aside), None where it does or where the link never acts.

    A link between arrayed variables is signed element by element (each source element
    moved alone): its sign is fixed only if every element link has the same one.
    """
    from .elements import ElementLink
    from .reads import link_reads

    graph = scorer.graph
    out = {}
    for link in links:
        if not graph.nodes[link.source].dims and not graph.nodes[link.target].dims:
            series = [scorer.score(link)]
        else:
            matrix = link_reads(graph, link)
            series = [scorer.element_score(ElementLink((link.source, int(s)),
                                                       (link.target, int(t)), link))
                      for t, s in zip(*np.nonzero(matrix))]
        positive = any(bool(np.any(v > 0)) for v in series)
        negative = any(bool(np.any(v < 0)) for v in series)
        out[link] = 1 if positive and not negative else -1 if negative and not positive \
            else None
    return out


def loops(model, elements: bool = False, max_loops: int = 10_000,
          max_length: int | None = None):
    """The feedback loops of a model and their polarity.

    Parameters
    ----------
    model : Model
        The model (arrayed models give loops between variables; see ``elements``).
    elements : bool
        List loops between elements of arrayed variables instead (``capital[Anhui]``).
    max_loops : int
        Stop enumerating beyond this many loops; the loops up to the longest length
        whose loops all fit are listed, with a `LoopEnumerationWarning`.
    max_length : int, optional
        Only loops through at most this many variables (hidden ones included).

    Returns
    -------
    pandas.DataFrame
        One row per loop, sorted by length then variable names: ``loop`` (``R1``,
        ``B2``, ``U1``: reinforcing, balancing, undetermined, numbered in that order),
        ``variables`` (tuple of names around the loop, starting at a stock),
        ``polarity`` and ``length`` (number of variables shown).

    Notes
    -----
    Stocks, flows and auxiliaries all appear; constants, data and initial values lie on
    no loop. Smooths, delays and trends are shown by the variable that holds them: a
    loop through ``m.aux("perceived", sf.smooth(x, 3))`` lists ``perceived``, not the
    hidden stock inside the smooth (whose own adjustment loop is not listed). Polarity
    comes from the equations where they fix the sign of each link, otherwise from a
    baseline run (see `sdflow.analyse.polarity` and `sdflow.analyse.loops`).
    `loop_scores` uses the same ids.

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdmodels.reference import sir
    >>> table = sf.loops(sir.build())
    >>> list(table.columns), table.loop.tolist()
    (['loop', 'variables', 'polarity', 'length'], ['B1', 'R1', 'B2'])
    >>> table.variables[1], table.polarity[1]
    (('infectious', 'succumbing'), 'reinforcing')
    """
    import pandas as pd

    if elements:
        from .elements import element_loops
        return element_loops(model, max_loops=max_loops, max_length=max_length)
    found = find_loops(model, max_loops=max_loops, max_length=max_length)
    return pd.DataFrame({
        "loop": [l.id for l in found],
        "variables": [l.variables for l in found],
        "polarity": [l.polarity for l in found],
        "length": [len(l.variables) for l in found],
    }, columns=["loop", "variables", "polarity", "length"])
