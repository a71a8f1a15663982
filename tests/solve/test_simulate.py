"""`simulate` against analytic solutions, and the orders of convergence of the solvers.

Expected numbers are closed-form solutions of the ODEs (exponential, logistic, Bass 1969,
harmonic oscillator) and the exact Euler recurrence ``x_k = x_0 (1 + h r)^k``.
"""

from __future__ import annotations

import numpy as np
import pytest

import sdflow as sf
from sdflow.solve.results import RunArrays
from sdmodels.reference import bass


def exponential(rate: float, stop: float = 2.0, dt: float = 0.125) -> sf.Model:
    m = sf.Model("exponential", start=0, stop=stop, dt=dt, time_units="year")
    r = m.const("rate", rate, units="1/year")
    x = m.stock("x", initial=2.0, units="widget")
    m.flow("change", r * x, sink=x, units="widget/year")
    return m


def logistic(stop: float = 10.0, dt: float = 0.125) -> sf.Model:
    m = sf.Model("logistic", start=0, stop=stop, dt=dt)
    r = m.const("r", 0.8)
    capacity = m.const("capacity", 100.0)
    x = m.stock("x", initial=5.0)
    m.flow("growth", r * x * (1 - x / capacity), sink=x)
    return m


def oscillator(omega: float = 2.0, stop: float = 4.0, dt: float = 0.125) -> sf.Model:
    """x'' = -w^2 x as two stocks: position x and velocity v; x(0)=1, v(0)=0."""
    m = sf.Model("oscillator", start=0, stop=stop, dt=dt)
    w = m.const("omega", omega)
    x = m.stock("x", initial=1.0)
    v = m.stock("v", initial=0.0)
    m.flow("velocity", v, sink=x)
    m.flow("acceleration", -(w ** 2) * x, sink=v)
    return m


def logistic_exact(t):
    return 100.0 / (1 + (100.0 / 5.0 - 1) * np.exp(-0.8 * t))


def bass_exact(t, p=0.03, q=0.38, n=1e6):
    e = np.exp(-(p + q) * t)
    return n * (1 - e) / (1 + q / p * e)


@pytest.mark.parametrize("backend", ["scalar", "batched"])
@pytest.mark.parametrize("rate", [-0.7, 0.4])
def test_euler_is_exactly_the_euler_recurrence(rate, backend):
    run = exponential(rate).simulate(backend=backend)
    k = np.arange(17)
    np.testing.assert_allclose(run["x"].values, 2.0 * (1 + 0.125 * rate) ** k, rtol=1e-13)


@pytest.mark.parametrize("rate", [-0.7, 0.4])
def test_rk4_decay_and_growth_match_exp(rate):
    run = exponential(rate).simulate(method="rk4")
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["x"].values, 2.0 * np.exp(rate * t), rtol=2e-6)


