"""Round trip: a DSL model written to XMILE, read back by sdflow and by PySD (3.14, an
independent engine), gives the same trajectories as the original (also when its names hold
quotes, backslashes, newlines, markup and non-ASCII letters)."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sdflow as sf
from sdflow.compile import runtime
from sdflow.dsl.stateful import active_initial  # the Vensim importer's builtin
from sdflow.expr import nodes as ex
from sdflow.names import name_key
from sdflow.io import UnsupportedFeatureError, xmile_equations


def build_growth():
    m = sf.Model("growth", start=0, stop=20, dt=0.25, time_units="year")
    region = m.dim("region", ["north", "south", "east"])
    rate = m.const("growth rate", [0.06, 0.07, 0.08], dims=[region], units="1/year")
    capital = m.stock("capital", initial=[3.0, 9.0, 6.0], dims=[region], units="yuan")
    effect = m.lookup("effect of time", x=[0, 10, 20], y=[1, 0.6, 0.2])
    m.flow("investment", rate * capital * effect(m.time), sink=capital, units="yuan/year")
    loss = m.const("depreciation rate", 0.05, units="1/year")
    m.flow("depreciation", capital * loss, source=capital, units="yuan/year")
    total = m.aux("total capital", sf.sum(capital, over=region), units="yuan")
    m.aux("perceived total", sf.smooth(total, 3), units="yuan")
    m.aux("north share", capital.sel(region="north") / total)
    m.aux("policy", 1 + sf.step(0.5, 5) + sf.if_then_else(m.time > 10, 1, 0))
    m.data("price", pd.Series([1.0, 2.0, 1.5], index=[0.0, 10.0, 20.0]))
    m.aux("delayed total", sf.delay3(total, 2) + sf.delay_fixed(total, 1.5, 0))
    return m


VARIABLES = ["capital", "total capital", "perceived total", "north share", "policy",
             "price", "delayed total"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    model = build_growth()
    path = tmp_path_factory.mktemp("xmile") / "growth.xmile"
    sf.write_xmile(model, path)
    return model, path


def test_valid_xmile_document(written):
    _, path = written
    root = ET.parse(path).getroot()
    ns = {"x": "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"}
    assert root.tag == "{%s}xmile" % ns["x"] and root.get("version") == "1.0"
    assert root.find("x:sim_specs/x:dt", ns).text == "0.25"
    assert [e.get("name") for e in root.findall("x:dimensions/x:dim/x:elem", ns)] == \
        ["north", "south", "east"]
    stock = root.find("x:model/x:variables/x:stock[@name='capital']", ns)
    assert stock.find("x:units", ns).text == "yuan"
    assert {f.text for f in stock.findall("x:inflow", ns)} == {"investment"}


def test_round_trip_through_sdflow(written):
    model, path = written
    original = model.simulate().dataset
    again = sf.read_xmile(path).simulate().dataset
    for name in VARIABLES:
        np.testing.assert_allclose(again[name].values, original[name].values, rtol=1e-12,
                                   err_msg=name)


def test_round_trip_through_pysd(written):
    pysd = pytest.importorskip("pysd")
    model, path = written
    original = model.simulate().dataset
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pysd.read_xmile(str(path)).run()
    for region in ("north", "south", "east"):
        np.testing.assert_allclose(peer[f"capital[{region}]"].values,
                                   original["capital"].sel(region=region).values, rtol=1e-10)
    for name in VARIABLES[1:]:
        np.testing.assert_allclose(peer[name].values, original[name].values, rtol=1e-10,
                                   err_msg=name)


def allocation_model():
    m = sf.Model("allocation", start=0, stop=4, dt=1)
    branch = m.dim("branch", ["a", "b", "c"])
    store = m.dim("store", ["x", "y"])
    request = m.const("request", [10.0, 6.0, 3.0], dims=[branch])
    priority = m.const("priority", [[2.0, 4.0, 3.0], [1.0, 1.5, 9.0]], dims=[store, branch])
    width = m.const("width", [3.0, 0.5], dims=[store])
    m.aux("shipped", sf.allocate_by_priority(request, priority, width, 3 * m.time,
                                             over=branch))
    return m


def test_allocate_by_priority_is_written_as_stellas_allocate_and_reads_back(tmp_path):
    m = allocation_model()
    path, again = read_back(m, tmp_path)
    # Stella's form: supply, the dimension, request and priority over it (dim!), the
    # width, and the rectangular priority profile (type 1)
    assert ("<eqn>ALLOCATE((3 * TIME), branch, request[branch!], priority[store, branch!],"
            " width[store], 1)</eqn>") in path.read_text()
    original = m.simulate()
    np.testing.assert_allclose(again["shipped"].transpose(*original["shipped"].dims).values,
                               original["shipped"].values, rtol=1e-12)
    # by hand at TIME 4 for store x (sdflow.dsl.allocation's example): 3.8462, 6, 2.1538
    np.testing.assert_allclose(original["shipped"].sel(store="x").values[-1],
                               [50 / 13, 6, 28 / 13], rtol=1e-12)


def test_allocate_by_priority_is_allocate_available_with_a_rectangular_profile():
    # why Stella's ALLOCATE(..., 1) states Vensim's ALLOCATE BY PRIORITY: PySD's
    # ALLOCATE AVAILABLE with the rectangular profile (ptype 1) of the same width gives
    # PySD's ALLOCATE BY PRIORITY, which sdflow's runtime follows
    xr = pytest.importorskip("xarray")
    allocation = pytest.importorskip("pysd.py_backend.allocation")
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(300):
        k = int(rng.integers(2, 6))
        request = rng.uniform(0, 10, k)
        request[rng.random(k) < 0.15] = 0
        priority, width = rng.uniform(0, 10, k), rng.uniform(0.2, 6)
        supply = rng.uniform(0, request.sum() * 1.2)
        profile = xr.DataArray(
            np.stack([np.ones(k), priority, np.full(k, width), np.zeros(k)], axis=1),
            {"d": range(k), "p": ["ptype", "ppriority", "pwidth", "pextra"]}, ["d", "p"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            available = allocation.allocate_available(
                xr.DataArray(request, {"d": range(k)}, ["d"]), profile, supply).values
        ours = sf.compile.allocation.allocate_by_priority(request, priority, [width],
                                                          [supply])
        worst = max(worst, float(np.max(np.abs(available - ours))))
    assert worst < 5e-8  # ALLOCATE AVAILABLE's root finding stops near 1e-9


ALLOCATIONS = """<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>allocations</name></header>
<sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
<dimensions><dim name="d"><elem name="a"/><elem name="b"/><elem name="c"/></dim></dimensions>
<model><variables>
<aux name="supply"><eqn>TIME * 3</eqn></aux>
<aux name="req"><dimensions><dim name="d"/></dimensions><element subscript="a"><eqn>10</eqn>
</element><element subscript="b"><eqn>6</eqn></element><element subscript="c"><eqn>3</eqn>
</element></aux>
<aux name="pri"><dimensions><dim name="d"/></dimensions><element subscript="a"><eqn>2</eqn>
</element><element subscript="b"><eqn>4</eqn></element><element subscript="c"><eqn>3</eqn>
</element></aux>
<aux name="stella"><dimensions><dim name="d"/></dimensions>
<eqn>ALLOCATE(supply, d, req[*], pri[*], 3, 1)</eqn></aux>
<aux name="whole"><dimensions><dim name="d"/></dimensions>
<eqn>allocate(supply, d, req, pri, 3, 1)</eqn></aux>
<aux name="simlin"><dimensions><dim name="d"/></dimensions>
<eqn>allocate_by_priority(req[d], pri[d], SIZE(d), 3, supply)</eqn></aux>
<aux name="other"><dimensions><dim name="d"/></dimensions><eqn>OTHER</eqn></aux>
</variables></model></xmile>
"""


def test_read_xmile_reads_stellas_and_simlins_allocation_forms(tmp_path):
    path = tmp_path / "allocations.xmile"
    path.write_text(ALLOCATIONS.replace("OTHER", "0"))
    run = sf.read_xmile(path).simulate()
    # the runtime's allocation at each supply (0, 3, ..., 12), checked at 12 by hand in
    # sdflow.dsl.allocation's example
    expected = sf.compile.allocation.allocate_by_priority(
        np.array([[10.0, 6, 3]]), np.array([[2.0, 4, 3]]), np.array([[3.0]]),
        3.0 * np.arange(5)[:, None])
    for name in ("stella", "whole", "simlin"):
        np.testing.assert_allclose(run[name].values, expected, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("equation, message", [
    ("ALLOCATE(supply, d, req[*], pri[*], 3, 3)",
     "'other'.*ALLOCATE with the priority profile type 3.*rectangular profile, type 1"),
    ("ALLOCATE(supply, d, req[*], pri[*], 3)", "'other'.*ALLOCATE takes .* got 5"),
    ("ALLOCATE(supply, supply, req[*], pri[*], 3, 1)",
     "'other'.*second argument must name the dimension"),
    ("ALLOCATE(supply, d, req[*], pri[*], pri[d], 1)",
     "'other'.*ALLOCATE: the width must not be subscripted by the allocation range 'd'"),
])
def test_allocations_sdflow_cannot_run_are_refused_by_name(equation, message, tmp_path):
    path = tmp_path / "allocations.xmile"
    path.write_text(ALLOCATIONS.replace("OTHER", equation))
    with pytest.raises(sf.ModelError, match=message):
        sf.read_xmile(path)


def random_model():
    m = sf.Model("draws", start=0, stop=4000, dt=1)
    region = m.dim("region", ["north", "south"])
    m.aux("u", sf.random_uniform(2, 4))
    # bounds 1e9 away cut off nothing a run could see (< 1e-15 of the distribution)
    m.aux("n", sf.random_normal(-1e9, 1e9, 5, 2, stream=3), dims=[region])
    m.aux("e", sf.random_exponential(0, 1e9, 1, 3))
    m.aux("p", sf.random_poisson(0, 1e9, 4, 0, 1))
    return m


def test_random_draws_are_written_as_xmile_builtins_and_read_back(tmp_path):
    m = random_model()
    path, again = read_back(m, tmp_path)
    text = path.read_text()
    for form in ("RANDOM(2, 4)", "NORMAL(5, 2, 3)", "(1 + EXPRND(3))",
                 "(0 + (1 * POISSON(4)))"):
        assert form in text
    original = m.simulate()
    # the distributions' moments (analytic): uniform on [2, 4] has sd 2/sqrt(12),
    # normal(5, 2), 1 + 3 * Exp(1) has mean 4 and sd 3, Poisson(4) mean 4 and sd 2;
    # 4001 draws per series, so the means are within about 4 standard errors
    moments = {"u": (3, 2 / 12 ** 0.5), "n": (5, 2), "e": (4, 3), "p": (4, 2)}
    for name, (mean, sd) in moments.items():
        values = again[name].values
        assert abs(values.mean() - mean) < 4 * sd / np.sqrt(values.size), name
        assert abs(values.std() - sd) < 0.05 * sd, name
    assert 2 <= again["u"].values.min() and again["u"].values.max() <= 4
    assert (again["p"].values == np.round(again["p"].values)).all()
    # sdflow reads each builtin back as the same draw on the same stream (named after
    # the variable, with the seed as stream ID): the same numbers. Other readers draw
    # from their own generators: the same statistics, other numbers
    for name in moments:
        np.testing.assert_allclose(again[name].values, original[name].values, rtol=1e-9)


def test_random_draws_xmile_cannot_state_are_refused_by_name(tmp_path):
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    m.aux("demand noise", 1 + sf.random_normal(-1, 1, 0, 1))
    # 1 - Phi(1) = 0.1587 cut off on each side (Vensim truncates; XMILE's NORMAL does not)
    with pytest.raises(UnsupportedFeatureError,
                       match=r"'demand noise'.*random draw normal is truncated.*cut off "
                             r"0.159 below and 0.159 above.*widen the bounds"):
        sf.write_xmile(m, tmp_path / "m.xmile")
    assert not (tmp_path / "m.xmile").exists()
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    m.aux("delay", sf.random_triangular(0, 10, 0, 2, 10))
    with pytest.raises(UnsupportedFeatureError, match="'delay'.*XMILE has no triangular"):
        sf.write_xmile(m, tmp_path / "m.xmile")
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    scale = m.aux("scale", 1 + m.time)
    m.aux("shock", sf.random_normal(-5, 5, 0, scale))
    with pytest.raises(UnsupportedFeatureError, match="'shock'.*not constants"):
        sf.write_xmile(m, tmp_path / "m.xmile")
    # a Poisson draw whose stretch may not be positive (sdflow then draws its shift)
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    scale = m.aux("scale", 1 - m.time)
    m.aux("arrivals", sf.random_poisson(0, 1e9, 4, 0, scale))
    with pytest.raises(UnsupportedFeatureError, match="'arrivals'.*stretch that is not a "
                       "positive number"):
        sf.write_xmile(m, tmp_path / "m.xmile")


@pytest.mark.parametrize("draw, name", [
    (lambda: sf.random_gamma(0, 1e9, 3), "gamma"),
    (lambda: sf.random_weibull(0, 1e9, 2), "weibull"),
    (lambda: sf.random_negative_binomial(0, 1e9, 0.3, 4), "negative binomial"),
])
def test_draws_without_an_xmile_builtin_are_refused_by_name(tmp_path, draw, name):
    # XMILE 1.0's statistical builtins are EXPRND, LOGNORMAL, NORMAL, POISSON and RANDOM
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    m.aux("wait", draw())
    with pytest.raises(UnsupportedFeatureError, match=f"'wait'.*XMILE has no {name} "
                       "distribution"):
        sf.write_xmile(m, tmp_path / "m.xmile")
    assert not (tmp_path / "m.xmile").exists()


def test_xmile_random_builtins_are_read(tmp_path):
    path = tmp_path / "stella.xmile"
    path.write_text(
        '<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">'
        "<header><vendor>v</vendor><product version='1'>p</product></header>"
        "<sim_specs><start>0</start><stop>3999</stop><dt>1</dt></sim_specs>"
        "<model><variables>"
        '<aux name="n"><eqn>NORMAL(1, 2, 5)</eqn></aux>'
        '<aux name="u"><eqn>RANDOM(0, 3)</eqn></aux>'
        '<aux name="e"><eqn>EXPRND(2)</eqn></aux>'
        '<aux name="p"><eqn>POISSON(3)</eqn></aux>'
        "</variables></model></xmile>")
    runs = sf.read_xmile(path).simulate()
    # moments of the untruncated distributions (analytic), 4000 draws each
    for name, (mean, sd) in {"n": (1, 2), "u": (1.5, 3 / 12 ** 0.5), "e": (2, 2),
                             "p": (3, 3 ** 0.5)}.items():
        values = runs[name].values
        assert abs(values.mean() - mean) < 4 * sd / np.sqrt(values.size), name
        assert abs(values.std() - sd) < 0.06 * sd, name
    assert runs["n"].values.min() < 1 - 6  # untruncated: tails beyond 3.5 sd appear
    path.write_text(path.read_text().replace("NORMAL(1, 2, 5)", "NORMAL(1, 2, TIME)"))
    with pytest.raises(UnsupportedFeatureError, match="'n'.*NORMAL with a seed that is "
                       "not a constant"):
        sf.read_xmile(path)


def peer_runs(path):
    """PySD's and Simlin's runs of a written file (by variable key), where installed."""
    runs = {}
    pysd = pytest.importorskip("pysd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runs["PySD"] = pysd.read_xmile(str(path)).run()
    simlin = pytest.importorskip("simlin")
    frame = simlin.load(str(path)).run(analyze_loops=False).results
    runs["Simlin"] = frame.rename(columns=lambda c: c.replace("_", " "))
    return runs


def at_times(series, times):
    """A peer's series at ``times`` (PySD saves every dt whatever the save interval)."""
    index = series.index.to_numpy(float)
    return np.array([series.values[np.isclose(index, t)][0] for t in times])


