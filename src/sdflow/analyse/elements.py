"""Loops between elements of arrayed variables (``capital[Anhui] -> investment[Anhui]``).

Which element reads which comes from the expression trees (`sdflow.analyse.reads`); the
graph of elements then goes through the same loop enumeration as the graph of variables.
"""

from __future__ import annotations

import itertools

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..ir.graph import ModelGraph
from .causal_graph import Link, causal_links
from .cycles import simple_cycles
from .loops import (loop_polarity, number_loops, show_hidden_where_ambiguous,
                    strongly_connected, structural_sign)
from .reads import link_reads

Element = tuple  # (node key, flat element index)


@dataclass(frozen=True)
class ElementLink:
    """A link between one element of ``link.source`` and one of ``link.target``."""

    source: Element
    target: Element
    link: Link


@dataclass(frozen=True)
class ElementLoop:
    """A feedback loop between elements; fields as for `sdflow.analyse.loops.Loop`."""

    id: str
    nodes: tuple
    links: tuple
    variables: tuple[str, ...]
    polarity: str
    partition: int


def _element_names(graph: ModelGraph, key: str) -> list[str]:
    node = graph.nodes[key]
    if not node.dims:
        return [node.name]
    return [f"{node.name}[{','.join(combo)}]"
            for combo in itertools.product(*(d.elements for d in node.dims))]


def element_links(graph: ModelGraph) -> list[ElementLink]:
    """Every link between elements of ``graph``'s dynamic nodes."""
    out = []
    for link in causal_links(graph):
        matrix = link_reads(graph, link)
        for t, s in zip(*np.nonzero(matrix)):
            out.append(ElementLink((link.source, int(s)), (link.target, int(t)), link))
    return out


def find_element_loops(model, max_loops: int = 10_000, max_length: int | None = None,
                       scorer=None) -> list[ElementLoop]:
    """The loops between elements, with ids, sorted by length then names.

    A link whose variables' equation fixes its sign has that sign at every element;
    otherwise each element link is signed along a run (``scorer``, or the baseline).
    """
    graph = model.graph()
    links = element_links(graph)
    by_pair = {(l.source, l.target): l for l in links}
    names = {key: _element_names(graph, key) for key in graph.nodes}

    def label(node: Element) -> str:
        return names[node[0]][node[1]]

    found = []
    for cycle in simple_cycles([(l.source, l.target) for l in links], max_loops, max_length):
        visible = [c for c in cycle if not graph.nodes[c[0]].hidden]
        if not visible:
            continue
        stocks = [c for c in visible if graph.nodes[c[0]].kind == "stock"]
        start = cycle.index(min(stocks or visible, key=label))
        cycle = cycle[start:] + cycle[:start]
        ring = tuple(by_pair[(a, b)] for a, b in zip(cycle, cycle[1:] + cycle[:1]))
        variables = tuple(label(c) for c in cycle if not graph.nodes[c[0]].hidden)
        found.append((tuple(cycle), ring, variables))
    found = show_hidden_where_ambiguous(found, label)
    found = [(variables, cycle, ring) for cycle, ring, variables in found]
    found.sort(key=lambda item: (len(item[0]), item[0], item[1]))

    varying = frozenset(scorer.run.constants) if scorer is not None else frozenset()
    structural = {l.link: structural_sign(l.link, graph, varying)
                  for _, _, ring in found for l in ring}
    signs = {l: structural[l.link] for _, _, ring in found for l in ring}
    undecided = [l for l, sign in signs.items() if sign is None]
    if undecided:
        if scorer is None:
            from .link_scores import LinkScorer, baseline
            scorer = LinkScorer(baseline(model))
        for l in undecided:
            signs[l] = _sign_along_run(scorer.element_score(l))

    component = strongly_connected(links)  # strongly connected parts of the element graph
    partitions: dict[int, int] = {}
    polarities = [loop_polarity(signs[l] for l in ring) for _, _, ring in found]
    return [ElementLoop(loop_id, cycle, ring, variables, polarity,
                        partitions.setdefault(component[cycle[0]], len(partitions)))
            for loop_id, polarity, (variables, cycle, ring)
            in zip(number_loops(polarities), polarities, found)]


def _sign_along_run(scores: np.ndarray) -> Optional[int]:
    positive, negative = bool(np.any(scores > 0)), bool(np.any(scores < 0))
    return 1 if positive and not negative else -1 if negative and not positive else None


def element_loops(model, max_loops: int = 10_000, max_length: int | None = None):
    """The feedback loops between elements of ``model``'s variables (see `loops`)."""
    import pandas as pd

    found = find_element_loops(model, max_loops=max_loops, max_length=max_length)
    return pd.DataFrame([(l.id, l.variables, l.polarity, len(l.variables)) for l in found],
                        columns=["loop", "variables", "polarity", "length"])
