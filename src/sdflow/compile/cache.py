"""The compile cache: compiled forms of a model graph, kept as long as the graph lives.

A `ModelGraph` is frozen, so what is compiled from it never goes stale. Entries are kept
in the graph's ``memo`` under this module's name, each under a key naming what was
compiled (per-run parameters, scalar or batched, saved outputs, or a backend's own key).
Compiled models refer to their graph, so a cache beside the graphs (even a weak one)
would keep every graph alive; kept in the graph, the two are freed together. A model
that changes builds a new graph, hence compiles afresh.
"""

from __future__ import annotations

from typing import Callable, Hashable, Sequence

from ..ir.graph import ModelGraph
from ..names import name_key
from .compiled import CompiledModel

_MEMO_KEY = __name__


def cached(graph: ModelGraph, key: Hashable, make: Callable[[], object]):
    """The entry ``key`` of ``graph``'s cache, made by ``make()`` the first time.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> g = m.graph()
    >>> cached(g, "answer", lambda: 42), cached(g, "answer", lambda: 0)
    (42, 42)
    """
    entries = graph.memo.setdefault(_MEMO_KEY, {})
    if key not in entries:
        entries[key] = make()
    return entries[key]


def entries(graph: ModelGraph) -> dict:
    """A copy of what is cached for ``graph``: key -> compiled object (e.g. for timing
    the compilers, as ``benchmarks/world3.py`` does).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.simulate()
    >>> list(entries(m.graph()))  # per-run parameters, scalar path, saved outputs
    [((), True, None)]
    """
    return dict(graph.memo.get(_MEMO_KEY, {}))


def compiled_for(graph: ModelGraph, params: Sequence[str] = (), *, scalar: bool | None = None,
                 outputs: Sequence[str] | None = None) -> CompiledModel:
    """``compile_model(graph, params, scalar=, outputs=)``, compiled once per graph.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=4, dt=1)
    >>> x = m.stock("x", initial=100.0)
    >>> _ = m.flow("out", m.const("k", 0.1) * x, source=x)
    >>> compiled_for(m.graph(), ["K"]) is compiled_for(m.graph(), ["k"])
    True
    """
    from . import compile_model  # the package's, looked up per call: it can be wrapped
    keys = tuple(sorted(name_key(p) for p in params))
    outputs = None if outputs is None else tuple(outputs)
    return cached(graph, (keys, scalar, outputs),
                  lambda: compile_model(graph, params=keys, scalar=scalar, outputs=outputs))
