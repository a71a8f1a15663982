"""Equations as functions of their inputs, for recomputing a variable with one input changed.

Loops That Matter asks, at every step, what an auxiliary or flow would have been had only
one of its inputs moved. `EquationFunctions` compiles each equation, with the batched
expression printer of `sdflow.compile`, into ``f(V, t)``: ``V`` maps node keys to arrays
whose axis 0 is a batch (here: every step of every run at once), ``t`` is the time of each
batch row. One call then gives the partial change of a link over a whole ensemble.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..compile import runtime
from ..compile.expressions import ExpressionWriter, Value, align
from ..expr import nodes as ex
from ..expr.builtins import DISCRETE_FUNCTIONS
from ..ir.graph import ModelGraph

#: the builtins that read the time (STEP, PULSE, RAMP...)
_TIME_CALLS = DISCRETE_FUNCTIONS


class _BatchTimeWriter(ExpressionWriter):
    """The batched printer, with time a column of the batch rather than one number."""

    def write(self, e: ex.Expr) -> Value:
        if isinstance(e, ex.Time):
            return Value("t", (), True)
        if isinstance(e, ex.Call) and e.func in _TIME_CALLS:
            dims = self._operands(*(self.write(a) for a in e.args))[1]
            # time must line up with arrayed arguments along the batch axis
            self.input_time = align(Value("t", (), True), dims)
            try:
                return super().write(e)
            finally:
                self.input_time = "t"
        return super().write(e)


class EquationFunctions:
    """Compiled equations of one graph; ``params`` are constants read from ``V`` per row.

    ``function(key, part)`` returns ``f(V, t)`` for the node's ``"equation"`` or, for a
    hidden stock, its ``"rate"``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> y = m.aux("y", 2 * x + m.time)
    >>> f = EquationFunctions(m.graph(), params=()).function("y")
    >>> f({"x": np.array([1.0, 3.0])}, np.array([0.0, 1.0])).tolist()
    [2.0, 7.0]
    """

    def __init__(self, graph: ModelGraph, params: tuple[str, ...], dt: float | None = None):
        self.graph, self.params = graph, set(params)
        self.namespace: dict = {"np": np, "rt": runtime, "math": math,
                                "dt": graph.dt if dt is None else dt}
        self._lookups: dict[int, tuple[str, str]] = {}
        self._functions: dict[tuple[str, str], object] = {}
        self.writer = _BatchTimeWriter(False, self._reference, self._lookup)

    def function(self, key: str, part: str = "equation"):
        if (key, part) not in self._functions:
            node = self.graph.nodes[key]
            expr = getattr(node, part)
            code = align(self.writer.write(expr), node.dims)
            name = f"f_{len(self._functions)}"
            source = f"def {name}(V, t):\n    return {code}\n"
            exec(compile(source, f"<sdflow link {node.name!r}>", "exec"),  # noqa: S102
                 self.namespace)
            self._functions[(key, part)] = self.namespace[name]
        return self._functions[(key, part)]

    def _reference(self, key: str) -> Value:
        node = self.graph.nodes[key]
        if node.kind == "const" and key not in self.params:
            value = np.asarray(node.value, float)
            if value.ndim == 0 and math.isfinite(float(value)):
                return Value(repr(float(value)), (), False)
            name = f"C_{len(self.namespace)}"
            self.namespace[name] = value.reshape((1,) + value.shape)
            return Value(name, node.dims, True)
        return Value(f"V[{key!r}]", node.dims, True)

    def _lookup(self, lookup) -> tuple[str, str]:
        if id(lookup) not in self._lookups:
            base = re.sub(r"\W+", "_", lookup.name.lower()).strip("_")
            xs, ys = f"LX_{base}_{len(self._lookups)}", f"LY_{base}_{len(self._lookups)}"
            self.namespace[xs], self.namespace[ys] = lookup.x, lookup.y
            self._lookups[id(lookup)] = (xs, ys)
        return self._lookups[id(lookup)]
