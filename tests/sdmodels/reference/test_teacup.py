"""Tests of `sdmodels.reference.teacup`.

Expected numbers: the canonical Vensim output of the SDXorg test-models suite
(tests/data/reference/teacup_output.csv), and Newton's law of cooling solved by hand.
"""

import numpy as np

from sdmodels.reference import teacup

ROOM, T0, TAU, DT = 70.0, 180.0, 10.0, 0.125  # the Vensim original's constants


def test_checks_clean():
    report = teacup.build().check()
    assert report.ok and report.warnings == []


def test_each_build_is_a_new_model():
    first, second = teacup.build(), teacup.build(room_temperature=20.0)
    assert first is not second
    assert first["room temperature"].value == ROOM


def test_matches_vensim_canonical_output(reference_data, matches_canonical):
    compared = matches_canonical(teacup.build(), reference_data / "teacup_output.csv")
    assert {"teacup temperature", "heat loss to room"} <= set(compared)


def test_euler_is_the_exact_geometric_decay():
    # Euler multiplies the gap to the room by (1 - dt/tau) every step.
    run = teacup.build().simulate(method="euler")
    steps = np.arange(run.dataset.sizes["time"])
    expected = ROOM + (T0 - ROOM) * (1 - DT / TAU) ** steps
    np.testing.assert_allclose(run["teacup temperature"].values, expected, rtol=1e-12)


def test_rk4_follows_newtons_law_of_cooling():
    # T(t) = T_room + (T0 - T_room) exp(-t / tau); RK4's error at dt/tau = 1/80 is ~1e-12.
    run = teacup.build().simulate(method="rk4")
    t = run.dataset["time"].values
    expected = ROOM + (T0 - ROOM) * np.exp(-t / TAU)
    np.testing.assert_allclose(run["teacup temperature"].values, expected, rtol=1e-9)
    np.testing.assert_allclose(run["heat loss to room"].values, (expected - ROOM) / TAU,
                               rtol=1e-8)


def test_options_change_the_dynamics():
    # Half the characteristic time: the gap closes twice as fast, e^-6 of it is left at 30.
    run = teacup.build(characteristic_time=5.0, room_temperature=20.0).simulate(method="rk4")
    assert abs(float(run["teacup temperature"][-1]) - (20 + 160 * np.exp(-6))) < 1e-6


def test_temperature_units_are_checked():
    # degF is an offset unit; the unit check must still accept degF/minute for the flow
    # of a degF stock and refuse a flow in another temperature scale or time unit.
    import sdflow as sf
    for flow_units, ok in (("degF/minute", True), ("degC/minute", False),
                           ("degF/hour", False)):
        m = sf.Model("cup", start=0, stop=1, dt=0.5, time_units="minute")
        tea = m.stock("tea", initial=180.0, units="degF")
        room = m.const("room", 70.0, units="degF")
        m.flow("loss", (tea - room) / m.const("tau", 10.0, units="minute"), source=tea,
               units=flow_units)
        assert m.check(raise_on_error=False).ok is ok, flow_units