def test_vensim_pulse_pulse_train_and_ramp_with_an_end_read_back(tmp_path):
    # XMILE's PULSE(magnitude, first, interval) is another function: the writer states
    # Vensim's as IF THEN ELSE on TIME; expected values from Vensim's definitions
    m = sf.Model("pulses", start=0, stop=10, dt=0.5)
    m.aux("pulse", sf.pulse(2, 1.5))
    m.aux("one step", sf.pulse(3, 0))  # width 0: one time step
    m.aux("varying width", sf.pulse(1, m.const("width", 0.0)))
    m.aux("train", sf.pulse_train(1, 1, 3, 8))
    m.aux("ramp", sf.ramp(2, 2, 6))
    original = m.simulate()
    path, again = read_back(m, tmp_path)
    text = path.read_text()
    assert "PULSE" not in text and "(IF ((TIME &gt;= (2 - 1e-06))" in text
    times = original["pulse"].time.values
    expected = {
        "pulse": ((times >= 2) & (times < 3.5)) * 1.0,
        "one step": (times == 3) * 1.0,
        "varying width": (times == 1) * 1.0,
        "train": ((times >= 1) & (times < 8) & ((times - 1) % 3 < 1)) * 1.0,
        "ramp": 2 * (np.clip(times, 2, 6) - 2),
    }
    for name, values in expected.items():
        np.testing.assert_array_equal(original[name].values, values, err_msg=name)
        np.testing.assert_array_equal(again[name].values, values, err_msg=name)
    for engine, run in peer_runs(path).items():
        for name, values in expected.items():
            np.testing.assert_allclose(at_times(run[name], times), values,
                                       err_msg=f"{engine}: {name}")


