"""The classical 4th-order Runge-Kutta method."""

from __future__ import annotations


class RK4:
    """4th-order explicit Runge-Kutta with a fixed step; four evaluations per step.

    Input builtins (STEP, PULSE, PULSE TRAIN, RAMP) and DELAY FIXED are held at their value
    at the start of the step, as in Vensim's RK4.
    """

    name = "rk4"
    order = 4

    def step(self, f, t, y, dt, dy, combine):
        k1 = dy
        k2 = f(t + dt / 2, combine(y, [(dt / 2, k1)]), False)
        k3 = f(t + dt / 2, combine(y, [(dt / 2, k2)]), False)
        k4 = f(t + dt, combine(y, [(dt, k3)]), False)
        return combine(y, [(dt / 6, k1), (dt / 3, k2), (dt / 3, k3), (dt / 6, k4)])
