"""From the modeller's variables to graph nodes.

Resolves references (by object or by name) to `NodeRef`s, turns stateful builtins into
hidden stocks, frozen initial values and pipelines, and gives every stock its rate
(inflows minus outflows).

The graph reads the modeller's declarations as plain records, by their ``kind`` and
attributes (``name``, ``units``, ``dims``, ``doc``, ``value``, ``equation``, ``initial``,
``inflows``...), and references by the `Named` expression base they share, so this layer
never imports the DSL: the DSL calls down into it (`Model.graph`), never the other way.
"""

from __future__ import annotations

import numpy as np

from ..expr import nodes as ex
from ..expr.stateful_builtins import STATEFUL
from ..names import name_key
from ..errors import ModelError, UnknownNameError
from .nodes import Node, NodeRef
from .time_constants import (TimeConstant, delay_time_value, guard_positive,
                             non_positive_error)


class Lowering:
    """Builds the node table of one model; problems go to ``errors`` (all of them)."""

    def __init__(self, model):
        self.model = model
        self.nodes: dict[str, Node] = {}
        self.lookups: dict = {}  # key -> the declared lookup
        self.errors: list[ModelError] = []
        self.used: set[str] = set()      # keys referenced by some equation
        self._owner: Node | None = None
        self._counter: dict[str, int] = {}
        #: delay and smooth times that are numbers or constants, for run-time checks
        self.time_constants: list[TimeConstant] = []

    # -- entry point -------------------------------------------------------------------
    def run(self) -> None:
        variables = self.model.variables
        for var in variables:  # declare first so references can resolve in any order
            key = name_key(var.name)
            if var.kind == "lookup":
                self.lookups[key] = var
                continue
            node = Node(key=key, name=var.name, kind=var.kind, declared_dims=var.dims,
                        units_text=var.units, doc=var.doc, source=var)
            if var.kind == "const":
                node.value = var.value
            elif var.kind == "data":
                node.times, node.series = var.times, var.values
            self.nodes[key] = node
        for var in variables:
            if var.kind == "lookup":
                continue
            node = self.nodes[name_key(var.name)]
            self._owner = node
            if var.kind in ("aux", "flow"):
                node.equation = self.rewrite(var.equation)
            elif var.kind == "stock":
                node.initial = None if var.initial is None else self.rewrite(var.initial)
                node.inflows = [name_key(f.name) for f in var.inflows]
                node.outflows = [name_key(f.name) for f in var.outflows]
                node.rate = _rate_expression(node.inflows, node.outflows)
        self._owner = None

    # -- expression rewriting ----------------------------------------------------------
    def rewrite(self, expr: ex.Expr) -> ex.Expr:
        """A copy of ``expr`` in which every reference is a `NodeRef`."""
        if isinstance(expr, ex.Named):
            return self._reference(expr)
        if isinstance(expr, ex.Time):
            if expr.model is not self.model:
                self._foreign("TIME")
            return expr
        if isinstance(expr, ex.LookupCall):
            key = name_key(expr.lookup.name)
            if self.lookups.get(key) is not expr.lookup:
                self._foreign(expr.lookup.name)
            self.used.add(key)
        if isinstance(expr, ex.Stateful):
            return self._lower_stateful(expr)
        if isinstance(expr, ex.Noise):
            return self._lower_noise(expr)
        if isinstance(expr, ex.Expr):
            children = expr.children()
            return expr.with_children(tuple(self.rewrite(c) for c in children)) \
                if children else expr
        raise ModelError(f"'{self._owner_name()}': cannot handle expression {expr!r}")

    def _owner_name(self) -> str:
        return self._owner.name if self._owner else "?"

    def _foreign(self, name: str) -> None:
        self.errors.append(ModelError(
            f"'{self._owner_name()}' uses '{name}', which belongs to another model; "
            "build each model's variables on that model", (self._owner_name(), name)))

    def _reference(self, expr) -> ex.Expr:
        if not isinstance(expr, ex.Ref) and expr.model is not self.model:
            self._foreign(expr.name)
            return ex.Literal(0.0)
        key = name_key(expr.name)
        if key not in self.nodes:
            known = sorted(n.name for n in self.nodes.values() if not n.hidden)
            close = [k for k in known if name_key(k)[:3] == key[:3]][:5]
            hint = f" Did you mean one of {close}?" if close else ""
            what = "lookup" if key in self.lookups else "variable"
            self.errors.append(UnknownNameError(
                f"'{self._owner_name()}' refers to '{expr.name}', which is not a {what} "
                f"of model '{self.model.name}'; declare it or fix the spelling.{hint}"
                if what == "variable" else
                f"'{self._owner_name()}' uses lookup '{expr.name}' as a value; call it on an "
                f"input, e.g. {expr.name}(x)", (self._owner_name(), expr.name)))
            return ex.Literal(0.0)
        self.used.add(key)
        return NodeRef(key)

    # -- stateful builtins ---------------------------------------------------------------
    def _hidden(self, kind: str, suffix: str, **parts) -> str:
        owner = self._owner
        base = f"{owner.name}.{suffix}"
        count = self._counter.get(base, 0) + 1
        self._counter[base] = count
        name = base if count == 1 else f"{base}{count}"
        node = Node(key=name_key(name), name=name, kind=kind, hidden=True,
                    doc=f"hidden {suffix} of '{owner.name}'", owner=owner.name, **parts)
        self.nodes[node.key] = node
        self.used.add(node.key)
        return node.key

    def _lower_stateful(self, expr: ex.Stateful) -> ex.Expr:
        a = {k: self.rewrite(v) for k, v in expr.args.items()}
        kind, spec = expr.kind, STATEFUL[expr.kind]
        inp = a["input"]
        if spec.family == "initial":
            return NodeRef(self._hidden("initial", "initial", equation=inp))
        if spec.family == "active_initial":
            return NodeRef(self._hidden("aux", "active initial", equation=inp,
                                        init_equation=a["initial"]))
        if spec.family == "pipeline":
            self._delay_time(a["delay_time"], kind, 0)
            return NodeRef(self._hidden("pipeline", "delay fixed", equation=inp,
                                        initial=a["initial"], delay_time=a["delay_time"]))
        if spec.family == "smooth":
            order = spec.order(expr.args)
            delay_time = self._delay_time(a["delay_time"], kind, order)
            stage_time = delay_time if order == 1 else delay_time / float(order)
            start = a.get("initial", inp)
            upstream, key = inp, None
            for stage in range(order):
                suffix = kind if order == 1 else f"{kind}[{stage + 1}]"
                key = self._hidden("stock", suffix, initial=start)
                ref = NodeRef(key)
                self.nodes[key].rate = (upstream - ref) / stage_time
                upstream = ref
            return NodeRef(key)
        if spec.family == "delay":
            order = spec.order(expr.args)
            delay_time = self._delay_time(a["delay_time"], kind, order)
            stage_time = delay_time if order == 1 else delay_time / float(order)
            start = a.get("initial", inp)
            inflow, key = inp, None
            for stage in range(order):
                suffix = kind if order == 1 else f"{kind}[{stage + 1}]"
                key = self._hidden("stock", suffix, initial=start * stage_time)
                outflow = NodeRef(key) / stage_time
                self.nodes[key].rate = inflow - outflow
                inflow = outflow
            return inflow
        if spec.family == "trend":
            average_time = self._as_time(a["average_time"], "average time")
            init_trend = a.get("initial_trend", ex.Literal(0.0))
            # units_like: a literal initial trend (0) times the average time is not "time"
            key = self._hidden("stock", kind, initial=inp / (1.0 + init_trend * average_time),
                               units_like=inp)
            average = NodeRef(key)
            self.nodes[key].rate = (inp - average) / average_time
            trend = ex.Call("zidz", inp - average, average_time * ex.Call("abs", average))
            if kind == "trend":
                return trend
            return inp * (1.0 + trend * self._as_time(a["horizon"], "horizon"))
        raise ModelError(f"'{self._owner_name()}': no lowering for the family {spec.family!r} "
                         f"of {spec.vensim}")

    def _lower_noise(self, expr: ex.Noise) -> ex.Expr:
        """A random draw becomes a hidden variable of its own, named after its owner.

        Its key labels the draw's random stream, so the draws stay the same as long as
        the variable does (common random numbers across scenarios). Unless the draw says
        otherwise, it varies over the dimensions the owner is declared with, as Vensim
        draws one number per element of the variable.
        """
        args = tuple(self.rewrite(a) for a in expr.args)
        owner = self._owner
        dims = expr.dims if expr.dims is not None else (
            owner.declared_dims if owner is not None else None)
        key = self._hidden("aux", f"random {expr.dist}", declared_dims=dims)
        self.nodes[key].equation = ex.Noise(expr.dist, args, expr.stream, dims, key)
        return NodeRef(key)

    def _delay_time(self, expr: ex.Expr, kind: str, stages: int) -> ex.Expr:
        """Refuse a delay time that is a number or constant <= 0 (`DelayTimeError`), record
        it for the run's checks, or guard a computed one (see `ir.time_constants`)."""
        owner = self._owner_name()
        key, value = delay_time_value(expr, self.nodes)
        if value is None:
            return expr if STATEFUL[kind].family == "pipeline" else guard_positive(expr)
        record = TimeConstant(owner, kind, stages, key, None if key else value)
        if (value <= 0).any():
            self.errors.append(non_positive_error(
                owner, record.label, value, self.nodes[key].name if key else None))
        self.time_constants.append(record)
        return expr

    def _as_time(self, expr: ex.Expr, role: str) -> ex.Expr:
        """A number given as a time argument counts in the model's time units.

        TREND's output is per time unit and FORECAST's horizon a time: a bare number there
        would otherwise be a dimensionless factor to the unit check.
        """
        if not isinstance(expr, ex.Literal) or self.model.time_units is None:
            return expr
        key = self._hidden("const", role, units_text=self.model.time_units,
                           value=np.asarray(expr.value))
        return NodeRef(key)


def _rate_expression(inflows: list[str], outflows: list[str]) -> ex.Expr:
    rate: ex.Expr | None = None
    for key in inflows:
        rate = NodeRef(key) if rate is None else rate + NodeRef(key)
    for key in outflows:
        rate = -NodeRef(key) if rate is None else rate - NodeRef(key)
    return rate if rate is not None else ex.Literal(0.0)
