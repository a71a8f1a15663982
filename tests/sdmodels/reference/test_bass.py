"""Tests of `sdmodels.reference.bass`.

Expected numbers: the closed-form solution of the Bass model (Bass 1969, Management
Science 15(5):215-227, eq. 8 with F(0) = 0),
A(t) = N (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}), and its adoption peak at
t* = ln(q/p) / (p+q).
"""

import numpy as np

from sdmodels.reference import bass

P, Q, N = 0.03, 0.38, 1e6  # the build() defaults


def closed_form(t, p=P, q=Q, n=N):
    decay = np.exp(-(p + q) * t)
    return n * (1 - decay) / (1 + q / p * decay)


def test_checks_clean():
    report = bass.build().check()
    assert report.ok and report.warnings == []


def test_rk4_matches_the_closed_form():
    run = bass.build().simulate(method="rk4")
    t = run.dataset["time"].values
    # RK4's global error at dt = 1/16 year is ~1e-10 of the market.
    np.testing.assert_allclose(run["adopters"].values, closed_form(t), rtol=1e-8,
                               atol=1e-9 * N)
    np.testing.assert_allclose(run["potential adopters"].values, N - closed_form(t),
                               rtol=1e-8, atol=1e-9 * N)


def test_closed_form_holds_for_other_coefficients():
    run = bass.build(innovation=0.01, imitation=0.6, market_size=5e4).simulate(method="rk4")
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["adopters"].values, closed_form(t, 0.01, 0.6, 5e4),
                               rtol=1e-7, atol=1e-9 * 5e4)


def test_euler_converges_at_first_order():
    # Halving dt halves Euler's error against the closed form.
    errors = []
    for dt in (0.0625, 0.03125):
        run = bass.build(dt=dt).simulate(method="euler")
        errors.append(abs(float(run["adopters"][-1]) - closed_form(20.0)))
    assert 1.8 < errors[0] / errors[1] < 2.2


def test_adoption_peaks_at_the_analytic_time():
    run = bass.build(dt=0.0078125).simulate(method="rk4")
    peak = float(run.dataset["time"][int(np.argmax(run["adoption"].values))])
    assert abs(peak - np.log(Q / P) / (P + Q)) <= 0.0078125
