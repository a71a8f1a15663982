"""`simulate` runs a model graph: the graph carries the time settings, the DSL is not asked."""

import numpy as np
import pytest

import sdflow as sf


def decay():
    m = sf.Model("decay", start=0, stop=2, dt=0.25, saveper=0.5, time_units="year")
    x = m.stock("x", initial=1.0)
    m.flow("out", m.const("k", 0.5, units="1/year") * x, source=x)
    return m


def test_a_graph_a_compiled_model_and_the_model_give_one_run():
    m = decay()
    expected = m.simulate().dataset
    assert sf.simulate(m.graph()).dataset.identical(expected)
    assert sf.simulate(m.compile()).dataset.identical(expected)
    # Euler: x(t) = (1 - 0.5 * 0.25) ** (t / 0.25), saved every 0.5
    np.testing.assert_allclose(expected["x"].values, 0.875 ** np.arange(0, 9, 2), rtol=1e-14)


def test_the_graph_carries_every_time_setting():
    m = sf.Model("m", start=0, stop=4, dt=1, saveper=2, time_units="month")
    x = m.stock("x", initial=0)
    m.flow("in", 1, sink=x)
    m.vary_time_settings(dt=sf.if_then_else(m.time < 2, 1, 0.5))
    g = m.graph()
    assert (g.start, g.stop, g.dt, g.saveper, g.time_units) == (0, 4, 1, 2, "month")
    assert dict(g.time_settings) == {"dt": "time step"}
    assert sf.simulate(g).dataset.identical(m.simulate().dataset)


def test_a_graph_runs_without_its_model():
    m = decay()
    graph = m.graph()

    class Gone:
        def __getattr__(self, name):
            raise AssertionError(f"the solver asked the model for {name}")

    for node in graph.nodes.values():
        node.source = Gone()  # the DSL objects the graph came from
    run = sf.simulate(graph, params={"k": [0.4, 0.6]}, method="rk4")
    assert run["x"].dims == ("time", "run")


def test_anything_else_is_refused_with_what_to_pass():
    with pytest.raises(TypeError, match="runs a model graph, a compiled model or a Model"):
        sf.simulate("teacup.mdl")
