"""Expression trees: what operators build, and the refusals that keep models honest."""

from __future__ import annotations

import pytest

import sdflow as sf
from sdflow.expr import nodes as ex


def model():
    m = sf.Model("m", start=0, stop=1, dt=1)
    return m, m.const("x", 1.0), m.stock("s", initial=2.0)


def test_operators_build_nodes_and_compute_nothing():
    m, x, s = model()
    e = (x + 1) * s / 2 - x ** 2
    assert isinstance(e, ex.BinOp) and e.op == "-"
    assert repr(2 - x) == "(2.0 - Const('x'))"
    assert isinstance(-x, ex.Neg) and isinstance(~(x > 1), ex.Not)
    assert (+x) is x
    for op in ("<", "<=", ">", ">="):
        node = eval(f"x {op} s")  # noqa: S307 - building a comparison node
        assert isinstance(node, ex.BinOp) and node.op == op
    assert (x & s).op == "and" and (x | s).op == "or"
    assert (1 & x).op == "and" and (1 | x).op == "or"


def test_equality_is_identity_not_a_node():
    """``==`` is not overloaded: variables stay hashable; use sf.eq for the condition."""
    m, x, s = model()
    assert (x == x) is True and (x == s) is False
    assert len({x, s, x}) == 2
    assert isinstance(sf.eq(x, s), ex.Call) and sf.eq(x, s).func == "eq"
    assert sf.ne(x, 1).func == "ne"


@pytest.mark.parametrize("use", [
    lambda x: bool(x > 5),
    lambda x: 1 if x > 5 else 0,
    lambda x: (x > 1) and (x < 3),
    lambda x: not x,
    lambda x: 0 < x < 3,
])
def test_truth_value_refused_pointing_to_if_then_else(use):
    m, x, s = model()
    with pytest.raises(sf.ExpressionTruthError) as info:
        use(x)
    message = str(info.value)
    assert "sf.if_then_else(condition, value_if_true, value_if_false)" in message
    assert "& | ~" in message
    assert isinstance(info.value, TypeError)  # what Python code expects from bool()


def test_truth_error_names_the_variable():
    m, x, s = model()
    with pytest.raises(sf.ExpressionTruthError, match="'x' has no truth value"):
        if x:
            pass


def test_numpy_scalars_and_booleans_are_literals():
    import numpy as np

    m, x, s = model()
    assert isinstance(np.float64(2.0) * x, ex.BinOp)
    assert ex.as_expr(True).value == 1.0
    assert ex.as_expr(np.array(3.0)).value == 3.0


def test_walk_and_describe():
    m, x, s = model()
    e = sf.max(x, s) + 1
    kinds = [type(node).__name__ for node in ex.walk(e)]
    assert kinds.count("Const") == 1 and kinds.count("Stock") == 1
    assert ex.describe(x) == "'x'"
    assert len(ex.describe(sum([x] * 30, start=x))) <= 80


def test_sel_and_rename_build_nodes():
    m = sf.Model("m", start=0, stop=1, dt=1)
    region = m.dim("region", ["a", "b"])
    partner = m.dim("partner", ["a", "b"])
    gdp = m.const("gdp", [1.0, 2.0], dims=[region])
    assert repr(gdp.sel(region="b")) == "Const('gdp')[region='b']"
    assert repr(gdp.rename(region=partner)) == "Const('gdp').rename(region=partner)"
