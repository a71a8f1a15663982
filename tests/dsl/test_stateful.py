"""Builtins with memory (smooths, delays, TREND, FORECAST, INITIAL) against PySD.

Expected numbers: PySD 3.14 running the same equations written in Vensim syntax (Euler
integration, as Vensim). DELAY FIXED is also checked as an exact shift of its input.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import sdflow as sf

#: name -> (Vensim equation, DSL expression of (model, input s, ramp r))
STATEFUL = {
    "s": ("STEP(2, 3) + 1", None),
    "r": ("RAMP(0.5, 2, 6) + 1", None),
    "sm": ("SMOOTH(s, 2)", lambda m, s, r: sf.smooth(s, 2)),
    "sm3": ("SMOOTH3(s, 3)", lambda m, s, r: sf.smooth3(s, 3)),
    "smi": ("SMOOTHI(s, 2, 5)", lambda m, s, r: sf.smoothi(s, 2, 5)),
    "sm3i": ("SMOOTH3I(r, 1.5, 0)", lambda m, s, r: sf.smooth3i(r, 1.5, 0)),
    "d1": ("DELAY1(s, 2)", lambda m, s, r: sf.delay1(s, 2)),
    "d1i": ("DELAY1I(s, 2, 1)", lambda m, s, r: sf.delay1i(s, 2, 1)),
    "d3": ("DELAY3(r, 3)", lambda m, s, r: sf.delay3(r, 3)),
    "d3i": ("DELAY3I(s, 3, 4)", lambda m, s, r: sf.delay3i(s, 3, 4)),
    "df": ("DELAY FIXED(r, 1.5, 7)", lambda m, s, r: sf.delay_fixed(r, 1.5, 7)),
    "tr": ("TREND(s, 2, 0.1)", lambda m, s, r: sf.trend(s, 2, 0.1)),
    "tr0": ("TREND(r, 4, 0)", lambda m, s, r: sf.trend(r, 4, 0)),
    "fc": ("FORECAST(r, 2, 3)", lambda m, s, r: sf.forecast(r, 2, 3)),
    "ini": ("INITIAL(1 + Time)", lambda m, s, r: sf.initial(1 + m.time)),
    "dn": ("DELAY N(r, 2, 1, 4)", lambda m, s, r: sf.delay_n(r, 2, 1, order=4)),
    "dn2": ("DELAY N(s, 3, 2, 2)", lambda m, s, r: sf.delay_n(s, 3, 2, order=2)),
    "smn": ("SMOOTH N(r, 2, 0, 5)", lambda m, s, r: sf.smooth_n(r, 2, 0, order=5)),
}


@pytest.fixture(scope="module")
def peer(pysd_run):
    return pysd_run({k: v[0] for k, v in STATEFUL.items()}, start=0, stop=12, dt=0.25)


def stateful_model() -> sf.Model:
    m = sf.Model("stateful", start=0, stop=12, dt=0.25)
    s = m.aux("s", sf.step(2, 3) + 1)
    r = m.aux("r", sf.ramp(0.5, 2, 6) + 1)
    for name, (_, build) in STATEFUL.items():
        if build is not None:
            m.aux(name, build(m, s, r))
    m.const("k", 1.0)
    return m


@pytest.mark.parametrize("backend, n", [("scalar", 1), ("batched", 1), ("batched", 2)])
def test_stateful_builtins_match_pysd(peer, backend, n):
    run = stateful_model().simulate(backend=backend, n=n)
    for name in STATEFUL:
        expected = peer[name].values.astype(float)
        values = run[name].values
        if n > 1:
            expected = np.repeat(expected[:, None], n, axis=1)
        np.testing.assert_allclose(values, expected, rtol=1e-10, atol=1e-12, err_msg=name)


def test_smooth_approaches_input_exponentially():
    """SMOOTH of a constant step from 1 to 3 at t=3: the gap decays as (1 - dt/T)^k under
    Euler (and as exp(-t/T) in the limit, checked with RK4)."""
    m = sf.Model("m", start=0, stop=12, dt=0.25)
    m.aux("y", sf.smooth(1 + sf.step(2, 3), 2))
    run = m.simulate()
    k = np.arange(4 * 9 + 1)  # steps after t = 3
    np.testing.assert_allclose(run["y"].values[12:], 3 - 2 * (1 - 0.25 / 2) ** k, rtol=1e-12)
    m = sf.Model("m", start=0, stop=6, dt=0.03125)
    m.aux("y", sf.smooth(3 + 0 * m.time, 2))
    m.aux("z", sf.smoothi(3 + 0 * m.time, 2, 1))
    run = m.simulate(method="rk4")
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["y"].values, 3.0)  # starts at its input
    np.testing.assert_allclose(run["z"].values, 3 - 2 * np.exp(-t / 2), rtol=1e-7)


def test_delay3_conserves_material():
    """What enters a DELAY3 leaves it: the integral of the output plus what is in transit
    equals the integral of the input (the hidden stocks are reported)."""
    m = sf.Model("m", start=0, stop=30, dt=0.125)
    inflow = m.aux("inflow", sf.pulse(1, 2) * 5)
    out = m.aux("outflow", sf.delay3(inflow, 4))
    sent = m.stock("sent", initial=0)
    received = m.stock("received", initial=0)
    m.flow("send", inflow, sink=sent)
    m.flow("receive", out, sink=received)
    run = m.simulate()
    assert float(run["sent"][-1]) == pytest.approx(10.0)
    assert float(run["received"][-1]) == pytest.approx(10.0, rel=2e-3)


@pytest.mark.parametrize("delay", [1.0, 2.5, 4.0])
def test_delay_fixed_is_an_exact_shift(delay):
    m = sf.Model("m", start=0, stop=10, dt=0.5)
    signal = m.aux("signal", m.time ** 2 + 1)
    m.aux("late", sf.delay_fixed(signal, delay, -1))
    run = m.simulate()
    shift = int(round(delay / 0.5))
    late, signal = run["late"].values, run["signal"].values
    np.testing.assert_array_equal(late[:shift], -1.0)
    np.testing.assert_array_equal(late[shift:], signal[:-shift])


def test_delay_fixed_with_per_run_delay_times():
    """Each run keeps its own pipeline length (round(delay / dt) steps)."""
    m = sf.Model("m", start=0, stop=10, dt=0.5)
    delay = m.const("delay", 1.0)
    signal = m.aux("signal", m.time + 1)
    m.aux("late", sf.delay_fixed(signal, delay, 0))
    delays = np.array([0.5, 1.0, 3.0, 0.2])
    run = m.simulate(params={"delay": delays})
    for i, d in enumerate(delays):
        alone = m.simulate(params={"delay": d})
        np.testing.assert_array_equal(run["late"].values[:, i], alone["late"].values)
        shift = max(1, int(round(d / 0.5)))
        np.testing.assert_array_equal(run["late"].values[shift:, i],
                                      run["signal"].values[:-shift, i])
        np.testing.assert_array_equal(run["late"].values[:shift, i], 0.0)


def test_delay_fixed_over_a_dimension_with_per_element_initial():
    m = sf.Model("m", start=0, stop=5, dt=1)
    region = m.dim("region", ["a", "b"])
    base = m.const("base", [1.0, 10.0], dims=[region])
    signal = m.aux("signal", base * m.time, dims=[region])
    m.aux("late", sf.delay_fixed(signal, 2, base), dims=[region])
    run = m.simulate()
    np.testing.assert_array_equal(run["late"].values[:2], [[1.0, 10.0], [1.0, 10.0]])
    np.testing.assert_array_equal(run["late"].values[2:], run["signal"].values[:-2])


def test_delay_fixed_with_rk4_holds_the_pipeline_within_a_step():
    """RK4's intermediate stages must not push values through the pipeline."""
    m = sf.Model("m", start=0, stop=6, dt=0.5)
    signal = m.aux("signal", m.time)
    m.aux("late", sf.delay_fixed(signal, 1, 0))
    euler = m.simulate()
    rk4 = m.simulate(method="rk4")
    np.testing.assert_array_equal(euler["late"].values, rk4["late"].values)


