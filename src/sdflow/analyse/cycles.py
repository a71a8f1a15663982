"""Enumerating the feedback loops of a causal graph, with networkx's ``simple_cycles``.

Without a length bound networkx runs Johnson's algorithm (1975); with one, the
length-bounded search of Gupta and Suzumura (2021). The number of elementary cycles can
grow exponentially with the size of a model, so the enumeration stops at ``max_loops``:
the loops shown are then all those up to the longest length whose full set still fits,
and a `LoopEnumerationWarning` says so.
"""

from __future__ import annotations

import sys
import warnings
from itertools import islice
from typing import Iterable

from ..errors import SdflowError


class LoopEnumerationWarning(UserWarning):
    """The model has more feedback loops than asked for; only the shorter ones are listed."""


def simple_cycles(edges: Iterable[tuple[str, str]], max_loops: int,
                  max_length: int | None = None) -> list[list[str]]:
    """Elementary cycles of the directed graph ``edges``, each as a list of nodes.

    Examples
    --------
    >>> sorted(map(sorted, simple_cycles([("a", "b"), ("b", "a"), ("b", "b")], 10)))
    [['a', 'b'], ['b']]
    """
    import networkx as nx

    if max_loops < 1:
        raise SdflowError(f"max_loops={max_loops} must be at least 1")
    graph = nx.DiGraph()
    graph.add_edges_from(edges)
    cycles = list(islice(nx.simple_cycles(graph, length_bound=max_length), max_loops + 1))
    if len(cycles) <= max_loops:
        return cycles
    # Too many: keep every loop up to the longest length whose loops all fit.
    kept: list[list[str]] = []
    bound = 1
    while max_length is None or bound <= max_length:
        shorter = list(islice(nx.simple_cycles(graph, length_bound=bound), max_loops + 1))
        if len(shorter) > max_loops:
            break
        kept, bound = shorter, bound + 1
    warnings.warn(
        f"the model has more than {max_loops} feedback loops; listing the {len(kept)} loops "
        f"of at most {bound - 1} variables (hidden ones included). Pass a larger max_loops= "
        "to see more, or max_length= to choose the cut yourself",
        LoopEnumerationWarning, stacklevel=_caller_level())
    return kept


def _caller_level() -> int:
    """Stack level of the first frame outside sdflow.analyse: the user's call."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
            "sdflow.analyse"):
        frame, level = frame.f_back, level + 1
    return level
