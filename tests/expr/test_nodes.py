"""`Expr.with_children`: the one traversal that rebuilds any expression node."""

import pytest

import sdflow as sf
from sdflow.expr import nodes as ex
from sdflow.expr.allocation import AllocateByPriority
from sdflow.forecasting.intervention import substitute
from sdflow.ir.nodes import NodeRef


def every_node_kind():
    """One node of each kind that has children, each reading two references."""
    m = sf.Model("m", start=0, stop=1, dt=1)
    region = m.dim("region", ["a", "b"])
    partner = m.dim("partner", ["a", "b"])
    effect = m.lookup("effect", x=[0, 1], y=[0, 1])
    a, b = NodeRef("a"), NodeRef("b")
    return [
        a + b, -a, ~a, ex.Call("min", a, b), ex.Reduce("sum", a, region),
        ex.Select(a, "region", "a"), ex.Rename(a, {"region": partner}),
        ex.Reindex(a, region, partner, [1, 0]), ex.LookupCall(effect, a),
        ex.Stateful("smooth", input=a, delay_time=b),
        AllocateByPriority(a, b, 1.0, 2.0, region),
    ]


@pytest.mark.parametrize("node", every_node_kind(), ids=lambda n: type(n).__name__)
def test_with_children_rebuilds_the_node_over_new_children(node):
    children = node.children()
    renamed = tuple(NodeRef(c.key + "2") if isinstance(c, NodeRef) else c for c in children)
    rebuilt = node.with_children(renamed)
    assert type(rebuilt) is type(node) and rebuilt is not node
    assert rebuilt.children() == renamed
    assert repr(rebuilt) == repr(node).replace("<a>", "<a2>").replace("<b>", "<b2>")


@pytest.mark.parametrize("node", every_node_kind(), ids=lambda n: type(n).__name__)
def test_substitute_reaches_every_node_kind(node):
    out = substitute(node, {"a": "a path"})
    assert "<a path>" in repr(out) and "<a>" not in repr(out)
    assert substitute(node, {"zz": "other"}) is node  # nothing to change: shared, not copied


def test_leaves_rebuild_as_themselves():
    m = sf.Model("m", start=0, stop=1, dt=1)
    for leaf in (ex.Literal(1.0), m.time, m.ref("x"), NodeRef("x"), m.const("k", 1.0)):
        assert leaf.children() == () and leaf.with_children(()) is leaf
