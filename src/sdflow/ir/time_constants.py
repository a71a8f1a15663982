"""Delay and smooth times: refused when zero or negative, recorded for run-time checks.

A negative smooth time turns exponential decay towards the input into growth away from it,
and a negative DELAY FIXED acted as a one-step delay; neither is a model anyone meant. A
time that is a number or a constant is checked when the graph is built; one a run may
override (a constant) is recorded as a `TimeConstant` so `simulate` checks the values it
runs with (and warns when a first-order stage is shorter than ``dt``); any other
expression is guarded so that a zero or negative value turns the stage's rate into NaN,
which the run reports with the variable's name and the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..expr import nodes as ex
from ..expr.stateful_builtins import STATEFUL
from ..errors import DelayTimeError
from .nodes import NodeRef



@dataclass(frozen=True)
class TimeConstant:
    """The delay time of one smooth or delay, when it is a number or a constant.

    ``stages`` is the number of first-order stages it is split into (the time of each is
    ``delay time / stages``); 0 for DELAY FIXED, which shifts its input exactly.
    """

    owner: str                      # the variable whose equation uses the builtin
    builtin: str                    # "smooth", "delay3", ... (a key of `STATEFUL`)
    stages: int
    constant: str | None = None     # key of the constant giving the time, if one does
    value: np.ndarray | None = None  # the time written as a number, if it is one

    @property
    def label(self) -> str:
        return STATEFUL[self.builtin].vensim


def delay_time_value(expr: ex.Expr, nodes: dict) -> tuple[str | None, np.ndarray | None]:
    """``(constant key, value)`` of a delay time that is a number (key None) or a constant;
    ``(None, None)`` for anything computed."""
    if isinstance(expr, ex.Literal):
        return None, np.asarray(expr.value, dtype=float)
    if isinstance(expr, NodeRef) and nodes[expr.key].kind == "const" \
            and nodes[expr.key].value is not None:
        return expr.key, np.asarray(nodes[expr.key].value, dtype=float)
    return None, None


def non_positive_error(owner: str, label: str, value, source: str | None) -> DelayTimeError:
    """The error for a delay time ``value`` (some element <= 0) of ``label`` in ``owner``."""
    where = f"constant '{source}'" if source else "a number"
    bad = np.asarray(value, dtype=float)
    shown = bad[bad <= 0].ravel()[0] if bad.ndim else float(bad)
    return DelayTimeError(
        f"'{owner}': the delay time of {label} is {shown:g} ({where}); smooth and delay "
        "times must be positive (a time of zero or less would make it grow away from its "
        "input or shift it by one step); give a positive time, or use the input itself "
        "if no delay is meant", (owner,) + ((source,) if source else ()))


def guard_positive(expr: ex.Expr) -> ex.Expr:
    """``expr`` where positive, NaN elsewhere: a computed delay time that reaches zero or
    below makes the stage's rate NaN, which the run reports (variable and time)."""
    return ex.Call("if_then_else", ex.BinOp(">", expr, ex.Literal(0.0)), expr,
                   ex.Literal(float("nan")))
