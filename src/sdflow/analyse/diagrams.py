"""`diagram`: stock-and-flow and causal-loop diagrams of a model, drawn by Graphviz.

The diagram is a `graphviz.Digraph` (the ``graphviz`` package); rendering it (``.pipe``,
``.render``, a notebook's display) needs Graphviz's ``dot`` program. What it shows comes
from `sdflow.analyse.diagram_structure`; this module only chooses shapes, colours and
the layout engine: ``dot`` for stock-and-flow diagrams (material flows run left to
right), ``neato`` for causal-loop diagrams, whose springs draw each loop mark into the
middle of its loop.
"""

from __future__ import annotations

import shutil

from ..errors import SdflowError
from .diagram_structure import DiagramError, DiagramStructure, diagram_structure

__all__ = ["DiagramError", "GraphvizMissingError", "diagram", "dot_available"]

#: link marks; U+2212 is a minus sign, not a hyphen; 0: the link has no effect at the
#: model's values (a factor set to zero, such as a policy lever switched off)
SIGN_MARKS = {1: "+", -1: "\u2212", 0: "0", None: "?"}
#: the loop marks' arrows: clockwise for reinforcing, anticlockwise for balancing
LOOP_ARROWS = {"reinforcing": "\u21bb", "balancing": "\u21ba", "undetermined": "\u21bb"}
VALVE = "\u22c8"  # a bowtie: the valve drawn on a flow's pipe
LINK_COLOUR = "#2f5fa8"
PIPE_COLOUR = "#404040"
_NODE_STYLE = {
    "stock": dict(shape="box", style="filled", fillcolor="#e8eef8", color="#30466b",
                  penwidth="1.4", fontsize="12"),
    "flow": dict(shape="box", style="rounded,filled", fillcolor="#fffbea", color=PIPE_COLOUR,
                 fontsize="11", margin="0.06,0.03", height="0.3"),
    "aux": dict(shape="plain", fontsize="11"),
    "pipeline": dict(shape="plain", fontsize="11"),
    "const": dict(shape="plain", fontsize="10", fontcolor="#606060"),
    "data": dict(shape="plain", fontsize="10", fontcolor="#606060"),
    "cloud": dict(shape="plain", fontsize="22", fontcolor="#7a7a7a"),
}


class GraphvizMissingError(SdflowError, RuntimeError):
    """Graphviz's ``dot`` program, needed to render a diagram, is not installed."""


def dot_available() -> bool:
    """True when Graphviz's ``dot`` program is on the PATH (diagrams can be rendered)."""
    return shutil.which("dot") is not None


def require_dot() -> None:
    """Raise `GraphvizMissingError`, saying how to install it, unless ``dot`` is found."""
    if not dot_available():
        raise GraphvizMissingError(
            "Graphviz's 'dot' program is not on the PATH, so the diagram cannot be "
            "rendered; install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: "
            "brew install graphviz; conda: conda install graphviz)")


def diagram(model, kind: str = "stock_flow", loops=None, around: str | None = None,
            depth: int = 1, constants: bool | None = None, signs_from_run: bool = True,
            max_loop_marks: int = 30, engine: str | None = None):
    """A stock-and-flow or causal-loop diagram of ``model`` as a `graphviz.Digraph`.

    Parameters
    ----------
    model : Model
        The model to draw (arrayed variables appear once, their dimensions under the
        name).
    kind : {"stock_flow", "causal_loop"}
        ``stock_flow``: stocks as boxes, flows as valves on double-lined pipes between
        stocks (clouds where a flow comes from or goes to outside the model),
        auxiliaries and constants as names, information links as thin arrows.
        ``causal_loop``: every changing variable as a name, links with their polarity,
        and loop marks (``R1 ↻``, ``B2 ↺``) inside the loops of `sf.loops`.
    loops : str, list of str, or bool, optional
        Loop ids of `sf.loops` (``"R1"``, ``["R1", "B2"]``): draw only the variables
        on those loops, with their marks. None: all variables, with marks in a
        causal-loop diagram (the first ``max_loop_marks`` loops, shortest first).
        True: marks in either kind of diagram; False: no marks.
    around : str, optional
        Draw only the variables within ``depth`` links of this variable (either way),
        to keep a large model readable.
    depth : int
        How many links away from ``around`` to go.
    constants : bool, optional
        Draw constants and data series (default: in stock-and-flow diagrams only).
    signs_from_run : bool
        Sign the links whose polarity the equations leave open from a baseline run,
        as `sf.loops` does (True); False leaves them open without running the model
        (the R/B of loop marks still come from `sf.loops`).
    max_loop_marks : int
        With ``loops=None``, mark at most this many loops.
    engine : str, optional
        Graphviz layout program (default ``dot`` for stock-and-flow, ``neato`` for
        causal-loop diagrams).

    Returns
    -------
    graphviz.Digraph
        Render with ``.pipe(format="svg")`` (bytes), ``.render(...)``, or display it in
        a notebook. In SVG, each variable shows its equation, units, dimensions and
        documentation on hover. Links are marked ``+`` or ``−``, ``0`` where a factor
        set to zero silences them, and ``?`` where the sign is open (unmarked in
        stock-and-flow diagrams, where links from constants are often open).

    Raises
    ------
    DiagramError
        An unknown ``kind``, ``around`` variable or loop id.

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdmodels.reference import sir
    >>> d = sf.diagram(sir.build(), kind="causal_loop")
    >>> d.engine, "R1" in d.source, "B2" in d.source
    ('neato', True, True)
    >>> svg = d.pipe(format="svg") if sf.analyse.diagrams.dot_available() else b"<svg"
    >>> svg.lstrip().startswith((b"<?xml", b"<svg"))
    True
    """
    structure = diagram_structure(model, kind, loops=loops, around=around, depth=depth,
                                  constants=constants, signs_from_run=signs_from_run,
                                  max_loop_marks=max_loop_marks)
    return draw(structure, model.name, engine)


