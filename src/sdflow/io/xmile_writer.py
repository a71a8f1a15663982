r"""``write_xmile``: a DSL model as an XMILE 1.0 file (stocks, flows, auxiliaries,
graphical functions, arrays, units and sim specs).

Equations are printed from the expression trees. Arrayed references always list their
dimensions (``capital[region]``); sums over a dimension use the ``dim!`` form that PySD
reads (``SUM(capital[region!])``). Data series become graphical functions of TIME, which
is what they are: linear interpolation in time, ends held (one function per element for
arrayed data). An equation that differs per element (imported subranges, subscript
mappings, per-element definitions) is written as an XMILE 1.0 non-apply-to-all array:
one ``<element subscript="...">`` with its own ``<eqn>`` per element. Vensim's PULSE,
PULSE TRAIN and RAMP with an end become IF THEN ELSE on TIME, and ACTIVE INITIAL the
values it gives while the model initialises (the equations are printed by
`sdflow.io.xmile_equations.EquationPrinter`). Random draws become XMILE's statistical
builtins where these state the same distribution (`sdflow.io.xmile_random`). ALLOCATE BY
PRIORITY becomes Stella's ALLOCATE with the rectangular priority profile
(`EquationPrinter` says why that form). Time settings that change with TIME
(`Model.vary_time_settings`) are written as their values at the initial time in
``<sim_specs>``, which every reader runs, and as their equations in sdflow's own
namespace, which `read_xmile` reads back (`sdflow.io.xmile_time_settings`). A construct
with no XMILE equivalent (a truncated draw XMILE's untruncated builtins do not state)
raises `UnsupportedFeatureError` naming the variable.

Names are free text. ElementTree escapes them for XML; characters XML 1.0 cannot hold at
all (most control characters) are refused. A variable's ``name`` attribute writes a line
break as ``\n`` and a backslash as ``\\`` (XMILE's escapes in names; `read_xmile`
reads them back), other runs of whitespace as one space, the same name under XMILE's
and Vensim's name equivalence; inside an equation a name that is not plain is quoted,
with a backslash before each of its quotes and backslashes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ..dsl.variables import Aux, Const, Data, Flow, Lookup, Stock
from ..errors import UnsupportedFeatureError
from ..expr import nodes as ex
from ..names import name_key
from .xmile_equations import (EquationPrinter, NeedsElements, attribute_name, banged_base,
                              display_name, subscript_name, xmile_name, xmile_number)
from .xmile_time_settings import NAMESPACE as SDFLOW_NAMESPACE
from .xmile_time_settings import add_time_settings, initial_settings

__all__ = ["attribute_name", "build_xmile", "display_name", "subscript_name", "write_xmile",
           "xmile_name"]

NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
ISEE_NAMESPACE = "http://iseesystems.com/XMILE"
#: What XML 1.0 cannot hold even escaped: C0 controls but tab, newline and return; the
#: surrogates; U+FFFE and U+FFFF (https://www.w3.org/TR/xml/#charsets)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` unchanged, or `UnsupportedFeatureError` if XML cannot hold a character."""
    bad = _NOT_XML.search(text)
    if bad:
        raise UnsupportedFeatureError(
            f"{text!r} contains the character U+{ord(bad.group()):04X}, which an XML 1.0 "
            "file cannot hold; remove it from the name, units or documentation")
    return text


def _sub(parent, tag: str, text: str | None = None, **attrib):
    node = ET.SubElement(parent, tag, {k: _xml_text(str(v)) for k, v in attrib.items()})
    if text is not None:
        node.text = _xml_text(text)
    return node


def _dimensions(parent, dims) -> None:
    if dims:
        node = _sub(parent, "dimensions")
        for d in dims:
            _sub(node, "dim", name=subscript_name(d.name))


def _gf(parent, x, y, extrapolate: bool, name: str | None = None):
    attrib = {"name": attribute_name(name)} if name else {}
    if extrapolate:
        attrib["type"] = "extrapolate"
    gf = _sub(parent, "gf", **attrib)
    # no <xscale>: PySD spreads the y points evenly over it when it is present, and the
    # x points say everything it would
    _sub(gf, "yscale", min=xmile_number(np.min(y)), max=xmile_number(np.max(y)))
    _sub(gf, "xpts", ",".join(xmile_number(v) for v in x))
    _sub(gf, "ypts", ",".join(xmile_number(v) for v in y))
    return gf


def _equations(node, printer: EquationPrinter, expr, dims, initialising: bool = False):
    """``expr`` as the variable's ``<eqn>``, or, when only an element-by-element form
    states it (XMILE 1.0 non-apply-to-all arrays), one ``<element>`` with its own
    ``<eqn>`` per element."""
    try:
        _sub(node, "eqn", printer.at(None, expr, initialising))
        return
    except NeedsElements:
        pass
    try:
        if not dims:
            _sub(node, "eqn", printer.at({}, expr, initialising))
            return
        for index in np.ndindex(*(len(d) for d in dims)):
            env = {d.name: i for d, i in zip(dims, index)}
            subscript = ",".join(subscript_name(d.elements[i]) for d, i in zip(dims, index))
            _sub(_sub(node, "element", subscript=subscript), "eqn",
                 printer.at(env, expr, initialising))
    except NeedsElements as reason:  # a read no element of the variable pins down
        raise printer.error(f"the expression {ex.describe(expr)} (at "
                            f"{ex.describe(reason.args[0]) if reason.args else 'a read'})"
                            ) from None


