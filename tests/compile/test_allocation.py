"""ALLOCATE BY PRIORITY: the batched runtime helper against PySD's one-row implementation
(pysd 3.14 ``py_backend/allocation.py``, which reproduces Vensim's output in the SDXorg
suite), and the DSL builtin's checks."""

from __future__ import annotations

import numpy as np
import pytest
from pysd.py_backend.allocation import _allocate_by_priority_1d as pysd_allocate

import sdflow as sf
from sdflow.compile.allocation import allocate_by_priority
from sdflow.errors import ModelError


def test_rows_match_pysd_one_by_one():
    rng = np.random.default_rng(3)
    rows, k = 400, 5
    request = rng.uniform(0, 10, (rows, k)) * (rng.random((rows, k)) > 0.2)
    # whole-number priorities make ties and gaps of exactly the width common
    priority = rng.integers(0, 5, (rows, k)).astype(float)
    width = rng.uniform(0.5, 4, (rows, 1))
    supply = rng.uniform(0, 1.2, (rows, 1)) * request.sum(axis=1, keepdims=True)
    got = allocate_by_priority(request, priority, width, supply)
    expected = np.array([pysd_allocate(request[i].copy(), priority[i].copy(), width[i, 0],
                                       supply[i, 0]) for i in range(rows)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # never more than the supply, never more than asked
    assert (got.sum(axis=1) <= supply[:, 0] + 1e-9).all()
    assert (got <= request + 1e-12).all()


def test_invalid_rows_give_nan_and_leave_the_others_alone():
    request = np.array([[1.0, 2.0], [1.0, -2.0], [1.0, 2.0]])
    out = allocate_by_priority(request, np.array([[1.0, 2.0]]),
                               np.array([[1.0], [1.0], [0.0]]), np.array([[10.0]]))
    np.testing.assert_array_equal(out[0], [1.0, 2.0])
    assert np.isnan(out[1:]).all()


def test_builtin_runs_batched_over_other_dimensions():
    m = sf.Model("m", start=0, stop=2, dt=1)
    region = m.dim("region", ["north", "south"])
    shop = m.dim("shop", ["a", "b", "c"])
    want = m.const("request", [[10.0, 6.0, 3.0], [1.0, 2.0, 3.0]], dims=[region, shop])
    rank = m.const("priority", [2.0, 4.0, 3.0], dims=[shop])
    supply = m.const("supply", [12.0, 4.0], dims=[region])
    m.aux("allocation", sf.allocate_by_priority(want, rank, 3, supply * (1 + m.time),
                                                over=shop))
    runs = m.simulate(params={"supply": [[12.0, 4.0], [1.0, 100.0]]}, n=2)
    got = runs["allocation"].transpose("run", "time", "region", "shop").values
    for run, supplies in enumerate(([12.0, 4.0], [1.0, 100.0])):
        for t in range(3):
            for r, rows in enumerate(([10.0, 6.0, 3.0], [1.0, 2.0, 3.0])):
                expected = pysd_allocate(np.array(rows), np.array([2.0, 4.0, 3.0]), 3.0,
                                         supplies[r] * (1 + t))
                np.testing.assert_allclose(got[run, t, r], expected, rtol=1e-12)


def test_builtin_checks_its_dimensions():
    m = sf.Model("m", start=0, stop=1, dt=1)
    shop = m.dim("shop", ["a", "b"])
    want = m.const("request", [1.0, 2.0], dims=[shop])
    m.aux("bad", sf.allocate_by_priority(want, 1.0, 1.0, want, over=shop))
    with pytest.raises(ModelError, match="priority.*does not vary over 'shop'"):
        m.simulate()
    with pytest.raises(ModelError, match="takes a dimension"):
        sf.allocate_by_priority(want, want, 1.0, 1.0, over="shop")
