"""Errors raised while importing a Vensim or XMILE model."""

from __future__ import annotations

from ..errors import ModelError


class ImportModelError(ModelError):
    """A model file cannot be imported: the message names the file, variable and problem.

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
    """The model uses a function or construct sdflow cannot reproduce exactly."""


class UnitsDroppedWarning(UserWarning):
    """An imported model's unit text fails sdflow's unit check, so the model is kept
    without units (it still runs exactly as before)."""