def test_written_times_compare_with_the_engines_zero():
    # the IF THEN ELSE forms of PULSE, PULSE TRAIN and RAMP compare times as the engine does
    assert xmile_equations.SMALL == runtime.SMALL


def build_per_element():
    """Equations that differ per element, a subrange and a mapped range, as imported
    Vensim models hold them (`Reindex` placements)."""
    m = sf.Model("per element", start=0, stop=4, dt=1)
    age = m.dim("age", ["young", "adult", "old"])
    grown = m.dim("grown", ["adult", "old"])  # a subrange of age
    level = m.dim("level", ["low", "mid", "high"])  # age mapped onto it by position
    rate = m.const("rate", [0.1, 0.2, 0.3], dims=[age])
    # births into young, ageing out of every element but the last into the next
    people = m.stock("people", initial=ex.Reindex(m.const("start", [5.0, 7.0], dims=[grown]),
                                                  grown, age, [-1, 0, 1])
                     + ex.Reindex(ex.Literal(10.0), None, age, [0, -1, -1]), dims=[age])
    ageing = m.aux("ageing", rate * people, dims=[age])
    inflow = ex.Reindex(ex.Literal(1.0), None, age, [0, -1, -1]) \
        + ex.Reindex(ageing, age, age, [-1, 0, 1])
    m.flow("arrivals", inflow, sink=people, dims=[age])
    m.flow("leaving", ageing, source=people, dims=[age])
    m.aux("by level", ex.Reindex(people, age, level, [0, 1, 2]), dims=[level])
    m.aux("grown total", sf.sum(ex.Reindex(people, age, grown, [1, 2]), over=grown))
    return m


