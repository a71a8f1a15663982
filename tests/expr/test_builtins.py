"""Every builtin of the registry reaches every stage: DSL, unit check, printers, Vensim and
XMILE.

The tests iterate `sdflow.expr.builtins`, so an entry added there is checked everywhere
without editing this file, and fails here when one stage does not know it. The values
themselves are checked elsewhere, against Vensim's canonical outputs and PySD
(tests/dsl/test_functions.py, tests/solve/test_conformance.py); here the engines and the
file formats must agree with the DSL model they started from: to 1e-14 between the numpy,
scalar and numba code (their C libraries may differ in the last bit), and to 1e-12 through
a Vensim or XMILE file (numbers written as text).
"""

from __future__ import annotations

import dataclasses
import inspect
import math

import numpy as np
import pytest

import sdflow as sf
from sdflow.analyse.polarity import SignReader
from sdflow.compile.expressions import ExpressionWriter, Value
from sdflow.dsl import functions
from sdflow.errors import UnsupportedFeatureError
from sdflow.expr import builtins as builtins_module
from sdflow.expr import nodes as ex
from sdflow.expr.builtins import (BUILTINS, DISCRETE_FUNCTIONS, REDUCTIONS, render,
                                  vensim_key)
from sdflow.io import expressions as vensim_reader
from sdflow.ir.nodes import NodeRef
from sdflow.ir.units import UnitPass

NAMES = sorted(BUILTINS)
WRAPPED = sorted(set(functions.__all__))
STOP, DT = 8.0, 0.25


def arguments(builtin, t, count=None):
    """Sample arguments: the first moves with time (0.5 to 2.5), the others are 1.5, 2.5...

    Positive everywhere (LN, SQRT, LOG's base above 1), and ``eq`` of the first two holds
    at time 4, so both branches of the conditions are taken. ``count`` defaults to every
    argument the builtin takes.
    """
    count = builtin.arity if count is None else count
    return [0.5 + 0.25 * t] + [i + 0.5 for i in range(1, count)]


def sample_model(names=NAMES, reductions=tuple(REDUCTIONS), counts=None) -> sf.Model:
    """One auxiliary per builtin (``f <name>``) and per reduction (``r <name>``); ``counts``
    maps a builtin to its number of arguments, if not all."""
    m = sf.Model("registry", start=0, stop=STOP, dt=DT)
    for name in names:
        count = (counts or {}).get(name)
        m.aux(f"f {name}", getattr(sf, name)(*arguments(BUILTINS[name], m.time, count)))
    if not reductions:
        return m
    region = m.dim("region", ["a", "b", "c"])
    c = m.const("c", [1.0, 2.0, 4.0], dims=[region])
    for name in reductions:
        m.aux(f"r {name}", getattr(sf, name)(c * (1 + m.time), over=region))
    return m


@pytest.fixture(scope="module")
def reference():
    return sample_model().simulate()


# -- the DSL ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", WRAPPED)
def test_every_builtin_has_a_public_function_with_the_registry_docstring(name):
    function = getattr(sf, name)
    assert name in sf.__all__ and function is getattr(functions, name)
    declared = BUILTINS.get(name) or REDUCTIONS[name]
    assert function.__doc__ == declared.doc and function.__doc__.strip()
    assert function.__module__ == "sdflow.dsl.functions" and function.__name__ == name
    assert ">>> " in function.__doc__  # an example, run as a doctest of the module


def test_every_builtin_and_reduction_has_exactly_one_public_function():
    folded = {n for n, b in BUILTINS.items() if b.fold}
    assert folded <= set(REDUCTIONS)  # MIN and MAX reduce with over=
    own = {n for n, r in REDUCTIONS.items() if r.doc is not None}
    assert not own & set(BUILTINS)  # a reduction with its own wrapper has no builtin twin
    assert sorted(functions.__all__) == sorted(set(BUILTINS) | own)
    assert len(functions.__all__) == len(set(functions.__all__))


@pytest.mark.parametrize("name", NAMES)
def test_the_wrapper_builds_a_call_of_the_registry_name(name):
    builtin = BUILTINS[name]
    m = sf.Model("m", start=0, stop=1, dt=1)
    node = getattr(sf, name)(*arguments(builtin, m.time))
    assert isinstance(node, ex.Call) and node.func == name
    assert builtin.required <= len(node.args) <= builtin.arity


