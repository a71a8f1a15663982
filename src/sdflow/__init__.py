"""sdflow: system dynamics models in plain Python, simulated fast and in batches.

>>> import sdflow as sf
>>> m = sf.Model("bass", start=0, stop=20, dt=0.125, time_units="year")
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

from .compile import CompiledModel, compile_model
from .dsl.allocation import allocate_by_priority
from .dsl import (Aux, Const, Data, Dimension, Distribution, Expr, Flow, Lookup, Model, Stock,
                  Variable, lognormal, normal, triangular, truncnormal, uniform)
from .dsl import functions as _functions
from .dsl.functions import *  # noqa: F401,F403 - sf.exp, sf.step...: generated
from .dsl.random_draws import (random_beta, random_binomial, random_exponential,
                               random_gamma, random_negative_binomial, random_normal,
                               random_poisson, random_triangular, random_uniform,
                               random_weibull)
from .dsl.stateful import (delay1, delay1i, delay3, delay3i, delay_fixed, delay_n, forecast,
                           initial, smooth, smooth3, smooth3i, smooth_n, smoothi, trend)
from .errors import (AlgebraicLoopError, DataError, DelayOrderError, DelayTimeError,
                     DimensionError, DistributionError, DuplicateNameError,
                     ExpressionTruthError, MissingBackendError, MissingDependencyError,
                     MissingInitialValueError, ModelCheckError, ModelError, OptionError,
                     ParameterError, ResourceError, ResultsExportError, SdflowError, SeedError,
                     SimulationError, SpecError, TimeConstantWarning, TimeSettingsError,
                     UnitError, UnknownNameError, UnsupportedBackendError)
from .ir import CheckReport, ModelGraph
from .io import read_vensim, read_xmile
from .solve import Results, simulate
from .solve.options import RunOptions

__version__ = "0.1.0"

__all__ = [
    "AlgebraicLoopError", "Aux", "CheckReport", "CompiledModel", "Const", "Data", "DataError",
    "DelayOrderError", "DelayTimeError", "Dimension", "DimensionError", "Distribution",
    "DistributionError", "DuplicateNameError", "Expr", "ExpressionTruthError", "Flow",
    "Lookup", "MissingBackendError", "MissingDependencyError", "MissingInitialValueError",
    "Model", "ModelCheckError", "ModelError", "ModelGraph", "OptionError", "ParameterError",
    "ResourceError", "Results", "ResultsExportError", "RunOptions", "SdflowError", "SeedError",
    "SimulationError", "SpecError", "Stock", "TimeConstantWarning", "TimeSettingsError",
    "UnitError", "UnknownNameError", "UnsupportedBackendError", "Variable",
    "allocate_by_priority", "compile_model",
    "delay1", "delay1i", "delay3", "delay3i", "delay_fixed", "delay_n", "diagram",
    "dominant_loops", "forecast", "initial", "lognormal", "loop_scores", "loops", "normal",
    "precompile",
    "random_beta", "random_binomial", "random_exponential", "random_gamma",
    "random_negative_binomial", "random_normal", "random_poisson", "random_triangular",
    "random_uniform", "random_weibull", "read_vensim", "read_xmile",
    "simulate", "smooth", "smooth3", "smooth3i", "smooth_n", "smoothi", "trend",
    "triangular", "truncnormal", "uniform", "write_xmile",
]
__all__ += _functions.__all__  # one function per builtin of the registry (sdflow.expr.builtins)
__all__.sort()

#: Public names whose modules load on first use: loop analysis, diagrams and the XMILE
#: writer (a dozen modules) and the numba backend are not needed to build, read, run and
#: inspect a model.
_LAZY = {"diagram": "analyse", "dominant_loops": "analyse", "loop_scores": "analyse",
         "loops": "analyse", "write_xmile": "io.xmile_writer", "analyse": None,
         "precompile": "solve.ahead"}

if TYPE_CHECKING:  # static analysers see the lazy names as the imports they stand for
    from . import analyse  # noqa: F401 - sf.analyse, as when it was imported eagerly
    from .analyse import diagram, dominant_loops, loop_scores, loops
    from .io.xmile_writer import write_xmile
    from .solve.ahead import precompile
else:  # hidden from analysers, which would take any misspelt name for a lazy one
    def __getattr__(name: str):
        """``sf.loops``, ``sf.diagram``... import their module when first asked for."""
        if name not in _LAZY:
            raise AttributeError(f"module 'sdflow' has no attribute {name!r}")
        if _LAZY[name] is None:  # the subpackage itself, as when it was imported eagerly
            return _import_module(f".{name}", __name__)
        value = getattr(_import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # found directly from now on
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
