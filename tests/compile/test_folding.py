"""Constant folding and variables computed once per run (`sdflow.compile.folding`).

Folding must not change a single bit of any result: the expected numbers are those of the
same model compiled with folding and hoisting switched off (the code as it was written
before folding existed), compared with ``np.array_equal`` and on the sign bit (``-0.0``
vs ``0.0``). The rules themselves are checked on IEEE facts: ``x + 0.0`` turns ``-0.0``
into ``0.0`` (so it is never folded), ``0.0 * x`` is ``-0.0`` for negative ``x``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sdflow as sf
from sdflow.compile import folding, module
from sdflow.compile.folding import fold, invariant_nodes
from sdflow.expr.nodes import BinOp, Call, Literal
from sdflow.ir.nodes import NodeRef
from sdmodels.regional_integration import build


def no_numbers(key):
    return None


def test_policy_lever_with_equal_base_and_policy_folds_to_its_value():
    lever = Literal(0.3) + (Literal(0.3) - Literal(0.3)) * Call("step", 1.0, 2025.0)
    clipped = Call("min", 1.0, Call("max", 0.0, lever))
    for scalar in (True, False):
        folded = fold(clipped, no_numbers, scalar)
        assert type(folded) is Literal and folded.value == 0.3


def test_constants_are_folded_through_number_of_and_the_rest_is_kept():
    expr = NodeRef("k") * (Literal(1.0) - Literal(0.3)) + NodeRef("x")
    folded = fold(expr, {"k": 2.0}.get, scalar=False)
    assert isinstance(folded, BinOp) and isinstance(folded.b, NodeRef)
    assert type(folded.a) is Literal and folded.a.value == 2.0 * (1.0 - 0.3)


@pytest.mark.parametrize("expr", [
    # 0 * STEP with a negative height is -0.0 after the step: not folded to +0.0
    Literal(0.0) * Call("step", -1.0, 5.0),
    # -0.0 * STEP is -0.0 after the step
    Literal(-0.0) * Call("step", 1.0, 5.0),
    # a non-finite height gives NaN
    Literal(0.0) * Call("step", math.inf, 5.0),
    # x + 0.0 turns -0.0 into 0.0
    NodeRef("x") + Literal(0.0),
    # division by zero: Python raises where numpy gives inf; left to the run
    Literal(1.0) / Literal(0.0),
    # min of zeros of opposite sign, and of NaN: numpy and Python disagree
    Call("min", 0.0, -0.0),
    Call("max", math.nan, 1.0),
    # the time itself
    Call("ramp", 1.0, 0.0, 2.0),
])
def test_rules_that_would_change_a_bit_are_not_applied(expr):
    for scalar in (True, False):
        assert fold(expr, no_numbers, scalar) is expr


def test_identities_are_applied_on_the_batched_path_only():
    x = NodeRef("x")
    for expr in (x / Literal(1.0), x * Literal(1.0), x - Literal(0.0)):
        assert fold(expr, no_numbers, scalar=False) is x
        assert fold(expr, no_numbers, scalar=True) is expr  # Python booleans stay floats
    comparison = BinOp(">", x, Literal(0.0)) / Literal(1.0)  # 1.0 * (x > 0) must stay
    assert fold(comparison, no_numbers, scalar=False) is comparison


def test_ieee_facts_behind_the_rules():
    assert math.copysign(1.0, -0.0 + 0.0) == 1.0  # why x + 0.0 is not folded
    assert math.copysign(1.0, 0.0 * -1.0) == -1.0  # why the step height must be >= 0
    values = np.array([-0.0, 0.0, 1e-308, -3.5, np.inf, -np.inf, np.nan])
    for same in (values / 1.0, values * 1.0, values - 0.0):
        assert np.array_equal(same, values, equal_nan=True)
        assert np.array_equal(np.signbit(same), np.signbit(values))


def test_invariant_nodes_exclude_time_stocks_and_active_initial():
    m = sf.Model("m", start=0, stop=2, dt=0.5)
    k = m.const("k", 0.3)
    lever = m.aux("lever", k + (m.const("policy", 0.3) - k) * sf.step(1, 1))
    moving = m.aux("moving", k + (m.const("other", 0.5) - k) * sf.step(1, 1))
    timed = m.aux("timed", k * m.time)
    x = m.stock("x", initial=1.0)
    reads_stock = m.aux("reads stock", 2 * x)
    m.flow("out", lever * moving * timed * reads_stock, source=x)
    graph = m.graph()
    writer = module.ModuleWriter(graph, (), False, ("x",))
    assert writer.invariant == ("lever",)
    # with the policy set per run, the lever moves at the policy year: not invariant
    writer = module.ModuleWriter(graph, ("policy",), False, ("x",))
    assert writer.invariant == ()
    assert module.ModuleWriter(graph, (), True, ("x",)).invariant == ()  # scalar path


def unfolded(monkeypatch):
    """Compile as before folding existed: no folding, nothing computed once per run."""
    monkeypatch.setattr(module, "fold", lambda expr, *args, **kwargs: expr)
    monkeypatch.setattr(module, "invariant_nodes", lambda graph, folded: ())


def assert_bit_identical(a, b):
    for name in a.dataset.data_vars:
        x, y = a.dataset[name].values, b.dataset[name].values
        assert x.shape == y.shape, name
        assert np.array_equal(x, y, equal_nan=True), name
        assert np.array_equal(np.signbit(x), np.signbit(y)), name


@pytest.mark.parametrize("preset", ["yrd"])
def test_regional_presets_give_the_same_bits_folded_or_not(preset, monkeypatch):
    runs = [dict(), dict(method="rk4"),
            dict(params={"capital share": sf.uniform(0.3, 0.7)}, n=20, seed=2),
            # a lever set per run: its STEP is kept and it moves at the policy year
            dict(params={"contract enforcement policy": np.linspace(0.3, 0.9, 4)}, n=4)]
    folded = [build(preset).simulate(**kw) for kw in runs]
    unfolded(monkeypatch)
    plain = [build(preset).simulate(**kw) for kw in runs]
    for a, b in zip(folded, plain):
        assert_bit_identical(a, b)
    lever = folded[3].dataset["effective contract enforcement"]
    assert float(lever.sel(run=3).isel(time=-1)) == pytest.approx(0.9)


def test_folded_module_reads_invariants_from_the_run_memory():
    compiled = build("yrd").compile(())
    assert "rt.step(t_input, dt, 1.0, 2025.0)" not in compiled.source
    assert "mem[('effective contract enforcement',)]" in compiled.source