def test_initial_freezes_the_starting_value():
    m = sf.Model("m", start=2, stop=4, dt=1)
    x = m.stock("x", initial=3.0)
    m.flow("f", 1.0, sink=x)
    m.aux("x at start", sf.initial(x * 2))
    run = m.simulate(n=2)
    np.testing.assert_array_equal(run["x at start"].values, 6.0)


def test_trend_and_forecast_of_exponential_growth():
    """For input e^{gt}, first-order smoothing settles at average = input / (1 + gT), so
    TREND = (input - average) / (T average) tends to g; TREND starts at its initial trend,
    FORECAST (initial trend 0) at its input, and FORECAST = input (1 + TREND horizon)."""
    m = sf.Model("m", start=0, stop=20, dt=0.25)
    signal = m.aux("signal", sf.exp(0.05 * m.time))
    m.aux("trend", sf.trend(signal, 3, 0.05))
    m.aux("forecast", sf.forecast(signal, 3, 4))
    run = m.simulate()
    np.testing.assert_allclose(run["trend"].values[0], 0.05)  # starts at the initial trend
    # FORECAST's own average starts at the input (initial trend 0): it lags TREND's
    assert float(run["forecast"].values[0]) == pytest.approx(1.0)
    # after a long time the trend settles near the steady state of first-order smoothing:
    # average = input / (1 + g T), so trend = g (constant), within Euler's error
    assert float(run["trend"].values[-1]) == pytest.approx(0.05, rel=0.05)
    assert float(run["forecast"].values[-1]) == pytest.approx(
        float(run["signal"].values[-1]) * (1 + float(run["trend"].values[-1]) * 4), rel=0.01)


