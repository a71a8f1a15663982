"""One explicit Runge-Kutta stepper that reads a Butcher tableau."""

from __future__ import annotations

from .tableau import ButcherTableau, scale


class ExplicitRungeKutta:
    """Advances the state by one step of the method its ``tableau`` describes.

    Subclasses only name a tableau (`Euler`, `Heun`, `RK4`). A zero coefficient adds no
    term, so the arithmetic, term by term and in order, is that of the method written out
    by hand.

    The tableau's exact fractions become floats once per step size (`scale`, the same
    numbers every step would compute): a batched run of a small model takes a few
    microseconds per stage, which summing fractions at every step used to double.

    Examples
    --------
    >>> from sdflow.solve.solvers import RK4
    >>> rk4 = RK4()
    >>> stages, final = rk4.plan(0.3)          # stage 2 at t + dt / 2 from y + dt / 2 k1
    >>> stages[0] == (0.3 / 2, ((0.3 / 2, 0),)), final[0] == (0.3 / 6, 0)
    (True, True)
    """

    tableau: ButcherTableau

    @property
    def name(self) -> str:
        return self.tableau.name

    @property
    def order(self) -> int:
        return self.tableau.order

    def plan(self, dt: float):
        """Per stage after the first ``(time offset, [(h, j), ...])`` and the final
        ``[(h, j), ...]``: every ``h`` is ``dt`` scaled by a nonzero coefficient, ``j``
        the stage it multiplies; kept for the last few step sizes."""
        plans = self.__dict__.setdefault("_plans", {})
        plan = plans.get(dt)
        if plan is None:
            tableau = self.tableau
            stages = tuple((scale(dt, c), tuple((scale(dt, a), j) for j, a in enumerate(row)
                                                if a))
                           for row, c in zip(tableau.a[1:], tableau.c[1:]))
            final = tuple((scale(dt, b), j) for j, b in enumerate(tableau.b) if b)
            if len(plans) > 16:  # a grid of varying steps: keep the memory bounded
                plans.clear()
            plan = plans[dt] = (stages, final)
        return plan

    def step(self, f, t, y, dt, dy, combine):
        stages, final = self.plan(dt)
        k = [dy]
        for offset, terms in stages:
            k.append(f(t + offset, combine(y, [(h, k[j]) for h, j in terms]), False))
        return combine(y, [(h, k[j]) for h, j in final])
