"""The classical 4th-order Runge-Kutta method."""

from __future__ import annotations

from fractions import Fraction

from .runge_kutta import ExplicitRungeKutta
from .tableau import ButcherTableau

_HALF, _THIRD, _SIXTH = Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)
RK4_TABLEAU = ButcherTableau("rk4", 4, a=((), (_HALF,), (0, _HALF), (0, 0, 1)),
                             b=(_SIXTH, _THIRD, _THIRD, _SIXTH))


class RK4(ExplicitRungeKutta):
    """4th-order explicit Runge-Kutta with a fixed step; four evaluations per step.

    Input builtins (STEP, PULSE, PULSE TRAIN, RAMP) and DELAY FIXED are held at their value
    at the start of the step, as in Vensim's RK4.
    """

    tableau = RK4_TABLEAU