def build_xmile(model) -> ET.Element:
    """The XMILE document of ``model`` as an ElementTree element."""
    graph = model.graph()
    printer = EquationPrinter(model, graph)
    # settings that change with TIME: their values at the initial time in <sim_specs>,
    # their variables named in sdflow's extension (`sdflow.io.xmile_time_settings`)
    numbers = initial_settings(model) if model.time_settings else {
        "start": model.start, "stop": model.stop, "dt": model.dt, "saveper": model.saveper}
    namespaces = {"xmlns": NAMESPACE, "xmlns:isee": ISEE_NAMESPACE}
    if model.time_settings:
        namespaces["xmlns:sdflow"] = SDFLOW_NAMESPACE
    root = ET.Element("xmile", {"version": "1.0", **namespaces})
    header = _sub(root, "header")
    _sub(header, "vendor", "sdflow")
    _sub(header, "product", "sdflow", version="0.1", lang="en")
    _sub(header, "name", model.name)
    # XMILE 1.0 has no save interval: Stella and Simlin write isee:save_interval
    saving = {"isee:save_interval": xmile_number(numbers["saveper"])} \
        if numbers["saveper"] != numbers["dt"] else {}
    specs = _sub(root, "sim_specs", method="Euler",
                 **({"time_units": model.time_units} if model.time_units else {}), **saving)
    _sub(specs, "start", xmile_number(numbers["start"]))
    _sub(specs, "stop", xmile_number(numbers["stop"]))
    _sub(specs, "dt", xmile_number(numbers["dt"]))
    if model.time_settings:
        add_time_settings(specs, model, printer)
    if model.dimensions:
        dims = _sub(root, "dimensions")
        dimension_names = {name_key(d.name): d.name for d in model.dimensions.values()}
        for dim in model.dimensions.values():
            if dim.name in model.dimensions and banged_base(dim.name, model.dimensions):
                continue  # equations write dim! for it
            node = _sub(dims, "dim", name=subscript_name(dim.name))
            for element in dim.elements:
                if name_key(element) in dimension_names:
                    # readers take such an element for that dimension (a subrange): PySD
                    # then expands the dimension into itself without end
                    raise UnsupportedFeatureError(
                        f"element {element!r} of dimension '{dim.name}' has the name of the "
                        f"dimension '{dimension_names[name_key(element)]}', which XMILE "
                        "readers read as that dimension; rename the element or the "
                        "dimension", element)
                _sub(node, "elem", name=subscript_name(element))
    variables = _sub(_sub(root, "model"), "variables")
    for var in model.variables:
        printer.owner = var.name
        printer.owner_dims = graph.nodes[name_key(var.name)].dims \
            if name_key(var.name) in graph.nodes else ()
        if isinstance(var, Lookup):
            _gf(variables, var.x, var.y, var.extrapolate, name=var.name)
            continue
        dims = graph.nodes[name_key(var.name)].dims
        tag = "stock" if isinstance(var, Stock) else "flow" if isinstance(var, Flow) else "aux"
        node = _sub(variables, tag, name=attribute_name(var.name))
        _dimensions(node, dims)
        if isinstance(var, Const):
            values = np.broadcast_to(var.value, tuple(len(d) for d in dims))
            if dims and np.ptp(values) != 0:
                for index in np.ndindex(values.shape):
                    subscript = ",".join(subscript_name(d.elements[i])
                                         for d, i in zip(dims, index))
                    _sub(_sub(node, "element", subscript=subscript), "eqn",
                         xmile_number(values[index]))
            else:
                _sub(node, "eqn", xmile_number(values.reshape(-1)[0] if dims else var.value))
        elif isinstance(var, Data) and not dims:
            _sub(node, "eqn", "TIME")
            _gf(node, var.times, var.values, False)
        elif isinstance(var, Data):
            # one standalone graphical function of TIME per element (PySD reads a <gf>
            # only at the variable level, so per-element tables are separate functions)
            for index in np.ndindex(*(len(d) for d in dims)):
                elements = [subscript_name(d.elements[i]) for d, i in zip(dims, index)]
                table = f"{var.name} data {' '.join(elements)}"
                _gf(variables, var.times, var.values[(slice(None),) + index], False,
                    name=table)
                _sub(_sub(node, "element", subscript=",".join(elements)), "eqn",
                     f"{xmile_name(table)}(TIME)")
        elif isinstance(var, Stock):
            if var.initial is None:
                raise UnsupportedFeatureError(f"stock '{var.name}' has no initial value",
                                              var.name)
            _equations(node, printer, var.initial, dims, initialising=True)
            for flow in var.inflows:
                _sub(node, "inflow", xmile_name(flow.name))
            for flow in var.outflows:
                _sub(node, "outflow", xmile_name(flow.name))
        elif isinstance(var, (Flow, Aux)):
            _equations(node, printer, var.equation, dims)
        if var.units:
            _sub(node, "units", var.units)
        if var.doc:
            _sub(node, "doc", var.doc)
    from .xmile_views import add_views  # the diagram, laid out by Graphviz
    add_views(root.find("model"), model)
    return root


def write_xmile(model, path) -> None:
    """Write ``model`` to ``path`` as XMILE 1.0 (atomically).

    PySD's ``read_xmile`` and sdflow's `read_xmile` load the file and run it to the same
    results as the model itself (Euler, at the model's ``dt``).

    Examples
    --------
    >>> import pathlib, tempfile, sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=10, dt=1, time_units="year")
    >>> x = m.stock("x", initial=100, units="widget")
    >>> k = m.const("rate", 0.1, units="1/year")
    >>> _ = m.flow("outflow", k * x, source=x, units="widget/year")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "decay.xmile"
    >>> sf.write_xmile(m, path)
    >>> '<stock name="x">' in path.read_text()
    True
    """
    from ..files import atomic_write
    root = build_xmile(model)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    document = '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n"
    atomic_write(Path(path), lambda tmp: Path(tmp).write_text(document, encoding="utf-8"))