def test_forecast_builtin_survives_the_forecasting_subpackage():
    """``sf.forecast`` must stay Vensim's FORECAST after ``import sdflow.forecasting`` (run in
    a fresh interpreter: the import would change this one for the other tests)."""
    import subprocess
    import sys

    code = ("import sdflow as sf, sdflow.forecasting; "
            "from sdflow.dsl.stateful import forecast; "
            "assert sf.forecast is forecast, sf.forecast")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


BUILTINS_WITH_TIMES = {
    "smooth": lambda x, t: sf.smooth(x, t), "smoothi": lambda x, t: sf.smoothi(x, t, 0),
    "smooth3": lambda x, t: sf.smooth3(x, t), "delay1": lambda x, t: sf.delay1(x, t),
    "delay3": lambda x, t: sf.delay3(x, t), "delay3i": lambda x, t: sf.delay3i(x, t, 0),
    "delay_fixed": lambda x, t: sf.delay_fixed(x, t, 0)}


@pytest.mark.parametrize("time", [-1.0, 0.0])
@pytest.mark.parametrize("builtin", sorted(BUILTINS_WITH_TIMES))
def test_zero_or_negative_delay_times_written_as_numbers_are_refused(builtin, time):
    m = sf.Model("m", start=0, stop=4, dt=1)
    x = m.aux("x", 10 + sf.step(10, 1))
    m.aux("late", BUILTINS_WITH_TIMES[builtin](x, time))
    report = m.check(raise_on_error=False)  # found when the graph is built, before a run
    assert [type(e) for e in report.errors] == [sf.DelayTimeError]
    with pytest.raises(sf.DelayTimeError, match=rf"'late': the delay time of .* is {time:g} "
                                                r"\(a number\).*must be positive") as info:
        m.simulate()
    assert info.value.variables == ("late",) and isinstance(info.value, ValueError)


