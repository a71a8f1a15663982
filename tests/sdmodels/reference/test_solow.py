"""Tests of `sdmodels.reference.solow`.

Expected numbers come from the Solow-Swan model solved by hand (Solow 1956; see e.g.
Barro & Sala-i-Martin, Economic Growth, 2nd ed., ch. 1): the steady state
k* = (s A / (n + delta))^(1/(1-alpha)); with Cobb-Douglas output the closed-form
transition k(t)^(1-alpha) = k*^(1-alpha) + (k0^(1-alpha) - k*^(1-alpha)) e^{-(1-alpha)(n+delta)t};
balanced growth at the rate n; and the golden rule s = alpha (Phelps 1961).
"""

import numpy as np
import pytest

from sdmodels.reference import solow

S, DELTA, N, ALPHA, A, K0, L0 = 0.2, 0.05, 0.01, 1 / 3, 1.0, 1.0, 100.0  # build() defaults
K_STAR = (S * A / (N + DELTA)) ** (1 / (1 - ALPHA))


def test_checks_clean():
    report = solow.build().check()
    assert report.ok and report.warnings == []


def test_transition_follows_the_cobb_douglas_closed_form():
    run = solow.build().simulate(method="rk4")
    t = run.dataset["time"].values
    rate = (1 - ALPHA) * (N + DELTA)
    z = K_STAR ** (1 - ALPHA) + (K0 ** (1 - ALPHA) - K_STAR ** (1 - ALPHA)) * np.exp(-rate * t)
    np.testing.assert_allclose(run["capital per worker"].values, z ** (1 / (1 - ALPHA)),
                               rtol=1e-9)


@pytest.mark.parametrize("k0", [0.5, 20.0])
def test_capital_per_worker_converges_to_the_steady_state(k0):
    run = solow.build(initial_capital_per_worker=k0, stop=500.0).simulate(method="rk4")
    k_end = float(run["capital per worker"][-1])
    assert abs(k_end / K_STAR - 1) < 1e-6
    y_end = float(run["output"][-1] / run["labour force"][-1])
    assert abs(y_end / (A * K_STAR ** ALPHA) - 1) < 1e-6


def test_output_is_cobb_douglas_in_capital_and_labour():
    run = solow.build().simulate(method="rk4")
    capital, labour = run["capital"].values, run["labour force"].values
    np.testing.assert_allclose(run["output"].values,
                               A * capital ** ALPHA * labour ** (1 - ALPHA), rtol=1e-12)
    np.testing.assert_allclose(labour, L0 * np.exp(N * run.dataset["time"].values),
                               rtol=1e-9)


def test_balanced_growth_at_the_labour_growth_rate():
    run = solow.build(stop=500.0).simulate(method="rk4", saveper=10.0)
    late = run.dataset.sel(time=[480.0, 490.0, 500.0])
    for name in ("output", "capital"):
        growth = np.diff(np.log(late[name].values)) / 10.0
        np.testing.assert_allclose(growth, N, rtol=1e-5)


def test_golden_rule_saving_rate_maximises_steady_consumption():
    rates = np.round(np.arange(0.10, 0.61, 0.01), 2)
    runs = solow.build(stop=500.0).simulate(params={"saving rate": rates}, method="rk4",
                                            saveper=50.0)
    final = runs.dataset.isel(time=-1)
    consumption = (1 - rates) * final["output"].values / final["labour force"].values
    assert rates[np.argmax(consumption)] == pytest.approx(0.33)  # nearest to alpha = 1/3
