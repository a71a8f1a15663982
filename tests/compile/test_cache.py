"""The compile cache: compiled forms kept per model graph, in `sdflow.compile.cache`."""

import dataclasses
import gc
import weakref

import sdflow as sf
from sdflow.compile import cache


def decay():
    m = sf.Model("decay", start=0, stop=2, dt=0.5)
    x = m.stock("x", initial=1.0)
    m.flow("out", m.const("k", 0.5) * x, source=x)
    return m


def test_a_graph_compiles_once_per_set_of_parameters_and_outputs():
    m = decay()
    graph = m.graph()
    first = cache.compiled_for(graph, ["K"])
    assert cache.compiled_for(graph, ["k"]) is first is m.compile(["k"])
    assert cache.compiled_for(graph, ["k"], outputs=["x"]) is not first
    m.simulate(params={"k": [0.1, 0.2]})  # compiles for k per run, batched
    assert ((("k",), False, None)) in cache.entries(graph)


def test_a_changed_model_gets_a_new_graph_and_compiles_afresh():
    m = decay()
    before = m.compile(["k"])
    m.aux("double", 2 * m["x"])
    after = m.compile(["k"])
    assert after is not before and "double" in after.graph.nodes


def test_the_model_holds_no_compiled_code_and_compiled_code_goes_with_its_graph():
    m = decay()
    m.simulate()
    assert not hasattr(m, "_compiled")
    graph = m.graph()
    assert cache.entries(graph)
    dropped = weakref.ref(graph)
    m._graph = None  # as a new declaration would
    del graph
    gc.collect()
    assert dropped() is None


def test_a_graph_derived_with_replace_starts_with_an_empty_cache():
    graph = decay().graph()
    cache.compiled_for(graph)
    derived = dataclasses.replace(graph, stop=4.0)  # as scenarios derive graphs
    assert cache.entries(derived) == {}
    assert cache.compiled_for(derived) is not cache.compiled_for(graph)