def test_signatures_keep_their_published_form():
    """The signatures the API reference showed before the registry (help() shows them)."""
    shown = {name: str(inspect.signature(getattr(sf, name))) for name in
             ("if_then_else", "ramp", "min", "sum", "log", "pulse_train")}
    assert shown == {
        "if_then_else": "(condition, value_if_true, value_if_false) -> 'Expr'",
        "ramp": "(slope, start, end=None) -> 'Expr'",
        "min": "(*args, over: 'Dimension | None' = None) -> 'Expr'",
        "sum": "(x, over: 'Dimension') -> 'Expr'",
        "log": "(x, base) -> 'Expr'",
        "pulse_train": "(start, width, interval, end) -> 'Expr'",
    }


def test_wrappers_bind_like_python_functions():
    m = sf.Model("m", start=0, stop=1, dt=1)
    assert repr(sf.ramp(slope=1, start=2)) == "ramp(1.0, 2.0)"  # the end left out
    assert repr(sf.xidz(1, denominator=m.time, value_if_zero=3)) == "xidz(1.0, TIME, 3.0)"
    with pytest.raises(TypeError, match=r"sf\.exp\(x\): too many positional arguments"):
        sf.exp(1, 2)
    with pytest.raises(TypeError, match=r"sf\.step\(height, step_time\): missing"):
        sf.step(1)
    with pytest.raises(sf.ExpressionTruthError, match="sf.if_then_else"):
        sf.if_then_else(m.time == 1, 1, 0)


# -- the unit check ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_every_builtin_has_a_unit_rule_that_runs(name):
    builtin = BUILTINS[name]
    assert builtin.units in UnitPass.RULES
    m = sf.Model("m", start=0, stop=1, dt=1, time_units="year")
    m.const("x", 1.0, units="widget")  # a declared unit: the unit pass runs
    m.aux("y", getattr(sf, name)(*[float(i) + 0.5 for i in range(builtin.arity)]))
    m.graph()  # its rule ran (bare numbers take the units their context asks for)


def test_unit_rules_are_all_used():
    assert set(UnitPass.RULES) == {b.units for b in BUILTINS.values()}


# -- link polarity -------------------------------------------------------------------------
def test_every_slope_rule_is_known_to_link_polarity():
    declared = {b.slope for b in BUILTINS.values()} - {None}
    assert declared == set(SignReader.RULES)


# -- the printers --------------------------------------------------------------------------------
def _print(name: str, scalar: bool, writer=ExpressionWriter) -> str:
    """The code of ``name`` applied to the references ``a0``, ``a1``..."""
    refs = {f"a{i}": Value(f"a{i}", (), True) for i in range(BUILTINS[name].arity)}
    call = ex.Call(name, *(NodeRef(k) for k in refs))
    return writer(scalar, refs.__getitem__, lambda lookup: ("xs", "ys")).write(call).code


@pytest.mark.parametrize("name", NAMES)
def test_every_printer_writes_every_argument(name):
    from sdflow.compile.numba_backend import NumbaExpressionWriter
    builtin = BUILTINS[name]
    for scalar, writer in ((False, ExpressionWriter), (True, ExpressionWriter),
                           (True, NumbaExpressionWriter)):
        code = _print(name, scalar, writer)
        for i in range(builtin.arity):
            assert f"a{i}" in code, (name, code)


def test_numpy_and_scalar_code_agree(reference):
    m = sample_model(reductions=())
    scalar = m.simulate(backend="scalar")
    batched = m.simulate(backend="batched")
    for name in NAMES:
        a, b = scalar[f"f {name}"].values, batched[f"f {name}"].values
        # numpy's vectorised exp, tanh... may differ from the C library's in the last bit
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-300, err_msg=name)
        np.testing.assert_allclose(a, reference[f"f {name}"].values, rtol=1e-14,
                                   atol=1e-300, err_msg=name)