def draw(structure: DiagramStructure, title: str, engine: str | None = None):
    """The `graphviz.Digraph` of a `DiagramStructure` (node ids ``n0``, ``n1``... in the
    structure's order, loop marks ``loop0``...; each node's ``class`` is its kind)."""
    import graphviz

    stock_flow = structure.kind == "stock_flow"
    engine = engine or ("dot" if stock_flow else "neato")
    what = "stock and flow" if stock_flow else "causal loop"
    # model text reaches DOT only through graphviz.escape: no HTML-like labels, no
    # backslash escapes (\N, \G...) taken from a variable's name
    text = graphviz.escape
    heading = text(f"{title}: {what} diagram")
    graph = graphviz.Digraph(name=text(title), engine=engine)
    graph.attr(label=heading, labelloc="t", fontsize="14",
               fontname="DejaVu Sans", tooltip=heading,
               forcelabels="true")
    if stock_flow:
        graph.attr(rankdir="LR", nodesep="0.35", ranksep="0.45")
    else:
        # curved splines: the spline router of Graphviz 2.43 crashes on large neato
        # layouts, and curves keep the two links of a two-variable loop apart
        graph.attr(overlap="false", splines="curved", sep="+8", mode="major",
                   start="1")  # a fixed seed: the same layout on every run
    graph.attr("node", fontname="DejaVu Sans")
    graph.attr("edge", fontname="DejaVu Sans")

    ids = {key: f"n{i}" for i, key in enumerate(structure.nodes)}
    for key, node in structure.nodes.items():
        style = dict(_NODE_STYLE.get(node.kind, _NODE_STYLE["aux"]))
        if not stock_flow and node.kind in ("stock", "flow"):
            style = dict(_NODE_STYLE["aux"], fontsize="12" if node.kind == "stock" else "11")
        label = "\u2601" if node.kind == "cloud" else node.label
        if stock_flow and node.kind == "flow":
            label = f"{VALVE} {label}"
        graph.node(ids[key], label=text(label), tooltip=text(node.tooltip or node.name),
                   **{"class": node.kind}, **style)
    fills = {(e.target, e.source) for e in structure.edges if e.kind == "material"}
    for edge in structure.edges:
        names = (structure.nodes[edge.source].name, structure.nodes[edge.target].name)
        if edge.kind == "material":
            # a pipe: two parallel lines; the arrow only where it enters the sink
            into_valve = structure.nodes[edge.target].kind == "flow"
            graph.edge(ids[edge.source], ids[edge.target], color=f"{PIPE_COLOUR}:white:"
                       f"{PIPE_COLOUR}", penwidth="1.6", arrowhead="none" if into_valve
                       else "normal", weight="10", tooltip="flow", **{"class": "material"})
            continue
        mark = SIGN_MARKS[edge.sign]
        # an open sign is spelt out in causal-loop diagrams; in stock-and-flow diagrams
        # (where links from constants are often open) it would only add clutter
        shown = "" if edge.sign is None and stock_flow else mark
        # a stock's link to the flow that fills it runs against the pipe: left out of
        # dot's ranking so that material flows from left to right
        backwards = {"constraint": "false"} if (edge.source, edge.target) in fills else {}
        graph.edge(ids[edge.source], ids[edge.target], headlabel=shown, labelfontsize="12",
                   labelfontcolor="#b02020" if edge.sign == -1 else LINK_COLOUR,
                   labeldistance="1.6", labelangle="-30", color=LINK_COLOUR,
                   penwidth="0.9", arrowsize="0.6", len="1.7",  # room for loop marks
                   tooltip=text(f"{names[0]} \u2192 {names[1]} ({mark})"),
                   **{"class": "information"}, **backwards)
    for i, mark in enumerate(structure.loops):
        marker = f"loop{i}"
        graph.node(marker, label=f"{mark.id} {LOOP_ARROWS[mark.polarity]}",
                   shape="plaintext", margin="0", height="0.2", width="0.3", fontsize="12",
                   fontcolor="#b02020" if mark.polarity == "balancing" else "#207030",
                   tooltip=text(f"{mark.id} ({mark.polarity}): "
                                + " \u2192 ".join(mark.variables)), **{"class": "loop"})
        if stock_flow:  # one rank after the loop's first variable (a stock), beside it
            graph.edge(ids[mark.keys[0]], marker, style="invis", weight="2")
            continue
        for key in mark.keys:  # springs that pull the mark into the loop's middle
            graph.edge(marker, ids[key], style="invis", len="0.3", weight="5")
    return graph