def test_per_element_equations_subranges_and_mappings_read_back(tmp_path):
    m = build_per_element()
    original = m.simulate()
    path, again = read_back(m, tmp_path)
    root = ET.parse(path).getroot()
    ns = {"x": "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"}
    stock = root.find("x:model/x:variables/x:stock[@name='people']", ns)
    # XMILE 1.0 non-apply-to-all arrays: one <element> with its own <eqn> per element
    assert [(e.get("subscript"), e.find("x:eqn", ns).text)
            for e in stock.findall("x:element", ns)] == \
        [("young", "10"), ("adult", "start[adult]"), ("old", "start[old]")]
    assert stock.find("x:inflow", ns).text == "arrivals"
    # the people by hand: young gets 1 and loses 10 %, adult gets 10 % of young...
    young, adult, old = 10.0, 5.0, 7.0
    for _ in range(4):
        young, adult, old = (young + 1 - 0.1 * young, adult + 0.1 * young - 0.2 * adult,
                             old + 0.2 * adult - 0.3 * old)
    np.testing.assert_allclose(original["people"].values[-1], [young, adult, old])
    for name in ("people", "by level", "grown total", "arrivals"):
        np.testing.assert_allclose(again[name].values, original[name].values, rtol=1e-12,
                                   err_msg=name)
    # Simlin reads per-element stocks; PySD 3.14 looks for a stock's <eqn> on the stock
    simlin = pytest.importorskip("simlin")
    theirs = simlin.load(str(path)).run(analyze_loops=False).results
    for i, element in enumerate(["young", "adult", "old"]):
        np.testing.assert_allclose(theirs[f"people[{element}]"].values,
                                   original["people"].values[:, i], rtol=1e-12)
        np.testing.assert_allclose(theirs[f"by_level[{['low', 'mid', 'high'][i]}]"].values,
                                   original["by level"].values[:, i], rtol=1e-12)


