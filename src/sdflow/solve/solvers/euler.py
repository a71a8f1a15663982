"""Euler's method."""

from __future__ import annotations

from .runge_kutta import ExplicitRungeKutta
from .tableau import ButcherTableau

EULER = ButcherTableau("euler", 1, a=((),), b=(1,))


class Euler(ExplicitRungeKutta):
    """1st-order explicit method, Vensim's default: flows at t, then stocks.

    ``y(t + dt) = y(t) + dt * f(t, y(t))``. One evaluation per step; no error control.
    """

    tableau = EULER
