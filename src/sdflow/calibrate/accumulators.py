"""Flows observed over periods, measured exactly: a hidden stock accumulates each one.

A series with ``measure = "sum"`` observes a flow integrated over ``[t, t + period)``
(annual GDP, new cases in a week). Summing the flow's saved values would be a Riemann
sum, off by a term of order ``dt``; instead the model gets one hidden stock per observed
flow, ``<flow>.accumulated``, starting at 0 with the flow as its rate, and the observation
is the accumulator's change over the period, ``A(t + period) - A(t)`` (``mean`` divides it
by ``period``). The accumulator is integrated by the same method, with the same stages,
as every other stock, so with Euler or RK4 a stock's outflow summed this way equals what
the stock lost over the period, to rounding.

The modeller's model is not changed: `accumulating_model` returns a new `Model` that
simulates a copy of its graph with the accumulators added.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from ..dsl.model import Model
from ..errors import ModelError
from ..expr import nodes as ex
from ..ir.graph import ModelGraph
from ..ir.nodes import Node, NodeRef
from ..names import name_key

SUFFIX = ".accumulated"


def accumulator_key(flow_key: str) -> str:
    """Key of the hidden stock accumulating the flow (or auxiliary) ``flow_key``.

    Examples
    --------
    >>> accumulator_key("new cases")
    'new cases.accumulated'
    """
    return name_key(flow_key + SUFFIX)


def accumulating_graph(graph: ModelGraph, flow_keys) -> ModelGraph:
    """``graph`` with a hidden stock ``<flow>.accumulated`` (0 at the start, rate = the
    flow) for each of ``flow_keys``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=2, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", 0.5 * x, source=x)
    >>> accumulating_graph(m.graph(), ["out"]).stocks
    ('x', 'out.accumulated')
    """
    nodes = dict(graph.nodes)
    added = []
    for key in flow_keys:
        flow = graph.nodes[key]
        name = flow.name + SUFFIX
        new = accumulator_key(key)
        if new in nodes:
            continue
        nodes[new] = Node(key=new, name=name, kind="stock", hidden=True,
                          initial=ex.Literal(0.0), rate=NodeRef(key), dims=flow.dims,
                          declared_dims=flow.declared_dims,
                          doc=f"hidden accumulator of '{flow.name}' (its integral from the "
                              "start)")
        added.append(new)
    return dataclasses.replace(graph, nodes=MappingProxyType(nodes),
                               stocks=graph.stocks + tuple(added),
                               init_order=graph.init_order + tuple(added))


class AccumulatingModel(Model):
    """A `Model` that simulates ``base`` with hidden accumulators of ``flows`` (see
    `accumulating_graph`); ``base`` is left untouched and this model is frozen.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=4, dt=0.5)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", 0.3 * x, source=x)
    >>> run = AccumulatingModel(m, ["out"]).simulate(variables=["x", "out.accumulated"])
    >>> lost = 1.0 - run["x"].values[-1]
    >>> bool(abs(run["out.accumulated"].values[-1] - lost) < 1e-15)   # Euler, exactly
    True
    >>> "out.accumulated" in m
    False
    """

    def __init__(self, base: Model, flows):
        super().__init__(base.name, start=base.start, stop=base.stop, dt=base.dt,
                         time_units=base.time_units, saveper=base.saveper)
        self.base = base
        self._variables = dict(base._variables)
        self._dimensions = dict(base._dimensions)
        self.time_settings = dict(base.time_settings)
        self._noise_seed = base.noise_seed
        self._accumulated = accumulating_graph(base.graph(), [name_key(f) for f in flows])

    def graph(self) -> ModelGraph:
        return self._accumulated

    def _add(self, variable):
        raise ModelError(f"model '{self.name}' with accumulators for calibration is frozen: "
                         f"declare '{variable.name}' on the model itself", (variable.name,))

    def dim(self, name, elements):
        raise ModelError(f"model '{self.name}' with accumulators for calibration is frozen: "
                         f"declare dimension '{name}' on the model itself", (name,))
