"""``write_xmile``: a DSL model as an XMILE 1.0 file (stocks, flows, auxiliaries,
graphical functions, arrays, units and sim specs).

Equations are printed from the expression trees. Arrayed references always list their
dimensions (``capital[region]``); sums over a dimension use the ``dim!`` form that PySD
reads (``SUM(capital[region!])``). Data series become graphical functions of TIME, which
is what they are: linear interpolation in time, ends held (one function per element for
arrayed data). A construct with no XMILE
equivalent raises `UnsupportedFeatureError` naming the variable.

Names are free text. ElementTree escapes them for XML; characters XML 1.0 cannot hold at
all (most control characters) are refused. Runs of whitespace (a newline, a tab) are
written as one space, the same name under XMILE's and Vensim's name equivalence; inside
an equation a name that is not plain is quoted, with a backslash before each of its quotes
and backslashes (XMILE's escapes; the importer reads them back).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ..expr import nodes as ex
from ..expr.builtins import BUILTINS, REDUCTIONS, render
from ..expr.dispatch import node_method
from ..names import name_key
from ..dsl.variables import Aux, Const, Data, Flow, Lookup, Stock, Variable
from ..errors import UnsupportedFeatureError

NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
ISEE_NAMESPACE = "http://iseesystems.com/XMILE"
_STATEFUL = {"smooth": "SMTH1", "smooth3": "SMTH3", "delay1": "DELAY1", "delay3": "DELAY3",
             "delay_fixed": "DELAY", "trend": "TREND", "forecast": "FORCST",
             "initial": "INIT", "delay_n": "DELAYN", "smooth_n": "SMTHN"}
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]*$")
#: Words of XMILE's equation grammar: a variable named so is quoted
_KEYWORDS = {"and", "or", "not", "if", "then", "else", "mod"}
#: What XML 1.0 cannot hold even escaped: C0 controls but tab, newline and return; the
#: surrogates; U+FFFE and U+FFFF (https://www.w3.org/TR/xml/#charsets)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def display_name(name: str) -> str:
    r"""A name with each run of whitespace written as one space (the same name for XMILE).

    Names PySD's XMILE reader would read as another name are refused: one holding a
    backslash and ``n`` (it reads ``\n`` as a newline), or ending with a backslash or a
    quote (its grammar or its quote stripping would take the escape for the end).

    Examples
    --------
    >>> display_name("capital\n of  region ")
    'capital of region'
    """
    shown = " ".join(name.split())
    if "\\n" in shown or shown.endswith(("\\", '"')):
        raise UnsupportedFeatureError(
            f"the name {name!r} ends with a backslash or a quote, or holds a backslash "
            "followed by n: XMILE readers (PySD) would read it as another name; rename it",
            name)
    return shown


def subscript_name(name: str) -> str:
    """A dimension or element name as declared (see `display_name`); no commas, which
    separate subscripts.

    Examples
    --------
    >>> subscript_name("Jiangsu province")
    'Jiangsu province'
    """
    if "," in name:
        raise UnsupportedFeatureError(
            f"the dimension or element name {name!r} holds a comma, which separates "
            "subscripts in XMILE; rename it", name)
    return display_name(name)


def xmile_name(name: str) -> str:
    r"""A variable name as written inside an equation (spaces become underscores).

    Examples
    --------
    >>> print(xmile_name("growth rate"), xmile_name('the "best" \\ rate'))
    growth_rate "the \"best\" \\ rate"
    """
    name = display_name(name)
    # PySD reads a leading "not" as the operator even in "notable", so quote those too
    if _PLAIN.match(name) and name.lower() not in _KEYWORDS \
            and not name.lower().startswith("not"):
        return name.replace(" ", "_")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _xml_text(text: str) -> str:
    """``text`` unchanged, or `UnsupportedFeatureError` if XML cannot hold a character."""
    bad = _NOT_XML.search(text)
    if bad:
        raise UnsupportedFeatureError(
            f"{text!r} contains the character U+{ord(bad.group()):04X}, which an XML 1.0 "
            "file cannot hold; remove it from the name, units or documentation")
    return text


def _number(value: float) -> str:
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{value} has no XMILE form")
    return repr(value) if value != int(value) or abs(value) >= 1e15 else str(int(value))


class EquationPrinter:
    """Prints the expressions of one model, knowing every variable's dimensions."""

    def __init__(self, model, graph):
        self.model = model
        self.dims = {key: node.dims for key, node in graph.nodes.items()}
        self.owner = ""
        self.banged: set = set()

    def error(self, what: str) -> UnsupportedFeatureError:
        return UnsupportedFeatureError(
            f"variable '{self.owner}': {what} has no XMILE form; write_xmile cannot export "
            "this model", self.owner)

    @node_method
    def print(self, e) -> str:
        """The XMILE text of an expression: one method per kind of node, chosen by its
        type; a kind without one has no XMILE form."""
        raise self.error(f"the expression {ex.describe(e)}")

    @print.register(ex.Ref)
    @print.register(Variable)
    def _reference(self, e) -> str:
        return self.reference(e.name, {})

    @print.register(ex.Literal)
    def _literal(self, e) -> str:
        try:
            return _number(e.value)
        except ValueError:
            raise self.error(f"the number {e.value}") from None

    @print.register(ex.Time)
    def _time(self, e) -> str:
        return "TIME"

    @print.register(ex.Neg)
    def _negative(self, e) -> str:
        return f"(-{self.print(e.a)})"

    @print.register(ex.Not)
    def _not(self, e) -> str:
        return f"(NOT {self.print(e.a)})"

    @print.register(ex.BinOp)
    def _binop(self, e) -> str:
        op = {"**": "^", "and": "AND", "or": "OR"}.get(e.op, e.op)
        return f"({self.print(e.a)} {op} {self.print(e.b)})"

    @print.register(ex.LookupCall)
    def _lookup(self, e) -> str:
        return f"{xmile_name(e.lookup.name)}({self.print(e.arg)})"

    @print.register(ex.Reduce)
    def _reduce(self, e) -> str:
        outer = self.banged
        self.banged = outer | {e.dim.name}
        try:
            # the registry's XMILE forms (a mean as a sum, which every reader has)
            form = REDUCTIONS[e.op].xmile if e.op in REDUCTIONS else None
            if form is None:
                raise self.error(f"the reduction {e.op}")
            return render(form, [self.print(e.arg)], n=len(e.dim))
        finally:
            self.banged = outer

    def reference(self, name: str, relabel: dict) -> str:
        dims = self.dims.get(name_key(name), ())
        text = xmile_name(name)
        if not dims:
            return text
        subs = []
        for d in dims:
            label = relabel.get(d.name, d.name)  # a dimension, or a selected element
            subs.append(xmile_name(label) + ("!" if label in self.banged else ""))
        return f"{text}[{', '.join(subs)}]"

    @print.register(ex.Select)
    @print.register(ex.Rename)
    def subscripted(self, e) -> str:
        chain, node = [], e
        while isinstance(node, (ex.Select, ex.Rename)):
            chain.append(node)
            node = node.arg
        if not isinstance(node, (ex.Ref, Variable)):
            raise self.error("selecting or renaming a dimension of a computed expression")
        dims = self.dims.get(name_key(node.name), ())
        labels = {d.name: d.name for d in dims}  # original dim -> current label
        for step in reversed(chain):  # innermost first, as the renames were applied
            if isinstance(step, ex.Select):
                renames = {step.dim_name: str(step.element)}
            else:
                renames = {old: new.name for old, new in step.mapping.items()}
            labels = {dim: renames.get(label, label) if label in renames else label
                      for dim, label in labels.items()}
        return self.reference(node.name, labels)

    @print.register(ex.Call)
    def call(self, e: ex.Call) -> str:
        """A builtin in the XMILE form of the registry (`sdflow.expr.builtins`)."""
        args = [self.print(a) for a in e.args]
        builtin = BUILTINS.get(e.func)
        if builtin is None or builtin.xmile is None:
            raise self.error(f"the function {e.func}")
        try:
            return render(builtin.xmile, args)
        except ValueError:  # a form with fewer arguments (XMILE's RAMP has no end)
            raise self.error(f"the function {e.func} with {len(args)} arguments") from None

    @print.register(ex.Stateful)
    def stateful(self, e: ex.Stateful) -> str:
        a = {k: self.print(v) for k, v in e.args.items()}
        if e.kind not in _STATEFUL:
            raise self.error(f"the builtin {e.kind}")
        name = _STATEFUL[e.kind]
        if e.kind == "initial":
            return f"INIT({a['input']})"
        if e.kind == "trend":
            return f"TREND({a['input']}, {a['average_time']}, {a['initial_trend']})"
        if e.kind == "forecast":
            return f"FORCST({a['input']}, {a['average_time']}, {a['horizon']})"
        if e.kind in ("delay_n", "smooth_n"):  # DELAYN/SMTHN(input, time, n, initial)
            function = "DELAYN" if e.kind == "delay_n" else "SMTHN"
            return (f"{function}({a['input']}, {a['delay_time']}, {a['order']}, "
                    f"{a['initial']})")
        parts = [a["input"], a["delay_time"]] + ([a["initial"]] if "initial" in a else [])
        return f"{name}({', '.join(parts)})"


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
    attrib = {"name": display_name(name)} if name else {}
    if extrapolate:
        attrib["type"] = "extrapolate"
    gf = _sub(parent, "gf", **attrib)
    # no <xscale>: PySD spreads the y points evenly over it when it is present, and the
    # x points say everything it would
    _sub(gf, "yscale", min=_number(np.min(y)), max=_number(np.max(y)))
    _sub(gf, "xpts", ",".join(_number(v) for v in x))
    _sub(gf, "ypts", ",".join(_number(v) for v in y))
    return gf


