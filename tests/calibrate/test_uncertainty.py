"""Uncertainty against closed forms: a straight line is ordinary least squares.

A stock starting at ``a`` with a constant inflow ``b`` is ``x(t) = a + b (t - 2000)`` under
Euler, so its Jacobian intervals must equal textbook OLS standard errors
``s^2 (X^T X)^-1`` computed here with numpy; and a model whose parameters enter only as a
product must be flagged as not identifiable.
"""

from pathlib import Path

import numpy as np
import pytest

import sdflow as sf
from sdflow.calibrate import CalibrationSpec, ParameterSpec, SeriesSpec, calibrate
from sdflow.calibrate.metrics import fit_statistics


def line_model(product=False):
    m = sf.Model("line", start=2000, stop=2020, dt=1.0)
    a = m.const("a", 1.0)
    b = m.const("b", 0.5)
    c = m.const("c", 1.0)
    x = m.stock("x", initial=a)
    m.flow("inflow", b * c if product else b, sink=x)
    return m


def data(tmp_path):
    t = np.arange(2000, 2021)
    y = 3.0 + 0.7 * (t - 2000) + np.random.default_rng(5).normal(0, 0.5, len(t))
    path = Path(tmp_path) / "line.csv"
    path.write_text("year,x\n" + "".join(f"{ti},{yi:.10f}\n" for ti, yi in zip(t, y)))
    return t, y, path


def test_wald_intervals_equal_ordinary_least_squares(tmp_path):
    t, y, path = data(tmp_path)
    result = calibrate(CalibrationSpec(
        "line", line_model(), [SeriesSpec("x", path, "x", value="x")],
        [ParameterSpec("a", (-10, 10)), ParameterSpec("b", (-5, 5))], profile_points=5))
    X = np.column_stack([np.ones_like(t), t - 2000.0])
    beta, sse, *_ = np.linalg.lstsq(X, y, rcond=None)
    cov = sse[0] / (len(t) - 2) * np.linalg.inv(X.T @ X)
    np.testing.assert_allclose(result.x, beta, rtol=1e-6)
    np.testing.assert_allclose(result.wald["se"], np.sqrt(np.diag(cov)), rtol=1e-4)
    np.testing.assert_allclose(result.wald["corr"][0, 1],
                               cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]), rtol=1e-4)
    # Profile intervals of a linear model: symmetric, close to the Wald ones (chi2 vs t).
    for j, label in enumerate(("a", "b")):
        lo, hi = result.intervals[label]["profile"]
        wlo, whi = result.intervals[label]["wald"]
        assert hi - result.x[j] == pytest.approx(result.x[j] - lo, rel=0.02)
        assert (hi - lo) == pytest.approx(whi - wlo, rel=0.1)


def test_parameters_entering_as_a_product_are_flagged(tmp_path):
    t, y, path = data(tmp_path)
    result = calibrate(CalibrationSpec(
        "product", line_model(product=True), [SeriesSpec("x", path, "x", value="x")],
        [ParameterSpec("a", (-10, 10)), ParameterSpec("b", (0.1, 5)),
         ParameterSpec("c", (0.1, 5))], profile=False))
    assert any("near-singular" in f for f in result.flags["b"])
    assert any("near-singular" in f for f in result.flags["c"])
    slope = np.polyfit(t - 2000.0, y, 1)[0]
    assert result.x[1] * result.x[2] == pytest.approx(slope, rel=1e-4)   # only b c is known
    assert not any("near-singular" in f for f in result.flags["a"])


def test_theil_statistics_by_hand():
    # sim = obs + 1: all error is bias, so U_M = 1; MAPE = mean(1/obs)
    s = fit_statistics([2.0, 3.0, 5.0], [1.0, 2.0, 4.0])
    assert (s["U_M"], s["U_S"], s["U_C"]) == pytest.approx((1.0, 0.0, 0.0), abs=1e-12)
    assert s["MAPE"] == pytest.approx(100 * (1 + 0.5 + 0.25) / 3)
    assert s["R2"] == pytest.approx(1 - 3 / (14 / 3))


def test_a_flat_side_of_the_profile_leaves_the_other_side_its_points(tmp_path):
    # x' = -max(k, floor) x: below the floor k changes nothing, so the profile is flat
    # down to the far lower bound; above the estimate the data bound k sharply. The
    # upper limit cannot depend on the floor, so it must equal that of the same fit
    # without one. (The flat side used to take the whole grid budget, leaving the upper
    # side without points: "flat to both bounds: not identifiable".)
    def decay(floor):
        m = sf.Model("floor", start=0, stop=10, dt=0.25)
        k = m.const("k", 0.3)
        x = m.stock("x", initial=1.0)
        m.flow("out", sf.max(k, floor) * x, source=x)
        return m

    t = np.arange(1, 11)
    y = np.exp(-0.3 * t) * np.exp(0.1 * np.random.default_rng(0).standard_normal(10))
    path = tmp_path / "x.csv"
    path.write_text("year,x\n" + "".join(f"{a},{float(b)!r}\n" for a, b in zip(t, y)))

    def fit(floor):
        return calibrate(CalibrationSpec(
            "floor", decay(floor), [SeriesSpec("x", path, "x", value="x")],
            [ParameterSpec("k", (-100.0, 1.0))], payoff="lognormal", profile_points=3))

    floored, free = fit(0.285), fit(0.0)
    lower, upper = floored.intervals["k"]["profile"]
    assert lower is None and upper == pytest.approx(free.intervals["k"]["profile"][1])
    assert floored.flags["k"] == ["profile likelihood open on the lower side (no 95% limit "
                                  "within the bounds)"]
