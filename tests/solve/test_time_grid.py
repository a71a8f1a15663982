"""Time settings that change with TIME (``Model.vary_time_settings``).

Expected numbers are worked out by hand: the Euler recurrence ``x_{k+1} = x_k (1 + h_k r)``
and the RK4 factor ``1 + hr + (hr)^2/2 + (hr)^3/6 + (hr)^4/24`` of ``x' = r x`` over the
grid PySD's ``Time`` walks (step while ``t < FINAL TIME(t)``, save where ``t - INITIAL
TIME`` is a multiple of ``SAVEPER(t)``).
"""

from __future__ import annotations

import numpy as np
import pytest

import sdflow as sf
from sdflow.errors import ModelError, TimeSettingsError
from sdflow.solve import time_grid as tg


def growth(rate: float = 0.5) -> tuple[sf.Model, object]:
    m = sf.Model("growth", start=0, stop=4, dt=1)
    r = m.const("rate", rate)
    x = m.stock("x", initial=1.0)
    m.flow("gain", r * x, sink=x)
    return m, sf.if_then_else(m.time < 2, 1, 0.5)


def test_euler_on_a_time_step_that_halves_matches_the_hand_computed_grid():
    m, step = growth()
    m.vary_time_settings(dt=step, saveper=step)
    for backend in ("auto", "batched"):
        x = m.simulate(backend=backend)["x"]
        assert x.time.values.tolist() == [0, 1, 2, 2.5, 3, 3.5, 4]
        # two steps of h=1 (factor 1.5), then four of h=0.5 (factor 1.25)
        expected = [1, 1.5, 2.25] + [2.25 * 1.25 ** k for k in range(1, 5)]
        np.testing.assert_allclose(x.values, expected, rtol=1e-12)
    saved = m.simulate()
    assert saved["TIME STEP"].values.tolist() == [1, 1, 0.5, 0.5, 0.5, 0.5, 0.5]


def test_rk4_uses_each_steps_own_size():
    m, step = growth()
    m.vary_time_settings(dt=step)  # saves every 1 (the model's saveper)
    x = m.simulate(method="rk4")["x"]
    assert x.time.values.tolist() == [0, 1, 2, 3, 4]

    def factor(h, r=0.5):
        return sum((h * r) ** j / f for j, f in enumerate((1, 1, 2, 6, 24)))
    assert float(x[-1]) == pytest.approx(factor(1) ** 2 * factor(0.5) ** 4, rel=1e-12)


def test_final_time_and_saveper_read_along_the_run():
    m = sf.Model("m", start=0, stop=1, dt=1)
    x = m.stock("x", initial=0)
    m.flow("in", 2, sink=x)
    # FINAL TIME jumps from 3 to 6 at time 3; saving every 2 from time 2 on
    m.vary_time_settings(stop=sf.if_then_else(m.time < 3, 3, 6),
                         saveper=sf.if_then_else(m.time < 2, 1, 2))
    x = m.simulate()["x"]
    assert x.time.values.tolist() == [0, 1, 2, 4, 6]
    assert x.values.tolist() == [0, 2, 4, 8, 12]


def test_pulse_sees_the_current_time_step():
    m = sf.Model("m", start=0, stop=5, dt=1)
    total = m.stock("total", initial=0)
    m.flow("in", sf.pulse(3, 0), sink=total)  # width 0: one step, of the step's size
    m.vary_time_settings(dt=sf.if_then_else(m.time < 2, 1, 0.5))
    assert float(m.simulate()["total"][-1]) == pytest.approx(0.5)


def test_batches_share_the_grid():
    m, step = growth()
    m.vary_time_settings(dt=step, saveper=step)
    runs = m.simulate(params={"rate": np.array([0.5, 0.2])})
    assert runs["x"].sel(run=1).values[-1] == pytest.approx(1.2 ** 2 * 1.1 ** 4)
    assert runs["x"].sel(run=0).values[-1] == pytest.approx(1.5 ** 2 * 1.25 ** 4)


def test_start_that_depends_on_time_is_its_own_fixed_point():
    m = sf.Model("m", start=0, stop=3, dt=1)
    x = m.stock("x", initial=0)
    m.flow("in", 1, sink=x)
    m.vary_time_settings(start=sf.if_then_else(m.time < 1, 0, 0.5))
    assert m.simulate()["x"].time.values.tolist() == [0, 1, 2, 3]


