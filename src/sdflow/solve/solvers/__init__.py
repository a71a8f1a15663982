"""Integration methods behind one small protocol (see `base.FixedStepSolver`).

The fixed-step methods are Butcher tableaux (`tableau.ButcherTableau`) run by one stepper
(`runge_kutta.ExplicitRungeKutta`); adding one is adding a file with its tableau.
"""

from .base import FixedStepSolver
from .euler import EULER, Euler
from .heun import HEUN, Heun
from .rk4 import RK4, RK4_TABLEAU
from .runge_kutta import ExplicitRungeKutta
from .scipy_adaptive import ScipyAdaptive
from .tableau import ButcherTableau

#: Solvers by the name ``simulate(method=...)`` takes.
SOLVERS = {"euler": Euler, "heun": Heun, "rk4": RK4, "rk45": ScipyAdaptive}
#: The fixed-step methods among them, by name.
FIXED_STEP = {"euler": Euler, "heun": Heun, "rk4": RK4}

__all__ = ["EULER", "HEUN", "RK4_TABLEAU", "ButcherTableau", "Euler", "ExplicitRungeKutta",
           "FIXED_STEP", "FixedStepSolver", "Heun", "RK4", "SOLVERS", "ScipyAdaptive"]
