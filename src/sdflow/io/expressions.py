"""pysd's abstract syntax trees -> sdflow expression trees (never strings, never eval).

`ExpressionTranslator.translate` maps each node of an equation's tree to DSL nodes and
tracks the dimensions of what it builds, so per-element definitions can be assembled.
A function sdflow cannot reproduce exactly raises `UnsupportedFeatureError` naming the
function and the variable.
"""

from __future__ import annotations

import math

import numpy as np

from ..dsl.allocation import allocate_by_priority
from ..dsl import functions as fn
from ..dsl import stateful as st
from ..expr.broadcast import union
from ..expr.builtins import BUILTINS, REDUCTIONS, vensim_key
from ..expr.nodes import Literal, Noise, Reduce, Reindex, Select, as_expr
from ..expr.random_draws import RANDOM_DRAWS
from ..errors import ImportModelError, UnsupportedFeatureError
from . import xmile_random


#: Vensim's :NA: (a missing value) is the number -2^109.
NA = -(2.0 ** 109)


class Term:
    """An expression with the dimensions it varies over."""

    __slots__ = ("expr", "dims")

    def __init__(self, expr, dims: tuple = ()):
        self.expr, self.dims = as_expr(expr), tuple(dims)


def _sinh(x):
    return (fn.exp(x) - fn.exp(-x)) / 2.0


def _cosh(x):
    return (fn.exp(x) + fn.exp(-x)) / 2.0


def _arcsin(x):
    return fn.arctan(x / fn.sqrt(1.0 - x * x))


def _quantum(a, q):
    return fn.if_then_else(q <= 0, a, q * fn.integer(a / q))


#: Elementwise functions: pysd's name -> (number of arguments, builder of the DSL node):
#: the registry's builtins by their Vensim names (`sdflow.expr.builtins`), then the
#: functions Vensim and XMILE have that are built from them, and PySD's own spellings.
ELEMENTWISE = {
    **{vensim_key(b.vensim): (b.arity, getattr(fn, name)) for name, b in BUILTINS.items()
       if b.vensim is not None and not b.operator},
    "arcsin": (1, _arcsin), "arccos": (1, lambda x: math.pi / 2 - _arcsin(x)),
    "sinh": (1, _sinh), "cosh": (1, _cosh), "tanh": (1, lambda x: _sinh(x) / _cosh(x)),
    "power": (2, lambda a, b: a ** b), "quantum": (2, _quantum),
    "log10": (1, lambda x: fn.log(x, 10.0)),  # XMILE's LOG10
    "Xramp": (2, fn.ramp),  # XMILE's two-argument RAMP
    # pysd orders Vensim's PULSE TRAIN arguments as (start, interval, width, end)
    "pulse_train": (4, lambda s, i, w, e: fn.pulse_train(s, w, i, e)),
    "pi": (0, lambda: Literal(math.pi)),
    "active_initial": (2, st.active_initial),
}
#: Reductions over ``dim!`` ranges: pysd's name -> the registry's reduction
REDUCERS = {vensim_key(r.vensim): name for name, r in REDUCTIONS.items()
            if r.vensim is not None}
#: Vensim's comparison operators that are builtins (``=``, ``<>``)
OPERATORS = {b.vensim: getattr(fn, name) for name, b in BUILTINS.items() if b.operator}
ARITHMETIC = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
              "^": "__pow__"}
COMPARISONS = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


#: Vensim's RANDOM functions: pysd's name -> (distribution, number of arguments with the
#: stream ID last), from `sdflow.expr.random_draws`. RANDOM 0 1 is uniform between 0 and 1
#: on the default stream.
RANDOM = {
    "random_0_1": ("uniform", 0),
    **{vensim_key(d.vensim): (name, d.arity + 1) for name, d in RANDOM_DRAWS.items()},
}

#: Vensim's RANDOM functions sdflow refuses, with why: pysd's name -> what the refusal says
RANDOM_REFUSED = {
    # Vensim's documentation: "RANDOM LOOKUP(look,m,x,h,r,s) RANDOM number using LOOKUP
    # PDF". A draw carries numbers (`sdflow.expr.nodes.Noise`), not a table to invert,
    # and how Vensim normalises the table and treats its ends is not documented
    "random_lookup": "RANDOM LOOKUP (a draw from a lookup used as a probability density is "
                     "not implemented; draw from a named distribution such as RANDOM "
                     "TRIANGULAR, or read the lookup's inverse distribution function at "
                     "RANDOM UNIFORM(0, 1, stream))",
    # Vensim's page describes Ed Anderson's pink noise structure (normal white noise,
    # scaled for the time step, smoothed over the correlation time) without the
    # equations the function runs, so its numbers cannot be checked against it
    "random_pink_noise": "RANDOM PINK NOISE (Vensim documents it as Ed Anderson's pink "
                         "noise structure but not the equations it runs; write that "
                         "structure out: a stock smoothing mean + std deviation * RANDOM "
                         "NORMAL(...) draws, scaled for the time step, over the correlation "
                         "time)",
    "random_lognormal": "RANDOM LOGNORMAL (not one of Vensim's RANDOM functions, so its "
                        "arguments have no documented meaning; write EXP(RANDOM NORMAL(...))"
                        " with the normal's mean and standard deviation of the logarithm)",
}


