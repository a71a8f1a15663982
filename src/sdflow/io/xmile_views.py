"""The ``<views>`` section of an XMILE file: a stock-and-flow diagram for Stella and Simlin.

One ``stock_flow`` view holds a display element for every stock, flow and auxiliary
(constants and data series included) and a connector for every information link,
placed where Graphviz's ``dot`` lays out the diagram of `sdflow.diagram` (``dot -Tjson``).
XMILE coordinates are pixels from the top left, y growing downwards; Graphviz's are
points from the bottom left, so y is flipped. A flow's pipe runs from its source stock
(or a cloud) to its sink stock (or a cloud) through its valve, horizontally where the
two ends overlap in height, as Stella and Simlin draw pipes between stocks.

Without Graphviz the file is written without views (with a warning): the model still
reads and runs everywhere, only the diagram is missing.
"""

from __future__ import annotations

import json
import math
import subprocess
import warnings
import xml.etree.ElementTree as ET

from ..analyse.diagram_structure import DiagramStructure, diagram_structure
from .xmile_equations import attribute_name

#: pixels around the diagram, and the half-height of a stock as Stella draws it
MARGIN = 40.0
#: how far beyond a flow's valve its cloud sits
CLOUD_GAP = 40.0
#: Graphviz spaces names by their text; Stella and Simlin draw a circle above each
#: auxiliary's name, so rows need more room than Graphviz leaves them
STRETCH_X, STRETCH_Y = 1.1, 1.7
STOCK_HALF_WIDTH, STOCK_HALF_HEIGHT = 22.5, 17.5


class ViewsSkippedWarning(UserWarning):
    """The XMILE file was written without a diagram: Graphviz's ``dot`` is missing."""


def view_name(name: str) -> str:
    r"""A variable's name as XMILE views write it: as its ``name`` attribute
    (`attribute_name`: a line break as ``\n``, a backslash as ``\\``), spaces as
    underscores, as Stella does.

    Examples
    --------
    >>> view_name("contact infectivity")
    'contact_infectivity'
    """
    return attribute_name(name).replace(" ", "_")


def layout(structure: DiagramStructure) -> dict[str, tuple[float, float]]:
    """Centre of every node of ``structure`` in XMILE pixels, from ``dot``'s layout."""
    from ..analyse.diagrams import draw

    graph = json.loads(draw(structure, "view").pipe(format="json"))
    top = float(graph["bb"].split(",")[3])
    keys = list(structure.nodes)
    positions = {}
    for obj in graph.get("objects", []):
        name = obj.get("name", "")
        if name.startswith("n") and name[1:].isdigit() and "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            positions[keys[int(name[1:])]] = (round(x * STRETCH_X + MARGIN, 1),
                                              round((top - y) * STRETCH_Y + MARGIN, 1))
    return positions


def add_views(model_element: ET.Element, model) -> None:
    """Append a ``<views>`` section for ``model`` to its XMILE ``<model>`` element."""
    from ..analyse.diagrams import dot_available

    if not dot_available():
        warnings.warn("Graphviz's 'dot' program is not installed, so the XMILE file has no "
                      "<views> (Stella and Simlin will show no diagram); install Graphviz "
                      "(e.g. apt-get install graphviz) to include one",
                      ViewsSkippedWarning, stacklevel=3)
        return
    _graphical_functions_last(model_element)
    structure = diagram_structure(model, "stock_flow", loops=False, constants=True,
                                  signs_from_run=False)
    try:
        where = layout(structure)
    except subprocess.CalledProcessError as failure:  # costs the diagram, not the file
        warnings.warn(f"Graphviz could not lay out the diagram ({failure}), so the XMILE "
                      "file has no <views>", ViewsSkippedWarning, stacklevel=3)
        return
    view = ET.SubElement(ET.SubElement(model_element, "views"), "view", type="stock_flow")
    pipes = _pipes(structure)
    for key, node in structure.nodes.items():
        if node.kind == "cloud":
            continue
        x, y = where[key]
        tag = {"stock": "stock", "flow": "flow"}.get(node.kind, "aux")
        if tag == "flow":  # the valve sits on the pipe
            ends = _flow_points(where, structure, *pipes[key], (x, y))
            x, y = _on_pipe(ends, (x, y))
        element = ET.SubElement(view, tag, name=view_name(node.name), x=_n(x), y=_n(y))
        if tag == "flow":
            points = ET.SubElement(element, "pts")
            for px, py in ends:
                ET.SubElement(points, "pt", x=_n(px), y=_n(py))
    for uid, edge in enumerate(e for e in structure.edges if e.kind == "information"):
        (x0, y0), (x1, y1) = where[edge.source], where[edge.target]
        # degrees anticlockwise from east on screen (y grows downwards)
        angle = math.degrees(math.atan2(y0 - y1, x1 - x0)) % 360
        connector = ET.SubElement(view, "connector", uid=str(uid), angle=_n(angle))
        ET.SubElement(connector, "from").text = view_name(structure.nodes[edge.source].name)
        ET.SubElement(connector, "to").text = view_name(structure.nodes[edge.target].name)


