"""One explicit Runge-Kutta stepper that reads a Butcher tableau."""

from __future__ import annotations

from .tableau import ButcherTableau, scale


class ExplicitRungeKutta:
    """Advances the state by one step of the method its ``tableau`` describes.

    Subclasses only name a tableau (`Euler`, `Heun`, `RK4`). A zero coefficient adds no
    term, so the arithmetic, term by term and in order, is that of the method written out
    by hand.
    """

    tableau: ButcherTableau

    @property
    def name(self) -> str:
        return self.tableau.name

    @property
    def order(self) -> int:
        return self.tableau.order

    def step(self, f, t, y, dt, dy, combine):
        tableau = self.tableau
        k = [dy]
        for row, c in zip(tableau.a[1:], tableau.c[1:]):
            terms = [(scale(dt, a), k[j]) for j, a in enumerate(row) if a]
            k.append(f(t + scale(dt, c), combine(y, terms), False))
        return combine(y, [(scale(dt, b), k[j]) for j, b in enumerate(tableau.b) if b])
