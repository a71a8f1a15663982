"""``write_xmile``: a DSL model as an XMILE 1.0 file (stocks, flows, auxiliaries,
graphical functions, arrays, units and sim specs).

Equations are printed from the expression trees. Arrayed references always list their
dimensions (``capital[region]``); sums over a dimension use the ``dim!`` form that PySD
reads (``SUM(capital[region!])``). Data series become graphical functions of TIME, which
is what they are: linear interpolation in time, ends held (one function per element for
arrayed data). An equation that differs per element (imported subranges, subscript
mappings, per-element definitions) is written as an XMILE 1.0 non-apply-to-all array:
one ``<element subscript="...">`` with its own ``<eqn>`` per element. Vensim's PULSE,
PULSE TRAIN and RAMP with an end become IF THEN ELSE on TIME, and ACTIVE INITIAL the
values it gives while the model initialises (see `EquationPrinter`). A construct with no
XMILE equivalent (ALLOCATE BY PRIORITY, time settings that change with TIME) raises
`UnsupportedFeatureError` naming the variable.

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
from ..expr.allocation import AllocateByPriority
from ..names import name_key
from ..dsl.variables import Aux, Const, Data, Flow, Lookup, Stock, Variable
from ..errors import UnsupportedFeatureError

NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
ISEE_NAMESPACE = "http://iseesystems.com/XMILE"
_CALLS = {"min": "MIN", "max": "MAX", "abs": "ABS", "exp": "EXP", "ln": "LN",
          "sqrt": "SQRT", "sin": "SIN", "cos": "COS", "tan": "TAN", "arctan": "ARCTAN",
          "integer": "INT", "xidz": "SAFEDIV", "zidz": "SAFEDIV", "step": "STEP"}
_STATEFUL = {"smooth": "SMTH1", "smooth3": "SMTH3", "delay1": "DELAY1", "delay3": "DELAY3",
             "delay_fixed": "DELAY", "trend": "TREND", "forecast": "FORCST",
             "initial": "INIT", "delay_n": "DELAYN", "smooth_n": "SMTHN"}
_REDUCE = {"sum": "SUM", "prod": "PROD", "min": "MIN", "max": "MAX"}
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


class NeedsElements(Exception):
    """An equation only an element-by-element form states (raised by the apply-to-all
    printer, caught by `element_equations`)."""


class _Zero(str):
    """The 0 of an element a placement (`Reindex`) leaves empty, dropped from sums."""


ZERO = _Zero("0")
#: Vensim's zero, as sdflow's engine compares times with it (`compile.runtime.SMALL`)
SMALL = 1e-6
#: Builtins with memory whose value while the model initialises is their initial value
#: (their ``initial`` argument, or their input when it has none)
_STARTS_AT_INITIAL = {"smooth", "smooth3", "smooth_n", "delay1", "delay3", "delay_n",
                      "delay_fixed"}


class EquationPrinter:
    """Prints the expressions of one model, knowing every variable's dimensions.

    Two modes: apply-to-all (``env`` None), where arrayed references name their
    dimensions (``capital[region]``), and element by element (``env`` maps each dimension
    name to an element position), where references name elements (``capital[north]``),
    sums are written out term by term, and subranges, subscript mappings and per-element
    definitions (`Reindex`) pick the element they read. The apply-to-all printer raises
    `NeedsElements` for what only the second states.

    While ``initialising``, the printer writes a value as the model computes it at the
    start, before any step: a variable defined with ACTIVE INITIAL takes its initial
    equation then, and so does every auxiliary or flow that reads it (`initial_values`),
    inlined since XMILE has no initialisation phase of its own.
    """

    def __init__(self, model, graph):
        self.model = model
        self.dims = {key: node.dims for key, node in graph.nodes.items()}
        self.dimensions = {d.name: d for d in model.dimensions.values()}
        self.owner = ""
        self.banged: set = set()
        self.env: dict[str, int] | None = None
        #: the dimensions of the variable being printed, and the reduction being printed
        self.owner_dims: tuple = ()
        self.reducing: str | None = None
        self.initialising = False
        self.initial_values = _initial_values(model)

    def error(self, what: str) -> UnsupportedFeatureError:
        return UnsupportedFeatureError(
            f"variable '{self.owner}': {what} has no XMILE form; write_xmile cannot export "
            "this model", self.owner)

    # -- modes -------------------------------------------------------------------------
    def at(self, env: dict | None, e, initialising: bool | None = None) -> str:
        """``e`` printed for the elements ``env`` (None: apply-to-all)."""
        saved = self.env, self.initialising
        self.env = env
        if initialising is not None:
            self.initialising = initialising
        try:
            return self.print(e)
        finally:
            self.env, self.initialising = saved

    def initial(self, e) -> str:
        """``e`` as the model computes it while initialising."""
        return self.at(self.env, e, initialising=True)

    def print(self, e) -> str:
        if isinstance(e, (ex.Ref, Variable)):
            return self.variable(e.name)
        if isinstance(e, ex.Literal):
            if np.isinf(e.value):  # XMILE has no infinity: a product that overflows to it
                return f"({'-' if e.value < 0 else ''}1e+308 * 10)"
            try:
                return _number(e.value)
            except ValueError:
                raise self.error(f"the number {e.value}") from None
        if isinstance(e, ex.Time):
            return "TIME"
        if isinstance(e, ex.Neg):
            a = self.print(e.a)
            return ZERO if a is ZERO else f"(-{a})"
        if isinstance(e, ex.Not):
            return f"(NOT {self.print(e.a)})"
        if isinstance(e, ex.BinOp):
            return self.binary(e)
        if isinstance(e, ex.Call):
            return self.call(e)
        if isinstance(e, ex.LookupCall):
            return f"{xmile_name(e.lookup.name)}({self.print(e.arg)})"
        if isinstance(e, ex.Reduce):
            return self.reduce(e)
        if isinstance(e, (ex.Select, ex.Rename, ex.Reindex)):
            return self.subscripted(e) if self.env is None else self.moved(e)
        if isinstance(e, ex.Stateful):
            return self.stateful(e)
        if isinstance(e, AllocateByPriority):
            # no XMILE 1.0 builtin allocates, and Vensim's allocation is the root of a
            # piecewise-linear equation that XMILE equations cannot solve in closed form
            raise self.error("ALLOCATE BY PRIORITY (XMILE 1.0 has no allocation builtin)")
        raise self.error(f"the expression {ex.describe(e)}")

    def binary(self, e: ex.BinOp) -> str:
        a, b = self.print(e.a), self.print(e.b)
        # an element a placement leaves empty adds nothing (the engine adds its 0.0)
        if e.op == "+" and (a is ZERO or b is ZERO):
            return b if a is ZERO else a
        if e.op == "-" and b is ZERO:
            return a
        if e.op == "*" and (a is ZERO or b is ZERO):
            return ZERO
        op = {"**": "^", "and": "AND", "or": "OR"}.get(e.op, e.op)
        return f"({a} {op} {b})"

    def variable(self, name: str) -> str:
        key = name_key(name)
        if self.initialising and key in self.initial_values:
            return f"({self.print(self.initial_values[key])})"  # its value at the start
        if self.env is None:
            return self.reference(name, {})
        dims = self.dims.get(key, ())
        if not dims:
            return xmile_name(name)
        subs = []
        for d in dims:
            if d.name in self.env:
                subs.append(xmile_name(d.elements[self.env[d.name]]))
            elif d.name in self.banged:  # summed over: SUM(x[north, region!])
                subs.append(xmile_name(_banged_base(d.name, self.dimensions) or d.name) + "!")
            else:
                raise NeedsElements(name)
        return f"{xmile_name(name)}[{', '.join(subs)}]"

    def reduce(self, e: ex.Reduce) -> str:
        if self.env is None and e.op in ("min", "max") and self.owner_dims:
            # readers take one-argument MIN and MAX over the whole array, the variable's
            # own dimensions included: element by element, those are elements
            raise NeedsElements(e)
        try:
            return self.compact(e)
        except NeedsElements:
            if self.env is None:
                raise
        # element by element, with a read the dim! form cannot state: term by term
        terms = [self.at({**self.env, e.dim.name: i}, e.arg) for i in range(len(e.dim))]
        terms = ["0" if t is ZERO else t for t in terms]
        if e.op in ("sum", "mean", "prod"):
            text = "(" + (" * " if e.op == "prod" else " + ").join(terms) + ")"
            return f"({text} / {len(e.dim)})" if e.op == "mean" else text
        text = terms[-1]  # MIN and MAX take two arguments
        for term in reversed(terms[:-1]):
            text = f"{_REDUCE[e.op]}({term}, {text})"
        return text

    def compact(self, e: ex.Reduce) -> str:
        """A reduction as ``SUM(x[region!])``: the summed dimension banged."""
        if self.reducing not in (None, e.op):
            # readers reduce every banged dimension at the innermost call
            raise NeedsElements(e)
        outer = self.banged, self.reducing
        self.banged, self.reducing = outer[0] | {e.dim.name}, e.op
        try:
            if e.op == "mean":  # as a sum, which every XMILE reader has
                return f"(SUM({self.print(e.arg)}) / {len(e.dim)})"
            return f"{_REDUCE[e.op]}({self.print(e.arg)})"
        finally:
            self.banged, self.reducing = outer

    def reference(self, name: str, relabel: dict) -> str:
        dims = self.dims.get(name_key(name), ())
        text = xmile_name(name)
        if not dims:
            return text
        subs = []
        for d in dims:
            label = relabel.get(d.name, d.name)  # a dimension, or a selected element
            shown = _banged_base(label, self.dimensions) or label
            subs.append(xmile_name(shown) + ("!" if label in self.banged else ""))
        return f"{text}[{', '.join(subs)}]"

    def subscripted(self, e) -> str:
        """A selection or relabelling, apply-to-all: the reference names the elements and
        dimensions it reads (`NeedsElements` for a placement or a computed expression)."""
        chain, node = [], e
        while isinstance(node, (ex.Select, ex.Rename)) or _relabels(node):
            chain.append(node)
            node = node.arg
        if not isinstance(node, (ex.Ref, Variable)) or (
                self.initialising and name_key(node.name) in self.initial_values):
            raise NeedsElements(node)
        dims = self.dims.get(name_key(node.name), ())
        labels = {d.name: d.name for d in dims}  # original dim -> current label
        for step in reversed(chain):  # innermost first, as the renames were applied
            if isinstance(step, ex.Select):
                renames = {step.dim_name: str(step.element)}
            elif isinstance(step, ex.Reindex):  # element j of target is element j of source
                renames = {step.source.name: step.target.name}
            else:
                renames = {old: new.name for old, new in step.mapping.items()}
            labels = {dim: renames.get(label, label) if label in renames else label
                      for dim, label in labels.items()}
        return self.reference(node.name, labels)

    def moved(self, e) -> str:
        """A selection, relabelling or placement for the elements of ``env``: the argument
        printed at the elements it reads there."""
        env = dict(self.env)
        if isinstance(e, ex.Select):
            env[e.dim_name] = self.dimensions[e.dim_name].index(e.element)
        elif isinstance(e, ex.Rename):  # all at once, so a swap is a transposition
            if any(new.name not in self.env for new in e.mapping.values()):
                raise NeedsElements(e)
            moved = {old: self.env[new.name] for old, new in e.mapping.items()}
            for new in e.mapping.values():
                env.pop(new.name, None)
            env.update(moved)
        elif e.target.name not in env:  # a relabelling inside a reduction
            if not (_relabels(e) and e.target.name in self.banged):
                raise NeedsElements(e)
            outer = self.banged
            self.banged = outer | {e.source.name}
            env.pop(e.source.name, None)  # x[dim!] is summed even where dim is an element
            try:
                return self.at(env, e.arg)
            finally:
                self.banged = outer
        else:
            position = env.pop(e.target.name)
            source = e.index[position]
            if source < 0:
                return ZERO  # the engine's 0 where a placement leaves an element empty
            if e.source is not None:
                env[e.source.name] = source
        return self.at(env, e.arg)

    def call(self, e: ex.Call) -> str:
        args = [self.print(a) for a in e.args]
        f = e.func
        if f == "if_then_else":
            return f"(IF {args[0]} THEN {args[1]} ELSE {args[2]})"
        if f in ("eq", "ne"):
            return f"({args[0]} {'=' if f == 'eq' else '<>'} {args[1]})"
        if f == "modulo":
            return f"({args[0]} mod {args[1]})"  # PySD's grammar reads the lower case
        if f == "log":
            return f"(LN({args[0]}) / LN({args[1]}))"
        if f == "ramp" and len(args) == 2:
            return f"RAMP({args[0]}, {args[1]})"
        if f in ("pulse", "pulse_train", "ramp"):
            return self.time_function(f, e.args, args)
        if f in _CALLS:
            return f"{_CALLS[f]}({', '.join(args)})"
        raise self.error(f"the function {f}")

    def time_function(self, f: str, exprs, args: list[str]) -> str:
        """Vensim's PULSE, PULSE TRAIN and RAMP with an end, as IF THEN ELSE on TIME.

        XMILE's PULSE(magnitude, first, interval) is another function (a spike of
        magnitude/DT every interval) and its RAMP has no end, so the equations are written
        out as sdflow's engine computes them (`compile.runtime`): a width of 0 is one time
        step (the model's DT, a number in XMILE), and times are compared with Vensim's
        zero, `SMALL`, as the engine does.
        """
        small = _number(SMALL)
        if f == "ramp":  # slope * (MIN(end, TIME) - start) once TIME + SMALL > start
            slope, start, end = args
            return (f"(IF ((TIME + {small}) > {start}) THEN ({slope} * (MIN({end}, TIME) - "
                    f"{start})) ELSE 0)")
        start, width = args[0], args[1]
        if isinstance(exprs[1], ex.Literal):  # a width of 0 lasts one step
            width = width if exprs[1].value > 0 else _number(self.model.dt)
        else:
            width = f"(IF ({width} > 0) THEN {width} ELSE {_number(self.model.dt)})"
        if f == "pulse":  # 1 from start (less SMALL) until start + width
            return (f"(IF ((TIME >= ({start} - {small})) AND (TIME < ({start} + {width}))) "
                    "THEN 1 ELSE 0)")
        interval, end = args[2], args[3]  # pulses of width every interval until end
        return (f"(IF ((TIME >= {start}) AND (TIME < {end}) AND ((((TIME - {start}) + {small})"
                f" mod {interval}) < {width})) THEN 1 ELSE 0)")

    def stateful(self, e: ex.Stateful) -> str:
        if e.kind == "active_initial":  # the initial equation while initialising
            return self.print(e.args["initial" if self.initialising else "input"])
        if self.initialising and self.initial_values and e.kind in _STARTS_AT_INITIAL:
            return self.print(e.args.get("initial", e.args["input"]))  # its value at the start
        if e.kind not in _STATEFUL:
            raise self.error(f"the builtin {e.kind}")
        # arguments read while initialising (initial values) are printed as then
        a = {k: self.initial(v) if k in ("initial", "initial_trend") else self.print(v)
             for k, v in e.args.items()}
        starts_from_input = e.kind in _STARTS_AT_INITIAL and "initial" not in a
        if self.initial_values and (starts_from_input or e.kind in ("trend", "forecast")):
            start = self.initial(e.args["input"])
            if start != a["input"] and starts_from_input:
                a["initial"] = start  # its input reads ACTIVE INITIAL: state where it starts
            elif start != a["input"]:
                raise self.error(f"{_STATEFUL[e.kind]} of an input that reads an ACTIVE "
                                 "INITIAL variable while the model initialises")
        if e.kind == "delay_fixed" and self.initial_values \
                and self.initial(e.args["delay_time"]) != a["delay_time"]:
            raise self.error("DELAY FIXED with a delay time that reads an ACTIVE INITIAL "
                             "variable while the model initialises")
        name = _STATEFUL[e.kind]
        if e.kind == "initial":
            return f"INIT({self.initial(e.args['input'])})"
        if e.kind == "trend":
            return f"TREND({a['input']}, {a['average_time']}, {a['initial_trend']})"
        if e.kind == "forecast":
            return f"FORCST({a['input']}, {a['average_time']}, {a['horizon']})"
        if e.kind in ("delay_n", "smooth_n"):  # DELAYN/SMTHN(input, time, n, initial)
            function = "DELAYN" if e.kind == "delay_n" else "SMTHN"
            return (f"{function}({a['input']}, {a['delay_time']}, {a['order']}, "
                    f"{a.get('initial', a['input'])})")
        parts = [a["input"], a["delay_time"]] + ([a["initial"]] if "initial" in a else [])
        return f"{name}({', '.join(parts)})"


def _relabels(e) -> bool:
    """Whether ``e`` is a placement that only relabels a dimension (element j of the
    target is element j of the source), which apply-to-all equations state by name."""
    return (isinstance(e, ex.Reindex) and e.source is not None
            and len(e.source) == len(e.target) and e.index == tuple(range(len(e.target))))


def _banged_base(name: str, dimensions: dict) -> str | None:
    """The dimension ``dim`` of the copy ``dim!`` the Vensim importer makes for ``dim!``
    references (`io.subscripts.SubscriptSpace.banged_copy`), else None; XMILE writes
    ``x[dim!]`` itself."""
    base = name[:-1]
    if name.endswith("!") and base in dimensions \
            and dimensions[base].elements == dimensions[name].elements:
        return base
    return None


def _initial_values(model) -> dict:
    """Name key -> equation of each auxiliary and flow whose value while the model
    initialises is not what its equation gives later: those defined with ACTIVE INITIAL,
    and those that read them (directly, or through other such variables; a builtin with
    memory in between starts from the initial value the printer states)."""
    equations = [(name_key(v.name), v.equation) for v in model.variables
                 if isinstance(v, (Aux, Flow)) and not isinstance(v, (Const, Data, Stock))
                 and getattr(v, "equation", None) is not None]
    found: dict = {}
    grew = True
    while grew:
        grew = False
        for key, equation in equations:
            if key not in found and _reads_active_initial(equation, found):
                found[key] = equation
                grew = True
    return found


def _reads_active_initial(e, found: dict) -> bool:
    if isinstance(e, ex.Stateful):
        return e.kind == "active_initial"
    if isinstance(e, (ex.Ref, Variable)):
        return name_key(e.name) in found
    return any(_reads_active_initial(c, found) for c in e.children())


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
            if dim.name in model.dimensions and _banged_base(dim.name, model.dimensions):
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
    >>> "<stock name=\\"x\\">" in path.read_text()
    True
    """
    from ..files import atomic_write
    root = build_xmile(model)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    document = '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n"
    atomic_write(Path(path), lambda tmp: Path(tmp).write_text(document, encoding="utf-8"))
