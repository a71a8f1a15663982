"""Adaptive step sizes through ``scipy.integrate.solve_ivp``."""

from __future__ import annotations

import numpy as np

from ...errors import SimulationError


class ScipyAdaptive:
    """Any ``solve_ivp`` method (default RK45, Dormand-Prince 5(4)) with error control.

    All runs form one ODE system, so one call integrates the whole batch. Refuses models
    with discrete builtins (STEP, PULSE, RAMP, DELAY FIXED): an adaptive method steps over
    their jumps without noticing.
    """

    name = "rk45"
    order = 5

    def __init__(self, method: str = "RK45", rtol: float = 1e-6, atol: float = 1e-9):
        self.method, self.rtol, self.atol = method, rtol, atol

    def integrate(self, f, t0: float, t1: float, y0: np.ndarray, save_times: np.ndarray):
        """States at ``save_times``, shaped (len(save_times), *y0.shape)."""
        from scipy.integrate import solve_ivp  # 0.4 s to import: only for adaptive runs
        shape = y0.shape

        def rhs(t, flat):
            return np.asarray(f(t, flat.reshape(shape), False)).ravel()

        solution = solve_ivp(rhs, (t0, t1), y0.ravel(), method=self.method,
                             t_eval=save_times, rtol=self.rtol, atol=self.atol)
        if not solution.success:
            raise SimulationError(f"the adaptive solver ({self.method}) failed: "
                                  f"{solution.message}; try method='rk4' with a small dt")
        return solution.y.T.reshape((len(save_times),) + shape)
