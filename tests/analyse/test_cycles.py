"""Loop enumeration: Johnson's algorithm (networkx), bounded where the loops explode."""

from __future__ import annotations

import itertools
from math import comb, factorial

import pytest

from sdflow.analyse.cycles import LoopEnumerationWarning, simple_cycles
from sdflow.errors import SdflowError


def _complete(n):
    return [(a, b) for a, b in itertools.permutations(range(n), 2)]


def test_complete_digraph_has_the_textbook_number_of_cycles():
    # elementary cycles of the complete digraph on n nodes: sum_k C(n, k) (k-1)!
    for n in (3, 4, 5):
        expected = sum(comb(n, k) * factorial(k - 1) for k in range(2, n + 1))
        assert len(simple_cycles(_complete(n), max_loops=1000)) == expected


def test_too_many_loops_keeps_all_the_short_ones_and_warns():
    # K4: 6 loops of 2 nodes, 8 of 3, 6 of 4; 10 allowed -> the six 2-loops only
    with pytest.warns(LoopEnumerationWarning, match="more than 10 feedback loops"):
        kept = simple_cycles(_complete(4), max_loops=10)
    assert sorted(len(c) for c in kept) == [2] * 6


def test_max_length_cuts_without_warning():
    kept = simple_cycles(_complete(4), max_loops=100, max_length=3)
    assert sorted(len(c) for c in kept) == [2] * 6 + [3] * 8


def test_max_loops_must_be_positive():
    with pytest.raises(SdflowError, match="max_loops=0"):
        simple_cycles(_complete(3), max_loops=0)


def test_the_warning_points_at_the_users_call():
    import sdflow as sf
    m = sf.Model("ring", start=0, stop=1, dt=0.5)
    stocks = [m.stock(f"s{i}", initial=1.0) for i in range(4)]
    for i, a in enumerate(stocks):  # every stock feeds every other: 20 loops
        for j, b in enumerate(stocks):
            if i != j:
                m.flow(f"f{i}{j}", 0.01 * a, sink=b)
    with pytest.warns(LoopEnumerationWarning) as caught:
        table = sf.loops(m, max_loops=10)
    assert caught[0].filename == __file__
    assert set(table.length) == {4} and len(table) == 6  # the six two-stock loops
