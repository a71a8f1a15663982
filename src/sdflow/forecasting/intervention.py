"""Policy interventions applied to a checked model graph, for any sdflow model.

A time-varying change of a constant ("raise the compensation share to 0.3, ramped in from
2026 to 2030") needs no cooperation from the model: a new auxiliary ``<lever> path``
computes the lever's value over time from the constant itself, and every equation that
read the constant now reads the path. The constant stays a constant, so it can still be
set or sampled per run (the "before" value), and the path is saved with the results.
Exogenous series are replaced the same way, node for node. Forecasting never edits the
modeller's `Model`: it gets a `ScenarioModel` whose graph is the changed one.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import numpy as np

from ..expr import nodes as ex
from ..dsl.model import Model
from ..names import name_key
from ..errors import ModelError
from ..ir.graph import ModelGraph
from ..ir.order import references
from ..ir.nodes import Node, NodeRef

def substitute(expr: ex.Expr | None, mapping: dict[str, str]) -> ex.Expr | None:
    """A copy of ``expr`` whose references to keys in ``mapping`` point to the new keys.

    Sub-trees without such references are shared, not copied.

    Examples
    --------
    >>> from sdflow.ir.nodes import NodeRef
    >>> substitute(NodeRef("k") * 2, {"k": "k path"})
    (<k path> * 2.0)
    """
    if expr is None:
        return None
    if isinstance(expr, NodeRef):
        return NodeRef(mapping[expr.key]) if expr.key in mapping else expr
    children = expr.children()
    new = tuple(substitute(child, mapping) for child in children)
    if all(a is b for a, b in zip(new, children)):
        return expr
    return expr.with_children(new)


def lever_path_graph(graph: ModelGraph, lever: str, current: str, name: str,
                     target: np.ndarray | None, scale: np.ndarray | None, start: float,
                     end: float | None) -> ModelGraph:
    """``graph`` in which constant ``lever`` moves to ``target`` (or ``scale`` times its
    value) from time ``start``: at once (``end`` None, a STEP) or linearly until ``end``
    (a RAMP). The new auxiliary ``name`` starts from node ``current`` (the lever, or the
    path of an earlier change of it) and replaces it in every equation.
    """
    nodes = dict(graph.nodes)
    const = nodes[lever]
    base = NodeRef(current)
    if current != lever:  # only the newest path is visible: one series per lever
        nodes[current] = dataclasses.replace(nodes[current], hidden=True)

    def constant(suffix: str, values: np.ndarray) -> ex.Expr:
        values = np.asarray(values, dtype=float)
        if values.ndim == 0:
            return ex.Literal(float(values))
        key = name_key(f"{name} {suffix}")
        nodes[key] = Node(key=key, name=f"{name} {suffix}", kind="const", hidden=True,
                          value=values, dims=const.dims, declared_dims=const.declared_dims,
                          units_text=const.units_text, units=const.units)
        return NodeRef(key)

    if end is None:
        weight = ex.Call("step", 1.0, float(start))
        when = f"a step at {start:g}"
    else:
        weight = ex.Call("ramp", 1.0 / (float(end) - float(start)), float(start), float(end))
        when = f"a ramp from {start:g} to {end:g}"
    if target is not None:
        equation = base + (constant("target", target) - base) * weight
    else:
        equation = base * (1.0 + (constant("scale", scale) - 1.0) * weight)
    key = name_key(name)
    nodes[key] = Node(key=key, name=name, kind="aux", equation=equation, dims=const.dims,
                      declared_dims=const.declared_dims, units_text=const.units_text,
                      units=const.units, doc=f"'{const.name}' in the scenario: {when}")
    mapping = {current: key}
    for k, node in list(nodes.items()):
        if k == key:
            continue
        parts = {role: substitute(getattr(node, role), mapping)
                 for role in ("equation", "initial", "rate", "delay_time")}
        if any(parts[r] is not getattr(node, r) for r in parts):
            nodes[k] = dataclasses.replace(node, **parts)
    stale = [n.name for k, n in nodes.items() if k != key and current in {
        r for part in n.expressions().values() for r in references(part)}]
    if stale:  # an expression type whose children substitute() does not know
        raise ModelError(f"cannot redirect {stale} from '{nodes[current].name}' to its "
                         "scenario path; please report this as a bug", tuple(stale))
    new_keys = tuple(k for k in nodes if k not in graph.nodes)
    return dataclasses.replace(
        graph, nodes=MappingProxyType(nodes),
        flow_order=_insert_after(graph.flow_order, current, (key,)),
        init_order=_insert_after(graph.init_order, current, new_keys),
        discrete=graph.discrete + (key,))


def _insert_after(order: tuple[str, ...], anchor: str, keys: tuple[str, ...]):
    """``order`` with ``keys`` placed right after ``anchor`` (at the front if absent)."""
    if anchor not in order:
        return tuple(keys) + order
    i = order.index(anchor) + 1
    return order[:i] + tuple(keys) + order[i:]


def data_graph(graph: ModelGraph, key: str, times: np.ndarray, values: np.ndarray
               ) -> ModelGraph:
    """``graph`` in which data series ``key`` follows ``values`` from ``times[0]`` on.

    Before the first new time the original series is kept (history stays as observed).
    """
    node = graph.nodes[key]
    keep = node.times < times[0]
    new_times = np.concatenate([node.times[keep], times])
    new_values = np.concatenate([node.series[keep], values], axis=0)
    nodes = dict(graph.nodes)
    nodes[key] = dataclasses.replace(node, times=new_times, series=new_values)
    return dataclasses.replace(graph, nodes=MappingProxyType(nodes))


class ScenarioModel(Model):
    """A `Model` that simulates a changed graph of another model.

    Everything a run reads (`graph`, compilation cache) is its own. It holds copies of the
    original model's declarations (which stays untouched) and is frozen: declaring a
    variable or dimension on it raises `ModelError`.

    Examples
    --------
    >>> from sdflow.forecasting.examples import growth_model
    >>> from sdflow.forecasting import Scenario, Step
    >>> base = growth_model()
    >>> scenario = Scenario("fast", changes=[Step("rate", at=2025, to=0.05)]).prepare(base)
    >>> scenario.model.const("subsidy", 0.1)
    Traceback (most recent call last):
    ...
    sdflow.errors.ModelError: model 'growth' in scenario 'fast' is frozen: declare 'subsidy' on the model itself and prepare the scenario again
    >>> "subsidy" in base, "rate path" in scenario.model.graph().nodes, "rate path" in base
    (False, True, False)
    """

    def __init__(self, base: Model, graph: ModelGraph, name: str):
        super().__init__(base.name, start=base.start, stop=base.stop, dt=base.dt,
                         time_units=base.time_units, saveper=base.saveper)
        self.base = base
        self.scenario = name
        self._variables = dict(base._variables)
        self._dimensions = dict(base._dimensions)
        self.time_settings = dict(base.time_settings)
        self._noise_seed = base.noise_seed
        self._scenario_graph = graph

    def graph(self) -> ModelGraph:
        return self._scenario_graph

    def _frozen(self, name: str):
        raise ModelError(f"model '{self.name}' in scenario '{self.scenario}' is frozen: "
                         f"declare '{name}' on the model itself and prepare the scenario "
                         "again", (name,))

    def _add(self, variable):
        self._frozen(variable.name)

    def dim(self, name, elements):
        self._frozen(name)

    def vary_time_settings(self, start=None, stop=None, dt=None, saveper=None) -> None:
        self._frozen("time settings")

    def __repr__(self):
        return f"ScenarioModel({self.name!r}, scenario={self.scenario!r})"
