"""Graph rewriting for interventions: references move to the lever's path."""

import numpy as np

import sdflow as sf
from sdflow.forecasting import Scenario, Step
from sdflow.forecasting.intervention import substitute
from sdflow.ir.nodes import NodeRef


def test_substitute_rewrites_only_named_references_and_shares_the_rest():
    keep = NodeRef("a") * 2
    expr = sf.if_then_else(NodeRef("k") > 1, keep, NodeRef("k"))
    new = substitute(expr, {"k": "k path"})
    assert repr(new) == "if_then_else((<k path> > 1.0), (<a> * 2.0), <k path>)"
    assert new.args[1] is keep
    assert substitute(keep, {"k": "x"}) is keep


def test_stock_initial_and_smooth_read_the_path():
    # The path equals the lever before the policy year, so initial values are unchanged;
    # after it, a SMOOTH of the lever follows the new value (first-order approach, checked
    # against the same model with the lever stepped by hand).
    def build(stepped: bool):
        m = sf.Model("m", start=0, stop=6, dt=0.25)
        k = m.const("k", 2.0)
        lever = k + sf.step(3.0, 2) if stepped else k
        x = m.stock("x", initial=lever * 10)
        m.flow("in", sf.smooth(lever, 1.0), sink=x)
        return m

    scenario = Scenario("s", changes=[Step("k", at=2, to=5.0)]).prepare(build(False))
    got = scenario.model.simulate()["x"].values
    np.testing.assert_allclose(got, build(True).simulate()["x"].values, rtol=1e-13)
