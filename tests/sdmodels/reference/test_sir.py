"""Tests of `sdmodels.reference.sir`.

Expected numbers: the canonical Vensim output of the SDXorg test-models suite
(tests/data/reference/sir_output.csv), and two exact results of the continuous SIR model
(Kermack & McKendrick 1927): dS/dR = -R0 S / N, so S = S0 exp(-R0 R / N) along the whole
trajectory, and the final-size equation that follows from it when the infection dies out.
"""

import numpy as np
from scipy.optimize import brentq

from sdmodels.reference import sir

N, I0, C, D = 1000.0, 5.0, 0.3, 5.0  # the Vensim original's constants
R0 = C * D


def test_checks_clean():
    report = sir.build().check()
    assert report.ok and report.warnings == []


def test_matches_vensim_canonical_output(reference_data, matches_canonical):
    compared = matches_canonical(sir.build(), reference_data / "sir_output.csv")
    assert {"susceptible", "infectious", "recovered", "succumbing", "recovering"} <= set(
        compared)


def test_nobody_is_lost():
    # Flows only move people between stocks: S + I + R stays at its initial N + I0.
    run = sir.build().simulate(method="euler")
    total = run["susceptible"] + run["infectious"] + run["recovered"]
    np.testing.assert_allclose(total.values, N + I0, rtol=1e-12)


def test_susceptibles_follow_the_exact_invariant():
    run = sir.build().simulate(method="rk4")
    expected = N * np.exp(-R0 * run["recovered"].values / N)
    np.testing.assert_allclose(run["susceptible"].values, expected, rtol=1e-8)


def test_final_size_solves_the_final_size_equation():
    # With I -> 0, R_inf = N + I0 - S_inf and S_inf = N exp(-R0 R_inf / N).
    s_inf = brentq(lambda s: s - N * np.exp(-R0 * (N + I0 - s) / N), 1.0, N)
    run = sir.build(stop=400.0).simulate(method="rk4", saveper=1.0)
    assert float(run["infectious"][-1]) < 1e-6
    assert abs(float(run["susceptible"][-1]) / s_inf - 1) < 1e-7


def test_no_epidemic_below_the_threshold():
    # R0 = 0.1 * 5 < 1: each case causes fewer than one new case, so I only falls.
    run = sir.build(contact_infectivity=0.1).simulate(method="rk4")
    assert (np.diff(run["infectious"].values) < 0).all()
    peak = sir.build().simulate(method="rk4")["infectious"]
    assert float(peak.max()) > 10 * I0  # while R0 = 1.5 makes an outbreak
