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
