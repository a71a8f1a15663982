"""Loops between elements of arrayed variables (``sf.loops(model, elements=True)``)."""

from __future__ import annotations

import sdflow as sf
from sdflow.analyse.reads import element_reads


def _shares():
    m = sf.Model("shares", start=0, stop=5, dt=0.5)
    r = m.dim("r", ["a", "b", "c"])
    x = m.stock("x", initial=[1.0, 2.0, 3.0], dims=[r])
    share = m.aux("share", x / sf.sum(x, over=r))
    m.flow("inflow", share * 2 - x.sel(r="a") * 0.1, sink=x)
    return m


def test_element_reads_follow_reductions_selections_and_renames():
    m = sf.Model("m", start=0, stop=1, dt=1)
    r = m.dim("r", ["a", "b"])
    partner = m.dim("partner", ["a", "b"])
    x = m.stock("x", initial=[1.0, 2.0], dims=[r])
    m.aux("pair", x * x.rename(r=partner))
    m.aux("total", sf.sum(x, over=r))
    g = m.graph()
    dims, reads = element_reads(g.node("pair").equation, "x", g)
    assert [d.name for d in dims] == ["r", "partner"]
    # pair[i, j] reads x[i] and x[j]
    assert reads.astype(int).tolist() == [[[1, 0], [1, 1]], [[1, 1], [0, 1]]]
    dims, reads = element_reads(g.node("total").equation, "x", g)
    assert dims == () and reads.tolist() == [True, True]


def test_arrayed_loops_expand_to_one_loop_per_element():
    m = sf.Model("growth", start=0, stop=1, dt=0.5)
    region = m.dim("region", ["Anhui", "Jiangsu"])
    capital = m.stock("capital", initial=[3.0, 9.0], dims=[region])
    m.flow("investment", 0.1 * capital, sink=capital)
    assert sf.loops(m).variables.tolist() == [("capital", "investment")]
    table = sf.loops(m, elements=True)
    assert table.to_dict("list") == {
        "loop": ["R1", "R2"],
        "variables": [("capital[Anhui]", "investment[Anhui]"),
                      ("capital[Jiangsu]", "investment[Jiangsu]")],
        "polarity": ["reinforcing", "reinforcing"], "length": [2, 2]}


def test_loops_across_elements_through_a_sum_and_a_selection():
    table = sf.loops(_shares(), elements=True)
    loops = set(table.variables)
    # every element's own loop through its share
    assert {("x[a]", "share[a]", "inflow[a]"), ("x[b]", "share[b]", "inflow[b]"),
            ("x[c]", "share[c]", "inflow[c]")} <= loops
    # x[a] is read by every element's inflow (x.sel(r="a")): a direct balancing loop,
    # and loops from x[a] through another element back through the shares
    assert ("x[a]", "inflow[a]") in loops
    assert ("x[a]", "inflow[b]", "x[b]", "share[a]", "inflow[a]") in loops
    # x[b] and x[c] only reach each other through the shares, never through inflow[a]
    assert not any(v[:2] == ("x[b]", "inflow[a]") for v in loops)
    assert len(table) == 13
    # each element link is signed on its own along the run: share[a] rises with x[a]
    # and falls with x[b], so the loops between elements have a polarity while the
    # loop between variables (x, share, inflow) mixes both and stays undetermined
    polarity = dict(zip(table.variables, table.polarity))
    assert polarity[("x[a]", "share[a]", "inflow[a]")] == "reinforcing"
    assert polarity[("x[a]", "inflow[b]", "x[b]", "share[a]", "inflow[a]")] == "reinforcing"
    assert polarity[("x[a]", "inflow[b]", "x[b]", "share[c]", "inflow[c]", "x[c]",
                     "share[a]", "inflow[a]")] == "balancing"
    assert "U" not in "".join(table.loop)
    variables = sf.loops(_shares())
    assert dict(zip(variables.variables, variables.polarity))[("x", "share", "inflow")] \
        == "undetermined"