def test_active_initial_is_written_as_its_values_at_the_start(tmp_path):
    # Vensim's ACTIVE INITIAL (test-models active_initial_circular): the stock of the
    # smooth starts from the initial equation, the variable runs on its active one
    m = sf.Model("active", start=0, stop=6, dt=0.5)
    value = m.aux("value", active_initial(m.ref("smoothed") + m.time, 1))
    m.aux("smoothed", sf.smooth(value, 0.5))
    stock = m.stock("level", initial=value * 2)
    m.flow("filling", 1, sink=stock)
    m.aux("doubled", 2 * value)
    m.stock("later", initial=m.ref("doubled"))
    original = m.simulate()
    path, again = read_back(m, tmp_path)
    text = path.read_text()
    assert "SMTH1(value, 0.5, (1))" in text and "<eqn>((1) * 2)</eqn>" in text
    assert "<eqn>((2 * (1)))</eqn>" in text  # a variable reading it, inlined at the start
    assert original["level"].values[0] == 2 and original["later"].values[0] == 2
    assert original["value"].values[0] == 1  # smoothed starts at 1, TIME is 0
    for name in ("value", "smoothed", "level", "later", "doubled"):
        np.testing.assert_allclose(again[name].values, original[name].values, rtol=1e-12,
                                   err_msg=name)
    for engine, run in peer_runs(path).items():
        for name in ("value", "smoothed", "level", "later"):
            np.testing.assert_allclose(at_times(run[name], original["time"].values),
                                       original[name].values, rtol=1e-10,
                                       err_msg=f"{engine}: {name}")