def test_numba_runs_every_builtin_like_the_scalar_code():
    pytest.importorskip("numba")
    m = sample_model(reductions=())
    ours = m.simulate(backend="numba")
    scalar = m.simulate(backend="scalar")
    for name in NAMES:
        # numba's exp/log may differ from the C library's in the last bit
        np.testing.assert_allclose(ours[f"f {name}"].values, scalar[f"f {name}"].values,
                                   rtol=1e-14, atol=0, err_msg=name)


def test_discrete_functions_are_the_ones_that_read_time():
    assert DISCRETE_FUNCTIONS == {n for n, b in BUILTINS.items() if b.reads_time}
    for name in DISCRETE_FUNCTIONS:
        assert "{t}" in BUILTINS[name].numpy and "{t}" in BUILTINS[name].scalar


# -- Vensim -----------------------------------------------------------------------------------
def _vensim_equation(builtin, args: list[str]) -> str:
    if builtin.operator:
        return f"IF THEN ELSE({args[0]} {builtin.vensim} {args[1]}, 1, 0)"
    return f"{builtin.vensim}({', '.join(args)})"


def test_every_vensim_name_is_read_back_to_the_same_values(tmp_path, reference):
    """A .mdl file calling each builtin by its Vensim name runs like the DSL model."""
    lines = []
    for name in NAMES:
        builtin = BUILTINS[name]
        if builtin.vensim is None:
            continue
        args = ["(0.5 + 0.25 * Time)"] + [repr(i + 0.5) for i in range(1, builtin.arity)]
        lines.append(f"f {name} = {_vensim_equation(builtin, args)} ~~|")
    lines.append("region: a, b, c ~~|")
    lines.append("c[region] = 1, 2, 4 ~~|")
    for name, reduction in REDUCTIONS.items():
        if reduction.vensim is not None:
            lines.append(f"r {name} = {reduction.vensim}(c[region!] * (1 + Time)) ~~|")
    lines += ["INITIAL TIME = 0 ~~|", f"FINAL TIME = {STOP} ~~|", f"TIME STEP = {DT} ~~|",
              "SAVEPER = TIME STEP ~~|"]
    path = tmp_path / "registry.mdl"
    path.write_text("{UTF-8}\n" + "\n".join(lines) + "\n")
    run = sf.read_vensim(path).simulate()
    checked = 0
    for line in lines[:-4]:
        variable = line.split(" = ")[0]
        if variable.startswith(("f ", "r ")):
            expected = reference[variable].values
            if variable.startswith("f ") and BUILTINS[variable[2:]].operator:
                expected = (expected != 0).astype(float)
            np.testing.assert_allclose(run[variable].values, expected, rtol=1e-12,
                                       err_msg=line)
            checked += 1
    assert checked == sum(b.vensim is not None for b in BUILTINS.values()) + \
        sum(r.vensim is not None for r in REDUCTIONS.values())


def test_the_reader_tables_come_from_the_registry():
    for name, builtin in BUILTINS.items():
        if builtin.vensim is None:
            continue
        if builtin.operator:
            assert vensim_reader.OPERATORS[builtin.vensim] is getattr(sf, name)
        else:
            count, _ = vensim_reader.ELEMENTWISE[vensim_key(builtin.vensim)]
            assert count == builtin.arity
    for name, reduction in REDUCTIONS.items():
        if reduction.vensim is not None:
            assert vensim_reader.REDUCERS[vensim_key(reduction.vensim)] == name