#: Functions that read a named lookup at a value: pysd's name -> the interpolation
#: (`sdflow.io.lookups.variant`). Vensim's LOOKUP EXTRAPOLATE and friends read it another
#: way; XMILE's LOOKUP(gf, x) (None) reads it the graphical function's own way.
LOOKUP_MODES = {"lookup_extrapolate": "extrapolate", "lookup_backward": "hold_backward",
                "lookup_forward": "look_forward", "lookup": None}


#: The largest matrix INVERT MATRIX writes out (its adjugate grows as n!)
MATRIX_LIMIT = 4


def _determinant(a):
    """The determinant of a square list of lists of expressions (Laplace expansion)."""
    if len(a) == 1:
        return a[0][0]
    if len(a) == 2:
        return a[0][0] * a[1][1] - a[0][1] * a[1][0]
    total = None
    for j in range(len(a)):
        minor = [row[:j] + row[j + 1:] for row in a[1:]]
        term = a[0][j] * _determinant(minor)
        total = term if total is None else (total - term if j % 2 else total + term)
    return total


def _positions(dim):
    """0, 1, ..., n-1 along ``dim``, as an expression."""
    n = len(dim)
    terms = [k * Reindex(Literal(1.0), None, dim, [0 if j == k else -1 for j in range(n)])
             for k in range(1, n)]
    return sum(terms[1:], terms[0]) if terms else Literal(0.0)


