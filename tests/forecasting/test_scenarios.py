"""Scenarios: steps, ramps, lever values, series overrides, name errors.

Expected values are worked out by hand from Euler's update x <- x + dt * rate * x and
Vensim's STEP/RAMP semantics (a step at T counts from the step at time T).
"""

import numpy as np
import pandas as pd
import pytest

import sdflow as sf
from sdflow.forecasting import Ramp, Scenario, SeriesOverride, Step, select_scenarios

from .models import regions


def test_step_changes_lever_from_the_policy_year():
    m = sf.Model("m", start=0, stop=10, dt=1)
    r = m.const("rate", 0.1)
    x = m.stock("x", initial=1.0)
    m.flow("growth", r * x, sink=x)
    run = Scenario("s", changes=[Step("rate", at=4, to=0.2)]).prepare(m).model.simulate()
    assert float(run["x"].sel(time=10)) == pytest.approx(1.1 ** 4 * 1.2 ** 6, rel=1e-12)
    assert run["rate path"].values.tolist() == [0.1] * 4 + [0.2] * 7


def test_ramp_moves_linearly_and_scale_keeps_per_run_values():
    m = regions()
    s = Scenario("r", changes=[Ramp("rate", start=2025, end=2030, scale=2.0)])
    model = s.prepare(m).model
    runs = model.simulate(params={"rate": np.array([[0.05, 0.04, 0.03], [0.01, 0.02, 0.03]])})
    path = runs["rate path"]
    assert path.sel(time=2025, run=0).values.tolist() == pytest.approx([0.05, 0.04, 0.03])
    assert path.sel(time=2027.5, run=1).values.tolist() == pytest.approx([0.015, 0.03, 0.045])
    assert path.sel(time=2040, run=1).values.tolist() == pytest.approx([0.02, 0.04, 0.06])
    # the model itself is untouched
    assert "rate path" not in m.simulate()


def test_chained_changes_start_from_the_previous_path():
    m = regions()
    s = Scenario("two", changes=[Step("rate", at=2025, to=0.1),
                                 Ramp("rate", start=2030, end=2035, to=[0.0, 0.0, 0.2])])
    run = s.prepare(m).model.simulate()
    assert run["rate path 2"].sel(time=2028).values.tolist() == pytest.approx([0.1] * 3)
    assert run["rate path 2"].sel(time=2032.5).values.tolist() == pytest.approx(
        [0.05, 0.05, 0.15])
    assert "rate path" not in run  # only the newest path is saved


def test_levers_and_series_override():
    m = regions()
    s = Scenario("push", levers={"rate": 0.0},
                 series=[SeriesOverride("push", [2030, 2040], [0.1, 0.1])])
    prepared = s.prepare(m)
    run = prepared.model.simulate(params=prepared.levers)
    # Expected: the same model written with the spliced series (2020: 0 kept, then the
    # override) and rate 0 declared directly.
    ref = sf.Model("ref", start=2020, stop=2040, dt=0.5)
    region = ref.dim("region", ["north", "centre", "south"])
    push = ref.data("push", pd.Series([0.0, 0.1, 0.1], index=[2020, 2030, 2040]))
    output = ref.stock("output", initial=[3.0, 2.0, 1.0], dims=[region])
    ref.flow("growth", push * output, sink=output)
    expected = ref.simulate()["output"]
    np.testing.assert_array_equal(run["output"].values, expected.values)
    assert prepared.levers["rate"].tolist() == [0.0, 0.0, 0.0]


def test_unknown_names_are_spec_errors_listing_valid_ones():
    m = regions()
    with pytest.raises(sf.SpecError,
                       match=r"'rates'.*valid levers are \['output initial', 'rate'\]"):
        Scenario("bad", levers={"rates": 1}).prepare(m)
    with pytest.raises(sf.SpecError, match=r"'rat'.*valid levers"):
        Scenario("bad", changes=[Step("rat", at=2025, to=1)]).prepare(m)
    with pytest.raises(sf.SpecError, match=r"'pull'.*data series are \['push'\]"):
        Scenario("bad", series=[SeriesOverride("pull", [2030], [1.0])]).prepare(m)
    with pytest.raises(sf.SpecError, match=r"unknown scenario\(s\) \['x'\].*\['a', 'b'\]"):
        select_scenarios([Scenario("a"), Scenario("b")], ["a", "x"])


def test_bad_changes_are_refused():
    with pytest.raises(sf.SpecError, match="exactly one of to= .* or scale="):
        Scenario("s", changes=[Step("rate", at=1)])
    with pytest.raises(sf.SpecError, match="not after its start"):
        Scenario("s", changes=[Ramp("rate", start=5, end=5, to=1)])
    with pytest.raises(sf.SpecError, match="shape"):
        Scenario("s", levers={"rate": [1.0, 2.0]}).prepare(regions())


SCENARIOS = [
    Scenario("levers", levers={"rate": 0.01}),
    Scenario("step", changes=[Step("rate", at=2025, to=0.02)]),
    Scenario("ramp twice", changes=[Ramp("rate", start=2025, end=2030, scale=2.0),
                                    Step("rate", at=2035, to=0.0)]),
    Scenario("series", series=[SeriesOverride("push", [2030, 2040], [0.1, 0.1])]),
]


def _fresh_source(model):
    """Compiled source of ``model`` built again from its declarations (no caches)."""
    from sdflow.ir.graph import build_graph
    return sf.compile_model(build_graph(model)).source


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenarios_never_change_the_model_they_start_from(scenario):
    m = regions()
    variables, dimensions = dict(m._variables), dict(m._dimensions)
    graph, source = m.graph(), m.compile().source
    prepared = scenario.prepare(m)
    prepared.model.simulate(params=prepared.levers)
    prepared.model.simulate(params={"rate": sf.uniform(0.0, 0.1)}, n=5, seed=1)
    assert m._variables == variables and m._dimensions == dimensions
    assert m.graph() is graph and _fresh_source(m) == source
    assert m.simulate()["output"].values[-1].tolist() == regions().simulate()[
        "output"].values[-1].tolist()


def test_a_scenario_model_is_frozen_and_does_not_declare_into_its_base():
    m = regions()
    model = SCENARIOS[1].prepare(m).model
    with pytest.raises(sf.ModelError, match="model 'regions' in scenario 'step' is frozen: "
                                            "declare 'subsidy' on the model itself"):
        model.const("subsidy", 0.1)
    with pytest.raises(sf.ModelError, match="declare 'sector' on the model itself"):
        model.dim("sector", ["farms", "factories"])
    with pytest.raises(sf.ModelError, match="frozen"):
        model.vary_time_settings(dt=0.25)
    assert "subsidy" not in m and "sector" not in m.dimensions
    assert "subsidy" not in model and "rate path" not in m.graph().nodes
    assert _fresh_source(m) == m.compile().source