def test_trend_of_an_active_initial_input_is_refused(tmp_path):
    m = sf.Model("active", start=0, stop=2, dt=1)
    value = m.aux("value", active_initial(m.time + 1, 5))
    m.aux("growth", sf.trend(value, 2, 0))
    with pytest.raises(UnsupportedFeatureError, match="'growth'.*TREND.*ACTIVE INITIAL"):
        sf.write_xmile(m, tmp_path / "m.xmile")


def test_flagship_model_round_trip(tmp_path):
    # the regional integration model: arrayed stocks, transposed member x partner
    # tables, arrayed data series, means over a dimension
    from sdmodels.regional_integration.model import build
    model = build()
    path = tmp_path / "regional.xmile"
    sf.write_xmile(model, path)
    original = model.simulate().dataset
    again = sf.read_xmile(path).simulate().dataset.sel(time=original["time"])
    compared = 0
    for name in original.data_vars:
        if name in again.data_vars and "time" in original[name].dims:
            np.testing.assert_allclose(again[name].transpose(*original[name].dims).values,
                                       original[name].values, rtol=1e-12, atol=1e-12,
                                       err_msg=name)
            compared += 1
    assert compared > 50


#: Characters that need care in XML (& < > quotes), in XMILE equations (quotes,
#: backslashes, operators, brackets, !), whitespace that is not a space, and non-ASCII.
NAME_TEXT = st.text(alphabet=st.sampled_from(
    list("ab Z_09") + list("\"'\\#&<>!-+*/^=.,:;()[]{}$%?@|~") + ["\n", "\t", "é", "区", "域"]),
    min_size=1, max_size=8)
HOSTILE_NAMES = st.one_of(NAME_TEXT, st.sampled_from(['say "hi"', "a\\b", "x\n  y", "IF",
                                                      "not", "mod", "a&b<c>", "]]>"]))


def hostile_model(names, elements):
    k_name, stock_name, flow_name, lookup_name, aux_name, dim_name = names
    m = sf.Model("hostile", start=0, stop=2, dt=0.5)
    region = m.dim(dim_name, ["plain", *elements])
    k = m.const(k_name, 0.2)
    weight = m.const(lookup_name + " weight", [1.0, 2.0, 3.0], dims=[region])
    s = m.stock(stock_name, initial=10.0)
    m.flow(flow_name, k * s, source=s)
    table = m.lookup(lookup_name, x=[0, 10], y=[0, 1])
    m.aux(aux_name, table(s) + sf.sum(weight, over=region) * m.time)
    m.aux(aux_name + " pick", weight.sel(**{dim_name: elements[-1]}) * s)
    return m


def writable(name, subscript=False):
    """Whether the XMILE equation grammar can read the name back (see `display_name`)."""
    shown = " ".join(name.split())
    return shown and not (shown.endswith(("\\", '"')) or (subscript and "," in shown))


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(HOSTILE_NAMES, min_size=6, max_size=6, unique_by=lambda n: name_key(n)),
       st.lists(HOSTILE_NAMES, min_size=2, max_size=2, unique_by=lambda n: name_key(n)))
def test_names_with_any_characters_read_back(tmp_path_factory, names, elements):
    keys = [name_key(n) for n in names + [names[3] + " weight", names[4] + " pick"]]
    assume(all(keys) and len(set(keys)) == len(keys))
    assume(all(name_key(e) not in ("", "plain") for e in elements))
    model = hostile_model(names, elements)
    path = tmp_path_factory.mktemp("hostile") / "hostile.xmile"
    if not (all(map(writable, names[:5]))
            and all(writable(n, subscript=True) for n in [names[5], *elements])
            and name_key(names[5]) not in map(name_key, elements)):
        with pytest.raises(UnsupportedFeatureError, match="rename"):
            sf.write_xmile(model, path)
        return
    sf.write_xmile(model, path)
    ET.parse(path)  # well-formed XML
    original = model.simulate().dataset
    again = sf.read_xmile(path).simulate()
    for name in (names[1], names[4], names[4] + " pick"):
        np.testing.assert_allclose(again[name].values, original[name].values, rtol=1e-12,
                                   err_msg=repr(name))


