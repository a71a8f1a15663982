"""Subranges, mappings and per-element definitions: the `Reindex` placements the importer
builds, checked against values worked out by hand from the Vensim equations."""

from __future__ import annotations

import numpy as np

import sdflow as sf
from sdflow.expr.nodes import Reindex

CONTROL = """
INITIAL TIME = 0 ~~|
FINAL TIME = 2 ~~|
TIME STEP = 1 ~~|
SAVEPER = TIME STEP ~~|
"""


def test_reindex_gathers_and_places():
    m = sf.Model("m", start=0, stop=1, dt=1)
    full = m.dim("full", ["a", "b", "c", "d"])
    sub = m.dim("sub", ["d", "b"])
    x = m.const("x", [1.0, 2.0, 3.0, 4.0], dims=[full])
    m.aux("gathered", Reindex(x, full, sub, [3, 1]))            # x[sub] -> (4, 2)
    m.aux("placed", Reindex(m.ref("gathered"), sub, full, [-1, 1, -1, 0]))
    m.aux("one element", Reindex(sf.exp(0) * 7, None, full, [-1, -1, 0, -1]))
    out = m.simulate().dataset
    np.testing.assert_array_equal(out["gathered"].isel(time=0), [4.0, 2.0])
    np.testing.assert_array_equal(out["placed"].isel(time=0), [0.0, 2.0, 0.0, 4.0])
    np.testing.assert_array_equal(out["one element"].isel(time=0), [0, 0, 7.0, 0])


def test_per_element_subrange_and_mapping_definitions(tmp_path):
    path = tmp_path / "m.mdl"
    path.write_text("""
region: north, south, east, west ~~|
coast: east, west ~~|
inland: north, south ~~|
partner: p1, p2, p3, p4 -> region ~~|
base[region] = 1, 2, 3, 4 ~~|
level[inland] = base[inland] * 10 ~~|
level[coast] = base[coast] + Time ~~|
shifted[partner] = base[region] * 2 ~~|
single[region] = 0 ~~|
total = SUM(level[region!]) ~~|
""" + CONTROL)
    model = sf.read_vensim(path)
    out = model.simulate().dataset
    # level: north, south from base * 10; east, west from base + Time
    np.testing.assert_array_equal(out["level"].sel(time=2), [10, 20, 5, 6])
    np.testing.assert_array_equal(out["total"].values, [10 + 20 + 3 + 4 + 2 * t
                                                        for t in (0, 1, 2)])
    # partner maps onto region by position
    np.testing.assert_array_equal(out["shifted"].isel(time=0), [2, 4, 6, 8])
    assert model["base"].dims[0].name == "region"
