"""Builtins translated from Vensim, checked against PySD 3.14 running the same file
(an independent implementation of the same documented semantics)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import sdflow as sf
from sdflow.errors import ImportModelError, UnsupportedFeatureError

CONTROL = """
INITIAL TIME = 0 ~~|
FINAL TIME = 10 ~~|
TIME STEP = 0.5 ~~|
SAVEPER = TIME STEP ~~|
"""

VECTOR_SELECT = """
dim: A1, A2, A3, A4 ~~|
sel[dim] = 1, 0, 2, 0.5 ~~|
zero sel[dim] = 0 ~~|
vals[dim] = 3, -1, 4, 2 ~~|
out sum = VECTOR SELECT(sel[dim!], vals[dim!] * Time, -9, 0, 0) ~~|
out prod = VECTOR SELECT(sel[dim!], vals[dim!], -9, 1, 0) ~~|
out min = VECTOR SELECT(sel[dim!], vals[dim!] + Time, -9, 8, 0) ~~|
out max = VECTOR SELECT(sel[dim!], vals[dim!], -9, 9, 0) ~~|
out mean = VECTOR SELECT(sel[dim!], vals[dim!], -9, 10, 0) ~~|
out pow = VECTOR SELECT(sel[dim!], vals[dim!], -9, 5, 0) ~~|
out dyn = VECTOR SELECT(sel[dim!], vals[dim!], -9, MODULO(INTEGER(Time), 11), 0) ~~|
out none = VECTOR SELECT(zero sel[dim!], vals[dim!], -9, 0, 0) ~~|
"""

ASSORTED = """
x = 3 + STEP(2, 3) ~~|
power chain = 2 ^ 3 ^ 2 ~~|
negative base = -2 ^ 2 ~~|
hyperbolic = SINH(0.5) + COSH(0.2) + TANH(Time / 10) ~~|
inverse = ARCSIN(0.3) + ARCCOS(0.4) ~~|
q = QUANTUM(Time * 1.7, 0.5) ~~|
sampled = SAMPLE IF TRUE(MODULO(Time, 2) = 0, Time * Time, -1) ~~|
delayed = DELAY N(x, 2, 3, 4) ~~|
smoothed = SMOOTH N(x, 2, 3, 5) ~~|
trend of x = TREND(x, 2, 0.1) ~~|
"""


def both(tmp_path, text: str, columns: list[str]):
    pysd = pytest.importorskip("pysd")
    path = tmp_path / "model.mdl"
    path.write_text(text + CONTROL)
    ours = sf.read_vensim(path).simulate().dataset
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pysd.read_vensim(str(path)).run(return_columns=columns)
    return ours, peer


def test_vector_select_matches_pysd(tmp_path):
    columns = ["out sum", "out prod", "out min", "out max", "out mean", "out pow",
               "out dyn", "out none"]
    ours, peer = both(tmp_path, VECTOR_SELECT, columns)
    for name in columns:
        np.testing.assert_allclose(ours[name].values, peer[name].values, rtol=1e-12,
                                   err_msg=name)


def test_assorted_builtins_match_pysd(tmp_path):
    columns = ["power chain", "negative base", "hyperbolic", "inverse", "q", "sampled",
               "delayed", "smoothed", "trend of x"]
    ours, peer = both(tmp_path, ASSORTED, columns)
    for name in columns:
        np.testing.assert_allclose(ours[name].values, peer[name].values, rtol=1e-9,
                                   atol=1e-12, err_msg=name)
    assert float(ours["power chain"][0]) == 512.0  # Vensim's ^ groups to the right
    assert float(ours["negative base"][0]) == -4.0


BANGED = """
d: d1, d2, d3 ~~|
e: e1, e2 ~~|
a[d] = 1, 2, 3 ~~|
b[d] = 10, 20, 30 ~~|
w[e] = 0.5, 2 ~~|
mat[d, e] = 1, 0; 0, 3; 2, 1 ~~|
outer sum[d] = SUM(a[d!] * b[d]) ~~|
dot = SUM(a[d!] * b[d!]) ~~|
row max[d] = VMAX(mat[d, e!] * w[e!] + a[d]) ~~|
mixed select[e] = VECTOR SELECT(mat[d!, e], b[d!] * w[e], -1, 0, 0) ~~|
"""


def test_banged_range_is_apart_from_the_same_range_unbanged(tmp_path):
    # SUM(a[d!] * b[d]) is b[d] * SUM(a): 60, 120, 180 (by hand, and PySD agrees)
    columns = ["outer sum", "dot", "row max", "mixed select"]
    ours, peer = both(tmp_path, BANGED, columns)
    np.testing.assert_allclose(ours["outer sum"].isel(time=0), [60.0, 120.0, 180.0])
    assert float(ours["dot"].isel(time=0)) == 140.0
    for name in columns:
        got = ours[name].values.reshape(len(peer), -1)
        np.testing.assert_allclose(got, peer.filter(like=name).values, rtol=1e-12,
                                   err_msg=name)


ORDER_EXPRESSIONS = """
x = 3 + STEP(2, 3) + RAMP(0.5, 4, 8) ~~|
half order = 2 ~~|
stages = half order * 2 ~~|
fractional order = 2.7 ~~|
delay by expression = DELAY N(x, 3, 1, stages) ~~|
delay truncated = DELAY N(x, 3, 1, fractional order) ~~|
smooth by expression = SMOOTH N(x, 2, 3, half order + 1) ~~|
"""


def test_delay_and_smooth_order_given_by_an_expression_match_pysd(tmp_path):
    # Vensim reads the order once at initialisation; PySD's DelayN truncates 2.7 to 2
    columns = ["delay by expression", "delay truncated", "smooth by expression"]
    ours, peer = both(tmp_path, ORDER_EXPRESSIONS, columns)
    for name in columns:
        np.testing.assert_allclose(ours[name].values, peer[name].values, rtol=1e-9,
                                   atol=1e-12, err_msg=name)
    # the orders differ, so the outputs do too (the test would not pass by accident)
    assert not np.allclose(ours["delay by expression"], ours["delay truncated"])


def test_delay_order_read_from_the_state_is_refused(tmp_path):
    path = tmp_path / "model.mdl"
    path.write_text("level = INTEG(1, 2) ~~|\nd = DELAY N(level, 3, 1, level) ~~|\n" + CONTROL)
    with pytest.raises(UnsupportedFeatureError, match="'d'.*DELAY N.*order"):
        sf.read_vensim(path)


XMILE_BUILTINS = """<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><vendor>test</vendor><product version="1">test</product></header>
<sim_specs method="Euler"><start>0</start><stop>5</stop><dt>0.5</dt></sim_specs>
<dimensions><dim name="d"><elem name="a"/><elem name="b"/><elem name="c"/></dim></dimensions>
<model><variables>
<aux name="step size"><eqn>DT</eqn></aux>
<aux name="t2"><eqn>TIME * TIME</eqn></aux>
<aux name="prev"><eqn>PREVIOUS(t2, 7)</eqn></aux>
<aux name="first"><eqn>INIT(t2 + 1)</eqn></aux>
<aux name="v"><dimensions><dim name="d"/></dimensions>
<element subscript="a"><eqn>TIME - 2</eqn></element>
<element subscript="b"><eqn>3</eqn></element>
<element subscript="c"><eqn>-TIME</eqn></element></aux>
<aux name="lowest"><eqn>MIN(v)</eqn></aux>
<aux name="highest"><eqn>MAX(v)</eqn></aux>
</variables></model></xmile>
"""


def test_xmile_dt_previous_init_and_whole_array_min_max(tmp_path):
    path = tmp_path / "builtins.xmile"
    path.write_text(XMILE_BUILTINS)
    run = sf.read_xmile(path).simulate()
    time = np.arange(0, 5.25, 0.5)
    # XMILE 1.0 semantics, by hand: DT is the step; PREVIOUS is the value one step ago
    # and its initial value at the start; INIT is the value at the start; one-argument
    # MIN/MAX reduce the whole array
    assert run["step size"].values.tolist() == [0.5] * len(time)
    np.testing.assert_allclose(run["prev"].values, [7.0, *(time[:-1] ** 2)])
    assert run["first"].values.tolist() == [1.0] * len(time)
    np.testing.assert_allclose(run["lowest"].values, np.minimum(time - 2, -time))
    np.testing.assert_allclose(run["highest"].values, np.maximum(time - 2, 3.0))
    # Simlin (another engine that reads XMILE; PySD does not implement DT or PREVIOUS)
    simlin = pytest.importorskip("simlin")
    theirs = simlin.load(str(path)).run().results
    for name, column in [("step size", "step_size"), ("prev", "prev"), ("first", "first"),
                         ("lowest", "lowest"), ("highest", "highest")]:
        np.testing.assert_allclose(run[name].values, theirs[column].values, rtol=1e-12,
                                   err_msg=name)


ARRAY_EXTREMES = """<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><vendor>test</vendor><product version="1">test</product></header>
<sim_specs method="Euler"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
<dimensions><dim name="d"><elem name="a"/><elem name="b"/></dim>
<dim name="e"><elem name="p"/><elem name="q"/><elem name="r"/></dim></dimensions>
<model><variables>
<aux name="g"><dimensions><dim name="d"/><dim name="e"/></dimensions>
<element subscript="a, p"><eqn>1</eqn></element><element subscript="a, q"><eqn>TIME</eqn></element>
<element subscript="a, r"><eqn>-4</eqn></element><element subscript="b, p"><eqn>2</eqn></element>
<element subscript="b, q"><eqn>-TIME</eqn></element><element subscript="b, r"><eqn>5</eqn></element>
</aux>
<aux name="top"><eqn>MAX(g[*, *])</eqn></aux>
<aux name="bottom"><eqn>MIN(g[d!, e!])</eqn></aux>
<aux name="top per e"><dimensions><dim name="e"/></dimensions><eqn>MAX(g[*, e])</eqn></aux>
<aux name="bottom per d"><dimensions><dim name="d"/></dimensions><eqn>MIN(g[d, e!])</eqn></aux>
<aux name="bottom of p"><eqn>MIN(g[d!, p])</eqn></aux>
<aux name="nested"><eqn>MAX(MAX(g[d!, e!]))</eqn></aux>
<aux name="one element"><eqn>MIN(g[b, r])</eqn></aux>
</variables></model></xmile>
"""


def test_one_argument_min_max_reduce_the_banged_and_wildcard_dimensions(tmp_path):
    path = tmp_path / "extremes.xmile"
    path.write_text(ARRAY_EXTREMES)
    run = sf.read_xmile(path).simulate()
    # XMILE 1.0: the dimensions marked * or dim! are reduced, the others stay the
    # variable's (apply-to-all); expected values by hand from g's elements
    time = np.array([0.0, 1.0, 2.0])
    g = np.stack([np.stack([np.ones(3), time, -4 * np.ones(3)], -1),
                  np.stack([2 * np.ones(3), -time, 5 * np.ones(3)], -1)], 1)  # time, d, e
    np.testing.assert_allclose(run["top"].values, g.max(axis=(1, 2)))
    np.testing.assert_allclose(run["bottom"].values, g.min(axis=(1, 2)))
    np.testing.assert_allclose(run["top per e"].transpose("time", "e").values, g.max(axis=1))
    np.testing.assert_allclose(run["bottom per d"].transpose("time", "d").values,
                               g.min(axis=2))
    np.testing.assert_allclose(run["bottom of p"].values, g[:, :, 0].min(axis=1))
    # an argument without dimensions is its own extreme (write_xmile nests reductions)
    np.testing.assert_allclose(run["nested"].values, g.max(axis=(1, 2)))
    assert run["one element"].values.tolist() == [5.0] * 3


@pytest.mark.parametrize("equation", ["MAX(g[d, e!])", "MIN(g[d, e])"])
def test_one_argument_min_max_of_a_dimension_it_does_not_reduce_is_refused(tmp_path,
                                                                           equation):
    # 'top' has no dimension d: MAX(g[d, ...]) states no reduction over it
    path = tmp_path / "extremes.xmile"
    path.write_text(ARRAY_EXTREMES.replace("MAX(g[*, *])", equation))
    with pytest.raises(ImportModelError, match=r"'top': one-argument (MIN|MAX) reduces the "
                       r"dimensions its argument marks with dim! or \*.*\['d'.*are marked "
                       r"neither way.*write e.g."):
        sf.read_xmile(path)


def test_a_wildcard_on_a_variable_without_declared_dimensions_is_refused(tmp_path):
    path = tmp_path / "extremes.xmile"
    path.write_text(ARRAY_EXTREMES.replace("MAX(g[*, *])", "MAX(g[*])"))
    with pytest.raises(ImportModelError, match=r"g\[\*\] uses the wildcard \* but 'g' "
                                                r"declares 2 dimension\(s\) for its 1"):
        sf.read_xmile(path)


def test_previous_without_initial_value_is_refused(tmp_path):
    path = tmp_path / "previous.xmile"
    path.write_text(XMILE_BUILTINS.replace("PREVIOUS(t2, 7)", "PREVIOUS(t2)"))
    with pytest.raises(UnsupportedFeatureError, match="'prev'.*PREVIOUS.*initial value"):
        sf.read_xmile(path)


VECTOR_ORDER = """
dim: A1, A2, A3, A4, A5 ~~|
vals[dim] = 3, -1, 4, 2, 0.5 ~~|
moving[dim] = vals[dim] * (Time - 2.5) ~~|
order up[dim] = VECTOR SORT ORDER(vals[dim], 1) ~~|
order down[dim] = VECTOR SORT ORDER(vals[dim], -1) ~~|
order moving[dim] = VECTOR SORT ORDER(moving[dim], 1) ~~|
rank up[dim] = VECTOR RANK(vals[dim], 1) ~~|
rank down[dim] = VECTOR RANK(moving[dim], 0) ~~|
direction = IF THEN ELSE(Time > 5, 1, -1) ~~|
order switching[dim] = VECTOR SORT ORDER(vals[dim], direction) ~~|
"""


def test_vector_sort_order_and_rank_match_pysd(tmp_path):
    columns = ["order up", "order down", "order moving", "rank up", "rank down",
               "order switching"]
    ours, peer = both(tmp_path, VECTOR_ORDER, columns)
    for name in columns:
        np.testing.assert_array_equal(ours[name].values.reshape(len(peer), -1),
                                      peer.filter(like=name + "[").values, err_msg=name)
    # by hand: ascending order of 3, -1, 4, 2, 0.5 is A2, A5, A4, A1, A3 (0-based indices)
    assert ours["order up"].isel(time=0).values.tolist() == [1, 4, 3, 0, 2]
    assert ours["rank up"].isel(time=0).values.tolist() == [4, 1, 5, 3, 2]


def test_vector_sort_order_keeps_equal_values_in_index_order(tmp_path):
    # a stable sort: numpy's unstable argsort in PySD may order the ties either way
    path = tmp_path / "ties.mdl"
    path.write_text("dim: A1, A2, A3, A4 ~~|\nvals[dim] = 2, 1, 2, 1 ~~|\n"
                    "up[dim] = VECTOR SORT ORDER(vals[dim], 1) ~~|\n"
                    "down[dim] = VECTOR SORT ORDER(vals[dim], -1) ~~|\n"
                    "rank[dim] = VECTOR RANK(vals[dim], 1) ~~|\n" + CONTROL)
    run = sf.read_vensim(path).simulate()
    assert run["up"].isel(time=0).values.tolist() == [1, 3, 0, 2]
    assert run["down"].isel(time=0).values.tolist() == [2, 0, 3, 1]  # the reverse
    assert run["rank"].isel(time=0).values.tolist() == [3, 1, 4, 2]
