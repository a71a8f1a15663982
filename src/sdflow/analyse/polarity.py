"""Structural link polarity: the sign of a partial derivative read off the expression tree.

``link_sign(expr, key, graph)`` is +1 when ``expr`` rises with the node ``key`` whatever
the values of the other inputs, -1 when it falls, 0 when it does not read ``key``, and
``None`` when the tree alone does not fix the sign (``a * b`` with ``b`` of unknown sign,
``sin``, a lookup that goes up and down, a condition on ``key``...). Only constants and
literals have known signs here: stocks and auxiliaries may take any value, so a sign that
depends on them is left to the run (see `sdflow.analyse.link_scores`).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from ..expr import nodes as ex
from ..expr.builtins import BUILTINS, REDUCTIONS
from ..expr.dispatch import node_method
from ..ir.graph import ModelGraph
from ..ir.nodes import NodeRef

Sign = Optional[int]  # +1, -1, 0 (independent / zero) or None (not fixed)



def combine(a: Sign, b: Sign) -> Sign:
    """Sign of a sum of two terms with signs ``a`` and ``b``."""
    if a == 0:
        return b
    if b == 0 or a == b:
        return a
    return None


def times(a: Sign, b: Sign) -> Sign:
    """Sign of a product; 0 wins over unknown (a term that does not depend stays 0)."""
    if a == 0 or b == 0:
        return 0
    if a is None or b is None:
        return None
    return a * b


def _unless_independent(sign: Sign) -> Sign:
    return 0 if sign == 0 else None


def link_sign(e: ex.Expr, key: str, graph: ModelGraph,
              varying: frozenset = frozenset()) -> Sign:
    """Sign of the partial derivative of ``e`` with respect to node ``key``.

    Constants in ``varying`` (set per run) count as of unknown sign.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> k, x = m.const("k", 2.0), m.stock("x", initial=1.0)
    >>> y = m.aux("y", k / (1 + x) - x)
    >>> g = m.graph()
    >>> link_sign(g.node("y").equation, "x", g)
    -1
    >>> z = m.aux("z", x * y)   # y may be negative: the sign is not fixed by the tree
    >>> link_sign(m.graph().node("z").equation, "x", m.graph()) is None
    True
    """
    return SignReader(graph, varying).slope(e, key)


class SignReader:
    """Reads signs off the expression trees of one graph.

    Constants named in ``varying`` are set per run, so their declared values' signs do
    not count.
    """

    def __init__(self, graph: ModelGraph, varying: frozenset = frozenset()):
        self.graph, self.varying = graph, frozenset(varying)

    # -- the sign of a value: one method per kind of node, chosen by its type -----------
    @node_method
    def value_sign(self, e: ex.Expr) -> Sign:
        """Sign of the value of ``e`` when the tree fixes it (+1 means strictly positive)."""
        return None

    @value_sign.register(ex.Literal)
    def _literal_value(self, e) -> Sign:
        return int(np.sign(e.value))

    @value_sign.register(NodeRef)
    def _reference_value(self, e) -> Sign:
        node = self.graph.nodes[e.key]
        if node.kind != "const" or e.key in self.varying:
            return None
        values = np.asarray(node.value, float)
        for sign in (1, -1, 0):
            if np.all(np.sign(values) == sign):
                return sign
        return None

    @value_sign.register(ex.Neg)
    def _negative_value(self, e) -> Sign:
        return times(-1, self.value_sign(e.a))

    @value_sign.register(ex.BinOp)
    def _binop_value(self, e) -> Sign:
        a, b = self.value_sign(e.a), self.value_sign(e.b)
        if e.op == "+":
            return a if a == b else (b if a == 0 else (a if b == 0 else None))
        if e.op == "-":
            return self.value_sign(ex.BinOp("+", e.a, ex.Neg(e.b)))
        if e.op in ("*", "/"):
            return None if e.op == "/" and b == 0 else times(a, b)
        if e.op == "**" and a == 1:
            return 1
        return None

    @value_sign.register(ex.Call)
    def _call_value(self, e) -> Sign:
        return 1 if e.func == "exp" else None

    @value_sign.register(ex.Select)
    @value_sign.register(ex.Rename)
    def _selected_value(self, e) -> Sign:
        return self.value_sign(e.arg)

    # -- the sign of a slope: one method per kind of node, chosen by its type -----------
    @node_method
    def slope(self, e: ex.Expr, key: str) -> Sign:
        """Sign of the partial derivative of ``e`` with respect to node ``key``."""
        # anything else (allocation...): known only if it does not read the node at all
        signs = [self.slope(c, key) for c in e.children()]
        return 0 if all(s == 0 for s in signs) else None

    @slope.register(NodeRef)
    def _reference_slope(self, e, key: str) -> Sign:
        return 1 if e.key == key else 0

    @slope.register(ex.Literal)
    @slope.register(ex.Time)
    def _constant_slope(self, e, key: str) -> Sign:
        return 0

    @slope.register(ex.Neg)
    def _negative_slope(self, e, key: str) -> Sign:
        return times(-1, self.slope(e.a, key))

    @slope.register(ex.Not)
    def _not_slope(self, e, key: str) -> Sign:
        return None if self.slope(e.a, key) != 0 else 0

    @slope.register(ex.Reduce)
    def _reduce_slope(self, e, key: str) -> Sign:
        inner = self.slope(e.arg, key)
        return inner if REDUCTIONS[e.op].increasing else _unless_independent(inner)

    @slope.register(ex.Select)
    @slope.register(ex.Rename)
    @slope.register(ex.Reindex)
    def _selected_slope(self, e, key: str) -> Sign:
        return self.slope(e.arg, key)

    @slope.register(ex.LookupCall)
    def _lookup_call_slope(self, e, key: str) -> Sign:
        return times(self.slope(e.arg, key), _lookup_slope(e.lookup))

    def _binop(self, e: ex.BinOp, key: str) -> Sign:
        da, db = self.slope(e.a, key), self.slope(e.b, key)
        if e.op == "+":
            return combine(da, db)
        if e.op == "-":
            return combine(da, times(-1, db))
        if e.op == "*":  # d(ab) = b da + a db
            return combine(times(da, self.value_sign(e.b)), times(self.value_sign(e.a), db))
        if e.op == "/":  # d(a/b) = da / b - a db / b^2
            return combine(times(da, self.value_sign(e.b)),
                           times(-1, times(self.value_sign(e.a), db)))
        if e.op == "**":
            base, exponent = self.value_sign(e.a), self.value_sign(e.b)
            # x**c with x > 0: slope c x**(c-1) has the sign of c
            from_base = times(da, exponent) if base == 1 else _unless_independent(da)
            # c**x: slope ln(c) c**x, fixed when c is a known number
            if db == 0:
                from_exponent: Sign = 0
            else:
                base_values = self._constant_values(e.a)
                if base_values is not None and np.all(base_values > 1):
                    from_exponent = db
                elif base_values is not None and np.all((base_values > 0) & (base_values < 1)):
                    from_exponent = times(-1, db)
                else:
                    from_exponent = None
            return combine(from_base, from_exponent)
        # comparisons and logic jump: no sign
        return 0 if da == 0 and db == 0 else None

    slope.register(ex.BinOp, _binop)

    def _call(self, e: ex.Call, key: str) -> Sign:
        signs = [self.slope(a, key) for a in e.args]
        builtin = BUILTINS.get(e.func)
        rule = self.RULES.get(builtin.slope) if builtin is not None else None
        if rule is None:  # step, pulse, ramp, trigonometry, modulo, eq/ne
            return 0 if all(s == 0 for s in signs) else None
        return rule(self, e, signs, key)

    # -- slope rules of builtins: `Builtin.slope` names one (sdflow.expr.builtins) --------
    def _increasing(self, e: ex.Call, signs, key: str) -> Sign:
        """Rises with its (only, or each) argument."""
        out: Sign = 0
        for s in signs:
            out = combine(out, s)
        return out

    def _log(self, e: ex.Call, signs, key: str) -> Sign:
        """log(x, base) = ln x / ln base: rises with x for a base above 1."""
        base = e.args[1]
        if signs[1] == 0 and isinstance(base, ex.Literal) and base.value > 1:
            return signs[0]
        return 0 if signs == [0, 0] else None

    def _abs(self, e: ex.Call, signs, key: str) -> Sign:
        return times(signs[0], self.value_sign(e.args[0]))

    def _branches(self, e: ex.Call, signs, key: str) -> Sign:
        if signs[0] != 0:
            return None
        return combine(signs[1], signs[2])

    def _quotient(self, e: ex.Call, signs, key: str) -> Sign:
        """a/b, or 0 when b is (nearly) zero."""
        return self._binop(ex.BinOp("/", e.args[0], e.args[1]), key)

    def _quotient_or(self, e: ex.Call, signs, key: str) -> Sign:
        """a/b, or a fallback value when b is (nearly) zero."""
        return combine(self._quotient(e, signs, key), signs[2])

    #: the slope rules by name
    RULES = {"increasing": _increasing, "log": _log, "abs": _abs, "branches": _branches,
             "quotient": _quotient, "quotient_or": _quotient_or}

    slope.register(ex.Call, _call)

    def _constant_values(self, e: ex.Expr) -> np.ndarray | None:
        """The values of a literal or a constant, else None."""
        if isinstance(e, ex.Literal):
            return np.asarray(e.value)
        if isinstance(e, NodeRef) and self.graph.nodes[e.key].kind == "const" \
                and e.key not in self.varying:
            return np.asarray(self.graph.nodes[e.key].value, float)
        return None


def _lookup_slope(lookup) -> Sign:
    """+1 for a table that never falls, -1 for one that never rises, else None."""
    steps = np.diff(np.asarray(lookup.y, float))
    if np.all(steps >= 0) and np.any(steps > 0):
        return 1
    if np.all(steps <= 0) and np.any(steps < 0):
        return -1
    return None
