"""Structural link polarity: signs of partial derivatives that the expression tree fixes."""

from __future__ import annotations

import pytest

import sdflow as sf
from sdflow.analyse.polarity import link_sign


def _sign_of(equation_of, source="x"):
    """Sign of d(y)/d(source) for y = equation_of(x, other, positive, negative)."""
    m = sf.Model("m", start=0, stop=1, dt=1)
    x = m.stock("x", initial=1.0)
    other = m.stock("other", initial=1.0)
    positive, negative = m.const("positive", 2.0), m.const("negative", -3.0)
    m.aux("y", equation_of(x, other, positive, negative))
    graph = m.graph()
    return link_sign(graph.node("y").equation, source, graph)


@pytest.mark.parametrize("equation, expected", [
    (lambda x, o, p, n: x + o, 1),
    (lambda x, o, p, n: o - x, -1),
    (lambda x, o, p, n: -x * p, -1),
    (lambda x, o, p, n: x * n, -1),
    (lambda x, o, p, n: p / x, -1),                   # d(p/x)/dx = -p/x^2
    (lambda x, o, p, n: n / (p + x), 1),              # -n/(p+x)^2 > 0
    (lambda x, o, p, n: (x - o) / p, 1),
    (lambda x, o, p, n: sf.exp(x) + sf.sqrt(x) + sf.ln(x), 1),
    (lambda x, o, p, n: sf.min(x, o) - sf.max(-x, o), 1),
    (lambda x, o, p, n: sf.if_then_else(o > 1, x, 2 * x), 1),
    (lambda x, o, p, n: x ** 2.0 * 0 + p ** x, 1),    # 2**x rises
    (lambda x, o, p, n: sf.xidz(p, x, 0), -1),
    (lambda x, o, p, n: o * 3.0, 0),                  # does not read x
])
def test_signs_fixed_by_the_tree(equation, expected):
    assert _sign_of(equation) == expected


@pytest.mark.parametrize("equation", [
    lambda x, o, p, n: x * o,                         # o may be negative
    lambda x, o, p, n: x - x * x,                     # rises, then falls
    lambda x, o, p, n: sf.sin(x),
    lambda x, o, p, n: sf.if_then_else(x > 1, 1, 0),  # a jump, no slope
    lambda x, o, p, n: sf.abs(x),
])
def test_signs_left_to_the_run(equation):
    assert _sign_of(equation) is None


def test_lookup_slope_gives_the_sign():
    m = sf.Model("m", start=0, stop=1, dt=1)
    x = m.stock("x", initial=1.0)
    rising = m.lookup("rising", x=[0, 1, 2], y=[0, 0.5, 0.6])
    falling = m.lookup("falling", x=[0, 1, 2], y=[1, 0.5, 0.5])
    hump = m.lookup("hump", x=[0, 1, 2], y=[0, 1, 0])
    for name, lookup in (("a", rising), ("b", falling), ("c", hump)):
        m.aux(name, lookup(x))
    g = m.graph()
    assert [link_sign(g.node(k).equation, "x", g) for k in "abc"] == [1, -1, None]
