"""Constant folding: the parts of an equation made only of numbers, computed once.

A constant that does not vary between runs is printed into the generated code as a
number, so an equation such as the policy lever ``base + (policy - base) * STEP(1, 2025)``
with ``policy = base = 0.3`` becomes ``0.3 + (0.3 - 0.3) * rt.step(t, dt, 1.0, 2025.0)``,
computed again at every step of every run. `fold` rewrites such parts into the number
they always give, so that the generated code (and `invariant_nodes`, which finds the
variables that no longer depend on time) sees ``0.3``.

Every rule gives exactly the number, bit for bit, that the unfolded code computes:

* arithmetic on two numbers (``+ - * /``; ``/`` only by a non-zero number) is IEEE
  arithmetic on doubles, the same in Python, numpy and compiled code; ``**`` and the
  functions are folded only on the batched path, by running the code the batched path
  prints (numpy's own functions), since Python's ``math`` or a JIT may differ from numpy
  in the last bit;
* ``MIN``/``MAX`` of two numbers that are not NaN (and not zeros of opposite sign);
* ``0 * STEP(h, t0)`` (and ``0 * PULSE(...)``) with a finite, non-negative height is
  ``+0.0`` at every time, since the step is ``0.0`` or ``h``;
* on the batched path (numpy floats only, no Python booleans), ``x / 1.0``, ``x * 1.0``
  and ``x - 0.0`` are ``x`` for every double, NaN and infinities included (``x + 0.0``
  is not: it turns ``-0.0`` into ``0.0``).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..expr import nodes as ex
from ..expr.allocation import AllocateByPriority
from ..ir.nodes import NodeRef

#: builtins that read the time (never folded, whatever their arguments)
TIME_CALLS = frozenset({"step", "pulse", "pulse_train", "ramp"})

#: functions of the batched path folded by running the code it prints
_BATCHED_FOLDABLE = frozenset({"abs", "exp", "ln", "sqrt", "sin", "cos", "tan", "arctan",
                               "integer", "modulo", "xidz", "zidz", "log"})


def fold(expr: ex.Expr, number_of: Callable[[str], float | None], scalar: bool,
         evaluate: Callable[[ex.Expr], object] | None = None) -> ex.Expr:
    """``expr`` with every part made only of numbers replaced by the number it gives.

    ``number_of(key)`` is the number a node is folded to (a constant that does not vary
    between runs and has no dimensions), or None. ``scalar`` names the code path (plain
    floats, or numpy arrays); ``evaluate``, on the batched path, runs the code printed for
    an expression of numbers alone (functions and ``**`` are folded only with it).

    Examples
    --------
    >>> from sdflow.expr.nodes import Call, Literal
    >>> lever = Literal(0.3) + (Literal(0.3) - Literal(0.3)) * Call("step", 1.0, 2025.0)
    >>> fold(lever, lambda key: None, scalar=True)
    0.3
    >>> fold(Call("min", 1.0, Call("max", 0.0, 0.25)), lambda key: None, scalar=True)
    0.25
    """
    memo: dict[int, ex.Expr] = {}

    def visit(e: ex.Expr) -> ex.Expr:
        done = memo.get(id(e))
        if done is not None:
            return done
        if isinstance(e, NodeRef):
            value = number_of(e.key)
            out = e if value is None else ex.Literal(value)
        else:
            children = e.children()
            if children:
                new = [visit(c) for c in children]
                if any(a is not b for a, b in zip(new, children)):
                    e = e.with_children(new)
                out = _simplify(e, scalar, evaluate)
            else:
                out = e
        memo[id(e)] = out
        return out

    return visit(expr)


def _number(e: ex.Expr) -> float | None:
    return e.value if type(e) is ex.Literal else None


def _positive_zero(e: ex.Expr) -> bool:
    v = _number(e)
    return v is not None and v == 0.0 and math.copysign(1.0, v) > 0


def _finite_nonnegative_switch(e: ex.Expr) -> bool:
    """A STEP or PULSE of numbers whose value is always a finite number >= +0.0."""
    if not isinstance(e, ex.Call) or e.func not in ("step", "pulse"):
        return False
    values = [_number(a) for a in e.args]
    if any(v is None for v in values):
        return False
    if e.func == "pulse":  # 1.0 * (inside the pulse): 0.0 or 1.0
        return True
    height = values[0]
    return math.isfinite(height) and math.copysign(1.0, height) > 0


def _simplify(e: ex.Expr, scalar: bool, evaluate) -> ex.Expr:
    if type(e) is ex.Neg:
        v = _number(e.a)
        return e if v is None else ex.Literal(-v)
    if type(e) is ex.BinOp:
        return _binop(e, scalar, evaluate)
    if type(e) is ex.Call:
        return _call(e, scalar, evaluate)
    return e


def _binop(e: ex.BinOp, scalar: bool, evaluate) -> ex.Expr:
    a, b = _number(e.a), _number(e.b)
    op = e.op
    if a is not None and b is not None:
        if op == "+":
            return ex.Literal(a + b)
        if op == "-":
            return ex.Literal(a - b)
        if op == "*":
            return ex.Literal(a * b)
        if op == "/" and b != 0.0:
            return ex.Literal(a / b)
        if op == "**" and not scalar and evaluate is not None:
            return _evaluated(e, evaluate)
        return e
    if op == "*" and ((_positive_zero(e.a) and _finite_nonnegative_switch(e.b))
                      or (_positive_zero(e.b) and _finite_nonnegative_switch(e.a))):
        return ex.Literal(0.0)
    if not scalar and b is not None and _is_number_valued(e.a):
        if (op in ("/", "*") and b == 1.0) or (op == "-" and _positive_zero(e.b)):
            return e.a
    return e


def _is_number_valued(e: ex.Expr) -> bool:
    """Whether ``e`` is printed as a number (not a truth value): comparisons, logic and
    NOT give numpy booleans turned into 1.0/0.0 by a multiplication that must stay."""
    if isinstance(e, ex.BinOp) and e.op not in ("+", "-", "*", "/", "**"):
        return False
    if isinstance(e, ex.Not):
        return False
    if isinstance(e, ex.Call) and e.func in ("eq", "ne"):
        return False
    return True


def _call(e: ex.Call, scalar: bool, evaluate) -> ex.Expr:
    if e.func in TIME_CALLS:
        return e
    values = [_number(a) for a in e.args]
    if any(v is None for v in values):
        return e
    if e.func in ("min", "max") and len(values) == 2:
        a, b = values
        if math.isnan(a) or math.isnan(b) or (a == b and math.copysign(1.0, a)
                                              != math.copysign(1.0, b)):
            return e
        return ex.Literal(min(a, b) if e.func == "min" else max(a, b))
    if not scalar and evaluate is not None and e.func in _BATCHED_FOLDABLE:
        return _evaluated(e, evaluate)
    return e


def _evaluated(e: ex.Expr, evaluate) -> ex.Expr:
    """The number the batched code of ``e`` gives, if it is one finite number."""
    with np.errstate(all="ignore"):
        try:
            value = evaluate(e)
        except (ArithmeticError, ValueError, TypeError):
            return e
    if np.ndim(value) != 0 or np.iscomplexobj(value):
        return e
    value = float(value)
    return ex.Literal(value) if math.isfinite(value) else e


def invariant_nodes(graph, folded: Callable[[ex.Expr], ex.Expr]) -> tuple[str, ...]:
    """Keys of the auxiliaries and flows whose value is the same at every step of a run.

    Their equations, once folded (``folded``), read only constants (folded or per-run)
    and other such variables, and neither the time nor a builtin that reads it; variables
    with an initial equation of their own (ACTIVE INITIAL) are left out. In the graph's
    evaluation order, so each comes after those it reads.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=0.5)
    >>> k = m.const("k", 0.3)
    >>> lever = m.aux("lever", k + (k - k) * sf.step(1, 0.5))
    >>> doubled = m.aux("doubled", 2 * lever)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", doubled * x, source=x)
    >>> g = m.graph()
    >>> invariant_nodes(g, lambda e: fold(e, {"k": 0.3}.get, scalar=False))
    ('lever', 'doubled')
    """
    nodes = graph.nodes
    found: dict[str, None] = {}
    for key in graph.flow_order:
        node = nodes[key]
        if node.kind not in ("aux", "flow") or node.init_equation is not None:
            continue
        if _reads_only_constants(folded(node.equation), nodes, found):
            found[key] = None
    return tuple(found)


def _reads_only_constants(expr: ex.Expr, nodes, invariant) -> bool:
    for e in ex.walk(expr):
        if isinstance(e, NodeRef):
            if nodes[e.key].kind != "const" and e.key not in invariant:
                return False
        elif isinstance(e, (ex.Time, ex.Stateful)) or (
                isinstance(e, ex.Call) and e.func in TIME_CALLS):
            return False
        elif not isinstance(e, (ex.Literal, ex.BinOp, ex.Neg, ex.Not, ex.Call, ex.Reduce,
                                ex.Select, ex.Rename, ex.Reindex, ex.LookupCall,
                                AllocateByPriority)):
            return False  # an expression type this analysis does not know: keep it per step
    return True
