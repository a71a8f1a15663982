"""`sf.diagram`: what stock-and-flow and causal-loop diagrams show (structure, not pixels).

Expected links are read off the reference models' equations by hand (their docstrings
give the loops: SIR's contagion R1, depletion and recovery B1/B2; the teacup's cooling
loop); polarity marks follow the signs of the partial derivatives.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import sdflow as sf
from sdflow.analyse.diagram_structure import DiagramError, diagram_structure
from sdflow.analyse.diagrams import dot_available
from sdmodels.reference import sir, teacup

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz's dot program is not "
                               "installed (apt-get install graphviz): diagrams not rendered")
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def kinds(structure) -> dict[str, str]:
    return {key: node.kind for key, node in structure.nodes.items()}


def links(structure, kind="information") -> dict[tuple[str, str], int | None]:
    return {(e.source, e.target): e.sign for e in structure.edges if e.kind == kind}


def test_teacup_stock_and_flow_structure():
    s = diagram_structure(teacup.build(), "stock_flow")
    assert kinds(s) == {
        "characteristic time": "const", "room temperature": "const",
        "teacup temperature": "stock", "heat loss to room": "flow",
        "cloud:heat loss to room:out": "cloud"}  # the heat goes out of the model
    assert links(s, "material") == {("teacup temperature", "heat loss to room"): -1,
                                    ("heat loss to room", "cloud:heat loss to room:out"): 1}
    # (tea - room) / tau: rises with the tea, falls with the room; tau's sign depends on
    # the sign of the gap, which the equation does not fix
    assert links(s) == {("teacup temperature", "heat loss to room"): 1,
                        ("room temperature", "heat loss to room"): -1,
                        ("characteristic time", "heat loss to room"): None}
    assert s.loops == []  # no loop marks in a stock-and-flow diagram unless asked


def test_teacup_causal_loop_has_one_balancing_loop():
    s = diagram_structure(teacup.build(), "causal_loop")
    assert kinds(s) == {"teacup temperature": "stock", "heat loss to room": "flow"}
    assert links(s) == {("teacup temperature", "heat loss to room"): 1,
                        ("heat loss to room", "teacup temperature"): -1}
    assert [(m.id, m.polarity, m.keys) for m in s.loops] == [
        ("B1", "balancing", ("teacup temperature", "heat loss to room"))]


def test_sir_stock_and_flow_structure():
    s = diagram_structure(sir.build(), "stock_flow")
    assert kinds(s) == {
        "contact infectivity": "const", "duration": "const", "total population": "const",
        "susceptible": "stock", "infectious": "stock", "recovered": "stock",
        "succumbing": "flow", "recovering": "flow"}  # no clouds: a closed population
    assert set(links(s, "material")) == {
        ("susceptible", "succumbing"), ("succumbing", "infectious"),
        ("infectious", "recovering"), ("recovering", "recovered")}
    info = links(s)
    # succumbing = S I / N c; recovering = I / duration; susceptible starts at N
    assert set(info) == {
        ("susceptible", "succumbing"), ("infectious", "succumbing"),
        ("total population", "succumbing"), ("contact infectivity", "succumbing"),
        ("infectious", "recovering"), ("duration", "recovering"),
        ("total population", "susceptible")}
    assert info[("total population", "susceptible")] == 1
    assert info[("infectious", "recovering")] == 1  # 1 / duration with duration > 0


def test_sir_causal_loop_polarity_and_loop_marks():
    s = diagram_structure(sir.build(), "causal_loop")
    assert set(s.nodes) == {"susceptible", "infectious", "recovered", "succumbing",
                            "recovering"}
    # flows into a stock count +, out of it -; S I / N c rises with S and I along the
    # run (the equations alone leave it open: S and I are stocks of any sign)
    assert links(s) == {
        ("succumbing", "infectious"): 1, ("succumbing", "susceptible"): -1,
        ("recovering", "recovered"): 1, ("recovering", "infectious"): -1,
        ("susceptible", "succumbing"): 1, ("infectious", "succumbing"): 1,
        ("infectious", "recovering"): 1}
    table = sf.loops(sir.build())
    assert [(m.id, m.polarity, m.variables) for m in s.loops] == \
        list(zip(table.loop, table.polarity, table.variables))
    assert {m.id: m.polarity for m in s.loops} == {
        "R1": "reinforcing", "B1": "balancing", "B2": "balancing"}


def test_signs_from_the_equations_only_leave_open_links_open():
    s = diagram_structure(sir.build(), "causal_loop", signs_from_run=False, loops=False)
    assert links(s)[("susceptible", "succumbing")] is None
    assert links(s)[("succumbing", "susceptible")] == -1 and s.loops == []


def build_arrayed() -> sf.Model:
    m = sf.Model("arrayed", start=0, stop=5, dt=0.5, time_units="year")
    region = m.dim("region", ["east", "west"])
    rate = m.const("growth rate", [0.05, 0.03], dims=[region], units="1/year")
    capital = m.stock("capital", initial=[2.0, 1.0], dims=[region], units="yuan")
    total = m.aux("total capital", sf.sum(capital, over=region), units="yuan")
    share = m.aux("share", capital / total, units="1")
    m.aux("perceived share", sf.smooth(share, 2.0), units="1")
    m.flow("investment", rate * capital * (1 - share / 2), sink=capital, units="yuan/year")
    return m


def test_arrayed_model_is_drawn_by_variable_with_hidden_stocks_folded():
    s = diagram_structure(build_arrayed(), "stock_flow")
    assert kinds(s) == {
        "growth rate": "const", "capital": "stock", "total capital": "aux", "share": "aux",
        "perceived share": "aux", "investment": "flow", "cloud:investment:in": "cloud",
        "capital initial": "const"}  # the constant the DSL makes of initial=[2.0, 1.0]
    assert s.nodes["capital"].label == "capital\n[region]"
    assert s.nodes["total capital"].label == "total capital"  # summed over region
    info = links(s)
    # one link per pair of variables, whatever the number of elements; the smooth's
    # hidden stock is folded into "share -> perceived share" (a smooth rises with its input)
    assert set(info) == {("capital", "total capital"), ("capital", "share"),
                         ("total capital", "share"), ("share", "perceived share"),
                         ("growth rate", "investment"), ("capital", "investment"),
                         ("share", "investment"), ("capital initial", "capital")}
    assert info[("share", "perceived share")] == 1
    assert info[("capital", "total capital")] == 1
    assert info[("share", "investment")] == -1  # rate * capital * (1 - share / 2), run sign


def test_tooltips_hold_equation_units_dimensions_and_documentation():
    s = diagram_structure(build_arrayed(), "stock_flow")
    assert s.nodes["investment"].tooltip == (
        "investment (flow) = growth rate * capital * (1 - share / 2)\n"
        "units: yuan/year\ndimensions: region")
    assert s.nodes["capital"].tooltip.startswith("capital (stock): d/dt = investment; "
                                                 "initial ")
    assert sir_tooltip("succumbing").endswith("new infections per day")


def sir_tooltip(key):
    return diagram_structure(sir.build(), "stock_flow").nodes[key].tooltip


def test_subset_around_a_variable():
    model = sir.build()
    s = diagram_structure(model, "stock_flow", around="Recovering", depth=1)
    assert set(s.nodes) == {"recovering", "infectious", "recovered", "duration"}
    s = diagram_structure(model, "stock_flow", around="recovered", depth=1)
    # the flow's source stock lies beyond the diagram: drawn as a cloud that says so
    assert kinds(s) == {"recovered": "stock", "recovering": "flow",
                        "cloud:recovering:in": "cloud"}
    assert s.nodes["cloud:recovering:in"].tooltip == "beyond the diagram: infectious"
    s = diagram_structure(model, "causal_loop", around="recovered", depth=2)
    assert set(s.nodes) == {"recovered", "recovering", "infectious"}
    assert [m.id for m in s.loops] == ["B1"]  # only loops wholly in view keep their mark


def test_subset_of_loops():
    s = diagram_structure(sir.build(), "causal_loop", loops="R1")
    assert set(s.nodes) == {"infectious", "succumbing"}
    assert [m.id for m in s.loops] == ["R1"]
    s = diagram_structure(sir.build(), "stock_flow", loops=["B1", "B2"])
    assert {k for k, n in s.nodes.items() if n.kind != "cloud"} == {
        "susceptible", "succumbing", "infectious", "recovering"}
    assert [m.id for m in s.loops] == ["B1", "B2"]


@pytest.mark.parametrize("options, message", [
    (dict(kind="flowchart"), "unknown diagram kind 'flowchart'"),
    (dict(loops=["R7"]), "loops=['R7']: the model has no loop of that id; its loops are "
                         "B1, R1, B2"),
    (dict(around="infected"), "around='infected': the model has no variable of that name"),
    (dict(around="infectious", depth=-1), "depth=-1"),
])
def test_bad_requests_name_the_problem(options, message):
    with pytest.raises(DiagramError, match=re.escape(message)):
        sf.diagram(sir.build(), **options)
    assert issubclass(DiagramError, ValueError)


def test_digraph_carries_marks_and_engine():
    d = sf.diagram(sir.build(), kind="causal_loop")
    assert d.engine == "neato"
    assert d.source.count('class=loop') == 3
    assert 'headlabel="\u2212"' in d.source  # a minus sign on the outflow links
    assert 'label="R1 \u21bb"' in d.source
    assert sf.diagram(sir.build()).engine == "dot"


@needs_dot
def test_svg_has_tooltips_and_polarity_marks():
    svg = sf.diagram(sir.build(), kind="causal_loop").pipe(format="svg")
    root = ET.fromstring(svg)
    titles = [a.get(f"{XLINK}title") for a in root.iter(f"{SVG}a")]
    assert "recovering (flow) = infectious / duration\nunits: person/day\n" \
           "recoveries per day" in titles
    assert any(t.startswith("R1 (reinforcing): infectious \u2192 succumbing") for t in titles)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    # two outflows: succumbing drains susceptible, recovering drains infectious
    assert texts.count("\u2212") == 2 and "R1 \u21bb" in texts and "B2 \u21ba" in texts


@needs_dot
def test_model_text_is_escaped_in_svg():
    m = sf.Model("escapes", start=0, stop=1, dt=0.5)
    x = m.stock("x <&> y", initial=1.0, doc='a "quoted" <b>doc</b> & more')
    m.flow("out", x * 0.1, source=x)
    svg = sf.diagram(m).pipe(format="svg").decode()
    root = ET.fromstring(svg)  # still well-formed XML
    assert "<b>" not in svg
    assert any("x <&> y" == t.text for t in root.iter(f"{SVG}text"))


@needs_dot
def test_names_that_look_like_html_or_escapes_are_drawn_as_written():
    # DOT reads <...> as an HTML-like label and \N as the node's id: neither may apply
    m = sf.Model("<i>tags</i>", start=0, stop=1, dt=0.5)
    x = m.stock("<b>bold</b>", initial=1.0)
    m.flow("rate \\N", x * 0.1, source=x)
    root = ET.fromstring(sf.diagram(m).pipe(format="svg"))
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"<b>bold</b>", "\u22c8 rate \\N", "<i>tags</i>: stock and flow diagram"} <= texts


@needs_dot
def test_renders_png():
    assert sf.diagram(teacup.build()).pipe(format="png").startswith(b"\x89PNG")


def test_loop_marks_on_request_in_stock_and_flow_diagrams():
    s = diagram_structure(sir.build(), "stock_flow", loops=True)
    assert [m.id for m in s.loops] == ["B1", "R1", "B2"]
    assert "recovered" in s.nodes and "duration" in s.nodes  # nothing left out