def build_xmile(model) -> ET.Element:
    """The XMILE document of ``model`` as an ElementTree element."""
    graph = model.graph()
    printer = EquationPrinter(model, graph)
    if model.time_settings:
        raise UnsupportedFeatureError(
            f"model '{model.name}': time settings that change with TIME "
            f"({', '.join(sorted(model.time_settings))}) have no XMILE form (XMILE's "
            "start, stop and dt are numbers); write_xmile cannot export this model")
    root = ET.Element("xmile", {"version": "1.0", "xmlns": NAMESPACE,
                                "xmlns:isee": ISEE_NAMESPACE})
    header = _sub(root, "header")
    _sub(header, "vendor", "sdflow")
    _sub(header, "product", "sdflow", version="0.1", lang="en")
    _sub(header, "name", model.name)
    # XMILE 1.0 has no save interval: Stella and Simlin write isee:save_interval
    saving = {"isee:save_interval": _number(model.saveper)} \
        if model.saveper != model.dt else {}
    specs = _sub(root, "sim_specs", method="Euler",
                 **({"time_units": model.time_units} if model.time_units else {}), **saving)
    _sub(specs, "start", _number(model.start))
    _sub(specs, "stop", _number(model.stop))
    _sub(specs, "dt", _number(model.dt))
    if model.dimensions:
        dims = _sub(root, "dimensions")
        dimension_names = {name_key(d.name): d.name for d in model.dimensions.values()}
        for dim in model.dimensions.values():
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
        if isinstance(var, Lookup):
            _gf(variables, var.x, var.y, var.extrapolate, name=var.name)
            continue
        dims = graph.nodes[name_key(var.name)].dims
        tag = "stock" if isinstance(var, Stock) else "flow" if isinstance(var, Flow) else "aux"
        node = _sub(variables, tag, name=display_name(var.name))
        _dimensions(node, dims)
        if isinstance(var, Const):
            values = np.broadcast_to(var.value, tuple(len(d) for d in dims))
            if dims and np.ptp(values) != 0:
                for index in np.ndindex(values.shape):
                    subscript = ",".join(subscript_name(d.elements[i])
                                         for d, i in zip(dims, index))
                    _sub(_sub(node, "element", subscript=subscript), "eqn",
                         _number(values[index]))
            else:
                _sub(node, "eqn", _number(values.reshape(-1)[0] if dims else var.value))
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
            _sub(node, "eqn", printer.print(var.initial))
            for flow in var.inflows:
                _sub(node, "inflow", xmile_name(flow.name))
            for flow in var.outflows:
                _sub(node, "outflow", xmile_name(flow.name))
        elif isinstance(var, (Flow, Aux)):
            _sub(node, "eqn", printer.print(var.equation))
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
    >>> "<stock name=\\"x\\">" in path.read_text()
    True
    """
    from ..files import atomic_write
    root = build_xmile(model)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    document = '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n"
    atomic_write(Path(path), lambda tmp: Path(tmp).write_text(document, encoding="utf-8"))
