"""The equations of an XMILE file: names as equations write them, and `EquationPrinter`,
which prints sdflow's expression trees as XMILE 1.0 equation text (used by
`sdflow.io.xmile_writer`).

Builtins take their XMILE names and forms from the registry (`sdflow.expr.builtins`); the
printer chooses one method per kind of node by its type (`sdflow.expr.dispatch`), and a
kind without one has no XMILE form: `UnsupportedFeatureError` names the variable.

Examples
--------
>>> import sdflow as sf
>>> m = sf.Model("m", start=0, stop=4, dt=1)
>>> g = m.aux("growth rate", sf.pulse(1, 2) * 0.5)
>>> printer = EquationPrinter(m, m.graph())
>>> printer.print(g.equation)
'((IF ((TIME >= (1 - 1e-06)) AND (TIME < (1 + (IF (2 > 0) THEN 2 ELSE 1)))) THEN 1 ELSE 0) * 0.5)'
>>> xmile_name("growth rate")
'growth_rate'
"""

from __future__ import annotations

import re

import numpy as np

from ..dsl.variables import Aux, Const, Data, Flow, Stock, Variable
from ..errors import UnsupportedFeatureError
from ..expr import nodes as ex
from ..expr.allocation import AllocateByPriority
from ..expr.builtins import BUILTINS, REDUCTIONS, render
from ..expr.dispatch import node_method
from ..expr.stateful_builtins import STATEFUL
from ..names import name_key
from .xmile_random import NoXmileDraw, affine, xmile_draw

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]*$")
#: Words of XMILE's equation grammar: a variable named so is quoted
_KEYWORDS = {"and", "or", "not", "if", "then", "else", "mod"}


def display_name(name: str) -> str:
    r"""A name with each run of whitespace written as one space (the same name for XMILE),
    as equations and dimension declarations write it.

    A name ending with a backslash is refused: sdflow's and PySD's XMILE equation grammar
    reads the escaped backslash before the closing quote as an escaped quote. So is one
    ending with a quote (PySD's quote stripping takes it for the end of a quoted name).

    Examples
    --------
    >>> display_name("capital\n of  region ")
    'capital of region'
    """
    shown = " ".join(name.split())
    if shown.endswith(("\\", '"')):
        raise UnsupportedFeatureError(
            f"the name {name!r} ends with a backslash or a quote, which XMILE readers "
            "(sdflow's and PySD's equation grammar) would read as another name; rename it",
            name)
    return shown


def attribute_name(name: str) -> str:
    r"""A variable name as XMILE's ``name`` attribute writes it: a backslash as ``\\``
    and a line break as ``\n`` (XMILE's escapes in names: sd.js and Simlin read ``\n``
    as a line break and ``\\`` as a backslash, PySD ``\n`` as a space); other runs of
    whitespace as one space.

    `read_attribute_name` reads it back.

    Examples
    --------
    >>> print(attribute_name("Stock with \\n Newline"), attribute_name("two\n lines"))
    Stock with \\n Newline two\nlines
    """
    display_name(name)  # the same refusals
    lines = [" ".join(line.split()) for line in name.strip().splitlines()]
    return "\\n".join(line.replace("\\", "\\\\") for line in lines if line)


def read_attribute_name(text: str) -> str:
    r"""The name an XMILE ``name`` attribute holds: ``\\`` is a backslash, ``\n`` a line
    break (read as a space, the same name for XMILE and Vensim); any other backslash is
    kept, as tools that do not escape names write it.

    Examples
    --------
    >>> print(read_attribute_name("Stock with \\\\n Newline"), "|",
    ...       read_attribute_name("two\\nlines"), "|", read_attribute_name("a \\ b"))
    Stock with \n Newline | two lines | a \ b
    """
    return re.sub(r"\\([\\n])", lambda m: "\\" if m.group(1) == "\\" else " ", text)


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


def xmile_number(value: float) -> str:
    """A finite number as XMILE text (an integer without its point).

    Examples
    --------
    >>> xmile_number(2.0), xmile_number(0.25)
    ('2', '0.25')
    """
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{value} has no XMILE form")
    return repr(value) if value != int(value) or abs(value) >= 1e15 else str(int(value))


class NeedsElements(Exception):
    """An equation only an element-by-element form states (raised by the apply-to-all
    printer; `sdflow.io.xmile_writer` then writes the variable element by element)."""


class _Zero(str):
    """The 0 of an element a placement (`Reindex`) leaves empty, dropped from sums."""


