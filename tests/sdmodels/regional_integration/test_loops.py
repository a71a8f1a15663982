"""Feedback loops (sdmodels/regional_integration/loops.py): each named loop is one of the
loops `sdflow.loops` finds in the built model of every preset."""

from pathlib import Path

import pytest

import sdflow as sf
import sdmodels.regional_integration as ri
from sdmodels.regional_integration import LOOPS, Loop, build, find_loop, named_loops
from sdmodels.regional_integration.loops import cycle_key

README = Path(ri.__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module", params=sorted(ri.PRESETS))
def table(request):
    return sf.loops(build(request.param, stop=2006))


def test_every_named_loop_is_a_loop_sdflow_finds(table):
    found = named_loops(table)
    assert sorted(found) == sorted(loop.key for loop in LOOPS)
    rows = dict(zip(table["loop"], table["variables"]))
    for loop in LOOPS:
        variables = rows[found[loop.key]]
        assert cycle_key(variables) == cycle_key(loop.variables), loop.key
        assert len(variables) == len(loop.variables) - 1  # the closing repeat dropped


def test_polarity_sdflow_finds_agrees_where_it_is_determined(table):
    polarity = dict(zip(table["loop"], table["polarity"]))
    found = named_loops(table)
    for loop in LOOPS:
        sign = polarity[found[loop.key]]
        if sign != "undetermined":
            assert sign == ("reinforcing" if loop.polarity > 0 else "balancing"), loop.key


def test_a_chain_that_is_not_in_the_model_is_not_found():
    # trust does not read capital, not even through hidden nodes: no such loop exists
    model = build("jjj", stop=2006)
    assert find_loop(model, Loop("X", "fake", 1, ("capital", "trust", "capital"), "")) is None
    # the same chain as a named loop, started elsewhere, is found
    assert find_loop(model, Loop("X", "depreciation", -1,
                                 ("depreciation", "capital", "depreciation"), "")) == "B1"


def test_cycle_key_ignores_the_starting_point_but_not_the_direction():
    assert cycle_key(("a", "b", "c")) == cycle_key(("c", "a", "b", "c"))
    assert cycle_key(("a", "b", "c")) != cycle_key(("a", "c", "b"))


def test_loops_are_documented_with_keys_polarity_and_variables():
    keys = [lp.key for lp in LOOPS]
    assert len(set(keys)) == len(keys)
    for loop in LOOPS:
        assert loop.key[0] == ("R" if loop.polarity > 0 else "B")
        line = f"{loop.key} {loop.title} ({'+' if loop.polarity > 0 else '-'}"
        assert line in " ".join(ri.__doc__.split())
        assert loop.key in README.read_text() and loop.title in README.read_text()