def test_an_element_named_like_a_dimension_is_refused(tmp_path):
    # PySD reads such an element as the dimension itself (a subrange) and expands the
    # dimension into itself until memory runs out; found by the hypothesis test above
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    region = m.dim("region", ["region", "east"])
    m.const("size", [1.0, 2.0], dims=[region])
    with pytest.raises(UnsupportedFeatureError, match="element 'region' of dimension "
                       "'region' has the name of the dimension 'region'"):
        sf.write_xmile(m, tmp_path / "m.xmile")


def test_text_xml_cannot_hold_is_refused_by_name(tmp_path):
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    m.aux("bell\x07", 1.0 + m.time)
    with pytest.raises(UnsupportedFeatureError, match=r"'bell\\x07'.*U\+0007"):
        sf.write_xmile(m, tmp_path / "m.xmile")
    assert not (tmp_path / "m.xmile").exists()


def test_markup_in_documentation_and_units_stays_text(tmp_path):
    m = sf.Model("a <b> & ]]>", start=0, stop=1, dt=0.5)
    m.aux("x", 1.0 + m.time, doc='</doc><aux name="evil"><eqn>1</eqn></aux> & ]]>')
    sf.write_xmile(m, tmp_path / "m.xmile")
    root = ET.parse(tmp_path / "m.xmile").getroot()
    ns = {"x": "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"}
    assert [v.get("name") for v in root.find("x:model/x:variables", ns)] == ["x"]
    assert root.find("x:model/x:variables/x:aux/x:doc", ns).text.startswith("</doc>")
    assert root.find("x:header/x:name", ns).text == "a <b> & ]]>"


