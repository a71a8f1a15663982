"""`sf.loops`: which feedback loops a model has, their ids and polarity."""

from __future__ import annotations

import subprocess
import sys

import sdflow as sf
from sdflow.analyse.causal_graph import causal_links
from sdmodels.reference import lotka_volterra, sir


def test_sir_loops_ids_and_polarity():
    # SIR (sdmodels.reference.sir): contagion (R), recovery and depletion (B)
    table = sf.loops(sir.build())
    assert list(table.columns) == ["loop", "variables", "polarity", "length"]
    assert table.to_dict("records") == [
        {"loop": "B1", "variables": ("infectious", "recovering"), "polarity": "balancing",
         "length": 2},
        {"loop": "R1", "variables": ("infectious", "succumbing"), "polarity": "reinforcing",
         "length": 2},
        {"loop": "B2", "variables": ("susceptible", "succumbing"), "polarity": "balancing",
         "length": 2},
    ]


def test_predator_prey_loop_runs_through_both_stocks():
    table = sf.loops(lotka_volterra.build())
    longest = table.iloc[-1]
    assert longest.length == 4 and longest.polarity == "balancing"
    assert longest.variables[0] in ("hares", "lynx")  # loops start at a stock
    assert table.loop.tolist() == ["R1", "B1", "R2", "B2", "B3"]


def _two_stock_model(order):
    """The same model, declared in a different order."""
    m = sf.Model("order", start=0, stop=5, dt=0.5)
    declared = {}
    for name in order:
        declared[name] = m.stock(name, initial=1.0)
    a, b = declared["a"], declared["b"]
    m.flow("a to b", 0.1 * a, source=a, sink=b)
    m.flow("b to a", 0.2 * b, source=b, sink=a)
    m.flow("a growth", 0.05 * a, sink=a)
    return m


def test_ids_do_not_depend_on_declaration_order():
    first = sf.loops(_two_stock_model(["a", "b"]))
    second = sf.loops(_two_stock_model(["b", "a"]))
    assert first.to_dict("records") == second.to_dict("records")
    # sorted by length, then names; R, B and U numbered separately in that order
    assert first.loop.tolist() == ["R1", "B1", "B2", "R2"]
    assert first.variables.tolist()[-1] == ("a", "a to b", "b", "b to a")


def _smoothed_model():
    m = sf.Model("smoothed", start=0, stop=10, dt=0.25)
    stock = m.stock("stock", initial=10.0)
    perceived = m.aux("perceived stock", sf.smooth(stock, 2.0))
    m.flow("adjustment", (20 - perceived) / 4, sink=stock)
    delayed = m.stock("delayed", initial=5.0)
    m.flow("deliveries", sf.delay3((30 - delayed) / 3, 6.0), sink=delayed)
    return m


def test_loops_through_smooths_and_delays_name_the_modellers_variables():
    model = _smoothed_model()
    table = sf.loops(model)
    assert table.variables.tolist() == [("delayed", "deliveries"),
                                        ("stock", "perceived stock", "adjustment")]
    assert table.polarity.tolist() == ["balancing", "balancing"]
    # the hidden stocks' own adjustment loops exist in the graph, but are not listed
    hidden_self_loops = [l for l in causal_links(model.graph())
                         if l.source == l.target and model.graph().nodes[l.source].hidden]
    assert len(hidden_self_loops) == 4  # one smooth stage and three delay stages


def test_polarity_from_the_run_where_the_equations_do_not_fix_it():
    m = sf.Model("switching", start=0, stop=10, dt=0.5)
    x = m.stock("x", initial=1.0)
    y = m.stock("y", initial=1.0)
    # d(flow)/dx = (TIME - 5) / 10 changes sign half way through the run
    m.flow("x change", x * (m.time - 5) / 10, sink=x)
    # d(flow)/dy = y * 2 is positive along the run (y stays positive), unknown on paper
    m.flow("y change", y * y * 0.01, sink=y)
    table = sf.loops(m)
    assert dict(zip(table.variables, table.polarity)) == {
        ("x", "x change"): "undetermined", ("y", "y change"): "reinforcing"}
    assert table.loop.tolist() == ["U1", "R1"]


def test_constants_data_and_initial_values_are_on_no_loop():
    m = sf.Model("m", start=0, stop=2, dt=1)
    x = m.stock("x", initial=1.0)
    start_value = m.aux("start value", sf.initial(x))
    m.flow("f", (start_value - x) * m.const("k", 0.5), sink=x)
    graph = m.graph()
    kinds = {graph.nodes[k].kind for link in causal_links(graph)
             for k in (link.source, link.target)}
    assert kinds == {"stock", "flow", "aux"}
    assert sf.loops(m).variables.tolist() == [("x", "f")]


def test_import_sdflow_does_not_import_networkx():
    code = "import sys, sdflow; print('networkx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
