"""`CheckReport`: every problem found in a model, errors and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ModelCheckError, ModelError


@dataclass
class CheckReport:
    """The outcome of `Model.check`: ``errors`` (ModelError instances) and ``warnings``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", m.const("k", 2.0, units="person"), units="widget")
    >>> report = m.check(raise_on_error=False)
    >>> report.ok, [type(e).__name__ for e in report.errors], report.warnings
    (False, ['UnitError'], ["'y' is not used by any other variable"])
    >>> report.raise_errors()
    Traceback (most recent call last):
    ...
    sdflow.errors.UnitError: 'y': is declared in widget but its equation gives person; ...
    """

    model: str
    errors: list[ModelError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def raise_errors(self) -> None:
        """Raise the single error, or a `ModelCheckError` listing all of them."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ModelCheckError(self.errors)

    def __str__(self):
        lines = [f"model '{self.model}': {len(self.errors)} error(s), "
                 f"{len(self.warnings)} warning(s)"]
        lines += [f"  error: {e}" for e in self.errors]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)