def test_rk4_logistic_matches_closed_form():
    run = logistic().simulate(method="rk4")
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["x"].values, logistic_exact(t), rtol=1e-5)


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_bass_reference_model_matches_closed_form(backend):
    """Bass (1969): A(t) = N (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    run = bass.build().simulate(method="rk4", backend=backend)
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["adopters"].values, bass_exact(t), rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(run["adopters"] + run["potential adopters"], 1e6)


def test_oscillator_matches_cos_and_conserves_energy_with_rk4():
    run = oscillator().simulate(method="rk4", dt=0.03125)
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["x"].values, np.cos(2 * t), atol=1e-6)
    np.testing.assert_allclose(run["v"].values, -2 * np.sin(2 * t), atol=5e-6)


def _order(build, method, exact, dts, variable="x"):
    """Log-log slope of the largest error on a common grid of saved times against dt."""
    errors = []
    for dt in dts:
        run = build().simulate(method=method, dt=dt, saveper=0.25)
        t = run.dataset["time"].values
        errors.append(float(np.max(np.abs(run[variable].values - exact(t)))))
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    return slope, errors


@pytest.mark.parametrize("method, order, dts", [
    ("euler", 1, [0.0625, 0.03125, 0.015625, 0.0078125]),
    ("rk4", 4, [0.25, 0.125, 0.0625, 0.03125])])
def test_order_of_convergence(method, order, dts):
    """Halving dt divides the error by 2 (Euler) or 16 (RK4): log-log slope 1 or 4."""
    slope, errors = _order(logistic, method, logistic_exact, dts)
    assert slope == pytest.approx(order, abs=0.15), errors
    slope, errors = _order(oscillator, method, lambda t: np.cos(2 * t), dts)
    assert slope == pytest.approx(order, abs=0.15), errors


def test_rk45_matches_closed_forms_to_tolerance():
    run = logistic().simulate(method="rk45", rtol=1e-9, atol=1e-9)
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["x"].values, logistic_exact(t), rtol=1e-7)
    run = oscillator().simulate(method="rk45", rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(run["x"].values, np.cos(2 * run.dataset["time"].values),
                               atol=1e-7)


def test_rk45_batch_of_runs_each_matches_its_closed_form():
    rates = np.array([-0.5, 0.1, 0.3])
    run = exponential(0.0).simulate(method="rk45", params={"rate": rates})
    t = run.dataset["time"].values
    expected = 2.0 * np.exp(np.outer(t, rates))
    np.testing.assert_allclose(run["x"].values, expected, rtol=1e-6)


@pytest.mark.parametrize("builtin", [
    lambda m: sf.step(1, 2), lambda m: sf.pulse(1, 1), lambda m: sf.ramp(1, 1, 2),
    lambda m: sf.pulse_train(1, 0.5, 2, 8),
    lambda m: sf.delay_fixed(m.time, 1, 0)])
def test_rk45_refuses_discrete_builtins_naming_the_variable(builtin):
    m = sf.Model("jumpy", start=0, stop=4, dt=0.5)
    x = m.stock("x", initial=0)
    m.flow("jumpy inflow", builtin(m), sink=x)
    with pytest.raises(sf.SimulationError, match="rk45") as info:
        m.simulate(method="rk45")
    assert "jumpy inflow" in str(info.value)
    assert "rk4" in str(info.value)  # says what to use instead
    m.simulate(method="rk4")  # fixed-step methods are fine


def test_batched_runs_each_follow_their_own_parameter():
    rates = np.array([-0.3, 0.0, 0.2, 0.5])
    run = exponential(0.0).simulate(params={"rate": rates}, method="rk4")
    assert run["x"].dims == ("time", "run")
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["x"].values, 2.0 * np.exp(np.outer(t, rates)), rtol=1e-6)


def test_scalar_and_batched_paths_agree():
    model = logistic()
    a = model.simulate(backend="scalar")
    b = model.simulate(backend="batched")
    np.testing.assert_allclose(a["x"].values, b["x"].values, rtol=1e-14)
    np.testing.assert_allclose(a["growth"].values, b["growth"].values, rtol=1e-14)


def test_saveper_keeps_every_kth_step():
    full = logistic().simulate()
    coarse = logistic().simulate(saveper=0.5)
    np.testing.assert_array_equal(coarse.dataset["time"].values, np.arange(0, 10.01, 0.5))
    np.testing.assert_allclose(coarse["x"].values, full["x"].values[::4])


def test_time_overrides_and_variables_subset():
    run = logistic().simulate(start=1, stop=3, dt=0.5, variables=["x"])
    assert list(run.dataset.data_vars) == ["x"]
    assert run.dataset["time"].values.tolist() == [1.0, 1.5, 2.0, 2.5, 3.0]
    with pytest.raises(sf.UnknownNameError, match="nope"):
        logistic().simulate(variables=["nope"])


@pytest.mark.parametrize("kwargs, culprit", [
    ({"dt": 0}, "dt"), ({"dt": -0.5}, "dt"), ({"saveper": 0.1}, "saveper"),
    ({"stop": -1}, "stop"), ({"dt": 0.3}, "dt")])
def test_bad_time_settings_raise_naming_the_setting(kwargs, culprit):
    with pytest.raises(sf.TimeSettingsError, match=culprit) as info:
        logistic().simulate(**kwargs)
    assert culprit in info.value.variables


def test_bad_time_settings_in_model_constructor():
    with pytest.raises(sf.TimeSettingsError, match="dt=0 must be positive"):
        sf.Model("m", start=0, stop=1, dt=0)
    with pytest.raises(sf.TimeSettingsError, match="saveper=0.1 is shorter than dt=0.25"):
        sf.Model("m", start=0, stop=1, dt=0.25, saveper=0.1)


@pytest.mark.parametrize("saveper", [float("nan"), float("inf"), -1.0, 0.0])
def test_saveper_that_is_not_a_positive_number_is_a_time_settings_error(saveper):
    with pytest.raises(sf.TimeSettingsError, match="saveper=.* must be a positive finite") \
            as info:
        logistic().simulate(saveper=saveper)
    assert isinstance(info.value, ValueError) and info.value.variables == ("saveper",)


def test_a_horizon_half_a_step_off_is_refused_even_when_long():
    m = sf.Model("m", start=0, stop=1, dt=1)
    x = m.stock("x", initial=0.0)
    m.flow("in", 1.0, sink=x)
    # 1000000.5 steps used to pass (tolerance 1e-6 of the step count) and end at 1000000
    with pytest.raises(sf.TimeSettingsError,
                       match=r"start=0, stop=1000000.5\) is not a whole number of dt=1 "
                             r"steps.*stop=1000000 or stop=1000001"):
        m.simulate(stop=1000000.5)


def test_unknown_method_and_backend_are_refused():
    with pytest.raises(sf.ModelError, match="method='rk5'"):
        logistic().simulate(method="rk5")
    with pytest.raises(sf.ModelError, match="backend='gpu'"):
        logistic().simulate(backend="gpu")
    with pytest.raises(sf.ModelError, match="on_error"):
        logistic().simulate(on_error="ignore")


def test_rk4_holds_step_pulse_and_ramp_over_a_step():
    """Vensim's documentation: "When Vensim performs Runge-Kutta integration, it holds all
    exogenous and test inputs (STEP, PULSE and RAMP) constant over the integration
    interval." So x' = -x + STEP(1, 1) from x(0) = 0 follows 1 - e^{-(t-1)} after t = 1
    with RK4's accuracy, and a flow of inputs alone integrates exactly as under Euler."""
    m = sf.Model("held", start=0, stop=4, dt=0.125)
    x = m.stock("x", initial=0.0)
    m.flow("f", sf.step(1, 1) - x, sink=x)
    inputs = m.stock("inputs", initial=0.0)
    m.flow("g", sf.step(1, 1) + sf.pulse(2, 1) + sf.ramp(0.5, 1, 3), sink=inputs)
    rk4, euler = m.simulate(method="rk4"), m.simulate(method="euler")
    t = rk4.dataset["time"].values
    np.testing.assert_allclose(rk4["x"].values, np.where(t < 1, 0, 1 - np.exp(-(t - 1))),
                               atol=1e-6)
    np.testing.assert_allclose(rk4["inputs"].values, euler["inputs"].values, rtol=1e-13)
    # the step gives 3, the pulse 1, the ramp the Euler sum of its values at step starts
    assert float(rk4["inputs"][-1]) == pytest.approx(3 + 1 + sum(
        0.5 * (min(tk, 3) - 1) * 0.125 for tk in t[:-1] if tk > 1))
    batched = m.simulate(method="rk4", n=2)
    np.testing.assert_allclose(batched["x"].values[:, 1], rk4["x"].values, rtol=1e-13)