def _graphical_functions_last(model_element: ET.Element) -> None:
    """Move the standalone graphical functions to the end of ``<variables>``.

    The order of variables means nothing in XMILE, but Simlin (0.8) looks the stocks of
    a view up in that order and fails on a standalone ``<gf>`` met on the way.
    """
    variables = model_element.find("variables")
    if variables is None:
        return
    tables = [child for child in variables if child.tag == "gf"]
    for table in tables:
        variables.remove(table)
        variables.append(table)


def _on_pipe(ends, valve) -> tuple[float, float]:
    """The point of the pipe ``ends`` nearest to ``valve``."""
    (x0, y0), (x1, y1) = ends
    length = (x1 - x0) ** 2 + (y1 - y0) ** 2
    if length == 0:
        return x0, y0
    t = min(max(((valve[0] - x0) * (x1 - x0) + (valve[1] - y0) * (y1 - y0)) / length, 0), 1)
    return x0 + t * (x1 - x0), y0 + t * (y1 - y0)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _pipes(structure: DiagramStructure) -> dict[str, tuple[str, str]]:
    """Flow key -> (key of its source stock or cloud, key of its sink stock or cloud)."""
    ends: dict[str, dict[str, str]] = {}
    for edge in structure.edges:
        if edge.kind == "material":
            if structure.nodes[edge.target].kind == "flow":
                ends.setdefault(edge.target, {})["from"] = edge.source
            else:
                ends.setdefault(edge.source, {})["to"] = edge.target
    return {flow: (e["from"], e["to"]) for flow, e in ends.items()}


def _flow_points(where, structure, source: str, sink: str, valve) -> list[tuple[float, float]]:
    """Ends of a flow's pipe (source first): on the facing edges of its stocks; a cloud
    sits on the pipe, beyond the valve, as Stella and Simlin keep it."""
    is_stock = {end: structure.nodes[end].kind == "stock" for end in (source, sink)}
    vx, vy = valve
    if is_stock[source] and is_stock[sink]:
        (sx, sy), (tx, ty) = where[source], where[sink]
        direction = 1 if tx >= sx else -1
        if abs(sy - ty) <= 2 * STOCK_HALF_HEIGHT - 6:  # one horizontal pipe both reach
            y = min(max(vy, max(sy, ty) - STOCK_HALF_HEIGHT + 3),
                    min(sy, ty) + STOCK_HALF_HEIGHT - 3)
            sy = ty = y
        return [(sx + direction * STOCK_HALF_WIDTH, sy), (tx - direction * STOCK_HALF_WIDTH, ty)]
    if not is_stock[source] and not is_stock[sink]:
        return [(vx - CLOUD_GAP, vy), (vx + CLOUD_GAP, vy)]
    stock = source if is_stock[source] else sink
    x, y = where[stock]
    # the pipe leaves the stock on the valve's side (inflows from the left, outflows to
    # the right when the layout puts the valve on the stock itself)
    side = (1 if vx > x else -1) if vx != x else (-1 if stock == sink else 1)
    y = min(max(vy, y - STOCK_HALF_HEIGHT + 3), y + STOCK_HALF_HEIGHT - 3)
    at_stock = (x + side * STOCK_HALF_WIDTH, y)
    at_cloud = (max(abs(vx - x), STOCK_HALF_WIDTH + CLOUD_GAP) * side + x + side * CLOUD_GAP, y)
    return [at_stock, at_cloud] if stock == source else [at_cloud, at_stock]