def read_back(model, tmp_path):
    path = tmp_path / "written.xmile"
    sf.write_xmile(model, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return path, sf.read_xmile(path).simulate()


def test_modulo_uneven_lookup_points_and_nth_order_delays_read_back(tmp_path):
    m = sf.Model("pieces", start=0, stop=12, dt=0.5)
    m.aux("wrapped", sf.modulo(m.time, 5))
    # uneven x points: PySD would spread y evenly over an <xscale> if one were written
    bend = m.lookup("bend", x=[0, 1, 10, 12], y=[0, 5, 6, 12])
    m.aux("bent", bend(m.time))
    m.aux("delayed", sf.delay_n(m.time, 4, 1, order=5))
    m.aux("smoothed", sf.smooth_n(m.time, 4, 1, order=2))
    original = m.simulate()
    path, again = read_back(m, tmp_path)
    for name in ["wrapped", "bent", "delayed", "smoothed"]:
        np.testing.assert_allclose(again[name].values, original[name].values, rtol=1e-12,
                                   err_msg=name)
    assert original["bent"].sel(time=5.5).item() == pytest.approx(5.5)  # 5 + 4.5/9
    peer = pytest.importorskip("pysd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = peer.read_xmile(str(path)).run()
    for name in ["wrapped", "bent", "delayed", "smoothed"]:
        np.testing.assert_allclose(theirs[name].values, original[name].values, rtol=1e-9,
                                   err_msg=name)


def test_stocks_of_an_imported_model_read_back(tmp_path):
    # an imported stock's rate is a flow named "<stock> net flow"; reading the written
    # file must not make a second variable of that name
    m = sf.Model("cooling", start=0, stop=5, dt=1)
    cup = m.stock("cup", initial=90)
    m.flow("cup net flow", (20 - cup) / 4, sink=cup)
    _, again = read_back(m, tmp_path)
    np.testing.assert_allclose(again["cup"].values, m.simulate()["cup"].values)


def test_save_interval_is_written_and_read(tmp_path):
    m = sf.Model("saved", start=0, stop=4, dt=0.25, saveper=1)
    x = m.stock("x", initial=1)
    m.flow("growth", 0.1 * x, sink=x)
    path, again = read_back(m, tmp_path)
    assert 'isee:save_interval="1"' in path.read_text()
    assert again["x"].time.values.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(again["x"].values, m.simulate()["x"].values, rtol=1e-12)


def varying_model():
    m = sf.Model("varying", start=0, stop=8, dt=1)
    step = m.aux("step", sf.if_then_else(m.time < 4, 1, 0.5))
    m.vary_time_settings(dt=step, saveper=step,
                         stop=sf.if_then_else(m.time < 5, 6, 8))  # an aux FINAL TIME
    x = m.stock("x", initial=0)
    m.flow("inflow", 1 + m.time, sink=x)
    return m


def test_time_settings_that_change_with_time_read_back(tmp_path):
    m = varying_model()
    path, again = read_back(m, tmp_path)
    ns = {"x": "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0",
          "sdflow": "urn:sdflow:xmile"}
    specs = ET.parse(path).getroot().find("x:sim_specs", ns)
    # the settings' values at the initial time, which other readers run
    assert [specs.find(f"x:{tag}", ns).text for tag in ("start", "stop", "dt")] == \
        ["0", "6", "1"]
    # every setting's equation: a reference to its variable, the equation of the one
    # named as Vensim's control variable, numbers for those that do not change
    written = {child.tag.split("}")[1]: child.text
               for child in specs.find("sdflow:time_settings", ns)}
    assert written == {"start": "0", "stop": "(IF (TIME < 5) THEN 6 ELSE 8)", "dt": "step",
                       "save_interval": "step"}
    original = m.simulate()
    # steps of 1 to TIME 4, then 0.5, to TIME 8 (FINAL TIME is 8 from TIME 5)
    assert original["x"].time.values.tolist() == [0, 1, 2, 3, 4, 4.5, 5, 5.5, 6, 6.5, 7,
                                                  7.5, 8]
    assert again["x"].time.values.tolist() == original["x"].time.values.tolist()
    np.testing.assert_allclose(again["x"].values, original["x"].values, rtol=1e-12)


def test_time_settings_that_change_with_time_leave_other_readers_the_initial_values(
        tmp_path):
    # PySD skips sdflow's extension and runs <sim_specs>: steps of 1 to TIME 6, the
    # settings at the initial time, which is the original run up to TIME 4
    pysd = pytest.importorskip("pysd")
    m = varying_model()
    path, _ = read_back(m, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pysd.read_xmile(str(path)).run()
    assert peer.index.tolist() == [0, 1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(peer["x"].values[:5], m.simulate()["x"].values[:5])


@pytest.mark.parametrize("extension, message", [
    ("<sdflow:step>1</sdflow:step>", r"<sdflow:time_settings> holds <step>"),
    ("<sdflow:dt> </sdflow:dt>", r"<sdflow:dt> is empty"),
])
def test_a_time_settings_extension_sdflow_cannot_read_names_the_element(extension, message,
                                                                       tmp_path):
    path = tmp_path / "m.xmile"
    path.write_text('<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/'
                    'v1.0" xmlns:sdflow="urn:sdflow:xmile"><header><name>m</name></header>'
                    '<sim_specs><start>0</start><stop>4</stop><dt>1</dt><sdflow:time_settings>'
                    f'{extension}</sdflow:time_settings></sim_specs><model><variables>'
                    '<aux name="a"><eqn>TIME</eqn></aux></variables></model></xmile>')
    with pytest.raises(sf.ModelError, match=f"m.xmile.*{message}"):
        sf.read_xmile(path)


def test_a_name_holding_a_backslash_and_n_or_a_line_break_reads_back(tmp_path):
    # test-models special_characters: 'Stock with \n Newline Character' holds a backslash
    # and an n. XMILE's name attributes write a line break as \n and a backslash as \\
    # (as sd.js and Simlin read names; PySD reads \n as a space): written so,
    # each name reads back as itself, and the line break as a space (the same name)
    m = sf.Model("names", start=0, stop=2, dt=1)
    s = m.stock("Stock with \\n Newline Character", initial=67)
    m.flow("two\nlines", 3.0 + 0 * m.time, sink=s)
    m.aux("a \\ b", s * 2)
    path = tmp_path / "names.xmile"
    sf.write_xmile(m, path)
    ns = {"x": "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"}
    written = [v.get("name") for v in ET.parse(path).getroot().find("x:model/x:variables", ns)]
    assert written == ["Stock with \\\\n Newline Character", "two\\nlines", "a \\\\ b"]
    again = sf.read_xmile(path).simulate()
    assert {"Stock with \\n Newline Character", "two lines", "a \\ b"} <= set(
        again.dataset.data_vars)  # with the net flow the importer makes for the stock
    # 67 + 3 per step, doubled
    np.testing.assert_allclose(again["a \\ b"].values, [134, 140, 146])


def test_a_name_ending_with_a_backslash_is_refused(tmp_path):
    # the equation grammar reads "...\\" as an escaped quote and no end to the name
    m = sf.Model("names", start=0, stop=1, dt=1)
    m.aux("ends with \\", 1)
    with pytest.raises(UnsupportedFeatureError, match="ends with a backslash.*rename it"):
        sf.write_xmile(m, tmp_path / "names.xmile")
