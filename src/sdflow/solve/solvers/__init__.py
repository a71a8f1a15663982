"""Integration methods behind one small protocol (see `base.FixedStepSolver`)."""

from .base import FixedStepSolver
from .euler import Euler
from .rk4 import RK4
from .scipy_adaptive import ScipyAdaptive

#: Solvers by the name ``simulate(method=...)`` takes.
SOLVERS = {"euler": Euler, "rk4": RK4, "rk45": ScipyAdaptive}

__all__ = ["Euler", "FixedStepSolver", "RK4", "SOLVERS", "ScipyAdaptive"]
