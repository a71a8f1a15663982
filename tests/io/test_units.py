"""Vensim unit text kept on imported models when it passes sdflow's unit check, dropped
with a warning when it does not (the model runs either way)."""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import pytest

import sdflow as sf
from sdflow.errors import UnitsDroppedWarning
from sdflow.io.units import vensim_units

DATA = Path(__file__).parents[1] / "data" / "io"


@pytest.mark.parametrize("text, expected", [
    ("Dmnl", "dimensionless"),
    ("Person/Month", "person/month"),
    ("Persons/Month", "person/month"),          # plural and singular are one unit
    ("People", "person"),
    ("Foxes/Year", "fox/year"),
    ("Widget*Month", "widget*month"),
    ("1/Year", "1/year"),
    ("Dmnl/Year", "dimensionless/year"),
    ("Degrees Fahrenheit/Minute", "degrees_fahrenheit/minute"),
    ("(kg*m)/s^2", "(kg*m)/s**2"),
    ("$/Widget", "dollar/widget"),
])
def test_vensim_unit_text_becomes_pint_text(text, expected):
    assert vensim_units(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "?", "Widget//Month", "(Widget", "Month)",
                                  "Widget Month*", "*Month", "2 Widgets"])
def test_text_outside_the_grammar_keeps_no_units(text):
    assert vensim_units(text) is None


def test_consistent_units_are_kept_in_the_results(tmp_path):
    shutil.copytree(DATA / "teacup", tmp_path / "teacup")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnitsDroppedWarning)
        model = sf.read_vensim(tmp_path / "teacup" / "teacup.mdl")
    ds = model.simulate().dataset
    assert ds["Teacup Temperature"].attrs["units"] == "degrees_fahrenheit"
    assert ds["Heat Loss to Room"].attrs["units"] == "degrees_fahrenheit/minute"
    assert ds["time"].attrs["units"] == "minute"
    assert model.check().ok


def test_inconsistent_units_are_dropped_with_a_warning(tmp_path):
    # Vensim runs this model (its unit check only warns): sin() of a time in months
    path = tmp_path / "wave.mdl"
    path.write_text("""{UTF-8}
wave = SIN(Time) ~ Dmnl ~|
level = INTEG(wave, 0) ~ Widget ~|
INITIAL TIME = 0 ~ Month ~|
FINAL TIME = 4 ~ Month ~|
TIME STEP = 1 ~ Month ~|
SAVEPER = TIME STEP ~ Month ~|
""")
    with pytest.warns(UnitsDroppedWarning, match="wave.mdl.*sin"):
        model = sf.read_vensim(path)
    assert all(getattr(v, "units", None) is None for v in model.variables)
    ds = model.simulate().dataset
    assert "units" not in ds["level"].attrs
    # Euler sums of sin(t), t = 0..3 (worked out by hand)
    assert float(ds["level"].isel(time=-1)) == pytest.approx(sum(math.sin(t)
                                                                  for t in range(4)))


def test_translation_ignores_units_that_models_added_to_the_registry():
    """Declared units extend the shared pint registry ("gizmo" becomes a unit, and pint's
    plural rule would then know "gizmos"); names are still translated by pint's own
    definitions, so "Gizmos" reads as "gizmo" before and after."""
    from sdflow.ir.units import parse_units, pint_defines
    before = vensim_units("Gizmos/Month")
    m = sf.Model("g", start=0, stop=1, dt=1, time_units="month")
    m.const("stock of gizmos", 1.0, units="gizmo")
    assert m.check().ok
    assert parse_units("gizmos") == parse_units("gizmo")  # pint now reads the plural
    assert not pint_defines("gizmos") and pint_defines("months")
    assert vensim_units("Gizmos/Month") == before == "gizmo/month"
