"""Elementwise builtins against Vensim's documented semantics and against PySD.

Expected numbers: PySD 3.14 running the same equations written in Vensim syntax (its
``py_backend/functions.py`` implements Vensim's STEP, PULSE, RAMP, XIDZ... with Vensim's
1e-6 tolerances), and values worked out by hand from Vensim's documentation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sdflow as sf

#: name -> (Vensim equation, DSL expression of (model, time))
BUILTINS = {
    "s": ("STEP(2, 3)", lambda m, t: sf.step(2, 3)),
    "p": ("PULSE(2, 1.5)", lambda m, t: sf.pulse(2, 1.5)),
    "pt": ("PULSE TRAIN(1, 0.5, 2, 7)", lambda m, t: sf.pulse_train(1, 0.5, 2, 7)),
    "r": ("RAMP(0.5, 2, 6)", lambda m, t: sf.ramp(0.5, 2, 6)),
    "ite": ("IF THEN ELSE(Time > 4 :AND: Time <= 7, 1, -1)",
            lambda m, t: sf.if_then_else((t > 4) & (t <= 7), 1, -1)),
    "ite2": ("IF THEN ELSE(Time < 2 :OR: Time = 9, Time, 0)",
             lambda m, t: sf.if_then_else((t < 2) | sf.eq(t, 9), t, 0)),
    "ite3": ("IF THEN ELSE(:NOT: (Time <> 5), 3, 4)",
             lambda m, t: sf.if_then_else(~sf.ne(t, 5), 3, 4)),
    "mn": ("MIN(Time, 5)", lambda m, t: sf.min(t, 5)),
    "mx": ("MAX(Time - 3, 2 - Time)", lambda m, t: sf.max(t - 3, 2 - t)),
    "ab": ("ABS(Time - 4)", lambda m, t: sf.abs(t - 4)),
    "ex": ("EXP(-Time / 3)", lambda m, t: sf.exp(-t / 3)),
    "lnv": ("LN(1 + Time)", lambda m, t: sf.ln(1 + t)),
    "lg": ("LOG(1 + Time, 10)", lambda m, t: sf.log(1 + t, 10)),
    "sq": ("SQRT(Time)", lambda m, t: sf.sqrt(t)),
    "sn": ("SIN(Time)", lambda m, t: sf.sin(t)),
    "cs": ("COS(Time / 2)", lambda m, t: sf.cos(t / 2)),
    "it": ("INTEGER(Time - 4.5)", lambda m, t: sf.integer(t - 4.5)),
    "mo": ("MODULO(Time - 5, 3)", lambda m, t: sf.modulo(t - 5, 3)),
    "xz": ("XIDZ(3, Time - 2, 7)", lambda m, t: sf.xidz(3, t - 2, 7)),
    "zz": ("ZIDZ(3, Time - 2)", lambda m, t: sf.zidz(3, t - 2)),
    "tm": ("Time * 2", lambda m, t: t * 2),
    "pw": ("(1 + Time) ^ 1.5", lambda m, t: (1 + t) ** 1.5),
}


@pytest.fixture(scope="module")
def peer(pysd_run):
    return pysd_run({k: v[0] for k, v in BUILTINS.items()}, start=0, stop=10, dt=0.25)


def builtins_model() -> sf.Model:
    m = sf.Model("builtins", start=0, stop=10, dt=0.25)
    for name, (_, build) in BUILTINS.items():
        m.aux(name, build(m, m.time))
    m.const("k", 1.0)  # lets a batch of runs be asked for
    return m


@pytest.mark.parametrize("backend, n", [("scalar", 1), ("batched", 1), ("batched", 3)])
def test_builtins_match_pysd(peer, backend, n):
    run = builtins_model().simulate(backend=backend, n=n)
    for name in BUILTINS:
        values = run[name].values
        expected = peer[name].values.astype(float)
        if n > 1:
            expected = np.repeat(expected[:, None], n, axis=1)
        np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-12, err_msg=name)


def series(expression, stop=10.0, dt=0.25, backend="scalar"):
    m = sf.Model("one", start=0, stop=stop, dt=dt)
    m.aux("y", expression(m, m.time))
    run = m.simulate(backend=backend)
    return dict(zip(run.dataset["time"].values.tolist(), run["y"].values.tolist()))


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_step_switches_at_the_step_time(backend):
    y = series(lambda m, t: sf.step(5, 2), backend=backend)
    assert y[1.75] == 0 and y[2.0] == 5 and y[10.0] == 5


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_pulse_lasts_width_and_zero_width_is_one_dt(backend):
    """Vensim: "If width is passed as 0 it will be treated as though it were the current
    value of TIME STEP" (PySD differs here: it returns no pulse at all)."""
    y = series(lambda m, t: sf.pulse(2, 1), backend=backend)
    assert [y[t] for t in (1.75, 2.0, 2.75, 3.0)] == [0, 1, 1, 0]
    y = series(lambda m, t: sf.pulse(2, 0), backend=backend)
    assert [t for t, v in y.items() if v] == [2.0]


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_pulse_train_repeats_until_end(backend):
    """Pulses of width 0.5 every 2 from 1: on at 1, 1.25, 3, 3.25, 5, 5.25; the one that
    would start at the end time (7) does not happen, as in Vensim and PySD."""
    y = series(lambda m, t: sf.pulse_train(1, 0.5, 2, 7), backend=backend)
    assert [t for t, v in y.items() if v] == [1.0, 1.25, 3.0, 3.25, 5.0, 5.25]
    y = series(lambda m, t: sf.pulse_train(1, 0.5, 2, 7.25), backend=backend)
    assert [t for t, v in y.items() if v][-1] == 7.0


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_ramp_with_and_without_end(backend):
    y = series(lambda m, t: sf.ramp(0.5, 2, 6), backend=backend)
    assert (y[1.0], y[2.0], y[4.0], y[6.0], y[9.0]) == (0, 0, 1.0, 2.0, 2.0)
    y = series(lambda m, t: sf.ramp(0.5, 2), backend=backend)
    assert (y[1.0], y[4.0], y[10.0]) == (0, 1.0, 4.0)


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_integer_modulo_xidz_zidz_by_hand(backend):
    assert series(lambda m, t: sf.integer(-2.5 + 0 * t), backend=backend)[0.0] == -2
    assert series(lambda m, t: sf.integer(2.7 + 0 * t), backend=backend)[0.0] == 2
    # MODULO keeps the sign of x (Vensim; PySD's x - QUANTUM(x, m)): MODULO(-7, 3) = -1
    assert series(lambda m, t: sf.modulo(-7 + 0 * t, 3), backend=backend)[0.0] == -1
    assert series(lambda m, t: sf.modulo(7 + 0 * t, 3), backend=backend)[0.0] == 1
    # XIDZ/ZIDZ: a denominator below 1e-6 in magnitude counts as zero
    assert series(lambda m, t: sf.xidz(1, 1e-7 + 0 * t, 9), backend=backend)[0.0] == 9
    assert series(lambda m, t: sf.zidz(1, -1e-7 + 0 * t), backend=backend)[0.0] == 0
    assert series(lambda m, t: sf.xidz(1, 1e-5 + 0 * t, 9), backend=backend)[0.0] == \
        pytest.approx(1e5)


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_xidz_of_two_constants_divides_at_run_time(backend):
    """Both operands plain numbers (no batch axis): no Python ZeroDivisionError."""
    m = sf.Model("m", start=0, stop=1, dt=1)
    zero = m.const("zero", 0.0)
    m.aux("x", sf.xidz(11, zero, 4))
    m.aux("z", sf.zidz(11, zero))
    run = m.simulate(backend=backend)
    assert run["x"].values.tolist() == [4.0, 4.0]
    assert run["z"].values.tolist() == [0.0, 0.0]


