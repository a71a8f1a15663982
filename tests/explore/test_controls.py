"""Slider ranges (`sdflow.explore.controls`): declared in the documentation, or defaults."""

from __future__ import annotations

import sdflow as sf
from sdflow.explore.controls import FACTOR_RANGE, model_controls


def model():
    m = sf.Model("m", start=2000, stop=2050, dt=1, time_units="year")
    region = m.dim("region", ["north", "south"])
    m.const("tax share", 0.2, units="1")
    m.const("subsidy", 3.0, units="yuan", doc="per unit, agreed range [1, 5.5] (2024 law)")
    m.const("reform year", 2030, units="year")
    m.const("loss", -0.4, units="1/year")
    m.const("growth", [0.02, 0.03], dims=[region], units="1/year")
    m.const("odd bounds", 2.0, doc="written backwards [5, 1]")
    x = m.stock("x", initial=1.0)
    m.flow("f", x * 0, sink=x)
    return m


def test_documented_ranges_first_then_defaults_by_kind():
    controls = {c.name: c for c in model_controls(model())}
    assert (controls["subsidy"].low, controls["subsidy"].high) == (1.0, 5.5)
    assert controls["subsidy"].documented
    assert (controls["tax share"].low, controls["tax share"].high) == (0.0, 1.0)
    assert (controls["reform year"].low, controls["reform year"].high) == (2000.0, 2050.0)
    assert (controls["loss"].low, controls["loss"].high) == (-0.8, 0.0)
    # an interval whose bounds are not in order is not a range: the default applies
    assert (controls["odd bounds"].low, controls["odd bounds"].high) == (0.0, 4.0)
    assert not controls["odd bounds"].documented


def test_arrayed_constants_come_last_with_ranges_per_element():
    controls = model_controls(model())
    assert [c.name for c in controls][-1] == "growth"
    growth = controls[-1].as_json()
    assert growth["low"] == [0.0, 0.0] and growth["high"] == [0.04, 0.06]
    assert growth["elements"] == ["growth[north]", "growth[south]"]
    assert growth["factor_range"] == list(FACTOR_RANGE)