# -- XMILE ------------------------------------------------------------------------------------
def test_every_xmile_form_is_written_and_read_back_to_the_same_values(tmp_path):
    """Each builtin with as many arguments as its XMILE form takes (RAMP without its end)."""
    names = [n for n in NAMES if BUILTINS[n].xmile is not None]
    counts = {}
    for name in names:
        builtin = BUILTINS[name]
        try:
            render(builtin.xmile, ["a"] * builtin.arity, dt="dt", small="small")
        except ValueError:
            counts[name] = builtin.required
    m = sample_model(names, counts=counts)
    reference = m.simulate()
    path = tmp_path / "registry.xmile"
    sf.write_xmile(m, path)
    run = sf.read_xmile(path).simulate()
    for name in names:
        np.testing.assert_allclose(run[f"f {name}"].values, reference[f"f {name}"].values,
                                   rtol=1e-12, err_msg=name)
    for name, reduction in REDUCTIONS.items():
        assert reduction.xmile is not None
        np.testing.assert_allclose(run[f"r {name}"].values, reference[f"r {name}"].values,
                                   rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("name", [n for n in NAMES if BUILTINS[n].xmile is None] or ["exp"])
def test_a_builtin_without_an_xmile_form_is_refused_by_name(name, tmp_path, monkeypatch):
    # while every entry has an XMILE form, one is taken away to check the refusal
    monkeypatch.setitem(builtins_module._BUILTINS, name,
                        dataclasses.replace(BUILTINS[name], xmile=None))
    m = sample_model([name], reductions=())
    with pytest.raises(UnsupportedFeatureError, match=f"the function {name} has no XMILE"):
        sf.write_xmile(m, tmp_path / "m.xmile")


def test_an_xmile_form_never_drops_an_argument(tmp_path):
    # XMILE's RAMP has no end time: the registry's form refuses a third argument, and the
    # writer states RAMP with an end as IF THEN ELSE on TIME instead
    with pytest.raises(ValueError, match="argument 3 of 3"):
        render(BUILTINS["ramp"].xmile, ["a", "b", "c"])
    m = sf.Model("m", start=0, stop=2, dt=0.25)
    m.aux("y", sf.ramp(1, 0.5, 1.25))
    sf.write_xmile(m, tmp_path / "m.xmile")
    assert "RAMP" not in (tmp_path / "m.xmile").read_text()
    np.testing.assert_allclose(sf.read_xmile(tmp_path / "m.xmile").simulate()["y"].values,
                               m.simulate()["y"].values, rtol=1e-12)


def test_math_of_the_sample_is_finite(reference):
    """The sample arguments stay in every function's domain (else the checks above would
    compare NaNs)."""
    for name in NAMES:
        assert np.isfinite(reference[f"f {name}"].values).all(), name
    assert math.isclose(float(reference["r sum"].values[0]), 7.0)  # 1 + 2 + 4 at time 0


# -- random draws: declared apart ------------------------------------------------------------
def test_random_draws_are_declared_apart_from_the_builtins():
    """Vensim's RANDOM functions are not registry entries: a draw depends on the run's seed
    and index, the time step and a stream named after its variable, which no elementwise
    printing form holds. They are `Noise` nodes whose distributions are declared once in
    `sdflow.expr.random_draws`, read by the DSL, the node and the Vensim reader."""
    from sdflow.dsl import random_draws
    from sdflow.expr.random_draws import RANDOM_DRAWS
    names = {f"random_{dist}" for dist in RANDOM_DRAWS}
    assert not names & set(BUILTINS) and not names & set(functions.__all__)
    assert set(random_draws.__all__) == names and names <= set(sf.__all__)
    for dist, draw in RANDOM_DRAWS.items():
        function = getattr(sf, f"random_{dist}")
        assert function is getattr(random_draws, f"random_{dist}") and ">>> " in function.__doc__
        assert list(inspect.signature(function).parameters) == \
            ["minimum", "maximum", *draw.params, "stream", "dims"]
        node = function(*(float(i) for i in range(draw.arity)), stream=7)
        assert isinstance(node, ex.Noise) and (node.dist, len(node.args)) == (dist, draw.arity)
        # Vensim's call has the stream ID last
        assert vensim_reader.RANDOM[vensim_key(draw.vensim)] == (dist, draw.arity + 1)


def test_a_random_draw_takes_the_units_of_its_bounds():
    m = sf.Model("m", start=0, stop=1, dt=1, time_units="year")
    low, high = m.const("low", 1.0, units="widget"), m.const("high", 2.0, units="widget")
    m.aux("y", sf.random_uniform(low, high), units="widget")
    m.graph()  # the bounds agree with each other and with the declared units
    m = sf.Model("m", start=0, stop=1, dt=1, time_units="year")
    low, high = m.const("low", 1.0, units="widget"), m.const("high", 2.0, units="person")
    m.aux("y", sf.random_uniform(low, high))
    with pytest.raises(sf.UnitError, match="random draw's minimum and maximum"):
        m.graph()
