"""Dependency order and cycle finding over the graph's nodes."""

from __future__ import annotations

from collections import deque
from graphlib import CycleError, TopologicalSorter
from typing import Iterable

from ..expr.nodes import Expr, walk
from .nodes import NodeRef


def references(expr: Expr | None) -> list[str]:
    """Keys of the nodes an expression reads, in order of first appearance."""
    if expr is None:
        return []
    seen: dict[str, None] = {}
    for node in walk(expr):
        if isinstance(node, NodeRef):
            seen.setdefault(node.key, None)
    return list(seen)


def dependency_order(deps: dict[str, Iterable[str]]) -> tuple[list[str], list[list[str]]]:
    """Topological order of ``deps`` (node -> nodes it needs) and the cycles found.

    On cycles the order holds the nodes outside them; each cycle is listed once, as a path
    that ends where it starts.
    """
    deps = {k: [d for d in v if d in deps] for k, v in deps.items()}
    sorter = TopologicalSorter(deps)
    try:
        return list(sorter.static_order()), []
    except CycleError:
        pass
    cycles = find_cycles(deps)
    in_cycle = {k for c in cycles for k in c}
    reachable_from_cycle = set(in_cycle)
    changed = True
    while changed:  # nodes that need a cycle member cannot be ordered either
        changed = False
        for k, v in deps.items():
            if k not in reachable_from_cycle and any(d in reachable_from_cycle for d in v):
                reachable_from_cycle.add(k)
                changed = True
    rest = {k: v for k, v in deps.items() if k not in reachable_from_cycle}
    return list(TopologicalSorter(rest).static_order()), cycles


def find_cycles(deps: dict[str, list[str]]) -> list[list[str]]:
    """One representative cycle per strongly connected component (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0

    def strongconnect(v: str):
        nonlocal counter
        work = [(v, iter(deps[v]))]
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(deps[w])))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1 or node in deps[node]:
                    components.append(component)

    for v in deps:
        if v not in index:
            strongconnect(v)
    return [_cycle_path(c, deps) for c in components]


def _cycle_path(component: list[str], deps: dict[str, list[str]]) -> list[str]:
    """The shortest closed path through a strongly connected component: a needs b ... a."""
    members = set(component)
    start = min(component)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for dep in deps[node]:
            if dep == start:
                chain = []
                while node != start:
                    chain.append(node)
                    node = previous[node]
                return [start] + chain[::-1] + [start]
            if dep in members and dep not in previous:
                previous[dep] = node
                queue.append(dep)
    return [start, start]