def test_logic_on_numbers_gives_the_same_truth_on_both_paths():
    """``a & b`` of plain numbers is a truth value (1 or 0) on both code paths: Python's
    ``2.0 and 3.0`` would be 3.0."""
    m = sf.Model("m", start=0, stop=1, dt=1)
    a = m.const("a", 2.0)
    b = m.const("b", 3.0)
    m.aux("both", a & b)
    m.aux("either", (a < 1) | b)
    m.aux("neither", ~a)
    scalar = m.simulate(backend="scalar")
    batched = m.simulate(backend="batched")
    for name, value in (("both", 1.0), ("either", 1.0), ("neither", 0.0)):
        assert scalar[name].values.tolist() == [value, value], name
        assert batched[name].values.tolist() == [value, value], name


def test_constant_only_arithmetic_gives_inf_or_nan_not_python_errors():
    """Division and powers of folded constants: numpy semantics on the batched path, and a
    SimulationError naming the variable rather than ZeroDivisionError."""
    m = sf.Model("m", start=0, stop=1, dt=1)
    zero = m.const("zero", 0.0)
    m.aux("ratio", 1 / zero)
    with pytest.raises(sf.SimulationError, match="'ratio'"):
        m.simulate(backend="batched")
    with pytest.raises(sf.SimulationError, match="'ratio'"):
        m.simulate(backend="scalar")


