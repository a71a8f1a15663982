"""NaN and infinite values during a run: `SimulationError` names the variable, run and time;
``on_error="mark"`` sets aside only the failing runs.

The expected failure times follow from the equations by hand (e.g. ``1 / (k - TIME)`` is
infinite exactly at ``TIME = k``).
"""

from __future__ import annotations

import numpy as np
import pytest

import sdflow as sf


def pole_model() -> sf.Model:
    """``ratio = 1 / (k - TIME)`` blows up at TIME = k; ``x`` grows at 10% regardless."""
    m = sf.Model("pole", start=0, stop=4, dt=0.5)
    k = m.const("k", 10.0)
    x = m.stock("x", initial=1.0)
    m.aux("ratio", 1 / (k - m.time))
    m.flow("growth", 0.1 * x, sink=x)
    return m


def test_nan_names_variable_run_and_time():
    with pytest.raises(sf.SimulationError) as info:
        pole_model().simulate(params={"k": [10.0, 2.0, 20.0, 3.0]})
    error = info.value
    assert (error.run, error.time, error.variables) == (1, 2.0, ("ratio",))
    assert "'ratio'" in str(error) and "run 1" in str(error) and "time 2" in str(error)
    assert "on_error='mark'" in str(error)


@pytest.mark.parametrize("backend", ["scalar", "batched"])
@pytest.mark.parametrize("equation, time", [
    (lambda t, x: 1 / (t - 2), 2.0),            # a Python float division by zero
    (lambda t, x: sf.ln(t - 2), 0.0),           # log of a negative number
    (lambda t, x: sf.sqrt(2 - t), 3.0),         # square root of a negative number
    (lambda t, x: (t - 2) ** 0.5, 0.0),         # a fractional power of a negative number
    (lambda t, x: sf.exp(x * 1000), 0.0)])      # overflow
def test_math_errors_of_one_run_raise_simulation_error(equation, time, backend):
    """The scalar path computes with Python floats, which raise (or go complex) instead of
    giving inf/NaN; the error must still be a SimulationError naming the flow."""
    m = sf.Model("m", start=0, stop=4, dt=1)
    x = m.stock("x", initial=1.0)
    m.flow("troublesome flow", equation(m.time, x), sink=x)
    with pytest.raises(sf.SimulationError, match="troublesome flow") as info:
        m.simulate(backend=backend)
    assert info.value.time == time
    assert info.value.run == 0


def test_stock_overflow_is_located_in_the_flow():
    """x' = x^g: with g = 30 the flow overflows at t = 3 (1 -> 2 -> 2^30 -> 2^900)."""
    m = sf.Model("overflow", start=0, stop=10, dt=1)
    g = m.const("g", 1.0)
    x = m.stock("x", initial=1.0)
    m.flow("f", x ** g, sink=x)
    with pytest.raises(sf.SimulationError) as info:
        m.simulate(params={"g": [1.0, 30.0]})
    assert (info.value.run, info.value.time, info.value.variables) == (1, 3.0, ("f",))


def test_mark_sets_aside_only_failing_runs():
    k = np.array([10.0, 2.0, 20.0, 3.0])
    results = pole_model().simulate(params={"k": k}, on_error="mark")
    np.testing.assert_array_equal(results.failed, [False, True, False, True])
    assert results.dataset["failed"].dims == ("run",)
    # the runs that did not fail are exactly what they are on their own
    alone = pole_model().simulate(params={"k": k[[0, 2]]})
    for name in ("x", "ratio"):
        np.testing.assert_allclose(results[name].values[:, [0, 2]], alone[name].values)
    t = results.dataset["time"].values
    np.testing.assert_allclose(results["ratio"].values[:, 0], 1 / (10 - t))


def test_mark_with_a_state_that_overflows():
    m = sf.Model("overflow", start=0, stop=10, dt=1)
    g = m.const("g", 1.0)
    x = m.stock("x", initial=1.0)
    m.flow("f", x ** g, sink=x)
    results = m.simulate(params={"g": [1.0, 30.0, 1.0]}, on_error="mark")
    np.testing.assert_array_equal(results.failed, [False, True, False])
    np.testing.assert_allclose(results["x"].values[:, 0], 2.0 ** np.arange(11))
    np.testing.assert_allclose(results["x"].values[:, 2], 2.0 ** np.arange(11))


def test_mark_on_a_single_run_model():
    results = pole_model().simulate(params={"k": 2.0}, on_error="mark")
    assert results.failed.tolist() == [True]


def test_nan_in_initial_value_is_reported():
    m = sf.Model("m", start=0, stop=2, dt=1)
    a = m.const("a", 0.0)
    x = m.stock("x", initial=sf.ln(a))
    m.flow("f", 0.1 * x, sink=x)
    with pytest.raises(sf.SimulationError, match="'x'") as info:
        m.simulate()
    assert info.value.time == 0.0


def test_rk45_reports_nan():
    m = sf.Model("m", start=0, stop=4, dt=1)
    x = m.stock("x", initial=1.0)
    m.aux("bad", sf.ln(2 - m.time))
    m.flow("f", -0.1 * x, source=x)
    with pytest.raises(sf.SimulationError, match="'bad'") as info:
        m.simulate(method="rk45")
    assert info.value.time == 2.0


def test_clean_runs_have_no_failed_mark():
    results = pole_model().simulate(params={"k": [10.0, 20.0]})
    assert "failed" not in results.dataset
    assert results.failed.tolist() == [False, False]


def test_failures_in_later_blocks_of_runs_keep_their_run_numbers(monkeypatch):
    """Large batches are stepped in blocks of runs; run numbers are those of the call."""
    from sdflow.solve import memory

    monkeypatch.setattr(memory, "runs_per_block", lambda step_bytes: 3)
    k = [10.0, 20.0, 30.0, 40.0, 2.0, 50.0, 3.0]  # runs 4 and 6 (blocks 2 and 3) blow up
    with pytest.raises(sf.SimulationError) as info:
        pole_model().simulate(params={"k": k})
    assert (info.value.run, info.value.time) == (4, 2.0)
    assert "in run 4 at time 2" in str(info.value)
    marked = pole_model().simulate(params={"k": k}, on_error="mark")
    assert np.flatnonzero(marked.failed).tolist() == [4, 6]
    assert np.isfinite(marked["ratio"].values[:, [0, 1, 2, 3, 5]]).all()
