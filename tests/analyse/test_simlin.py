"""Loop scores against Simlin, which implements Loops That Matter independently (Rust).

Each model is scored by both: conformance samples read from the same file, and the
reference models (plus small models with a smooth and a delay) written out as XMILE for
Simlin. Loops are matched by the set of variables on them (Simlin numbers loops its own
way and shows the "net flow" variables our readers make of INTEG as ordinary variables,
or hides its builtins' internals under ``$``-names). The brief's target is agreement
within 0.02; both compute the same Euler run, so the scores agree to rounding.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import sdflow as sf
from sdflow.names import name_key
from sdmodels.reference import bass, lotka_volterra, sir, solow, teacup

simlin = pytest.importorskip("simlin", reason="pysimlin is not installed (pip install "
                             "pysimlin, or the package's [test] extra)")

DATA = Path(__file__).parents[1] / "data" / "conformance"
TOLERANCE = 0.02


def _variable_set(names) -> frozenset[str]:
    return frozenset(name_key(v).replace("_", " ") for v in names
                     if not v.startswith("$") and not name_key(v).endswith(" net flow"))


def simlin_scores(path: Path) -> dict[frozenset, tuple[str, np.ndarray]]:
    model = simlin.load(str(path))
    sim = model.simulate(enable_ltm=True)
    sim.run_to_end()
    return {_variable_set(loop.variables): (loop.id, sim.get_relative_loop_score(loop.id))
            for loop in sim.get_loops_runtime()}


def assert_scores_agree(model: sf.Model, path: Path) -> int:
    ours = sf.loop_scores(model)
    table = sf.loops(model)
    theirs = simlin_scores(path)
    assert len(table) == len(theirs), (list(table.variables), list(theirs))
    for row in table.itertuples():
        loop_id, series = theirs[_variable_set(row.variables)]
        mine = ours.sel(loop=row.loop).values
        assert mine.shape == series.shape
        difference = np.abs(mine - series).max()
        assert difference < TOLERANCE, (row.loop, loop_id, difference)
        assert np.abs(mine - series).max() < 1e-8  # same method, same run: rounding only
    return len(table)


@pytest.mark.parametrize("file, n_loops", [
    ("teacup.xmile", 1), ("SIR.xmile", 3), ("Lotka_Volterra.mdl", 5),
    ("simple_harmonic_oscillator.mdl", 1)])
def test_conformance_samples_agree_with_simlin(file, n_loops):
    path = DATA / file
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SIR's units fail sdflow's check and are dropped
        model = sf.read_xmile(path) if file.endswith(".xmile") else sf.read_vensim(path)
    assert assert_scores_agree(model, path) == n_loops


def _smoothed_price() -> sf.Model:
    m = sf.Model("smoothed price", start=0, stop=30, dt=0.25)
    price = m.stock("price", initial=10.0)
    inventory = m.stock("inventory", initial=50.0)
    perceived = m.aux("perceived inventory", sf.smooth(inventory, 3.0))
    m.flow("price change", price * (60.0 - perceived) / 240.0, sink=price)
    m.flow("production", 2.0 * price + 70, sink=inventory)
    m.flow("sales", m.const("demand", 100.0) + sf.step(20, 10), source=inventory)
    return m


def _delayed_supply() -> sf.Model:
    m = sf.Model("delayed supply", start=0, stop=40, dt=0.125)
    inventory = m.stock("inventory", initial=100.0)
    orders = m.aux("orders", sf.max(0, 20 + (120 - inventory) / 2))
    m.flow("arrivals", sf.delay3(orders, 4.0), sink=inventory)
    m.flow("shipments", 20 + sf.step(5, 5), source=inventory)
    return m


@pytest.mark.parametrize("build, n_loops", [
    (sir.build, 3), (teacup.build, 1), (lotka_volterra.build, 5), (bass.build, 2),
    (solow.build, 3), (_smoothed_price, 2), (_delayed_supply, 1)])
def test_reference_models_agree_with_simlin(build, n_loops, tmp_path):
    model = build()
    path = tmp_path / "model.xmile"
    sf.write_xmile(model, path)
    assert assert_scores_agree(model, path) == n_loops


def test_sir_dominance_periods_match_simlin():
    # Simlin's dominant periods of the same run (greedy selection with threshold 0.5)
    run = simlin.load(str(DATA / "SIR.xmile")).run(analyze_loops=True)
    expected = [(p.start_time, p.end_time, len(p.dominant_loops))
                for p in run.dominant_periods]
    periods = sf.dominant_loops(sf.loop_scores(sir.build()))
    assert [(s, e, len(ls)) for s, e, ls in zip(periods.start, periods.end, periods.loops)] \
        == expected
    # early on the contagion loop dominates, then the balancing loops take over
    assert periods.loops[0] == ("R1",)
    assert all("R1" not in loops for loops in periods.loops[1:])



def test_scores_at_saved_times_match_simlin(tmp_path):
    # Lotka-Volterra saving every 4th step: both compute over every dt, report at saveper
    text = (DATA / "Lotka_Volterra.mdl").read_text()
    assert "SAVEPER  = \n        TIME STEP " in text
    path = tmp_path / "Lotka_Volterra.mdl"
    path.write_text(text.replace("SAVEPER  = \n        TIME STEP ", "SAVEPER  = 0.25", 1))
    model = sf.read_vensim(path)
    assert (model.saveper, model.dt) == (0.25, 0.0625)
    assert assert_scores_agree(model, path) == 5


def test_arrayed_loops_agree_with_simlin_element_by_element(tmp_path):
    # capital[region] with investment and depreciation: Simlin scores each element of
    # its arrayed loops, normalised within the element, as loop_scores does
    m = sf.Model("growth", start=0, stop=10, dt=0.25)
    region = m.dim("region", ["a", "b"])
    capital = m.stock("capital", initial=[3.0, 9.0], dims=[region])
    rate = m.const("growth rate", [0.06, 0.08], dims=[region])
    m.flow("investment", rate * capital * (1 - capital / 40.0), sink=capital)
    m.flow("depreciation", capital / m.const("life", 20.0), source=capital)
    path = tmp_path / "growth.xmile"
    sf.write_xmile(m, path)
    sim = simlin.load(str(path)).simulate(enable_ltm=True)
    sim.run_to_end()
    ours = sf.loop_scores(m)
    table = sf.loops(m)
    matched = 0
    for loop in sim.get_loops_runtime():
        (ours_id,) = table.loop[table.variables.map(_variable_set)
                                == _variable_set(loop.variables)]
        for element in ("a", "b"):
            theirs = sim.get_relative_loop_score(loop.id, element=element)
            mine = ours.sel(loop=ours_id, region=element).values
            assert np.abs(mine - theirs).max() < 1e-8
            matched += 1
    assert matched == 4