def test_min_max_of_several_arguments_and_time():
    y = series(lambda m, t: sf.min(t, 5, 10 - t) + sf.max(1, t / 4, 2))
    assert y[3.0] == 3 + 2 and y[8.0] == 2 + 2
    y = series(lambda m, t: t + 0)
    assert y[2.5] == 2.5 and y[10.0] == 10.0


def test_reducers_need_a_dimension_or_two_arguments():
    with pytest.raises(TypeError, match="two or more"):
        sf.min(1)
    m = sf.Model("m", start=0, stop=1, dt=1)
    r = m.dim("r", ["a", "b"])
    with pytest.raises(TypeError, match="one expression"):
        sf.max(1, 2, over=r)


def test_python_math_functions_are_refused_with_a_pointer():
    m = sf.Model("m", start=0, stop=1, dt=1)
    x = m.const("x", 1.0)
    with pytest.raises(TypeError):
        np.exp(x)
    with pytest.raises(TypeError):
        math.exp(x)


@pytest.mark.parametrize("decided", [False, True, np.False_, np.True_, np.array(True)],
                         ids=["False", "True", "np.False_", "np.True_", "0-d bool array"])
def test_a_condition_decided_by_python_is_refused(decided):
    """``x == 1`` on a model variable is Python's identity test, always False: it gave
    ``if_then_else(x == 1, 10, 20) = 20`` at x = 1. A bool of any kind is refused."""
    with pytest.raises(sf.ExpressionTruthError, match=r"sf\.eq\(x, 1\)") as caught:
        sf.if_then_else(decided, 10, 20)
    assert isinstance(caught.value, TypeError)
    assert "sf.if_then_else" in str(caught.value) and "write 1 (0)" in str(caught.value)


def test_equality_written_with_double_equals_is_refused_and_sf_eq_works():
    m = sf.Model("m", start=0, stop=2, dt=1)
    x = m.aux("x", m.time)
    with pytest.raises(sf.ExpressionTruthError, match="Python value False"):
        sf.if_then_else(x == 1, 10, 20)
    m.aux("y", sf.if_then_else(sf.eq(x, 1), 10, 20))
    m.aux("always", sf.if_then_else(1, 10, 20))  # 1 and 0 stand for fixed conditions
    run = m.simulate()
    assert run["y"].values.tolist() == [20.0, 10.0, 20.0]  # 10 exactly where time = 1
    assert run["always"].values.tolist() == [10.0, 10.0, 10.0]


@pytest.mark.parametrize("combine", [
    lambda c, d: c & d, lambda c, d: d & c, lambda c, d: c | d, lambda c, d: d | c],
    ids=["c & bool", "bool & c", "c | bool", "bool | c"])
def test_logic_operators_refuse_python_bools(combine):
    m = sf.Model("m", start=0, stop=1, dt=1)
    x = m.const("x", 1.0)
    with pytest.raises(sf.ExpressionTruthError, match="sf.eq"):
        combine(x > 0, x == 1)