class ExpressionTranslator:
    """Translates the equations of one variable.

    Parameters
    ----------
    variable : str
        Name of the variable being translated (for error messages).
    resolve : callable
        ``resolve(py_name, subscripts, term_of_args) -> Term`` for a reference (or a call of
        a lookup or macro); supplied by the model builder.
    space : SubscriptSpace
        The model's dimensions.
    """

    def __init__(self, variable: str, resolve, space, make_lookup, defines=None,
                 constant=None, dt: float | None = None, start: float = 0.0):
        #: the run's initial time (GET TIME VALUE relative to it)
        self.start = start
        self.defines = defines or (lambda name: False)
        self.sample_if_true = None
        self.constant = constant or (lambda node: None)
        self.dt = dt
        self.variable = variable
        self.resolve = resolve
        self.space = space
        self.make_lookup = make_lookup
        #: set while a LOOKUP EXTRAPOLATE/BACKWARD/FORWARD resolves its table
        self.lookup_mode = None
        self.banged: set = set()
        #: inside SUM, VECTOR SELECT..., ``x[dim!]`` varies over a copy of ``dim``
        self.bang_copies = False

    def error(self, message: str, cls=ImportModelError):
        return cls(f"variable '{self.variable}': {message}", self.variable)

    def unsupported(self, what: str):
        return self.error(f"uses {what}, which sdflow does not support yet; rewrite that "
                          "equation with supported functions", UnsupportedFeatureError)

    # -- entry -------------------------------------------------------------------------
    def translate(self, node) -> Term:
        if isinstance(node, (bool, np.bool_)):
            return Term(float(node))
        if isinstance(node, (int, float, np.integer, np.floating)):
            if math.isnan(node):
                return Term(NA)
            return Term(float(node))
        if isinstance(node, np.ndarray):
            raise self.error("an array of numbers inside an expression; declare it as a "
                             "separate constant")
        if node is None:
            raise self.error("a missing argument")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.unsupported(type(node).__name__.replace("Structure", "").upper())
        return method(node)

    def _many(self, nodes) -> list[Term]:
        return [self.translate(n) for n in nodes]

    # -- plain nodes -------------------------------------------------------------------
    def _ReferenceStructure(self, node) -> Term:
        subs = list(node.subscripts.subscripts) if node.subscripts else []
        if node.reference == "dt" and not subs:
            return self._dt()
        term = self.resolve(node.reference, subs, None, self)
        if self.bang_copies:
            for text in subs:
                rng = self.space.range_name(text) if text.endswith("!") else None
                dim = self.space.dims[rng] if rng else None
                if dim is not None and dim in term.dims:
                    copy = self.space.banged_copy(dim)
                    self.banged.discard(dim)
                    self.banged.add(copy)
                    term = Term(Reindex(term.expr, dim, copy, range(len(dim))),
                                tuple(copy if d is dim else d for d in term.dims))
        return term

    def _ArithmeticStructure(self, node) -> Term:
        args = self._many(node.arguments)
        if node.operators == ["negative"]:
            return Term(-args[0].expr, args[0].dims)
        if node.operators and all(op == "^" for op in node.operators):
            return self._power(node.arguments, args)
        result = args[0]
        for op, arg in zip(node.operators, args[1:]):
            if op not in ARITHMETIC:
                raise self.unsupported(f"the operator '{op}'")
            expr = getattr(result.expr, ARITHMETIC[op])(arg.expr)
            result = Term(expr, union(result.dims, arg.dims))
        return result

    def _power(self, nodes, args) -> Term:
        # Vensim's ^ groups to the right, and binds tighter than a negative number's sign
        # (-2^2 = -4), as in PySD's generated Python
        result = args[-1]
        for node, arg in zip(reversed(nodes[:-1]), reversed(args[:-1])):
            if isinstance(node, (int, float)) and node < 0:
                expr = -(Literal(-float(node)) ** result.expr)
            else:
                expr = arg.expr ** result.expr
            result = Term(expr, union(arg.dims, result.dims))
        return result

    def _LogicStructure(self, node) -> Term:
        args = self._many(node.arguments)
        ops = [o.lower() for o in node.operators]
        if ops in (["not"], [":not:"]):
            return Term(~args[0].expr, args[0].dims)
        result = args[0]
        for op, arg in zip(ops, args[1:]):
            a, b = result.expr, arg.expr
            if op in COMPARISONS:
                expr = getattr(a, COMPARISONS[op])(b)
            elif op in OPERATORS:
                expr = OPERATORS[op](a, b)
            elif op in (":and:", "and"):
                expr = a & b
            elif op in (":or:", "or"):
                expr = a | b
            else:
                raise self.unsupported(f"the operator '{op}'")
            result = Term(expr, union(result.dims, arg.dims))
        return result

    def _CallStructure(self, node) -> Term:
        name = node.function.reference
        if self.defines(name):  # the model's lookups and macros come before builtins
            ref = node.function.subscripts
            return self.resolve(name, list(ref.subscripts) if ref else [], node.arguments,
                                self)
        if name in ELEMENTWISE:
            count, builder = ELEMENTWISE[name]
            if len(node.arguments) != count:
                raise self.error(f"{name.upper()} takes {count} argument(s), got "
                                 f"{len(node.arguments)}")
            args = self._many(node.arguments)
            return Term(builder(*(a.expr for a in args)), union(*(a.dims for a in args)))
        if name in REDUCERS:
            (arg,), banged = self._banged_terms(node.arguments[:1])
            expr, dims = arg.expr, arg.dims
            for dim in [d for d in dims if d in banged]:
                expr = Reduce(REDUCERS[name], expr, dim)
            return Term(expr, tuple(d for d in dims if d not in banged))
        if name == "get_time_value":
            from .vensim_time_value import get_time_value  # it builds on this module
            return get_time_value(self, node.arguments, self.start)
        if name in RANDOM:
            return self._random(name, node.arguments)
        if name in RANDOM_REFUSED:
            raise self.unsupported(RANDOM_REFUSED[name])
        if name in xmile_random.READERS:
            return self._xmile_random(name, node.arguments)
        if name == "vector_lookup":
            return self._vector_lookup(node.arguments)
        if name == "vector_select":
            return self._vector_select(node.arguments)
        if name in ("vector_sort_order", "vector_rank"):
            return self._vector_order(name, node.arguments)
        if name in LOOKUP_MODES:
            return self._lookup_mode(name, node.arguments)
        if name == "invert_matrix":
            return self._invert_matrix(node.arguments)
        if name == "vector_reorder":
            return self._vector_reorder(node.arguments)
        if name in ("Xpulse", "Xpulse_train"):
            return self._xmile_pulse(name, node.arguments)
        if name in ("vmin_xmile", "vmax_xmile") and len(node.arguments) == 1:
            return self._whole_array(name[1:4], node.arguments[0])
        if name == "previous":
            return self._previous(node.arguments)
        if name == "allocate":
            return self._stella_allocation(node.arguments)
        if name == "allocate_by_priority":
            return self._simlin_allocation(node.arguments)
        if name == "elmcount":
            ref = node.arguments[0]
            rng = self.space.range_name(getattr(ref, "reference", ""))
            if rng is None:
                raise self.error("ELMCOUNT needs a subscript range")
            return Term(float(len(self.space.ranges[rng])))
        return self.resolve(name, [], node.arguments, self)

    def _random(self, name: str, nodes) -> Term:
        """A RANDOM function: draws over the component's dimensions at every time step.

        The last argument is Vensim's stream ID, which must be a number or a constant
        (Vensim's documentation: "almost always 0 or ... a constant").
        """
        dist, count = RANDOM[name]
        label = name.upper().replace("_", " ").replace("0 1", "0 1()")
        if len(nodes) != count:
            raise self.error(f"{label} takes {count} argument(s), got {len(nodes)}")
        if not count:
            args, stream = [Term(0.0), Term(1.0)], 0.0
        else:
            stream = self.constant(nodes[-1])
            if stream is None:
                raise self.unsupported(f"{label} with a stream ID that is not a constant")
            args = self._many(nodes[:-1])
        dims = union(tuple(getattr(self, "lhs", None) or ()), *(a.dims for a in args))
        return Term(Noise(dist, [a.expr for a in args], stream, dims), dims)

    def _xmile_random(self, name: str, nodes) -> Term:
        """XMILE's RANDOM, NORMAL, EXPRND or POISSON: untruncated draws over the
        component's dimensions at every time step (`sdflow.io.xmile_random`); the optional
        seed, which must be a number or a constant, is read as Vensim's stream ID."""
        function, count = xmile_random.READERS[name]
        if len(nodes) not in (count, count + 1):
            raise self.error(f"{function} takes {count} argument(s) and an optional seed, "
                             f"got {len(nodes)}")
        seed = 0.0
        if len(nodes) > count:
            seed = self.constant(nodes[-1])
            if seed is None:
                raise self.unsupported(f"{function} with a seed that is not a constant")
        args = self._many(nodes[:count])
        dims = union(tuple(getattr(self, "lhs", None) or ()), *(a.dims for a in args))
        draw = xmile_random.read_draw(function, [a.expr for a in args], seed)
        return Term(Noise(draw.dist, draw.args, draw.stream, dims), dims)

    def _whole_vector(self, node) -> Term:
        """VECTOR LOOKUP's first argument, ``vec[first element]``, as the whole vector
        along its last subscript (Vensim: "always called with the first element")."""
        ref = getattr(node, "reference", None)
        subs = list(node.subscripts.subscripts) if getattr(node, "subscripts", None) else []
        whole = self.resolve(ref, [], None, self) if ref is not None else None
        if whole is None or not subs or not whole.dims:
            raise self.error("VECTOR LOOKUP needs a subscripted variable as its vector, "
                             "e.g. VECTOR LOOKUP(table[first element], x, 0, 10, 0)")
        dim = whole.dims[-1]
        last = subs[-1]
        if self.space.range_name(last) is None:
            if self.space.element_name(last) != dim.elements[0]:
                raise self.error(f"VECTOR LOOKUP reads '{ref}' from its first element "
                                 f"'{dim.elements[0]}' on, not from '{last}'")
            subs[-1] = next(r for r, d in self.space.dims.items() if d is dim)
        return self.resolve(ref, subs, None, self)

    def _vector_lookup(self, nodes) -> Term:
        """VECTOR LOOKUP(vec, x, xmin, xmax, mode): ``vec`` along its last dimension as
        the y values of a lookup over ``n`` points equally spaced from ``xmin`` to ``xmax``.

        Vensim's documented modes 0 (interpolate, ends held), 2 (LOOKUP BACKWARD: the
        value of the point at or before x), 3 (LOOKUP EXTRAPOLATE: the end segments
        continued) and 4 (LOOKUP FORWARD: the point at or after x), for a constant mode;
        the area, invert and slope modes are refused. Built from sums over the vector's
        dimension, so every engine and path runs it.
        """
        if len(nodes) != 5:
            raise self.error(f"VECTOR LOOKUP takes 5 arguments, got {len(nodes)}")
        mode = self.constant(nodes[4])
        if mode not in (0, 2, 3, 4):
            raise self.unsupported(f"VECTOR LOOKUP with mode {mode} (sdflow runs modes 0, 2, "
                                   "3 and 4 given as numbers or constants)")
        vector = self._whole_vector(nodes[0])
        x, lo, hi = self._many(nodes[1:4])
        dim = vector.dims[-1]
        n = len(dim)
        if n < 2:
            raise self.error(f"VECTOR LOOKUP needs a vector of 2 or more elements; "
                             f"'{dim.name}' has {n}")
        at = _positions(dim)
        u = (x.expr - lo.expr) / ((hi.expr - lo.expr) / float(n - 1))  # in points from xmin
        inside = fn.min(fn.max(u, 0.0), float(n - 1))
        if mode == 2:
            weight = fn.if_then_else(fn.eq(at, fn.integer(inside)), 1.0, 0.0)
        elif mode == 4:
            ceiling = float(n - 1) - fn.integer(float(n - 1) - inside)
            weight = fn.if_then_else(fn.eq(at, ceiling), 1.0, 0.0)
        else:
            weight = fn.max(0.0, 1.0 - fn.abs(inside - at))
        expr = Reduce("sum", weight * vector.expr, dim)
        if mode == 3:
            first, second = (Select(vector.expr, dim.name, dim.elements[i]) for i in (0, 1))
            before, end = (Select(vector.expr, dim.name, dim.elements[i]) for i in (-2, -1))
            expr = expr + fn.if_then_else(u < 0.0, u * (second - first), 0.0) + \
                fn.if_then_else(u > float(n - 1), (u - float(n - 1)) * (end - before), 0.0)
        rest = tuple(d for d in vector.dims if d is not dim)
        return Term(expr, union(rest, x.dims, lo.dims, hi.dims))

    def _dt(self) -> Term:
        """XMILE's DT (the time step), unless the model defines a variable ``dt``."""
        try:
            return self.resolve("dt", [], None, self)
        except ImportModelError:
            if self.dt is None:
                raise self.unsupported("DT in a model whose time step changes during "
                                       "the run") from None
            return Term(float(self.dt))

    def _previous(self, nodes) -> Term:
        """XMILE's PREVIOUS(x, initial): x one time step ago, ``initial`` at the start.

        With Euler steps this is a pipeline of exactly one step, DELAY FIXED by DT.
        """
        if len(nodes) != 2:
            raise self.unsupported("PREVIOUS without its initial value (write "
                                   "PREVIOUS(x, initial value))")
        if self.dt is None:
            raise self.unsupported("PREVIOUS in a model whose time step changes during "
                                   "the run")
        value, initial = self._many(nodes)
        return Term(st.delay_fixed(value.expr, float(self.dt), initial.expr),
                    union(value.dims, initial.dims))

    def _whole_array(self, op: str, node) -> Term:
        """XMILE's one-argument MIN/MAX: the extreme over the dimensions the argument
        marks with ``dim!`` or ``*`` (read as ``dim!``), or over the whole array of a
        name written without subscripts (also inside an expression: ``MIN(v * v - 3)``).
        A dimension written plainly must be one of the variable's own (apply-to-all):
        ``MAX(a[dim])`` in a variable without ``dim`` states no reduction, and is refused. An argument without dimensions is its own
        extreme (``MAX(MAX(g[d!, e!]))``, as `write_xmile` nests reductions)."""
        function = op.upper()
        if getattr(node, "reference", None) is not None \
                and getattr(node, "subscripts", None) is None:
            arg = self.translate(node)  # the whole array
            expr = arg.expr
            for dim in arg.dims:
                expr = Reduce(op, expr, dim)
            return Term(expr)
        (arg,), banged = self._banged_terms([node])
        own = tuple(getattr(self, "lhs", None) or ())
        written = self._written_ranges(node)
        loose = [d.name for d in arg.dims if d not in banged and d not in own and d in written]
        if loose:
            raise self.error(
                f"one-argument {function} reduces the dimensions its argument marks with "
                f"dim! or * (XMILE 1.0), but {loose} are marked neither way and are not "
                f"dimensions of the variable; write e.g. {function}(a[dim!]) or "
                f"{function}(a[*])")
        reduced = [d for d in arg.dims if d in banged or d not in written]
        expr = arg.expr
        for dim in reduced:
            expr = Reduce(op, expr, dim)
        return Term(expr, tuple(d for d in arg.dims if d not in reduced))

    def _written_ranges(self, node) -> set:
        """The dimensions that references in ``node`` name in plain subscripts
        (``a[dim]``, not ``a[dim!]``); the others come from names written without
        subscripts, which stand for their whole arrays."""
        found = set()
        subscripts = getattr(node, "subscripts", None)
        if getattr(node, "reference", None) is not None and subscripts is not None:
            for text in subscripts.subscripts:
                rng = None if text.endswith("!") else self.space.range_name(text)
                if rng is not None:
                    found.add(self.space.dims[rng])
        for value in getattr(node, "__dict__", {}).values():
            for child in value if isinstance(value, (list, tuple)) else (value,):
                if hasattr(child, "__dataclass_fields__"):
                    found |= self._written_ranges(child)
        return found

    def _vector_order(self, name: str, nodes) -> Term:
        """VECTOR SORT ORDER and VECTOR RANK along the last dimension of the vector.

        PySD's semantics (Vensim's documentation): SORT ORDER gives at each position the
        0-based index of the element that sorts there, ascending for a direction > 0 and
        the reverse of that otherwise; RANK gives each element's 1-based place in that
        order. Equal values keep their index order (a stable sort), as numpy's argsort
        does on vectors of this size. Built from pairwise comparisons with a copy of the
        dimension, so every engine runs it as sums of array expressions.
        """
        vector, direction = self._many(nodes)
        if not vector.dims:
            raise self.error(f"{name.upper().replace('_', ' ')} needs a subscripted vector")
        dim = vector.dims[-1]
        n = len(dim)
        copy = self.space.banged_copy(dim)

        def along_copy(expr):
            return Reindex(expr, dim, copy, range(n))

        x, x_other = vector.expr, along_copy(vector.expr)
        before = (x_other < x) | (fn.eq(x_other, x) & (_positions(copy) < _positions(dim)))
        rank = Reduce("sum", fn.if_then_else(before, 1.0, 0.0), copy)  # 0-based, ascending
        if name == "vector_rank":
            ascending, descending = rank + 1.0, n - rank
        else:
            def order(place):  # the index of the element whose rank is ``place``
                hit = fn.eq(along_copy(rank), place)
                return Reduce("sum", fn.if_then_else(hit, _positions(copy), 0.0), copy)
            ascending, descending = order(_positions(dim)), order((n - 1) - _positions(dim))
        fixed = self.constant(nodes[1])
        if fixed is not None:
            expr = ascending if fixed > 0 else descending
        else:
            expr = fn.if_then_else(direction.expr > 0, ascending, descending)
        return Term(expr, union(vector.dims, direction.dims))

    def _lookup_mode(self, name: str, nodes) -> Term:
        """Vensim's LOOKUP EXTRAPOLATE(table, x), LOOKUP BACKWARD(table, x) and LOOKUP
        FORWARD(table, x): the model's lookup ``table`` at x, continuing its end segments,
        or holding the value of the point at or before x, or taking the point at or after
        x (Vensim's documentation; PySD has none of them). XMILE's LOOKUP(gf, x): the
        graphical function ``gf`` at x, as its own type interpolates (XMILE 1.0's
        builtin; isee's documentation of LOOKUP), the same as ``gf(x)``."""
        label = name.upper().replace("_", " ")
        ref = nodes[0] if nodes else None
        if len(nodes) != 2 or not self.defines(getattr(ref, "reference", None)):
            raise self.error(f"{label} takes the name of a lookup and a value, e.g. "
                             f"{label}(my table, Time)")
        subs = list(ref.subscripts.subscripts) if getattr(ref, "subscripts", None) else []
        self.lookup_mode = LOOKUP_MODES[name]
        try:
            return self.resolve(ref.reference, subs, [nodes[1]], self)
        finally:
            self.lookup_mode = None

    def _vector_reorder(self, nodes) -> Term:
        """VECTOR REORDER(vec, order): at each position i, ``vec[order[i]]``, along the last
        dimension of ``vec``; ``order`` holds 0-based positions, as VECTOR SORT ORDER gives
        them (Vensim's documentation; PySD's ``vector[svector]``). A position outside the
        vector selects nothing (0). Built as a sum over a copy of the dimension, like
        VECTOR SORT ORDER, so every engine runs it.
        """
        if len(nodes) != 2:
            raise self.error(f"VECTOR REORDER takes 2 arguments, got {len(nodes)}")
        vector, order = self._many(nodes)
        if not vector.dims:
            raise self.error("VECTOR REORDER needs a subscripted vector")
        dim = vector.dims[-1]
        if dim not in order.dims:
            raise self.error(f"VECTOR REORDER: the order must be subscripted by the "
                             f"vector's last range '{dim.name}'")
        copy = self.space.banged_copy(dim)
        moved = Reindex(vector.expr, dim, copy, range(len(dim)))
        hit = fn.eq(order.expr, _positions(copy))
        expr = Reduce("sum", fn.if_then_else(hit, moved, 0.0), copy)
        return Term(expr, union(vector.dims, order.dims))

    def _invert_matrix(self, nodes) -> Term:
        """INVERT MATRIX(m): the inverse of the square matrix over the last two dimensions
        of ``m`` (PySD's ``np.linalg.inv`` on them), for matrices of up to
        `MATRIX_LIMIT` rows, written out as the adjugate over the determinant (Laplace
        expansion), so every engine and path runs it. A singular matrix gives infinite or
        NaN values, which stop the run naming the variable.
        """
        if len(nodes) != 1:
            raise self.error(f"INVERT MATRIX takes 1 argument, got {len(nodes)}")
        matrix = self.translate(nodes[0])
        if len(matrix.dims) < 2:
            raise self.error("INVERT MATRIX needs a matrix: a variable subscripted by two "
                             "ranges of the same size")
        rows, cols = matrix.dims[-2:]
        n = len(rows)
        if len(cols) != n:
            raise self.error(f"INVERT MATRIX needs a square matrix; '{rows.name}' has {n} "
                             f"elements and '{cols.name}' {len(cols)}")
        if n > MATRIX_LIMIT:
            raise self.unsupported(f"INVERT MATRIX of a {n} x {n} matrix (sdflow inverts "
                                   f"matrices of up to {MATRIX_LIMIT} rows)")
        a = [[Select(Select(matrix.expr, rows.name, r), cols.name, c) for c in cols.elements]
             for r in rows.elements]
        det = _determinant(a)
        total = None
        for i in range(n):
            for j in range(n):
                # (A^-1)[i, j] = (-1)^(i+j) * minor(j, i) / det
                minor = [[a[r][c] for c in range(n) if c != i] for r in range(n) if r != j]
                value = (_determinant(minor) if n > 1 else Literal(1.0)) / det
                if (i + j) % 2:
                    value = -value
                place = Reindex(value, None, rows, [0 if k == i else -1 for k in range(n)])
                place = Reindex(place, None, cols, [0 if k == j else -1 for k in range(n)])
                total = place if total is None else total + place
        return Term(total, matrix.dims)

    def _xmile_pulse(self, name: str, nodes) -> Term:
        """XMILE's PULSE(magnitude, first time[, interval]), which PySD's parser passes as
        (first time[, interval], magnitude): ``magnitude / DT`` for one time step at the
        first time and, with an interval above 0, every interval after it (the XMILE 1.0
        standard; PySD's ``pulse(time, start, repeat_time, magnitude=...)``). Built on
        Vensim's PULSE and PULSE TRAIN with a width of half a time step, so the step the
        pulse falls in is the one that sees it.
        """
        if self.dt is None:
            raise self.unsupported("XMILE's PULSE in a model whose time step changes "
                                   "during the run")
        args = self._many(nodes)
        dt = float(self.dt)
        start, magnitude = args[0].expr, args[-1].expr
        pulse = fn.pulse(start, dt / 2.0)
        if name == "Xpulse_train":  # an interval of 0 or less: one pulse
            interval = args[1].expr
            train = fn.pulse_train(start, dt / 2.0, interval, math.inf)
            fixed = self.constant(nodes[1])
            if fixed is not None:
                pulse = train if fixed > 0 else pulse
            else:
                pulse = fn.if_then_else(interval > 0, train, pulse)
        return Term(magnitude / dt * pulse, union(*(a.dims for a in args)))

    def _banged_terms(self, nodes) -> tuple[list[Term], set]:
        """Arguments of SUM, PROD, VMIN, VMAX or VECTOR SELECT, and the ranges to reduce.

        As in Vensim (and PySD), ``x[dim!]`` varies over a copy of ``dim`` that the
        function reduces, apart from ``dim`` itself: ``SUM(a[dim!] * b[dim])`` is
        ``b[dim] * SUM(a[dim!])``.
        """
        outer = (self.banged, self.bang_copies)
        self.banged, self.bang_copies = set(), True
        try:
            return self._many(nodes), self.banged
        finally:
            self.banged, self.bang_copies = outer

    def _vector_select(self, nodes) -> Term:
        """VECTOR SELECT as sdflow reductions over the ``dim!`` ranges of its arrays.

        PySD's semantics: the numerical action picks sum, product, min, max or mean of
        selection * expression (0-4), expression ^ selection (5) or expression (6-10) over
        the non-zero selections; ``missing`` where nothing is selected. Arrays over
        different ``dim!`` ranges are broadcast against each other (an outer product)
        before the reduction over all of them. The error action is not checked.
        """
        (selection, values), banged = self._banged_terms(nodes[:2])
        missing, action = self._many(nodes[2:4])
        dims = union(selection.dims, values.dims)
        over = [d for d in dims if d in banged]
        if not over:
            raise self.error("VECTOR SELECT needs its arrays subscripted by dim! ranges")
        chosen = fn.ne(selection.expr, 0)
        weighted = selection.expr * values.expr
        raised = values.expr ** selection.expr

        def reduce(op, expr, neutral, expr_dims=dims):
            expr = fn.if_then_else(chosen, expr, neutral)
            for dim in over:
                if dim in expr_dims:
                    expr = Reduce(op, expr, dim)
            return expr

        count = reduce("sum", Literal(1.0), 0.0, selection.dims)
        # arrays over different dim! ranges meet as an outer product (as in Vensim and
        # PySD), so each selected entry is paired with every element of the other ranges
        pairs = math.prod(len(d) for d in over if d not in selection.dims)
        result = None
        for codes, value in (((0, 1, 2, 3, 4), weighted), ((5,), raised),
                             ((6, 7, 8, 9, 10), values.expr)):
            for code in codes:
                kind = code if code < 5 else (1 if code == 5 else code - 6)
                op = ("sum", "prod", "min", "max", "sum")[kind]
                neutral = (0.0, 1.0, math.inf, -math.inf, 0.0)[kind]
                reduced = reduce(op, value, neutral)
                if kind == 4:
                    reduced = reduced / fn.max(count * float(pairs), 1.0)
                result = reduced if result is None else fn.if_then_else(
                    fn.eq(action.expr, code), reduced, result)
        result = fn.if_then_else(count > 0, result, missing.expr)
        rest = union(*(t.dims for t in (missing, action)))
        return Term(result, union(tuple(d for d in dims if d not in banged), rest))

    # -- builtins with memory ------------------------------------------------------------
    def _IntegStructure(self, node) -> Term:
        raise self.error("INTEG inside an expression; a stock must be defined by INTEG alone")

    def _stateful(self, builder, *nodes) -> Term:
        args = self._many(nodes)
        return Term(builder(*(a.expr for a in args)), union(*(a.dims for a in args)))

    def _delay(self, node, order: int) -> Term:
        # Vensim (and PySD) lower a material delay's order while order * dt exceeds the
        # delay time, read at the start; done here when the delay time is a constant
        delay = self.constant(node.delay_time)
        if delay is not None and self.dt:
            while order > 1 and order * self.dt > delay:
                order -= 1
        if order in (1, 3):
            builder = st.delay1i if order == 1 else st.delay3i
            return self._stateful(builder, node.input, node.delay_time, node.initial)
        args = self._many((node.input, node.delay_time, node.initial))
        expr = st.delay_n(*(a.expr for a in args), order=order)
        return Term(expr, union(*(a.dims for a in args)))

    def _DelayStructure(self, node) -> Term:
        return self._delay(node, int(node.order))

    def _SmoothStructure(self, node) -> Term:
        builder = st.smoothi if node.order == 1 else st.smooth3i
        return self._stateful(builder, node.input, node.smooth_time, node.initial)

    def _order(self, node, what: str) -> int:
        # Vensim reads the order once, at initialisation, and PySD truncates it to a whole
        # number; the order sets how many hidden stocks the delay has, so it is folded here
        # from numbers and constants (a later change of those constants keeps this order)
        order = node.order
        if not isinstance(order, (int, float, np.integer, np.floating)):
            order = self.constant(order)
        if order is not None and np.isfinite(order) and int(order) >= 1:
            return int(order)
        if order is not None:
            raise self.error(f"{what} with order {order!r}: the order must be at least 1")
        raise self.unsupported(f"{what} with an order that is not an expression of numbers "
                               "and constants (the order sets the number of stages, fixed "
                               "when the model is built)")

    def _DelayNStructure(self, node) -> Term:
        return self._delay(node, self._order(node, "DELAY N"))

    def _SmoothNStructure(self, node) -> Term:
        order = self._order(node, "SMOOTH N")
        args = self._many((node.input, node.smooth_time, node.initial))
        expr = st.smooth_n(*(a.expr for a in args), order=order)
        return Term(expr, union(*(a.dims for a in args)))

    def _DelayFixedStructure(self, node) -> Term:
        return self._stateful(st.delay_fixed, node.input, node.delay_time, node.initial)

    def _TrendStructure(self, node) -> Term:
        return self._stateful(st.trend, node.input, node.average_time, node.initial_trend)

    def _ForecastStructure(self, node) -> Term:
        # XMILE's FORCST may give an initial trend: it starts the average as TREND's does
        # (input / (1 + initial trend * averaging time)), so the first trend is the one given
        if isinstance(node.initial_trend, (int, float)) and node.initial_trend == 0:
            return self._stateful(st.forecast, node.input, node.average_time, node.horizon)
        return self._stateful(st.forecast, node.input, node.average_time, node.horizon,
                              node.initial_trend)

    def _InitialStructure(self, node) -> Term:
        return self._stateful(st.initial, node.initial)

    # -- lookups -----------------------------------------------------------------------
    def _InlineLookupsStructure(self, node) -> Term:
        arg = self.translate(node.argument)
        lookup = self.make_lookup(self.variable, node.lookups)
        return Term(lookup(arg.expr), arg.dims)

    def _GameStructure(self, node) -> Term:
        """GAME(x): a value the player may override while gaming; in a simulation, x
        (Vensim's documentation; PySD does the same)."""
        return self.translate(node.expression)

    def _SampleIfTrueStructure(self, node):
        if self.sample_if_true is None:
            raise self.unsupported("SAMPLE IF TRUE")
        args = self._many((node.condition, node.input, node.initial))
        return self.sample_if_true(self.variable, *args)

    def _AllocateByPriorityStructure(self, node) -> Term:
        """ALLOCATE BY PRIORITY: the targets are the request's last subscript (as PySD)."""
        return self._by_priority(*self._many(
            (node.request, node.priority, node.width, node.supply)))

    def _by_priority(self, request: Term, priority: Term, width: Term, supply: Term,
                     over=None, function: str = "ALLOCATE BY PRIORITY") -> Term:
        """Vensim's allocation of ``supply`` along ``over`` (the request's last range if
        None), after checking which arguments vary along it."""
        if over is None:
            if not request.dims:
                raise self.error(f"{function} needs a subscripted request")
            over = request.dims[-1]
        if over not in request.dims:
            raise self.error(f"{function}: the request must vary over the allocation range "
                             f"'{over.name}'")
        if over not in priority.dims:
            raise self.error(f"{function}: the priority must be subscripted by "
                             f"the request's last range '{over.name}'")
        for role, term in (("width", width), ("supply", supply)):
            if over in term.dims:
                raise self.error(f"{function}: the {role} must not be subscripted "
                                 f"by the allocation range '{over.name}'")
        expr = allocate_by_priority(request.expr, priority.expr, width.expr, supply.expr,
                                    over=over)
        return Term(expr, union(request.dims, priority.dims, width.dims, supply.dims))

    def _simlin_allocation(self, nodes) -> Term:
        """Simlin's ``allocate_by_priority(request, priority, size, width, supply)``, the
        form Simlin writes Vensim's ALLOCATE BY PRIORITY in XMILE: Vensim's arguments, the
        targets the request's last dimension (the size, ``SIZE(dim)``, is not needed)."""
        if len(nodes) != 5:
            raise self.error(f"allocate_by_priority takes the request, the priority, the "
                             f"size, the width and the supply, got {len(nodes)} arguments")
        request, priority, _, width, supply = nodes
        return self._by_priority(*self._many((request, priority, width, supply)))

    def _stella_allocation(self, nodes) -> Term:
        """Stella's ``ALLOCATE(availability, dimension, request, priority, width, profile
        type)`` with the rectangular profile (type 1), which is Vensim's ALLOCATE BY
        PRIORITY (`sdflow.io.xmile_equations` says why); the request and priority name the
        dimension with ``*`` (or ``dim!``), or are whole arrays."""
        if len(nodes) != 6:
            raise self.error(
                f"ALLOCATE takes the availability, the dimension, the requests, the "
                f"priorities, the width and the priority profile type, got {len(nodes)} "
                "arguments; sdflow reads the rectangular profile (type 1) only, which is "
                "Vensim's ALLOCATE BY PRIORITY")
        named = getattr(nodes[1], "reference", None)
        rng = self.space.range_name(named) if isinstance(named, str) \
            and getattr(nodes[1], "subscripts", None) is None else None
        if rng is None:
            raise self.error("ALLOCATE: the second argument must name the dimension the "
                             "requests compete along, e.g. ALLOCATE(supply, region, "
                             "request[*], priority[*], width, 1)")
        profile = nodes[5]
        if not isinstance(profile, (int, float, np.integer, np.floating)):
            profile = self.constant(profile)
        if profile != 1:
            shown = f"{profile:g}" if profile is not None else "given by an expression"
            raise self.unsupported(
                f"ALLOCATE with the priority profile type {shown} (sdflow allocates "
                "with the rectangular profile, type 1, which is Vensim's ALLOCATE BY "
                "PRIORITY; the profile type must be the number 1)")
        supply, request, priority, width = self._many(
            (nodes[0], nodes[2], nodes[3], nodes[4]))
        return self._by_priority(request, priority, width, supply,
                                 over=self.space.dims[rng], function="ALLOCATE")

    def _AllocateAvailableStructure(self, node):
        raise self.unsupported("ALLOCATE AVAILABLE")

    def _DataStructure(self, node):
        raise self.unsupported("a data variable without a GET DATA source (a .vdf "
                               "dataset)")
