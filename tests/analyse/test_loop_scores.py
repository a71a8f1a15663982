"""`sf.loop_scores` and `sf.dominant_loops` on models whose answer is known on paper."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sdflow as sf
from sdflow.errors import SdflowError
from sdmodels.reference import sir, solow, teacup


def test_first_order_goal_seeking_loop_scores_minus_one():
    # the only loop of the teacup drives all of its behaviour, and it is balancing
    scores = sf.loop_scores(teacup.build())
    assert scores.dims == ("time", "loop")
    assert scores["loop"].values.tolist() == ["B1"]
    assert scores.values[0, 0] == 0.0  # no earlier step to compare with
    np.testing.assert_allclose(scores.values[1:, 0], -1.0, atol=1e-12)


def _logistic(K=1000.0, r=0.5, P0=10.0, dt=1 / 64):
    m = sf.Model("logistic", start=0, stop=25, dt=dt)
    population = m.stock("population", initial=P0)
    m.flow("births", r * population, sink=population)
    m.flow("deaths", r * population * population / K, source=population)
    return m


def test_logistic_growth_switches_from_r_to_b_at_half_the_carrying_capacity():
    K, r, P0 = 1000.0, 0.5, 10.0
    model = _logistic(K, r, P0)
    scores = sf.loop_scores(model)
    population = model.simulate()["population"].values
    # births = rP, deaths = rP^2/K, so over a step: Δbirths = rΔP and
    # Δdeaths = rΔP (P_t + P_{t-dt}) / K. Births' share is K / (K + P_t + P_{t-dt}).
    total = population[1:] + population[:-1]
    np.testing.assert_allclose(scores.sel(loop="R1").values[1:], K / (K + total), rtol=1e-9)
    np.testing.assert_allclose(scores.sel(loop="B1").values[1:], -total / (K + total),
                               rtol=1e-9)
    # dominance changes hands when P = K/2: at t* = ln((K - P0) / P0) / r on the
    # continuous logistic curve (9.19 here); Euler with dt = 1/64 is within 0.05
    periods = sf.dominant_loops(scores)
    assert periods.loops.tolist() == [("R1",), ("B1",)]
    switch = periods.start[1]
    assert switch == pytest.approx(math.log((K - P0) / P0) / r, abs=0.05)
    assert population[scores["time"].values.tolist().index(switch)] >= K / 2


def test_a_batch_scores_like_its_runs_one_by_one():
    rates = np.array([0.25, 0.3, 0.4])
    model = sir.build(stop=40)
    batch = sf.loop_scores(model, params={"contact infectivity": rates})
    assert batch.dims == ("time", "run", "loop")
    for i, rate in enumerate(rates):
        single = sf.loop_scores(sir.build(contact_infectivity=rate, stop=40))
        np.testing.assert_allclose(batch.isel(run=i).values, single.values, atol=1e-12)
    periods = sf.dominant_loops(batch)
    assert sorted(set(periods.run)) == [0, 1, 2]


def test_relative_scores_add_up_to_one_within_each_partition():
    # Solow: labour force growth is a partition of its own, beside the capital loops
    scores = sf.loop_scores(solow.build())
    partitions = scores["partition"].values
    assert sorted(set(partitions)) == [0, 1]
    for p in (0, 1):
        sums = np.abs(scores.values[1:, partitions == p]).sum(axis=1)
        np.testing.assert_allclose(sums, 1.0)
    whole = sf.loop_scores(solow.build(), by_partition=False)
    np.testing.assert_allclose(np.abs(whole.values[1:]).sum(axis=1), 1.0)


def test_raw_scores_and_saved_times():
    raw = sf.loop_scores(teacup.build(), relative=False, saveper=1.0)
    assert raw["time"].values.tolist() == [float(t) for t in range(31)]
    # teacup: heat loss = (T - room) / tau; one link scores 1 and the outflow -1
    np.testing.assert_allclose(raw.values[1:, 0], -1.0)


def _arrayed_growth():
    g = sf.Model("growth", start=0, stop=10, dt=0.25)
    region = g.dim("region", ["a", "b"])
    rate = g.const("growth rate", [0.06, 0.08], dims=[region])
    capital = g.stock("capital", initial=[3.0, 9.0], dims=[region])
    g.flow("investment", rate * capital, sink=capital)
    g.flow("depreciation", capital / g.const("life", 20.0), source=capital)
    return g


def test_arrayed_loops_score_element_by_element():
    scores = sf.loop_scores(_arrayed_growth())
    assert scores.dims == ("time", "region", "loop")
    # both flows are proportional to capital: shares are the rates' shares, per region
    np.testing.assert_allclose(scores.isel(time=5).sel(loop="R1").values,
                               [0.06 / 0.11, 0.08 / 0.13])
    np.testing.assert_allclose(scores.isel(time=5).sel(loop="B1").values,
                               [-0.05 / 0.11, -0.05 / 0.13])
    with pytest.raises(SdflowError, match="select an element first"):
        sf.dominant_loops(scores)
    assert sf.dominant_loops(scores.sel(region="a")).loops.tolist() == [("R1",)]


def _shares():
    m = sf.Model("shares", start=0, stop=2, dt=0.5)
    r = m.dim("r", ["a", "b"])
    x = m.stock("x", initial=[1.0, 2.0], dims=[r])
    total = m.aux("total", sf.sum(x, over=r))
    m.flow("inflow", 0.1 * total - 0.2 * x, sink=x)
    return m


def test_loops_across_dimensions_are_scored_between_elements():
    with pytest.raises(SdflowError, match=r"sf.loop_scores\(model, elements=True\)"):
        sf.loop_scores(_shares())
    scores = sf.loop_scores(_shares(), elements=True)
    table = sf.loops(_shares(), elements=True)
    assert scores["loop"].values.tolist() == table.loop.tolist()
    assert scores.dims == ("time", "loop")
    # x[a] and x[b] feed each other through the total: one partition, shares add up to 1
    assert set(scores["partition"].values) == {0}
    np.testing.assert_allclose(np.abs(scores.values[1:]).sum(axis=1), 1.0)
    # x[a] -> inflow[a]: 0.1 from the total, -0.2 directly, so the own loop through
    # inflow alone is balancing and the loop through the total reinforcing
    polarity = dict(zip(table.variables, table.polarity))
    assert polarity[("x[a]", "inflow[a]")] == "balancing"
    assert polarity[("x[a]", "total", "inflow[a]")] == "reinforcing"


def test_element_scores_equal_variable_scores_where_there_is_nothing_to_split():
    # a model without dimensions: loops between elements are the loops between variables
    np.testing.assert_allclose(sf.loop_scores(sir.build(stop=20), elements=True).values,
                               sf.loop_scores(sir.build(stop=20)).values, atol=1e-12)
    # elementwise loops, uncoupled regions: each region is a partition of its own
    by_element = sf.loop_scores(_arrayed_growth(), elements=True)
    by_variable = sf.loop_scores(_arrayed_growth())
    ids = dict(zip(sf.loops(_arrayed_growth(), elements=True).variables, by_element.loop.values))
    for region in ("a", "b"):
        for loop, flow in (("R1", "investment"), ("B1", "depreciation")):
            element_id = ids[(f"capital[{region}]", f"{flow}[{region}]")]
            np.testing.assert_allclose(by_element.sel(loop=element_id).values,
                                       by_variable.sel(loop=loop, region=region).values,
                                       atol=1e-12)


def test_dominant_loops_threshold_must_be_a_share():
    with pytest.raises(SdflowError, match="threshold=1.5"):
        sf.dominant_loops(sf.loop_scores(teacup.build()), threshold=1.5)


def test_a_loop_through_delay_fixed_passes_the_delayed_change_on_whole():
    # orders -> DELAY FIXED -> arrivals -> inventory -> orders: the delay's output is its
    # input of 3 days ago, so its link scores 1 while the output moves; with spoilage the
    # only other loop, the supply line dominates whenever the delayed arrivals change
    m = sf.Model("supply line", start=0, stop=20, dt=0.5)
    inventory = m.stock("inventory", initial=10.0)
    orders = m.aux("orders", sf.max(0, 15 - inventory))
    m.flow("arrivals", sf.delay_fixed(orders, 3.0, 5.0), sink=inventory)
    m.flow("use", m.const("usage", 5.0), source=inventory)
    m.flow("spoilage", inventory * 0.01, source=inventory)
    raw = sf.loop_scores(m, relative=False)
    table = sf.loops(m)
    supply = table.loop[table.variables == ("inventory", "orders", "arrivals")].item()
    before = raw.sel(loop=supply, time=slice(0.5, 3.0)).values
    np.testing.assert_array_equal(before, 0.0)  # nothing has come through yet
    assert (raw.sel(loop=supply, time=slice(3.5, 20)).values != 0).any()
    assert table.polarity.tolist() == ["balancing", "balancing"]
    from sdflow.analyse.causal_graph import causal_links
    from sdflow.analyse.link_scores import LinkScorer, baseline
    (into_delay,) = [l for l in causal_links(m.graph())
                     if m.graph().nodes[l.target].kind == "pipeline"]
    run = baseline(m)
    score = LinkScorer(run).score(into_delay)[:, 0]
    moved = np.diff(run.values[into_delay.target][:, 0]) != 0
    np.testing.assert_array_equal(score[1:], np.where(moved, 1.0, 0.0))
    assert moved.any()


def test_polarity_of_a_batch_counts_constants_set_per_run_as_unknown():
    m = sf.Model("growth or decline", start=0, stop=5, dt=0.5)
    x = m.stock("x", initial=1.0)
    m.flow("change", m.const("k", 0.1) * x, sink=x)
    assert sf.loops(m).polarity.tolist() == ["reinforcing"]  # k is declared positive
    scores = sf.loop_scores(m, params={"k": np.array([0.1, -0.1])})
    # the second run declines: the loop is balancing there, so not fixed over the batch
    assert scores["polarity"].values.tolist() == ["undetermined"]
    np.testing.assert_allclose(scores.isel(time=slice(1, None)).values[:, :, 0],
                               np.tile([1.0, -1.0], (10, 1)))
