"""`Model`: declarations, name look-up, and caches that follow the model as it grows."""

from __future__ import annotations

import numpy as np
import pytest

import sdflow as sf


def test_lookup_by_vensim_equivalent_name():
    m = sf.Model("m", start=0, stop=1, dt=1)
    rate = m.const("Growth Rate", 0.1)
    assert m["growth_rate"] is rate and m["GROWTH  rate"] is rate
    assert "growth rate" in m and "decline" not in m
    with pytest.raises(KeyError, match="model 'm' has no variable 'decline'"):
        m["decline"]
    assert [v.name for v in m.variables] == ["Growth Rate"]
    assert "1 variables" in repr(m)


def test_adding_variables_after_a_run_is_seen_by_the_next_run():
    m = sf.Model("m", start=0, stop=2, dt=1)
    x = m.stock("x", initial=1.0)
    m.flow("f", 0.5 * x, sink=x)
    first = m.simulate()
    m.aux("double", 2 * x)
    second = m.simulate()
    assert "double" not in first and "double" in second
    np.testing.assert_allclose(second["double"].values, 2 * first["x"].values)


def test_stock_initial_values_by_element_and_from_expressions():
    m = sf.Model("m", start=0, stop=1, dt=1)
    region = m.dim("region", ["a", "b"])
    base = m.const("base", [1.0, 2.0], dims=[region])
    by_value = m.stock("by value", initial=[3.0, 4.0], dims=[region])
    by_dict = m.stock("by dict", initial={"b": 6.0, "a": 5.0}, dims=[region])
    by_expression = m.stock("by expression", initial=base * 10, dims=[region])
    for stock in (by_value, by_dict, by_expression):
        m.flow(f"{stock.name} in", 0.0 * base, sink=stock, dims=[region])
    run = m.simulate()
    assert run["by value"].values[0].tolist() == [3.0, 4.0]
    assert run["by dict"].values[0].tolist() == [5.0, 6.0]
    assert run["by expression"].values[0].tolist() == [10.0, 20.0]
    with pytest.raises(sf.DuplicateNameError, match="'by value'"):
        m.stock("By Value", initial=[1.0, 1.0], dims=[region])


def test_names_must_be_non_empty_strings():
    m = sf.Model("m", start=0, stop=1, dt=1)
    with pytest.raises(sf.ModelError, match="non-empty string name"):
        m.const("  ", 1.0)
    with pytest.raises(sf.ModelError, match="non-empty string name"):
        m.const(None, 1.0)
    with pytest.raises(sf.ModelError, match="'x': value 'abc' is not numeric"):
        m.const("x", "abc")


def test_compile_exposes_source_and_caches():
    m = sf.Model("m", start=0, stop=1, dt=1)
    k = m.const("k", 0.5)
    x = m.stock("x", initial=1.0)
    m.flow("decay", k * x, source=x)
    compiled = m.compile()
    assert compiled is m.compile()
    assert compiled.scalar and "def evaluate(" in compiled.source
    batched = m.compile(["k"], scalar=False)
    assert not batched.scalar and batched.params == ("k",)
    assert "P[:, 0]" in batched.source  # k read from the parameter matrix, not folded
    assert "0.5" in compiled.source      # folded into the scalar code


@pytest.mark.parametrize("settings", [
    {"start": 0, "stop": 1000000.5, "dt": 1},          # half a step over a long horizon
    {"start": 0, "stop": 10.05, "dt": 0.1},            # half a step over a short one
    {"start": 2004, "stop": 2060, "dt": 1, "saveper": float("nan")},
    {"start": 2004, "stop": 2060, "dt": 1, "saveper": float("inf")},
    {"start": 2004, "stop": 2060, "dt": 1, "saveper": -2},
])
def test_time_settings_that_cannot_drive_a_run_are_refused(settings):
    with pytest.raises(sf.TimeSettingsError) as info:
        sf.Model("m", **settings)
    assert isinstance(info.value, ValueError)  # also caught by ``except ValueError``


@pytest.mark.parametrize("settings", [
    {"start": 0, "stop": 100, "dt": 0.1, "saveper": 0.3},   # 0.1 * 1000 != 100 in floats
    {"start": 2004, "stop": 2060, "dt": 1 / 64},
    {"start": 1e9, "stop": 1e9 + 1, "dt": 0.1},             # the span loses the start's digits
    {"start": 0, "stop": 7e6, "dt": 0.7},
])
def test_horizons_that_are_whole_numbers_of_steps_up_to_rounding_are_accepted(settings):
    m = sf.Model("m", **settings)
    assert m.stop == settings["stop"]