def test_settings_that_read_the_state_are_refused():
    m = sf.Model("m", start=0, stop=4, dt=1)
    x = m.stock("x", initial=1)
    m.flow("in", x, sink=x)
    m.vary_time_settings(stop=sf.if_then_else(m.time < x, 4, 8))
    with pytest.raises(TimeSettingsError, match="FINAL TIME.*stock 'x'"):
        m.simulate()


def test_settings_that_vary_per_run_are_refused():
    m, _ = growth()
    m.vary_time_settings(dt=m.ref("rate") * (1 + m.time * 0))
    with pytest.raises(TimeSettingsError, match="differs between runs"):
        m.simulate(params={"rate": np.array([0.5, 0.25])})


def test_delay_fixed_rk45_and_numba_are_refused():
    m, step = growth()
    m.aux("late", sf.delay_fixed(m["x"], 1, 0))
    m.vary_time_settings(dt=step)
    with pytest.raises(TimeSettingsError, match="DELAY FIXED.*late"):
        m.simulate()
    m, step = growth()
    m.vary_time_settings(dt=step)
    with pytest.raises(ModelError, match="rk45.*euler"):
        m.simulate(method="rk45")
    with pytest.raises(ModelError, match="numba"):
        m.simulate(backend="numba")


def test_bad_values_and_endless_grids_are_refused(monkeypatch):
    m, _ = growth()
    m.vary_time_settings(dt=sf.if_then_else(m.time < 2, 1, 0))
    with pytest.raises(TimeSettingsError, match="dt.*0 at time 2"):
        m.simulate()
    m, _ = growth()
    m.vary_time_settings(stop=m.time + 10)  # FINAL TIME that recedes forever
    monkeypatch.setattr(tg, "MAX_STEPS", 100)
    with pytest.raises(TimeSettingsError, match="more than 100 steps"):
        m.simulate()
    with pytest.raises(TimeSettingsError, match="vary_time_settings"):
        m.vary_time_settings(dt="fast")


def test_time_overrides_replace_the_settings():
    m, step = growth()
    m.vary_time_settings(dt=step, saveper=step)
    x = m.simulate(dt=1.0, saveper=1.0)["x"]
    assert x.values.tolist() == [1, 1.5, 2.25, 3.375, 5.0625]


def test_ordinary_models_never_walk_a_grid(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an ordinary model took the varying-settings path")
    monkeypatch.setattr(tg, "simulate_varying", refuse)
    m, _ = growth()
    assert float(m.simulate()["x"][-1]) == pytest.approx(1.5 ** 4)


def test_a_final_time_that_recedes_with_time_is_refused_naming_it(monkeypatch):
    m, _ = growth()
    m.vary_time_settings(stop=m.time + 5)  # used to walk step after step without end
    monkeypatch.setattr(tg, "MAX_STEPS", 1000)
    with pytest.raises(TimeSettingsError,
                       match=r"more than 1000 steps: FINAL TIME went from 5 at time 0 to "
                             r"1005 at time 1000, keeping ahead of TIME.*make FINAL TIME a "
                             r"number") as info:
        m.simulate()
    assert info.value.variables == ("FINAL TIME",)
    assert isinstance(info.value, ValueError)


def test_a_time_step_too_small_for_the_horizon_is_refused_at_once(monkeypatch):
    m, _ = growth()
    m.vary_time_settings(saveper=sf.if_then_else(m.time < 2, 1, 2))
    calls = []
    real = tg._settings_reader

    def counting(*args):
        read = real(*args)
        return lambda t: calls.append(t) or read(t)

    monkeypatch.setattr(tg, "_settings_reader", counting)
    # 4 / 1e-9 = 4e9 steps of a fixed size: refused at the first instead of walking ten
    # million of them
    with pytest.raises(TimeSettingsError, match=r"more than 10000000 steps: at time 0 "
                                                r"TIME STEP is 1e-09 and FINAL TIME is 4"):
        m.simulate(dt=1e-9)
    assert len(calls) <= 3


def test_a_time_step_that_is_tiny_only_at_first_is_not_refused():
    m, _ = growth()
    tiny_then_large = m.aux("step size", sf.if_then_else(m.time < 1e-8, 1e-9, 1))
    m.vary_time_settings(dt=tiny_then_large)
    # ten steps of 1e-9, one of 1 - 1e-8 to time 1... : a projection from the first step
    # (4e9 steps) would have refused it
    x = m.simulate()["x"]
    assert x.time.values[-1] == pytest.approx(4.0)


def test_the_step_limit_is_documented_and_large_enough_for_real_runs():
    assert tg.MAX_STEPS == 10_000_000
    assert "MAX_STEPS" in tg.time_grid.__doc__
