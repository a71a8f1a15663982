"""The checks run before anything is simulated: every error names its culprit and says
what to do; `Model.check` reports all problems at once and returns warnings."""

from __future__ import annotations

import pytest

import sdflow as sf


def base() -> sf.Model:
    m = sf.Model("m", start=0, stop=4, dt=1, time_units="year")
    rate = m.const("rate", 0.1, units="1/year")
    x = m.stock("x", initial=10, units="widget")
    m.flow("outflow", rate * x, source=x, units="widget/year")
    return m


def test_clean_model_checks_without_errors():
    report = base().check()
    assert report.ok and report.errors == []
    assert "0 error(s)" in str(report)


def test_unknown_name_names_the_variable_and_suggests():
    m = base()
    m.aux("doubled", 2 * m.ref("ratee"))
    with pytest.raises(sf.UnknownNameError) as info:
        m.check()
    message = str(info.value)
    assert "'doubled' refers to 'ratee', which is not a variable of model 'm'" in message
    assert "Did you mean one of ['rate']" in message
    assert info.value.variables == ("doubled", "ratee")


def test_forward_reference_by_name_resolves():
    m = base()
    m.aux("early", m.ref("Later Value") * 2)
    m.aux("later value", m.time + 1)
    run = m.simulate()
    assert run["early"].values.tolist() == [2.0, 4.0, 6.0, 8.0, 10.0]


def test_duplicate_names_follow_vensim_name_equivalence():
    m = base()
    with pytest.raises(sf.DuplicateNameError, match="the name 'Rate' is already used"):
        m.const("Rate", 1.0)
    m.aux("out_flow", 1.0)
    with pytest.raises(sf.DuplicateNameError, match="'out  Flow'"):
        m.aux("out  Flow", 2.0)
    with pytest.raises(sf.DuplicateNameError, match="'x'"):
        m.stock("X", initial=1)


def test_algebraic_loop_message_prints_the_cycle():
    m = base()
    m.aux("a", m.ref("b") + 1)
    m.aux("b", m.ref("c") * 2)
    m.aux("c", m.ref("a") - m.ref("x"))
    with pytest.raises(sf.AlgebraicLoopError) as info:
        m.check()
    message = str(info.value)
    assert "algebraic loop: a -> b -> c -> a" in message
    assert "Break it with a stock" in message
    assert set(info.value.variables) == {"a", "b", "c"}


def test_a_loop_through_a_stock_is_fine():
    m = base()
    m.aux("feedback", m["x"] * 2)
    m.check()


def test_a_self_reference_is_a_loop():
    m = base()
    m.aux("selfish", m.ref("selfish") + 1)
    with pytest.raises(sf.AlgebraicLoopError, match="selfish -> selfish"):
        m.check()


def test_initialisation_loop():
    m = sf.Model("m", start=0, stop=1, dt=1)
    a = m.stock("a", initial=m.ref("b"))
    m.stock("b", initial=a)
    with pytest.raises(sf.AlgebraicLoopError, match="initialisation loop: a -> b -> a"):
        m.check()


def test_stock_without_initial_value():
    m = base()
    m.stock("empty")
    with pytest.raises(sf.MissingInitialValueError, match="stock 'empty' has no initial"):
        m.check()


def test_check_reports_every_problem_at_once():
    m = base()
    m.aux("a", m.ref("typo"))
    m.stock("empty")
    m.aux("loop", m.ref("loop") + 1)
    m.aux("mixed", m["x"] + m["rate"])  # widget + 1/year
    with pytest.raises(sf.ModelCheckError) as info:
        m.check()
    kinds = sorted(type(e).__name__ for e in info.value.errors)
    assert kinds == ["AlgebraicLoopError", "MissingInitialValueError", "UnitError",
                     "UnknownNameError"]
    message = str(info.value)
    assert message.startswith("the model has 4 problems:")
    for name in ("typo", "empty", "loop", "mixed"):
        assert name in message
    report = m.check(raise_on_error=False)
    assert not report.ok and len(report.errors) == 4


def test_warnings_unused_variables_and_constants_without_units():
    m = base()
    m.const("spare", 3.0, units="widget")
    m.const("bare", 1.0)
    m.aux("uses bare", m["bare"] * 2)
    m.lookup("table", x=[0, 1], y=[0, 1])
    report = m.check()
    assert report.ok
    assert "'spare' is not used by any other variable" in report.warnings
    assert "'uses bare' is not used by any other variable" in report.warnings
    assert any("constant 'bare' has no units" in w for w in report.warnings)
    assert "lookup 'table' is not used by any other variable" in report.warnings
    assert not any("'rate'" in w for w in report.warnings)


def test_flows_must_connect_to_stocks():
    m = base()
    with pytest.raises(sf.ModelError, match="flow 'loose' has neither source= nor sink="):
        m.flow("loose", 1.0)
    with pytest.raises(sf.ModelError, match="flow 'wrong': sink= must be a stock"):
        m.flow("wrong", 1.0, sink=m["rate"])


def test_variables_of_another_model_are_refused():
    other = sf.Model("other", start=0, stop=1, dt=1)
    foreign = other.const("foreign", 1.0)
    m = base()
    m.aux("mix", foreign * 2)
    with pytest.raises(sf.ModelError, match="'mix' uses 'foreign', which belongs to another"):
        m.check()


def test_non_numeric_values_in_equations_are_refused():
    m = base()
    with pytest.raises(sf.ModelError, match="cannot use 'abc'"):
        m.aux("text", m["x"] + "abc")
    with pytest.raises(sf.ModelError, match="Declare arrays as constants"):
        m.aux("list", m["x"] * [1, 2])


def test_graph_is_frozen_and_lowered():
    m = base()
    m.aux("smoothed", sf.smooth(m["x"], 2))
    graph = m.graph()
    assert "smoothed.smooth" in graph.nodes and graph.nodes["smoothed.smooth"].hidden
    assert graph.stocks == ("x", "smoothed.smooth")
    assert graph.flow_order.index("outflow") >= 0
    with pytest.raises(TypeError):
        graph.nodes["new"] = None
