"""`RunOptions`: how to run a model, checked when the options are made.

Settings are a small frozen object validated when made (as diffrax's ``SaveAt``), not
loose keyword strings checked deep inside a run: a misspelt method or backend fails where
it was written, with the option, the value and the choices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from numbers import Real
from typing import Sequence

from ..compile.numba_warm import numba_installed
from ..errors import MissingBackendError, OptionError
from .solvers import SOLVERS

#: ``on_error`` values: raise on the first NaN/inf, or mark the failing runs and go on.
ON_ERROR = ("raise", "mark")
#: ``backend`` values (see `simulate`).
BACKENDS = ("auto", "batched", "scalar", "numba")


@dataclass(frozen=True)
class RunOptions:
    """Options of one call to `simulate` (see there for what each does).

    Made from `simulate`'s keyword arguments, or passed whole as ``options=``. Each
    option is checked when the object is made: an unknown value raises `OptionError`
    naming the option, the value and the choices; ``backend="numba"`` without numba
    installed raises `MissingBackendError`. The time settings (``start``, ``stop``,
    ``dt``, ``saveper``) are checked against the model's when a run starts.

    Examples
    --------
    >>> import sdflow as sf
    >>> options = RunOptions(method="rk4", variables=["x"])
    >>> options.method, options.variables
    ('rk4', ('x',))
    >>> RunOptions(method="rk5")
    Traceback (most recent call last):
    ...
    sdflow.errors.OptionError: method='rk5' is not an integration method; choose one of \
['euler', 'heun', 'rk4', 'rk45']
    >>> m = sf.Model("decay", start=0, stop=1, dt=0.5)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", 0.5 * x, source=x)
    >>> # two RK4 steps of x' = -x/2: (1 - h + h**2/2 - h**3/6 + h**4/24)**2 with h = 0.25
    >>> round(float(m.simulate(options=options)["x"][-1]), 6)
    0.606543
    """

    method: str = "euler"
    saveper: float | None = None
    variables: Sequence[str] | None = None
    seed: int | None = None
    on_error: str = "raise"
    start: float | None = None
    stop: float | None = None
    dt: float | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    backend: str = "auto"

    def __post_init__(self):
        _choose("method", self.method, sorted(SOLVERS), "an integration method")
        _choose("on_error", self.on_error, ON_ERROR, "a way to handle NaN or inf")
        _choose("backend", self.backend, BACKENDS, "a backend")
        if self.backend == "numba" and not numba_installed():
            raise MissingBackendError(
                "backend='numba' needs the optional package numba: pip install numba (or "
                "pip install 'sdflow[numba]'), or use backend='auto'", "backend", "numba")
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) \
                    or not math.isfinite(value) or value <= 0:
                raise OptionError(f"{name}={value!r} must be a positive number, e.g. "
                                  f"{name}={getattr(RunOptions, name)!r}", name, value)
        variables = self.variables
        if variables is not None:
            names = (variables,) if isinstance(variables, str) else tuple(variables)
            wrong = [v for v in names if not isinstance(v, str)]
            if wrong:
                raise OptionError(f"variables={variables!r} must be names of variables, "
                                  f"but {wrong[0]!r} is not a string", "variables", variables)
            object.__setattr__(self, "variables", names)


def _choose(option: str, value, choices: Sequence[str], what: str) -> None:
    if not isinstance(value, str) or value not in choices:
        raise OptionError(f"{option}={value!r} is not {what}; choose one of {list(choices)}",
                          option, value)


_DEFAULTS = {f.name: f.default for f in fields(RunOptions)}


def run_options(options: RunOptions | None = None, **keywords) -> RunOptions:
    """The options of a call: ``options`` with the keywords that differ from the defaults
    put in, or the keywords alone.

    Examples
    --------
    >>> run_options(RunOptions(method="rk4"), method="euler", backend="batched").backend
    'batched'
    >>> run_options(RunOptions(method="rk4"), method="euler").method  # the default: kept
    'rk4'
    """
    if options is None:
        return RunOptions(**keywords)
    if not isinstance(options, RunOptions):
        raise OptionError(f"options={options!r} must be a RunOptions, e.g. "
                          "sf.RunOptions(method='rk4')", "options", options)
    changed = {name: value for name, value in keywords.items()
               if not _is_default(value, _DEFAULTS[name])}
    return replace(options, **changed) if changed else options


def _is_default(value, default) -> bool:
    if value is default:
        return True
    return isinstance(value, (str, float, int)) and type(value) is type(default) \
        and value == default
