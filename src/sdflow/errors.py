"""One exception hierarchy for everything sdflow raises on purpose.

Every message names the culprit (variable, dimension, file, column) and says how to fix it.
"""

from __future__ import annotations


class SdflowError(Exception):
    """Base class of all errors raised by sdflow."""


class ModelError(SdflowError):
    """A problem with a model's structure, found before or during a run."""

    def __init__(self, message: str, variables: tuple[str, ...] = ()):
        super().__init__(message)
        self.variables = tuple(variables)


class UnknownNameError(ModelError):
    """An equation refers to a name the model does not define."""


class DuplicateNameError(ModelError):
    """Two variables (or dimensions) share one name."""


class AlgebraicLoopError(ModelError):
    """Variables depend on each other in a cycle that passes through no stock."""


class MissingInitialValueError(ModelError):
    """A stock has no initial value."""


class DimensionError(ModelError):
    """Dimensions of an expression and of its variable do not fit together."""


class UnitError(ModelError):
    """Units of two sides of an equation disagree."""


class TimeSettingsError(ModelError, ValueError):
    """Bad ``dt``, ``saveper``, ``start`` or ``stop``."""


class DelayTimeError(ModelError, ValueError):
    """A smooth or delay time is zero or negative."""


class DelayOrderError(ModelError, ValueError):
    """The order of a DELAY N or SMOOTH N is not a whole number of at least 1."""


class TimeConstantWarning(UserWarning):
    """A first-order smooth or delay stage is shorter than ``dt``: Euler overshoots."""


class ExpressionTruthError(ModelError, TypeError):
    """A model expression was used where Python needs ``True`` or ``False``."""


class ModelCheckError(ModelError):
    """Several problems at once; ``errors`` holds each of them."""

    def __init__(self, errors: list[ModelError]):
        lines = [f"the model has {len(errors)} problems:"]
        lines += [f"  {i}. {e}" for i, e in enumerate(errors, 1)]
        names = tuple(v for e in errors for v in e.variables)
        super().__init__("\n".join(lines), names)
        self.errors = list(errors)


class SimulationError(ModelError):
    """A run produced NaN or infinite values, or was asked for something it cannot do."""

    def __init__(self, message: str, variables: tuple[str, ...] = (), run: int | None = None,
                 time: float | None = None):
        super().__init__(message, variables)
        self.run = run
        self.time = time


class ResourceError(SimulationError, MemoryError):
    """A run would need more memory than the machine has; ``needed`` and ``available``
    hold the bytes."""

    def __init__(self, message: str, needed: int | None = None,
                 available: int | None = None):
        super().__init__(message)
        self.needed = needed
        self.available = available


class ParameterError(ModelError):
    """A parameter override names an unknown constant or has the wrong shape."""


class SeedError(ParameterError, ValueError):
    """A random seed that numpy's generators cannot take (negative, not a whole number)."""


class DataError(SdflowError):
    """Exogenous or observed data cannot be read or does not fit the model."""


class SpecError(SdflowError):
    """A calibration or scenario specification is invalid."""


class MissingDependencyError(SdflowError, ImportError):
    """An optional package needed for this feature is not installed; the message says
    which ``pip install "sdflow[extra]"`` brings it."""


class DistributionError(SdflowError, ValueError):
    """A distribution was given parameters that define no distribution (bounds in the
    wrong order, a spread that is not positive, NaN or infinity)."""


class ResultsExportError(SdflowError, ValueError):
    """Results cannot be exported as asked (e.g. which dimensions a table should have)."""


class ImportModelError(ModelError):
    """A Vensim or XMILE model file cannot be imported: the message names the file,
    variable and problem.

    Examples
    --------
    >>> str(ImportModelError("variable 'x': bad", "x", file="m.mdl"))
    "m.mdl: variable 'x': bad"
    """

    def __init__(self, message: str, variable: str | None = None, file=None):
        self.file = file
        self.message = message
        text = f"{file}: {message}" if file else message
        super().__init__(text, (variable,) if variable else ())

    def with_file(self, file) -> "ImportModelError":
        """The same error, naming ``file``."""
        if self.file:
            return self
        return type(self)(self.message, self.variables[0] if self.variables else None, file)


class UnsupportedFeatureError(ImportModelError):
    """An imported model uses a function or construct sdflow cannot reproduce exactly."""


class IncompleteModelError(ImportModelError):
    """A model file is incomplete as written, so no tool can run it: an equation is the
    placeholder ``???`` an exporting tool leaves where it could not convert the equation,
    or a call of a macro the file does not define. The fix is in the file (re-export it,
    or write the equation); the message names the file, the variable and what is missing.

    Examples
    --------
    >>> error = IncompleteModelError("variable 'x': has the equation '???'", "x")
    >>> isinstance(error, ImportModelError), error.variables
    (True, ('x',))
    """


class UnitsDroppedWarning(UserWarning):
    """An imported model's unit text fails sdflow's unit check, so the model is kept
    without units (it still runs exactly as before)."""


class ArgumentValueError(SdflowError, ValueError):
    """A value given from outside a Python call cannot be used: a command-line argument
    (a usage error, exit code 2) or a field of a request of the explorer page. The
    message names the argument or field and says what is accepted."""


class OptionError(ModelError, ValueError):
    """A run option (``method``, ``backend``, ``on_error``...) has a value it does not take.

    The message names the option, the value and the choices; ``option`` and ``value``
    hold the first two. A `ModelError`, as bad run settings always were.
    """

    def __init__(self, message: str, option: str = "", value: object = None):
        super().__init__(message)
        self.option, self.value = option, value


class MissingBackendError(MissingDependencyError, OptionError):
    """A run option asks for a backend whose optional package is not installed
    (``backend="numba"`` without numba): both a `MissingDependencyError` and an
    `OptionError`."""


class UnsupportedBackendError(ModelError):
    """A model uses something the backend asked for does not run (``backend="numba"`` and
    DELAY FIXED, ``allocate_by_priority``, RANDOM functions or more elements than it
    writes out). The message names the variable and the construct; ``variables`` holds the
    variable names. ``backend="auto"`` runs every model.
    """
