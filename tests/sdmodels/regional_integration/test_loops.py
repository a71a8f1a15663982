"""Feedback loops (sdmodels/regional_integration/loops.py): each named loop is a cycle of the
model graph, found by walking the equations' references (sdflow.ir.order.references)."""

from pathlib import Path

import pytest

import sdmodels.regional_integration as ri
from sdflow.ir.order import references
from sdmodels.regional_integration import LOOPS, Loop, build, find_loop
from sdmodels.regional_integration.loops import name_key
from sdmodels.regional_integration.loops import references as public_references

README = Path(ri.__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module", params=sorted(ri.PRESETS))
def graph(request):
    return build(request.param, stop=2006).graph()


@pytest.mark.parametrize("loop", LOOPS, ids=[lp.key for lp in LOOPS])
def test_each_loop_is_a_cycle_of_the_graph(graph, loop):
    chain = find_loop(graph, loop)
    assert chain is not None, f"{loop.key} {loop.title}: a link is missing"
    assert chain[0] == chain[-1]
    for a, b in zip(chain, chain[1:]):  # b reads a, directly
        node = graph.nodes[b]
        assert a in references(node.rate if node.kind == "stock" else node.equation)
    named = [k for k in chain if not graph.nodes[k].hidden]
    assert named == [name_key(v) for v in loop.variables]


def test_public_reference_walk_agrees_with_the_framework(graph):
    # the model's finder reads expression trees through the public Expr API only
    for node in graph.nodes.values():
        expr = node.rate if node.kind == "stock" else node.equation
        assert sorted(public_references(expr)) == sorted(references(expr)), node.key


def test_a_chain_that_is_not_in_the_model_is_not_found(graph):
    # trust does not read capital directly or through hidden nodes
    assert find_loop(graph, Loop("X", "fake", 1, ("capital", "trust", "capital"), "")) is None


def test_loops_are_documented_with_keys_polarity_and_variables():
    keys = [lp.key for lp in LOOPS]
    assert len(set(keys)) == len(keys)
    for loop in LOOPS:
        assert loop.key[0] == ("R" if loop.polarity > 0 else "B")
        line = f"{loop.key} {loop.title} ({'+' if loop.polarity > 0 else '-'}"
        assert line in " ".join(ri.__doc__.split())
        assert loop.key in README.read_text() and loop.title in README.read_text()
