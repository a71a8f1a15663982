"""Aligning simulated output with observations, for a batch of candidates.

Expected values: Euler integration of exponential growth ``x' = r x`` with step ``dt`` is
``x(t) = x0 (1 + r dt)^((t - t0) / dt)`` exactly, and the flow summed over a year equals the
stock's rise over that year.
"""

from pathlib import Path

import numpy as np
import pytest

import sdflow as sf
from sdflow import DataError, SpecError
from sdflow.calibrate.data import ObservedSeries
from sdflow.calibrate.problem import CalibrationProblem
from sdflow.calibrate.spec import ParameterSpec, SeriesSpec


def growth_model():
    m = sf.Model("growth", start=2000, stop=2010, dt=0.25, time_units="year")
    region = m.dim("region", ["A", "B"])
    rate = m.const("rate", [0.05, 0.10], dims=[region], units="1/year")
    x = m.stock("x", initial=m.const("x0", [1.0, 2.0], dims=[region], units="yuan"),
                dims=[region], units="yuan")
    m.flow("growth", rate * x, sink=x, dims=[region], units="yuan/year")
    return m


def obs(times, elements=("A", "B")):
    times = np.asarray(times, float)
    return ObservedSeries("s", times, np.ones((len(times), len(elements))), tuple(elements))


def exact(x0, r, t):
    return x0 * (1 + 0.25 * r) ** ((t - 2000) / 0.25)


def test_levels_sums_and_means_per_candidate():
    series = [(SeriesSpec("level", Path(), "x"), obs([2001, 2003])),
              (SeriesSpec("sum", Path(), "growth", measure="sum"), obs([2002], ("B",))),
              (SeriesSpec("mean", Path(), "growth", measure="mean", period=2.0),
               obs([2002], ("A",)))]
    params = [ParameterSpec("rate", (0, 1), element="A"), ParameterSpec("x0", (0, 5))]
    problem = CalibrationProblem(growth_model(), series, params)
    theta = np.array([[0.05, 1.0], [0.2, 3.0]])
    level, total, mean = problem.predict(theta)
    assert level.shape == (2, 2, 2) and total.shape == (2, 1, 1)
    for i, (rA, x0) in enumerate(theta):
        np.testing.assert_allclose(level[i, :, 0], exact(x0, rA, np.array([2001, 2003])))
        np.testing.assert_allclose(level[i, :, 1], exact(x0, 0.10, np.array([2001, 2003])))
        # "x0" without an element sets both regions; B keeps its rate 0.10
        assert total[i, 0, 0] == pytest.approx(exact(x0, 0.10, 2003) - exact(x0, 0.10, 2002))
        assert mean[i, 0, 0] == pytest.approx((exact(x0, rA, 2004) - exact(x0, rA, 2002)) / 2)
    assert problem.batches == 1 and problem.evaluations == 2
    assert problem.stop == 2004           # simulated only as far as the data need


def test_setup_errors_name_the_problem():
    m = growth_model()
    good = [(SeriesSpec("x", Path(), "x"), obs([2001]))]
    with pytest.raises(SpecError, match="'speed' is not a constant"):
        CalibrationProblem(m, good, [ParameterSpec("speed", (0, 1))])
    with pytest.raises(SpecError, match="'C' is not an element"):
        CalibrationProblem(m, good, [ParameterSpec("rate", (0, 1), element="C")])
    with pytest.raises(DataError, match="'Z' is not an element"):
        CalibrationProblem(m, [(SeriesSpec("x", Path(), "x"), obs([2001], ("Z",)))],
                           [ParameterSpec("rate", (0, 1))])
    with pytest.raises(SpecError, match="integrates a flow"):
        CalibrationProblem(m, [(SeriesSpec("x", Path(), "x", measure="sum"), obs([2001]))],
                           [ParameterSpec("rate", (0, 1))])
    with pytest.raises(DataError, match="time steps of the model"):
        CalibrationProblem(m, [(SeriesSpec("x", Path(), "x"), obs([1999]))],
                           [ParameterSpec("rate", (0, 1))])


def decay_model(dt):
    m = sf.Model("decay", start=0, stop=8, dt=dt, time_units="day")
    x = m.stock("x", initial=m.const("x0", 100.0, units="person"), units="person")
    m.flow("out", m.const("k", 0.3, units="1/day") * x, source=x, units="person/day")
    return m


@pytest.mark.parametrize("method, tolerance", [("euler", None), ("rk4", 2e-5)])
def test_a_flow_summed_over_a_period_is_integrated_exactly(method, tolerance):
    # the outflow of x' = -k x over [t, t + 2) is x0 (e^{-kt} - e^{-k(t+2)}) exactly; a
    # left Riemann sum of the saved flow at dt = 0.5 would be 7% off with RK4
    series = [(SeriesSpec("out", Path(), "out", measure="sum", period=2.0),
               ObservedSeries("out", np.array([0.0, 2.0, 5.0]), np.ones((3, 1)))),
              (SeriesSpec("x", Path(), "x"),
               ObservedSeries("x", np.array([0.0, 2.0, 4.0, 5.0, 7.0]), np.ones((5, 1))))]
    problem = CalibrationProblem(decay_model(0.5), series, [ParameterSpec("k", (0, 1))],
                                 method=method)
    k = np.array([[0.3], [0.1]])
    total, level = problem.predict(k)
    for i, rate in enumerate(k[:, 0]):
        t = np.array([0.0, 2.0, 5.0])
        if tolerance is None:     # Euler: what the stock lost over each period, to rounding
            lost = level[i, [0, 1, 3], 0] - level[i, [1, 2, 4], 0]
            np.testing.assert_allclose(total[i, :, 0], lost, rtol=1e-13)
        else:
            analytic = 100 * (np.exp(-rate * t) - np.exp(-rate * (t + 2)))
            np.testing.assert_allclose(total[i, :, 0], analytic, rtol=tolerance)
    assert "x" in decay_model(0.5) and "out.accumulated" not in decay_model(0.5)


def test_a_mean_over_a_period_is_the_integral_over_the_period_length():
    series = [(SeriesSpec("out", Path(), "out", measure="mean", period=4.0),
               ObservedSeries("out", np.array([1.0]), np.ones((1, 1))))]
    problem = CalibrationProblem(decay_model(0.25), series, [ParameterSpec("k", (0, 1))],
                                 method="rk4")
    [mean] = problem.predict(np.array([[0.2]]))
    analytic = 100 * (np.exp(-0.2) - np.exp(-1.0)) / 4
    assert mean[0, 0, 0] == pytest.approx(analytic, rel=1e-6)


def test_a_period_must_be_whole_time_steps():
    series = [(SeriesSpec("out", Path(), "out", measure="sum", period=0.3),
               ObservedSeries("out", np.array([1.0]), np.ones((1, 1))))]
    with pytest.raises(DataError, match="period 0.3 is not a whole number of time steps"):
        CalibrationProblem(decay_model(0.25), series, [ParameterSpec("k", (0, 1))])
