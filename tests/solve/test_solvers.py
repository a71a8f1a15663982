"""The integration methods of `sdflow.solve.solvers`: Butcher tableaux run by one stepper.

Expected numbers: the order conditions of explicit Runge-Kutta methods (Butcher 2016,
"Numerical Methods for Ordinary Differential Equations", section 31: sum b = 1, sum b c
= 1/2, sum b c^2 = 1/3, ...), the classical RK4 and Heun formulas written out by hand, and
the closed-form logistic solution ``x(t) = K / (1 + (K / x0 - 1) exp(-r t))``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import sdflow as sf
from sdflow.solve.solvers import (EULER, HEUN, RK4_TABLEAU, ButcherTableau, Euler,
                                  ExplicitRungeKutta, Heun, RK4, SOLVERS)
from sdflow.solve.solvers.base import combine_arrays, combine_floats


@pytest.mark.parametrize("tableau", [EULER, HEUN, RK4_TABLEAU])
def test_tableaux_meet_the_order_conditions_of_their_order(tableau):
    b, c, a = tableau.b, tableau.c, tableau.a
    conditions = [sum(b) == 1,
                  sum(bi * ci for bi, ci in zip(b, c)) == Fraction(1, 2),
                  sum(bi * ci ** 2 for bi, ci in zip(b, c)) == Fraction(1, 3),
                  sum(b[i] * a[i][j] * c[j] for i in range(len(b)) for j in range(i))
                  == Fraction(1, 6)]
    order = tableau.order
    assert all(conditions[:min(order, 2)])
    if order == 4:
        assert all(conditions)
    else:  # and no higher order than claimed
        assert not conditions[order]


def test_a_tableau_that_is_not_explicit_is_refused():
    with pytest.raises(ValueError, match="row i of a needs i entries"):
        ButcherTableau("implicit", 2, a=((1,), (0, 1)), b=(Fraction(1, 2), Fraction(1, 2)))


def derivative(t, y, commit):
    return np.sin(t) * y - 0.3 * y ** 2


@pytest.mark.parametrize("y0", [np.array([[0.7, 1.3]]), [0.7, 1.3]])
def test_rk4_and_heun_steps_are_the_hand_written_formulas_to_the_last_bit(y0):
    """The stepper adds the same terms in the same order as the formulas written out."""
    arrays = isinstance(y0, np.ndarray)
    combine = combine_arrays if arrays else combine_floats

    def f(t, y, commit):
        if arrays:
            return derivative(t, y, commit)
        return [float(v) for v in derivative(t, np.array(y), commit)]

    t, dt = 0.4, 0.3
    k1 = f(t, y0, True)
    k2 = f(t + dt / 2, combine(y0, [(dt / 2, k1)]), False)
    k3 = f(t + dt / 2, combine(y0, [(dt / 2, k2)]), False)
    k4 = f(t + dt, combine(y0, [(dt, k3)]), False)
    rk4 = combine(y0, [(dt / 6, k1), (dt / 3, k2), (dt / 3, k3), (dt / 6, k4)])
    np.testing.assert_array_equal(RK4().step(f, t, y0, dt, k1, combine), rk4)
    heun = combine(y0, [(dt / 2, k1), (dt / 2, f(t + dt, combine(y0, [(dt, k1)]), False))])
    np.testing.assert_array_equal(Heun().step(f, t, y0, dt, k1, combine), heun)
    np.testing.assert_array_equal(Euler().step(f, t, y0, dt, k1, combine),
                                  combine(y0, [(dt, k1)]))


def test_every_fixed_step_method_is_the_one_stepper():
    for name in ("euler", "heun", "rk4"):
        solver = SOLVERS[name]()
        assert isinstance(solver, ExplicitRungeKutta) and solver.name == name


def logistic(dt: float) -> sf.Model:
    m = sf.Model("logistic", start=0, stop=8, dt=dt)
    x = m.stock("x", initial=5.0)
    m.flow("growth", 0.8 * x * (1 - x / 100.0), sink=x)
    return m


def logistic_exact(t):
    return 100.0 / (1 + (100.0 / 5.0 - 1) * np.exp(-0.8 * t))


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_heun_is_second_order(backend):
    """Halving dt divides Heun's error by about 2^2 = 4 (Euler's by 2, RK4's by 16)."""
    errors = []
    for dt in (0.125, 0.0625, 0.03125, 0.015625):
        run = logistic(dt).simulate(method="heun", saveper=0.5, backend=backend)
        t = run.dataset["time"].values
        errors.append(np.max(np.abs(run["x"].values - logistic_exact(t))))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    np.testing.assert_allclose(ratios, 4.0, rtol=0.1)
    assert run.dataset.attrs["method"] == "heun"


def test_heun_single_run_is_the_same_on_the_scalar_and_batched_paths():
    model = logistic(0.25)
    scalar = model.simulate(method="heun", backend="scalar")["x"].values
    batched = model.simulate(method="heun", backend="batched")["x"].values
    np.testing.assert_array_equal(scalar, batched)
