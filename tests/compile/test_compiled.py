"""`compile_model` and `simulate` take the same objects: a Model or its graph.

Expected numbers: exponential decay, x(t) = exp(-k t) integrated by Euler with step dt,
x_n = (1 - k dt)^n.
"""

from __future__ import annotations

import numpy as np
import pytest

import sdflow as sf


def _decay():
    m = sf.Model("decay", start=0, stop=2, dt=0.5)
    k = m.const("k", 0.2)
    x = m.stock("x", initial=1.0)
    m.flow("out", k * x, source=x)
    return m


@pytest.mark.parametrize("as_graph", [False, True])
def test_compile_model_and_simulate_take_a_model_or_its_graph(as_graph):
    m = _decay()
    target = m.graph() if as_graph else m
    compiled = sf.compile_model(target, ["k"])
    assert compiled.graph is m.graph() and compiled.params == ("k",)
    run = sf.simulate(target)
    np.testing.assert_allclose(run["x"].values, (1 - 0.2 * 0.5) ** np.arange(5))
    runs = sf.simulate(target, params={"k": np.array([0.2, 0.4])})
    np.testing.assert_allclose(runs["x"].values[-1], [0.9 ** 4, 0.8 ** 4])


def test_other_objects_are_refused_with_what_is_expected():
    with pytest.raises(TypeError, match="expected an sdflow Model or its ModelGraph"):
        sf.compile_model("decay")