def test_a_constant_delay_time_with_a_negative_element_is_refused_naming_both():
    m = sf.Model("m", start=0, stop=4, dt=1)
    region = m.dim("region", ["a", "b"])
    x = m.aux("x", 10 + sf.step(10, 1))
    time = m.const("shipping time", [2.0, -3.0], dims=[region])
    m.aux("received", sf.delay3(x, time), dims=[region])
    with pytest.raises(sf.DelayTimeError, match=r"'received': the delay time of DELAY3 is -3 "
                                                r"\(constant 'shipping time'\)") as info:
        m.simulate()
    assert info.value.variables == ("received", "shipping time")


def test_an_override_that_makes_a_delay_time_negative_is_refused_naming_the_run():
    m = sf.Model("m", start=0, stop=4, dt=1)
    x = m.aux("x", 10 + sf.step(10, 1))
    m.aux("late", sf.delay_fixed(x, m.const("lag", 2.0), 0))
    assert m.simulate(params={"lag": [1.0, 2.0]})["late"].shape == (5, 2)
    # a negative lag used to act as a one-step delay
    with pytest.raises(sf.DelayTimeError, match=r"params: 'lag' in run 1: 'late': the delay "
                                                r"time of DELAY FIXED is -1"):
        m.simulate(params={"lag": [1.0, -1.0, 3.0]})


def test_a_computed_delay_time_reaching_zero_stops_the_run_naming_the_variable():
    m = sf.Model("m", start=0, stop=10, dt=1)
    x = m.aux("x", 10 + sf.step(10, 1))
    time = m.aux("adjustment time", 5 - m.time)  # 0 at time 5, negative after
    m.aux("perceived", sf.smooth(x, time))
    for backend in ("auto", "batched"):
        # the stage's rate is NaN from time 5, so its stock is NaN from the step after
        with pytest.raises(sf.SimulationError, match=r"smooth, delay or trend in 'perceived'"
                                                     r"\) became NaN or infinite in run 0 at "
                                                     r"time 6.*delay or smooth time") as info:
            m.simulate(backend=backend)
        assert "perceived" in info.value.variables and info.value.time == 6
    run = m.simulate(stop=4)  # while the time is positive, the guard changes nothing
    expected = [10.0, 10.0]   # Euler by hand: towards 20 (from time 1) with times 4, 3
    expected += [expected[-1] + (20 - expected[-1]) / 4]
    expected += [expected[-1] + (20 - expected[-1]) / 3]
    np.testing.assert_allclose(run["perceived"].values[:4], expected)


@pytest.mark.parametrize("make, warned", [
    (lambda x: sf.smooth(x, 0.5), "the time of SMOOTH (0.5)"),
    (lambda x: sf.delay1i(x, 0.4, 0), "the time of DELAY1 (0.4)"),
    (lambda x: sf.smooth3(x, 2), "each of the 3 stages (time / 3) of SMOOTH3 (0.666667)"),
])
def test_first_order_stages_shorter_than_dt_warn_naming_the_variable(make, warned):
    m = sf.Model("m", start=0, stop=4, dt=1)
    x = m.aux("x", 10 + sf.step(10, 1))
    m.aux("fast", make(x))
    with pytest.warns(sf.TimeConstantWarning, match=re.escape(f"'fast': {warned}")):
        m.simulate()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.simulate(dt=0.125)  # stages now longer than dt


def test_stages_as_long_as_dt_and_delay_fixed_do_not_warn():
    m = sf.Model("m", start=0, stop=4, dt=1)
    x = m.aux("x", 10 + sf.step(10, 1))
    m.aux("exact", sf.smooth(x, 1))               # one step: exact, no overshoot
    m.aux("shift", sf.delay_fixed(x, 0.5, 0))     # a pipeline, not an exponential stage
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.simulate()


@pytest.mark.parametrize("order", [0, 2.5, -1, float("nan"), True, "3"])
def test_delay_order_must_be_a_whole_number(order):
    with pytest.raises(sf.DelayOrderError, match=r"delay_n: order=.*whole number"):
        sf.delay_n(1, 2, 3, order=order)
    with pytest.raises(ValueError, match=r"smooth_n: order="):
        sf.smooth_n(1, 2, 3, order=order)
