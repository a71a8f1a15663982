"""The generated whole-run loop of the scalar path (`sdflow.compile.fused`).

Expected numbers: the general time loop (``evaluate`` called once per step), which the
fused loop must reproduce bit for bit for every tableau, and the closed-form Euler solution
of exponential decay, ``x_k = x_0 (1 - k dt)^k``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import sdflow as sf
from sdflow.compile import compile_model
from sdflow.solve.grid import TimeGrid
from sdflow.solve.simulate import _Run
from sdflow.solve.solvers import RK4, ButcherTableau, Euler, ExplicitRungeKutta, Heun


def builtins_model() -> sf.Model:
    m = sf.Model("mixed", start=0, stop=12, dt=0.25)
    k = m.const("k", 0.3)
    s = m.aux("s", sf.step(2, 3) + sf.ramp(0.5, 2, 6))
    table = m.lookup("effect", x=[0, 2, 5], y=[1, 0.5, 0.2])
    x = m.stock("x", initial=sf.initial(s + 4))
    m.flow("out", k * x * table(m.time / 2), source=x)
    m.aux("seen", sf.smooth(s, 2))
    m.aux("flag", x > 3)
    return m


def saved_by_both_loops(model, params=()):
    compiled = compile_model(model.graph(), params=params, scalar=True)
    assert compiled.fused_loop(Euler.tableau) is not None
    values = {key: np.full((1,), 0.35) for key in compiled.params}
    P = compiled.parameter_matrix(values, 1)
    fused = _Run(compiled, P, 1, 0.0, 12.0, 0.25, 0.5, "raise").fixed(Euler())[1]
    compiled.fused = False  # the general loop, one evaluate call per step
    general = _Run(compiled, P, 1, 0.0, 12.0, 0.25, 0.5, "raise").fixed(Euler())[1]
    return fused, general


@pytest.mark.parametrize("params", [(), ("k",)])
def test_fused_loop_is_bit_identical_to_the_general_loop(params):
    fused, general = saved_by_both_loops(builtins_model(), params)
    assert fused.keys() == general.keys()
    for key in fused:
        np.testing.assert_array_equal(fused[key], general[key], err_msg=key)


def test_fused_loop_matches_closed_form_euler_decay():
    m = sf.Model("decay", start=0, stop=10, dt=0.5)
    x = m.stock("x", initial=100.0)
    m.flow("outflow", 0.1 * x, source=x)
    run = m.simulate()
    assert m.compile().fused_loop(Euler.tableau) is not None
    np.testing.assert_allclose(run["x"].values, 100 * 0.95 ** np.arange(21), rtol=1e-12)


def test_non_finite_values_still_name_the_variable():
    m = sf.Model("blowup", start=0, stop=4, dt=1)
    x = m.stock("x", initial=1.0)
    m.flow("grow", 1 / (2 - m.time), sink=x)  # 1/0 at t = 2
    with pytest.raises(sf.SimulationError, match="grow"):
        m.simulate()


def test_stock_with_one_initial_number_over_two_dimensions():
    # the stock starts at one number but varies over region x partner: sums over partner
    # must count every partner (3 x 0.5), not one
    m = sf.Model("grid", start=0, stop=1, dt=0.5)
    region = m.dim("region", ["a", "b", "c"])
    partner = m.dim("partner", ["a", "b", "c"])
    trust = m.stock("trust", initial=0.5, dims=[region, partner])
    held = m.aux("held", sf.sum(trust, over=partner), dims=[region])
    m.flow("decay", trust * 0.1, source=trust, dims=[region, partner])
    fund = m.stock("fund", initial=0)
    m.flow("pay", 1 + sf.sum(held, over=region) * 0, sink=fund)
    run = m.simulate()
    np.testing.assert_allclose(run["held"].values[0], [1.5, 1.5, 1.5])
    np.testing.assert_allclose(run["held"].values[-1], 1.5 * 0.95 ** 2)
    np.testing.assert_allclose(run["fund"].values, [0, 0.5, 1.0])


class Kutta3(ExplicitRungeKutta):
    """Kutta's 3rd-order method (Butcher 2016, section 233): a negative coefficient and
    weights that are not unit fractions, defined here only as a tableau."""

    tableau = ButcherTableau("kutta3", 3, a=((), (Fraction(1, 2),), (-1, 2)),
                             b=(Fraction(1, 6), Fraction(2, 3), Fraction(1, 6)))


@pytest.mark.parametrize("solver", [Heun, RK4, Kutta3])
def test_fused_loop_of_every_tableau_is_bit_identical_to_the_general_loop(solver):
    """STEP and RAMP are held over the step in both loops (Vensim's rule for RK)."""
    compiled = compile_model(builtins_model().graph(), params=("k",), scalar=True)
    P = compiled.parameter_matrix({"k": np.full((1,), 0.35)}, 1)
    assert compiled.fused_loop(solver.tableau) is not None
    fused = _Run(compiled, P, 1, 0.0, 12.0, 0.25, 0.5, "raise").fixed(solver())[1]
    compiled.fused = False
    general = _Run(compiled, P, 1, 0.0, 12.0, 0.25, 0.5, "raise").fixed(solver())[1]
    for key in general:
        np.testing.assert_array_equal(fused[key], general[key], err_msg=key)
    assert "def run_fixed(" in compiled.source


def test_fused_loop_follows_a_grid_of_varying_steps():
    """The grid's own times and step sizes, not ``start + k dt``: the steps of
    ``dt = 0.5 then 0.25`` reach 3 in 8 steps, and Euler decay multiplies x by
    ``1 - 0.1 dt`` at each (closed form of the Euler recurrence)."""
    m = sf.Model("decay", start=0, stop=3, dt=0.5)
    x = m.stock("x", initial=1.0)
    m.flow("out", 0.1 * x, source=x)
    compiled = compile_model(m.graph(), scalar=True)
    grid = TimeGrid(np.array([0, 0.5, 1, 1.25, 1.5, 1.75, 2, 2.5, 3.0]),
                    np.array([0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5]),
                    np.array([True, False, True, False, False, False, True, False, True]))
    run = _Run(compiled, compiled.parameter_matrix({}, 1), 1, None, None, None, None,
               "raise", grid=grid)
    times, saved, _ = run.fixed(Euler())
    factors = np.cumprod([1.0] + [1 - 0.1 * h for h in grid.dts[:-1]])[grid.save]
    np.testing.assert_allclose(saved["x"][:, 0], factors, rtol=1e-15)
    np.testing.assert_array_equal(times, [0, 1, 2, 3])
