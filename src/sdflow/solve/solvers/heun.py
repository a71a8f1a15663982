"""Heun's method (the explicit trapezoidal rule)."""

from __future__ import annotations

from fractions import Fraction

from .runge_kutta import ExplicitRungeKutta
from .tableau import ButcherTableau

HEUN = ButcherTableau("heun", 2, a=((), (1,)), b=(Fraction(1, 2), Fraction(1, 2)))


class Heun(ExplicitRungeKutta):
    """2nd-order explicit Runge-Kutta with a fixed step; two evaluations per step.

    An Euler step predicts ``y + dt k1``, then the step averages the slopes at both ends:
    ``y + dt / 2 (k1 + k2)``. Input builtins are held over the step as with `RK4`.
    """

    tableau = HEUN