def test_scalar_backend_is_refused_where_it_cannot_run():
    m = sf.Model("arrayed", start=0, stop=2, dt=1)
    region = m.dim("region", ["a", "b"])
    x = m.stock("x", initial=[1.0, 2.0], dims=[region])
    m.flow("f", 0.1 * x, sink=x, dims=[region])
    with pytest.raises(sf.ModelError, match=r"\['f', 'x'\] vary over dimensions"):
        m.simulate(backend="scalar")
    with pytest.raises(sf.ModelError, match="one run with a fixed-step method"):
        logistic().simulate(backend="scalar", n=2)
    with pytest.raises(sf.ModelError, match="one run with a fixed-step method"):
        logistic().simulate(backend="scalar", method="rk45")


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_runs_stepped_in_blocks_equal_one_batch(monkeypatch, method):
    """Blocks of runs (kept in the processor's cache) give the very same numbers."""
    from sdflow.solve import memory

    m = sf.Model("m", start=0, stop=5, dt=0.25, saveper=0.5)
    region = m.dim("region", ["a", "b", "c"])
    rate = m.const("rate", [0.1, 0.2, 0.3], dims=[region])
    lag = m.const("lag", 1.0)
    x = m.stock("x", initial=1.0, dims=[region])
    m.flow("growth", rate * x, sink=x, dims=[region])
    m.aux("late total", sf.delay_fixed(sf.sum(x, over=region), lag, 0))
    m.aux("seen", sf.smooth3(x, 2), dims=[region])
    params = {"rate": sf.uniform(0.0, 0.5), "lag": np.linspace(0.25, 2.5, 10)}
    whole = m.simulate(params=params, n=10, seed=5, method=method)
    monkeypatch.setattr(memory, "runs_per_block", lambda step_bytes: 4)  # 4, 4, 2
    blocks = m.simulate(params=params, n=10, seed=5, method=method)
    for name in ("x", "growth", "late total", "seen"):
        np.testing.assert_array_equal(blocks[name].values, whole[name].values)


