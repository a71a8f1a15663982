"""Explicit Runge-Kutta methods as data: Butcher tableaux with exact fractions."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class ButcherTableau:
    """The coefficients of an explicit Runge-Kutta method.

    Stage ``i`` evaluates the derivative at ``t + c[i] dt`` and
    ``y + dt * sum(a[i][j] k[j] for j < i)``; the step returns
    ``y + dt * sum(b[j] k[j])``. Coefficients are exact fractions so that every backend
    (the numpy loop, the scalar loop, generated code) scales ``dt`` by them the same way,
    ``dt * numerator / denominator`` (`scale`): ``dt / 6`` and ``dt * (1 / 6)`` differ in
    the last bit.

    Examples
    --------
    >>> heun = ButcherTableau("heun", 2, a=((), (1,)), b=(Fraction(1, 2), Fraction(1, 2)))
    >>> heun.stages, heun.c
    (2, (Fraction(0, 1), Fraction(1, 1)))
    """

    name: str
    order: int
    a: tuple[tuple[Fraction, ...], ...]
    b: tuple[Fraction, ...]

    def __post_init__(self):
        a = tuple(tuple(Fraction(x) for x in row) for row in self.a)
        if len(a) != len(self.b) or any(len(row) != i for i, row in enumerate(a)):
            raise ValueError(f"tableau {self.name!r}: row i of a needs i entries (explicit "
                             f"method) and b one weight per stage")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", tuple(Fraction(x) for x in self.b))

    @property
    def stages(self) -> int:
        return len(self.b)

    @property
    def c(self) -> tuple[Fraction, ...]:
        """Stage times as fractions of the step: the row sums of ``a``."""
        return tuple(sum(row, Fraction(0)) for row in self.a)

    # generated loops (`sdflow.compile.grid_loop`) reach these through the tableau they
    # are handed, so the one rule of scaling stays here
    @staticmethod
    def scale(dt: float, coefficient: Fraction) -> float:
        return scale(dt, coefficient)

    @staticmethod
    def scale_source(dt: str, coefficient: Fraction) -> str:
        return scale_source(dt, coefficient)


def scale(dt: float, coefficient: Fraction) -> float:
    """``dt`` times ``coefficient``, as every backend computes it.

    Examples
    --------
    >>> scale(0.3, Fraction(1, 6)) == 0.3 / 6, scale(0.3, Fraction(1)) == 0.3
    (True, True)
    """
    if coefficient == 1:
        return dt
    return dt * coefficient.numerator / coefficient.denominator


def scale_source(dt: str, coefficient: Fraction) -> str:
    """`scale` as Python source, for generated loops.

    Examples
    --------
    >>> scale_source("dt", Fraction(1, 6)), scale_source("dt", Fraction(2, 3))
    ('dt / 6', 'dt * 2 / 3')
    """
    if coefficient == 1:
        return dt
    if coefficient.numerator == 1:
        return f"{dt} / {coefficient.denominator}"
    return f"{dt} * {coefficient.numerator} / {coefficient.denominator}"