ZERO = _Zero("0")
#: Vensim's zero, as sdflow's engine compares times with it (`compile.runtime.SMALL`)
SMALL = 1e-6


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

    @node_method
    def print(self, e) -> str:
        """The XMILE text of an expression: one method per kind of node, chosen by its
        type; a kind without one has no XMILE form."""
        raise self.error(f"the expression {ex.describe(e)}")

    @print.register(ex.Ref)
    @print.register(Variable)
    def _reference(self, e) -> str:
        return self.variable(e.name)

    @print.register(ex.Literal)
    def _literal(self, e) -> str:
        if np.isinf(e.value):  # XMILE has no infinity: a product that overflows to it
            return f"({'-' if e.value < 0 else ''}1e+308 * 10)"
        try:
            return xmile_number(e.value)
        except ValueError:
            raise self.error(f"the number {e.value}") from None

    @print.register(ex.Time)
    def _time(self, e) -> str:
        return "TIME"

    @print.register(ex.Neg)
    def _negative(self, e) -> str:
        a = self.print(e.a)
        return ZERO if a is ZERO else f"(-{a})"

    @print.register(ex.Not)
    def _not(self, e) -> str:
        return f"(NOT {self.print(e.a)})"

    @print.register(ex.LookupCall)
    def _lookup(self, e) -> str:
        return f"{xmile_name(e.lookup.name)}({self.print(e.arg)})"

    @print.register(ex.Select)
    @print.register(ex.Rename)
    @print.register(ex.Reindex)
    def _subscripts(self, e) -> str:
        return self.subscripted(e) if self.env is None else self.moved(e)

    @print.register(AllocateByPriority)
    def _allocation(self, e) -> str:
        """Vensim's ALLOCATE BY PRIORITY as Stella's ``ALLOCATE(supply, dim, request,
        priority, width, 1)``.

        XMILE 1.0 has no allocation builtin. Two forms exist: Stella's ALLOCATE (isee's
        builtin: availability, the dimension, then the requests, priorities, width and
        priority profile type of Vensim's ALLOCATE AVAILABLE, the type numbered as
        Vensim numbers it, 1 the rectangular profile, as SDEverywhere's Stella port of
        Vensim's ALLOCATE AVAILABLE example passes them; not run in Stella here), and
        Simlin's ``allocate_by_priority(request, priority, SIZE(dim), width, supply)``.
        ALLOCATE AVAILABLE with the rectangular profile of the given width is ALLOCATE BY
        PRIORITY: PySD's implementations of the two agree within 5e-9 on 300 random
        allocations (`tests/io/test_xmile_writer.py`). Stella's form is written: it is the
        builtin of XMILE's own vendor and names the dimension the requests compete
        along, where Simlin's relies on the last subscript; Simlin runs its own form to
        other numbers than Vensim's (the suite's allocate_by_priority output), so a
        reader that does not know ALLOCATE refuses the file rather than allocating
        differently. `read_xmile` reads both forms. The request and priority name the
        allocation dimension as ``dim!`` (XMILE 1.0's whole-dimension subscript of array
        builtins, as Stella's ``*``).
        """
        over = e.dim
        outer = self.banged, self.env, self.reducing
        env = None if self.env is None else {k: v for k, v in self.env.items()
                                             if k != over.name}
        self.banged, self.env = outer[0] | {over.name}, env
        self.reducing = "allocate"  # a SUM inside would reduce the banged dimension too
        try:
            request, priority = self.print(e.request), self.print(e.priority)
        finally:
            self.banged, self.env, self.reducing = outer
        dim = xmile_name(banged_base(over.name, self.dimensions) or over.name)
        return (f"ALLOCATE({self.print(e.supply)}, {dim}, {request}, {priority}, "
                f"{self.print(e.width)}, 1)")

    @print.register(ex.Noise)
    def _noise(self, e) -> str:
        """A random draw as XMILE's statistical builtin of the same distribution
        (`sdflow.io.xmile_random`), or a refusal saying why none states it."""
        if e.dims is not None and {getattr(d, "name", d) for d in e.dims} \
                != {d.name for d in self.owner_dims}:
            # XMILE draws anew for every element of the variable, no more, no fewer
            raise self.error(f"the random draw {e.dist} varying over other dimensions "
                             "than its variable's")
        try:
            function, args = xmile_draw(e, self.constant)
        except NoXmileDraw as reason:
            raise UnsupportedFeatureError(f"variable '{self.owner}': {reason}; write_xmile "
                                          "cannot export this model", self.owner) from None
        text = f"{function}({', '.join(self.print(a) for a in args)})"
        if affine(e) is not None:  # the shift (and stretch) added to XMILE's draw
            shift, stretch = affine(e)
            if stretch is not None:
                text = f"({self.print(stretch)} * {text})"
            text = f"({self.print(shift)} + {text})"
        return text

    def constant(self, e) -> float | None:
        """The number ``e`` always is (a literal, or a constant variable without
        dimensions), else None."""
        if isinstance(e, ex.Literal):
            return float(e.value)
        if isinstance(e, ex.Neg):
            value = self.constant(e.a)
            return None if value is None else -value
        if isinstance(e, (ex.Ref, Variable)):
            var = next((v for v in self.model.variables
                        if name_key(v.name) == name_key(e.name)), None)
            if isinstance(var, Const) and np.ndim(var.value) == 0:
                return float(var.value)
        return None

    @print.register(ex.BinOp)
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
                subs.append(xmile_name(banged_base(d.name, self.dimensions) or d.name) + "!")
            else:
                raise NeedsElements(name)
        return f"{xmile_name(name)}[{', '.join(subs)}]"

    @print.register(ex.Reduce)
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
            text = render(BUILTINS[e.op].xmile, [term, text])
        return text

    def compact(self, e: ex.Reduce) -> str:
        """A reduction as ``SUM(x[region!])``: the summed dimension banged."""
        if self.reducing not in (None, e.op):
            # readers reduce every banged dimension at the innermost call
            raise NeedsElements(e)
        outer = self.banged, self.reducing
        self.banged, self.reducing = outer[0] | {e.dim.name}, e.op
        try:
            # the registry's XMILE forms (a mean as a sum, which every reader has)
            form = REDUCTIONS[e.op].xmile if e.op in REDUCTIONS else None
            if form is None:
                raise self.error(f"the reduction {e.op}")
            return render(form, [self.print(e.arg)], n=len(e.dim))
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
            shown = banged_base(label, self.dimensions) or label
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

    @print.register(ex.Call)
    def call(self, e: ex.Call) -> str:
        """A builtin in the XMILE form of the registry (`sdflow.expr.builtins`); the forms
        of functions of time read the model's DT and Vensim's zero (`SMALL`)."""
        args = [self.print(a) for a in e.args]
        if e.func == "ramp" and len(args) == 3:
            return self.ramp_with_end(*args)
        builtin = BUILTINS.get(e.func)
        if builtin is None or builtin.xmile is None:
            raise self.error(f"the function {e.func}")
        try:
            return render(builtin.xmile, args, dt=xmile_number(self.model.dt),
                          small=xmile_number(SMALL))
        except ValueError:  # a form with fewer arguments: never drop one
            raise self.error(f"the function {e.func} with {len(args)} arguments") from None

    def ramp_with_end(self, slope: str, start: str, end: str) -> str:
        """Vensim's RAMP with an end, as IF THEN ELSE on TIME.

        Written here rather than in the registry: its XMILE form there is XMILE's
        ``RAMP(slope, start)``, which has no end, and a registry entry holds one form
        for both arities. The equation is the engine's (`compile.runtime.ramp`):
        ``slope * (MIN(end, TIME) - start)`` once ``TIME + SMALL > start``.
        """
        small = xmile_number(SMALL)
        return (f"(IF ((TIME + {small}) > {start}) THEN ({slope} * (MIN({end}, TIME) - "
                f"{start})) ELSE 0)")

    @print.register(ex.Stateful)
    def stateful(self, e: ex.Stateful) -> str:
        if e.kind == "active_initial":  # the initial equation while initialising
            return self.print(e.args["initial" if self.initialising else "input"])
        spec = STATEFUL[e.kind]
        if self.initialising and self.initial_values and spec.starts_at_initial:
            return self.print(e.args.get("initial", e.args["input"]))  # its value at the start
        if spec.xmile is None:
            raise self.error(f"the builtin {spec.vensim}")
        # arguments read while initialising (initial values) are printed as then
        a = {k: self.initial(v) if k in ("initial", "initial_trend") else self.print(v)
             for k, v in e.args.items()}
        starts_from_input = spec.starts_at_initial and "initial" not in a
        if self.initial_values and (starts_from_input or spec.family == "trend"):
            start = self.initial(e.args["input"])
            if start != a["input"] and starts_from_input:
                a["initial"] = start  # its input reads ACTIVE INITIAL: state where it starts
            elif start != a["input"]:
                raise self.error(f"{spec.xmile} of an input that reads an ACTIVE "
                                 "INITIAL variable while the model initialises")
        if spec.family == "pipeline" and self.initial_values \
                and self.initial(e.args["delay_time"]) != a["delay_time"]:
            raise self.error("DELAY FIXED with a delay time that reads an ACTIVE INITIAL "
                             "variable while the model initialises")
        name = spec.xmile
        if spec.family == "initial":
            return f"{name}({self.initial(e.args['input'])})"
        if e.kind == "trend":
            return f"{name}({a['input']}, {a['average_time']}, {a['initial_trend']})"
        if e.kind == "forecast":
            trend = f", {a['initial_trend']}" if "initial_trend" in a else ""
            return f"{name}({a['input']}, {a['average_time']}, {a['horizon']}{trend})"
        if spec.stages is None:  # DELAYN/SMTHN(input, time, n, initial)
            return (f"{name}({a['input']}, {a['delay_time']}, {a['order']}, "
                    f"{a.get('initial', a['input'])})")
        parts = [a["input"], a["delay_time"]] + ([a["initial"]] if "initial" in a else [])
        return f"{name}({', '.join(parts)})"



def _relabels(e) -> bool:
    """Whether ``e`` is a placement that only relabels a dimension (element j of the
    target is element j of the source), which apply-to-all equations state by name."""
    return (isinstance(e, ex.Reindex) and e.source is not None
            and len(e.source) == len(e.target) and e.index == tuple(range(len(e.target))))


def banged_base(name: str, dimensions: dict) -> str | None:
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
