"""The generated whole-run Euler loop of the scalar path (`sdflow.compile.fused`).

Expected numbers: the general time loop (``evaluate`` called once per step), which the
fused loop must reproduce bit for bit, and the closed-form Euler solution of exponential
decay, ``x_k = x_0 (1 - k dt)^k``.
"""

from __future__ import annotations

import numpy as np
import pytest

import sdflow as sf
from sdflow.compile import compile_model
from sdflow.solve.simulate import _Run
from sdflow.solve.solvers import Euler


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