# -- output="arrays": the saved arrays without the Dataset ------------------------------------
def test_arrays_output_holds_the_numbers_of_the_results():
    # exact Euler recurrence x_k = 2 (1 + 0.125 r)^k for each run's rate
    rates = np.array([0.1, 0.3, 0.5])
    m = exponential(0.2)
    arrays = m.simulate(params={"rate": rates}, output="arrays")
    assert isinstance(arrays, RunArrays)
    assert sorted(arrays.values) == ["change", "x"]
    assert arrays.values["x"].shape == (17, 3)
    k = np.arange(17)[:, None]
    np.testing.assert_allclose(arrays.values["x"], 2.0 * (1 + 0.125 * rates) ** k, rtol=1e-13)
    np.testing.assert_array_equal(arrays.times, np.arange(17) * 0.125)
    assert arrays.failed.tolist() == [False] * 3
    results = m.simulate(params={"rate": rates})
    np.testing.assert_array_equal(arrays.values["change"], results["change"].values)


def test_arrays_output_keeps_a_run_axis_for_single_runs_and_subsets():
    for backend in ("auto", "batched"):
        arrays = exponential(0.2).simulate(variables=["x"], backend=backend, output="arrays")
        assert list(arrays.values) == ["x"]
        assert arrays.values["x"].shape == (17, 1)  # (time, run) even for one run
        np.testing.assert_allclose(arrays.values["x"][-1, 0], 2.0 * 1.025 ** 16, rtol=1e-13)


def test_arrays_output_marks_failed_runs():
    # x' = x^g overflows for g = 30 (1 -> 2 -> 2^30 -> 2^900 -> inf), not for g = 1
    m = sf.Model("overflow", start=0, stop=10, dt=1)
    g = m.const("g", 1.0)
    x = m.stock("x", initial=1.0)
    m.flow("f", x ** g, sink=x)
    arrays = m.simulate(params={"g": [1.0, 30.0]}, on_error="mark", output="arrays")
    assert arrays.failed.tolist() == [False, True]
    np.testing.assert_allclose(arrays.values["x"][:, 0], 2.0 ** np.arange(11))


def test_arrays_output_follows_time_settings_that_change_with_time():
    # two Euler steps of h = 1 (factor 1.5), then four of h = 0.5 (factor 1.25)
    m = sf.Model("growth", start=0, stop=4, dt=1)
    x = m.stock("x", initial=1.0)
    m.flow("gain", m.const("rate", 0.5) * x, sink=x)
    step = sf.if_then_else(m.time < 2, 1, 0.5)
    m.vary_time_settings(dt=step, saveper=step)
    arrays = m.simulate(output="arrays")
    assert arrays.times.tolist() == [0, 1, 2, 2.5, 3, 3.5, 4]
    expected = [1, 1.5, 2.25] + [2.25 * 1.25 ** k for k in range(1, 5)]
    np.testing.assert_allclose(arrays.values["x"][:, 0], expected, rtol=1e-12)


def test_unknown_output_is_refused():
    with pytest.raises(sf.ModelError, match="output='frame' must be 'results' or 'arrays'"):
        exponential(0.2).simulate(output="frame")
