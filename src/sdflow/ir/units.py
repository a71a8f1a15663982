"""Unit pass: infer units through equations with pint and report disagreements.

Units are optional per variable. Where both sides of a relation carry units they must
agree; where one is unknown nothing is checked. Numbers written in equations are
dimensionless factors in products (``0.5 * x``) and take the other side's units in sums
and comparisons (``x + 1``), as in Vensim's unit check.

pint's registry takes a few tenths of a second to build: it is built once per process,
when a model first declares units (a model without any skips the pass), and this module
imports pint only then.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from ..errors import UnitError
from ..expr import nodes as ex
from ..expr.builtins import BUILTINS
from ..expr.dispatch import node_method
from ..units import define_unit, pint_defines, registry  # noqa: F401 - re-exported
from .nodes import Node, NodeRef

if TYPE_CHECKING:
    import pint

LITERAL = "literal"  # the units of a bare number: adapt to the context

_DIMENSIONLESS_WORDS = {"", "1", "dmnl", "dimensionless", "unitless", "fraction", "-"}

def parse_units(text: str | None):
    """A pint Unit for ``text``; unknown words become new base units (``person``, ``yuan``)."""
    if text is None:
        return None
    return _parse_units(text)


@functools.lru_cache(maxsize=None)
def _parse_units(text: str):
    # Cached per text: a model repeats a few unit texts many times, and pint's parser is
    # slow. The registry only ever grows, so a text once read keeps its meaning.
    import pint
    cleaned = text.strip()
    if cleaned.lower() in _DIMENSIONLESS_WORDS:
        return registry().dimensionless
    ureg = registry()
    for _ in range(20):
        try:
            quantity = ureg.parse_expression(cleaned)
            break
        except pint.UndefinedUnitError as exc:
            for word in exc.unit_names if isinstance(exc.unit_names, (tuple, list)) else [
                    exc.unit_names]:
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", word):
                    raise UnitError(f"cannot read units {text!r}: '{word}' is not a unit name")
                define_unit(ureg, word, f"{word} = [{word}]")
        except Exception as exc:  # noqa: BLE001 - pint raises several syntax errors
            raise UnitError(f"cannot read units {text!r}: {exc}") from None
    else:  # pragma: no cover
        raise UnitError(f"cannot read units {text!r}")
    if isinstance(quantity, (int, float)):
        return ureg.dimensionless if quantity == 1 else _scaled(quantity)
    if quantity.magnitude != 1:
        # Offset units (degF, degC) in a product are converted to kelvin by the expression
        # parser; read such text as units instead ("degF/minute" -> delta_degF/minute).
        try:
            return ureg.parse_units(cleaned)
        except (ValueError, pint.PintError):  # a real numeric factor ("100 million yuan")
            pass
        return _scaled(quantity)
    # The check compares dimensions and never adds offsets, so a temperature on its own
    # ("degF") is read as a temperature difference, like pint reads it inside "degF/minute".
    if f"delta_{quantity.units}" in ureg:
        return ureg.parse_units(f"delta_{quantity.units}")
    return quantity.units


def _scaled(quantity):
    """Units with a numeric factor (``100 million yuan``) as a named unit of their own."""
    ureg = registry()
    magnitude = getattr(quantity, "magnitude", quantity)
    units = getattr(quantity, "units", ureg.dimensionless)
    name = f"x{magnitude:g}".replace(".", "p").replace("+", "").replace("-", "m")
    name = f"{name}_{str(units).replace(' ', '').replace('*', '_').replace('/', '_per_')}"
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if name not in ureg:
        define_unit(ureg, name, f"{name} = {magnitude} * {units if str(units) else 'dimensionless'}")
    return ureg.parse_units(name)


def same_units(a, b) -> bool:
    """True when two known units denote the same quantity with factor 1."""
    if a is None or b is None or a is LITERAL or b is LITERAL:
        return True
    if a == b:
        return True
    import pint
    try:
        return abs(registry().Quantity(1.0, a).to(b).magnitude - 1.0) < 1e-9
    except pint.DimensionalityError:
        return False


def show(units) -> str:
    if units is None:
        return "unknown"
    if units is LITERAL:
        return "a number"
    text = f"{units}" if str(units) else "dimensionless"  # "year", not pint's "a"
    return text or "dimensionless"


def _is_dimensionless(units) -> bool:
    return units is None or units is LITERAL or same_units(units, registry().dimensionless)


class UnitPass:
    """Infers ``node.units`` and reports every equation whose units disagree."""

    def __init__(self, nodes: dict[str, Node], time_units: str | None):
        self.nodes = nodes
        self.errors: list[UnitError] = []
        self.time = None
        self._state: dict[str, str] = {}
        self._owner = ""
        try:
            self.time = parse_units(time_units)
        except UnitError as exc:
            self.errors.append(UnitError(f"time_units: {exc}", ("time_units",)))

    def run(self) -> None:
        if self.time is None and not self.errors and not self._declares_units():
            return  # every unit is unknown, so nothing can disagree: build no registry
        for node in self.nodes.values():
            try:
                node.units = parse_units(node.units_text)
            except UnitError as exc:
                self.errors.append(UnitError(f"'{node.name}': {exc}; fix the units= text",
                                             (node.name,)))
                node.units = None
            if node.units is not None:
                self._state[node.key] = "done"
        for key in self.nodes:
            self.node_units(key)
        for node in self.nodes.values():
            self._check_node(node)

    def _declares_units(self) -> bool:
        """True if a variable or a lookup called in an equation declares units."""
        if any(node.units_text is not None for node in self.nodes.values()):
            return True
        for node in self.nodes.values():
            parts = [*node.expressions().values(), node.units_like, node.init_equation]
            for e in (e for part in parts if part is not None for e in ex.walk(part)):
                if isinstance(e, ex.LookupCall) and (e.lookup.units is not None
                                                     or e.lookup.x_units is not None):
                    return True
        return False

    def node_units(self, key: str):
        node = self.nodes[key]
        if self._state.get(key) == "done" or self._state.get(key) == "busy":
            return node.units
        self._state[key] = "busy"
        owner, self._owner = self._owner, node.name
        if node.kind in ("aux", "flow", "initial", "pipeline"):
            inferred = self.expr(node.equation)
        elif node.kind == "stock" and node.hidden:
            inferred = self.expr(node.units_like if node.units_like is not None
                                 else node.initial)
        else:
            inferred = None
        self._owner = owner
        node.units = None if inferred is LITERAL else inferred
        self._state[key] = "done"
        return node.units

    def _error(self, message: str, *names: str) -> None:
        self.errors.append(UnitError(f"'{self._owner}': {message}", (self._owner,) + names))

    @node_method
    def expr(self, e: ex.Expr):
        """Units of an expression: a pint Unit, None (unknown) or LITERAL.

        One method per kind of node, chosen by its type; a kind without one is unknown.
        """
        return None

    @expr.register(ex.Literal)
    def _literal(self, e):
        return LITERAL

    @expr.register(ex.Time)
    def _time(self, e):
        return self.time

    @expr.register(NodeRef)
    def _reference(self, e):
        return self.node_units(e.key)

    @expr.register(ex.Neg)
    def _negative(self, e):
        return self.expr(e.a)

    @expr.register(ex.Reduce)
    @expr.register(ex.Select)
    @expr.register(ex.Rename)
    @expr.register(ex.Reindex)
    def _same_as_argument(self, e):
        return self.expr(e.arg)

    @expr.register(ex.Not)
    def _not(self, e):
        self.expr(e.a)
        return registry().dimensionless

    @expr.register(ex.LookupCall)
    def _lookup(self, e):
        arg = self.expr(e.arg)
        if e.lookup.x_units is not None:
            expected = parse_units(e.lookup.x_units)
            if not same_units(arg, expected):
                self._error(f"lookup '{e.lookup.name}' takes {show(expected)} but gets "
                            f"{show(arg)}", e.lookup.name)
        return parse_units(e.lookup.units) if e.lookup.units is not None else None

    @expr.register(ex.Noise)
    def _random_draw(self, e):
        """A draw between a minimum and a maximum takes their units (a draw is not a
        registry builtin with a `Builtin.units` rule: see `sdflow.expr.random_draws`)."""
        args = [self.expr(a) for a in e.args]
        return self._agree(args[0], args[1], "a random draw's minimum and maximum")

    def _agree(self, a, b, what: str):
        if not same_units(a, b):
            self._error(f"{what} mixes {show(a)} with {show(b)}; convert one side "
                        "(multiply by a constant with units) or fix the declared units")
            return None
        return b if a is LITERAL else a

    def _binop(self, e: ex.BinOp):
        a, b = self.expr(e.a), self.expr(e.b)
        ureg = registry()
        if e.op in ("+", "-"):
            return self._agree(a, b, f"'{e.op}'")
        if e.op in ("<", "<=", ">", ">="):
            self._agree(a, b, "a comparison")
            return ureg.dimensionless
        if e.op in ("and", "or"):
            return ureg.dimensionless
        if e.op in ("*", "/"):
            if a is None or b is None:
                return None
            if a is LITERAL and b is LITERAL:
                return LITERAL
            a = ureg.dimensionless if a is LITERAL else a
            b = ureg.dimensionless if b is LITERAL else b
            return a * b if e.op == "*" else a / b
        if e.op == "**":
            if a is LITERAL or a is None:
                return a
            if isinstance(e.b, ex.Literal):
                return a ** e.b.value
            if not _is_dimensionless(a):
                self._error(f"raises {show(a)} to a variable power; only dimensionless "
                            "bases can have non-constant exponents")
            return ureg.dimensionless
        return None

    expr.register(ex.BinOp, _binop)

    def _call(self, e: ex.Call):
        builtin = BUILTINS.get(e.func)
        args = [self.expr(a) for a in e.args]
        if builtin is None:
            return None
        return self.RULES[builtin.units](self, e, args)

    expr.register(ex.Call, _call)

    # -- unit rules of builtins: `Builtin.units` names one (sdflow.expr.builtins) ---------
    def _dimensionless(self, e: ex.Call, args):
        """EXP, LN, SIN...: a dimensionless argument, a dimensionless value."""
        if not _is_dimensionless(args[0]):
            self._error(f"{e.func}() of {show(args[0])}; its argument must be dimensionless "
                        "(divide by a reference value)")
        return registry().dimensionless

    def _same(self, e: ex.Call, args):
        """ABS, INTEGER: the argument's units."""
        return args[0]

    def _sqrt(self, e: ex.Call, args):
        return args[0] if args[0] in (None, LITERAL) else args[0] ** 0.5

    def _agree_two(self, e: ex.Call, args):
        """MIN, MAX, MODULO: two arguments in the same units, the value in them too."""
        return self._agree(args[0], args[1], f"{e.func}()")

    def _comparison(self, e: ex.Call, args):
        self._agree(args[0], args[1], "a comparison")
        return registry().dimensionless

    def _branches(self, e: ex.Call, args):
        return self._agree(args[1], args[2], f"{e.func}()'s two branches")

    def _quotient(self, e: ex.Call, args):
        """ZIDZ: the units of numerator / denominator."""
        return self._binop(ex.BinOp("/", e.args[0], e.args[1]))

    def _quotient_or(self, e: ex.Call, args):
        """XIDZ: the quotient's units, which the fallback value must share."""
        return self._agree(self._quotient(e, args), args[2],
                           f"{e.func}()'s quotient and fallback value")

    def _times(self, e: ex.Call, args) -> None:
        for t_arg in args:
            if not same_units(t_arg, self.time):
                self._error(f"{e.func}() takes times in {show(self.time)}, got {show(t_arg)}")

    def _step(self, e: ex.Call, args):
        """STEP(height, time): the height's units; the time in time units."""
        self._times(e, args[1:])
        return args[0]

    def _ramp(self, e: ex.Call, args):
        """RAMP(slope, start[, end]): slope * time; start and end in time units."""
        self._times(e, args[1:])
        return None if args[0] in (None, LITERAL) or self.time is None \
            else args[0] * self.time

    def _pulse(self, e: ex.Call, args):
        """PULSE, PULSE TRAIN: every argument a time, a dimensionless value."""
        self._times(e, args)
        return registry().dimensionless

    #: the unit rules by name
    RULES = {"dimensionless": _dimensionless, "same": _same, "sqrt": _sqrt,
             "agree": _agree_two, "comparison": _comparison, "branches": _branches,
             "quotient": _quotient, "quotient_or": _quotient_or, "step": _step,
             "ramp": _ramp, "pulse": _pulse}

    def _check_node(self, node: Node) -> None:
        self._owner = node.name
        # node.units holds the declared units as parsed by run() (None if unreadable, which
        # run() has reported); parsing again here would raise instead of reporting
        declared = node.units if node.units_text is not None else None
        if declared is not None and node.equation is not None and node.kind in ("aux", "flow"):
            inferred = self.expr(node.equation)
            if not same_units(declared, inferred):
                self._error(f"is declared in {show(declared)} but its equation gives "
                            f"{show(inferred)}; fix the equation or the units= text")
        if node.kind == "stock" and not node.hidden:
            if node.initial is not None:
                initial = self.expr(node.initial)
                if not same_units(node.units, initial):
                    self._error(f"stock in {show(node.units)} starts from a value in "
                                f"{show(initial)}")
            if node.units is not None and self.time is not None:
                expected = node.units / self.time
                for flow_key in node.inflows + node.outflows:
                    flow = self.nodes[flow_key]
                    if not same_units(flow.units, expected):
                        self._error(f"flow '{flow.name}' is in {show(flow.units)} but a flow "
                                    f"of this stock must be in {show(expected)} (stock units "
                                    "per time unit)", flow.name)
