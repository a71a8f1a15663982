"""Expression trees: what operators on model variables build.

The ground floor of the pipeline: the DSL builds these nodes, the graph resolves and
checks them, the compiler prints them, and io reads and writes them.

Arithmetic (``+ - * / **``), comparisons (``< <= > >=``) and logic (``& | ~``) on model
variables build nodes of a tree; nothing is computed here. ``==`` is deliberately *not*
overloaded (it would make variables unhashable and silently build nodes): use ``sf.eq``.
``bool()`` of an expression raises, so ``if x > 5:`` cannot pick a branch at build time.
For the same reason a condition (of ``sf.if_then_else``, or an operand of ``&`` and ``|``)
may not be a Python ``bool``: ``x == 1`` is Python's identity test, always ``False``.
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np

from ..errors import ExpressionTruthError, ModelError
from .random_draws import RANDOM_DRAWS
from .stateful_builtins import STATEFUL

# Nodes hold the DSL's models, dimensions and lookups as opaque objects (read by their
# ``name`` and ``elements``), so this floor imports nothing from the floors above.


class Expr:
    """Base class of every node of an expression tree.

    Arithmetic and comparison operators on variables build new nodes; nothing is computed
    until the model is compiled.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> e = 2 * m.const("k", 1.0) + 1
    >>> isinstance(e, sf.Expr), e
    (True, ((2.0 * Const('k')) + 1.0))
    >>> [type(c).__name__ for c in e.children()]
    ['BinOp', 'Literal']
    """

    __slots__ = ()
    __hash__ = object.__hash__

    # -- structure -------------------------------------------------------------------
    def children(self) -> tuple[Expr, ...]:
        """The sub-expressions this node reads."""
        return ()

    def with_children(self, children: Sequence[Expr]) -> Expr:
        """This node rebuilt over new ``children`` (in the order of `children`).

        The one traversal every pass shares (like SymPy's ``expr.func(*args)``): a pass
        maps the children and rebuilds, without knowing each node's fields. A leaf
        returns itself.

        Examples
        --------
        >>> e = Literal(1.0) + Literal(2.0)
        >>> e.with_children((Literal(3.0), Literal(4.0)))
        (3.0 + 4.0)
        """
        return self

    # -- arithmetic ------------------------------------------------------------------
    def __add__(self, other): return BinOp("+", self, as_expr(other))
    def __radd__(self, other): return BinOp("+", as_expr(other), self)
    def __sub__(self, other): return BinOp("-", self, as_expr(other))
    def __rsub__(self, other): return BinOp("-", as_expr(other), self)
    def __mul__(self, other): return BinOp("*", self, as_expr(other))
    def __rmul__(self, other): return BinOp("*", as_expr(other), self)
    def __truediv__(self, other): return BinOp("/", self, as_expr(other))
    def __rtruediv__(self, other): return BinOp("/", as_expr(other), self)
    def __pow__(self, other): return BinOp("**", self, as_expr(other))
    def __rpow__(self, other): return BinOp("**", as_expr(other), self)
    def __neg__(self): return Neg(self)
    def __pos__(self): return self

    # -- comparisons and logic (``==`` stays identity; see sf.eq) ---------------------
    def __lt__(self, other): return BinOp("<", self, as_expr(other))
    def __le__(self, other): return BinOp("<=", self, as_expr(other))
    def __gt__(self, other): return BinOp(">", self, as_expr(other))
    def __ge__(self, other): return BinOp(">=", self, as_expr(other))
    def __and__(self, other): return BinOp("and", self, as_condition(other, "&"))
    def __rand__(self, other): return BinOp("and", as_condition(other, "&"), self)
    def __or__(self, other): return BinOp("or", self, as_condition(other, "|"))
    def __ror__(self, other): return BinOp("or", as_condition(other, "|"), self)
    def __invert__(self): return Not(self)

    def __bool__(self):
        raise ExpressionTruthError(
            f"the model expression {describe(self)} has no truth value while the model is "
            "being built: Python's `if`, `and`, `or`, `not` and chained comparisons cannot "
            "use it. Write sf.if_then_else(condition, value_if_true, value_if_false), and "
            "combine conditions with & | ~.")

    # numpy defers to our reflected operators (np.float64(2) * x works) and refuses
    # np.exp(x) instead of building an object array; sf.exp is the function to use.
    __array_ufunc__ = None

    # -- dimensions ------------------------------------------------------------------
    def sel(self, **elements: Any) -> Expr:
        """Select one element along a named dimension, dropping that dimension.

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("m", start=0, stop=1, dt=0.5)
        >>> region = m.dim("region", ["north", "south"])
        >>> size = m.const("size", [1.0, 2.0], dims=[region])
        >>> north = m.aux("north size", size.sel(region="north"))
        """
        node: Expr = self
        for dim_name, element in elements.items():
            node = Select(node, dim_name, element)
        return node

    def rename(self, **dims: Any) -> Expr:
        """Relabel a dimension as another of the same length, e.g. ``region`` as ``partner``.

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("m", start=0, stop=1, dt=0.5)
        >>> region = m.dim("region", ["a", "b"])
        >>> partner = m.dim("partner", ["a", "b"])
        >>> gdp = m.const("gdp", [1.0, 2.0], dims=[region])
        >>> pair = m.aux("pair product", gdp * gdp.rename(region=partner))
        """
        return Rename(self, dict(dims))


class Literal(Expr):
    """A number written in an equation."""

    __slots__ = ("value",)

    def __init__(self, value: float):
        self.value = float(value)

    def __repr__(self):
        return repr(self.value)


class Time(Expr):
    """The simulation time (Vensim's TIME)."""

    __slots__ = ("model",)

    def __init__(self, model: Any):
        self.model = model

    def __repr__(self):
        return "TIME"


class Named(Expr):
    """A node that stands for a model variable by its ``name`` (and ``model``).

    The modeller's variables and `Ref` are both; the model graph resolves them to its own
    nodes, reading only these two attributes.
    """

    __slots__ = ()


class Ref(Named):
    """A reference to a variable by name, resolved when the model graph is built.

    Lets an equation mention a variable declared further down (``m.ref("price")``).
    """

    __slots__ = ("name", "model")

    def __init__(self, name: str, model: Any):
        self.name = name
        self.model = model

    def __repr__(self):
        return f"ref({self.name!r})"


class BinOp(Expr):
    """``a <op> b`` for arithmetic, comparison and logic operators."""

    __slots__ = ("op", "a", "b")

    def __init__(self, op: str, a: Expr, b: Expr):
        self.op, self.a, self.b = op, a, b

    def children(self):
        return (self.a, self.b)

    def with_children(self, children):
        return BinOp(self.op, *children)

    def __repr__(self):
        return f"({self.a!r} {self.op} {self.b!r})"


class Neg(Expr):
    __slots__ = ("a",)

    def __init__(self, a: Expr):
        self.a = a

    def children(self):
        return (self.a,)

    def with_children(self, children):
        return Neg(*children)

    def __repr__(self):
        return f"-{self.a!r}"


class Not(Expr):
    __slots__ = ("a",)

    def __init__(self, a: Expr):
        self.a = a

    def children(self):
        return (self.a,)

    def with_children(self, children):
        return Not(*children)

    def __repr__(self):
        return f"~{self.a!r}"


class Call(Expr):
    """An elementwise builtin function (``exp``, ``min``, ``if_then_else``, ``step``...)."""

    __slots__ = ("func", "args")

    def __init__(self, func: str, *args: Any):
        self.func = func
        self.args = tuple(as_expr(a) for a in args)

    def children(self):
        return self.args

    def with_children(self, children):
        return Call(self.func, *children)

    def __repr__(self):
        return f"{self.func}({', '.join(map(repr, self.args))})"


class Reduce(Expr):
    """``sum``/``mean``/``min``/``max``/``prod`` of an expression over one dimension."""

    __slots__ = ("op", "arg", "dim")

    def __init__(self, op: str, arg: Expr, dim: Any):
        self.op, self.arg, self.dim = op, as_expr(arg), dim

    def children(self):
        return (self.arg,)

    def with_children(self, children):
        return Reduce(self.op, *children, self.dim)

    def __repr__(self):
        return f"{self.op}({self.arg!r}, over={self.dim.name})"


class Select(Expr):
    """One element of an expression along a dimension (the dimension is dropped)."""

    __slots__ = ("arg", "dim_name", "element")

    def __init__(self, arg: Expr, dim_name: str, element: Any):
        self.arg, self.dim_name, self.element = arg, dim_name, element

    def children(self):
        return (self.arg,)

    def with_children(self, children):
        return Select(*children, self.dim_name, self.element)

    def __repr__(self):
        return f"{self.arg!r}[{self.dim_name}={self.element!r}]"


class Rename(Expr):
    """The same values with a dimension relabelled as another of equal length."""

    __slots__ = ("arg", "mapping")

    def __init__(self, arg: Expr, mapping: dict):
        self.arg, self.mapping = arg, mapping

    def children(self):
        return (self.arg,)

    def with_children(self, children):
        return Rename(*children, self.mapping)

    def __repr__(self):
        pairs = ", ".join(f"{k}={v.name}" for k, v in self.mapping.items())
        return f"{self.arg!r}.rename({pairs})"


class Reindex(Expr):
    """Values re-indexed from one dimension onto another (subranges, subscript mappings).

    Element ``j`` of ``target`` takes element ``index[j]`` of ``source``, or 0 where
    ``index[j]`` is negative. With ``source=None`` the argument does not vary along
    ``target`` and is placed at the positions whose index is 0. Imported Vensim models use
    it for subranges, mapped subscripts and equations defined per element.
    """

    __slots__ = ("arg", "source", "target", "index")

    def __init__(self, arg: Expr, source, target, index):
        self.arg, self.source, self.target = as_expr(arg), source, target
        self.index = tuple(int(i) for i in index)

    def children(self):
        return (self.arg,)

    def with_children(self, children):
        return Reindex(*children, self.source, self.target, self.index)

    def __repr__(self):
        src = self.source.name if self.source is not None else "-"
        return f"reindex({self.arg!r}, {src}->{self.target.name}, {list(self.index)})"


class LookupCall(Expr):
    """A graphical function applied to an input expression."""

    __slots__ = ("lookup", "arg")

    def __init__(self, lookup: Any, arg: Expr):
        self.lookup, self.arg = lookup, as_expr(arg)

    def children(self):
        return (self.arg,)

    def with_children(self, children):
        return LookupCall(self.lookup, *children)

    def __repr__(self):
        return f"{self.lookup.name}({self.arg!r})"


class Stateful(Expr):
    """A builtin with memory (SMOOTH, DELAY, TREND, INITIAL...).

    The model graph lowers it to hidden stocks (or, for DELAY FIXED, a pipeline), so one
    integrator handles everything. ``kind`` is a key of
    `sdflow.expr.stateful_builtins.STATEFUL`, which says how.
    """

    __slots__ = ("kind", "args")

    def __init__(self, kind: str, **args: Any):
        if kind not in STATEFUL:
            raise ModelError(f"unknown builtin with memory {kind!r}; choose one of "
                             f"{sorted(STATEFUL)} (sdflow.expr.stateful_builtins)")
        self.kind = kind
        self.args = {k: as_expr(v) for k, v in args.items() if v is not None}

    def children(self):
        return tuple(self.args.values())

    def with_children(self, children):
        return Stateful(self.kind, **dict(zip(self.args, children)))

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.kind}({inner})"


class Noise(Expr):
    """A random draw (Vensim's RANDOM functions), new at every time step of every run.

    ``dist`` names the distribution (a key of `sdflow.expr.random_draws.RANDOM_DRAWS`),
    ``args`` are its parameters in Vensim's order (minimum and maximum first) and
    ``stream`` is Vensim's stream ID, a number: draws with different streams are
    independent. ``dims`` are the dimensions the draws vary over (None: those of the
    variable that holds them). The model graph moves each draw into a hidden variable and
    sets ``label``, which names its random stream (see `sdflow.compile.noise`).
    """

    __slots__ = ("dist", "args", "stream", "dims", "label")

    def __init__(self, dist: str, args: Sequence[Any], stream: float = 0.0,
                 dims: tuple | None = None, label: str | None = None):
        draw = RANDOM_DRAWS.get(dist)
        if draw is None or len(args) != draw.arity:
            raise ModelError(f"random_{dist} takes (minimum, maximum"
                             f"{''.join(', ' + a for a in draw.params)}); "
                             f"got {len(args)} value(s)" if draw is not None else
                             f"no random distribution {dist!r}; the distributions are "
                             f"{sorted(RANDOM_DRAWS)}")
        self.dist = dist
        self.args = tuple(as_expr(a) for a in args)
        self.stream, self.dims, self.label = float(stream), dims, label

    def children(self):
        return self.args

    def with_children(self, children):
        return Noise(self.dist, children, self.stream, self.dims, self.label)

    def __repr__(self):
        args = ", ".join(map(repr, self.args))
        return f"random_{self.dist}({args}, stream={self.stream:g})"


def as_expr(value: Any) -> Expr:
    """Wrap a Python number as a `Literal`; pass expressions through."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, (bool, np.bool_)):
        return Literal(float(value))
    if isinstance(value, numbers.Real):
        return Literal(float(value))
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return Literal(float(value))
    raise ModelError(
        f"cannot use {value!r} ({type(value).__name__}) in an equation: equations take "
        "numbers and model variables. Declare arrays as constants with dims "
        "(m.const(name, values, dims=[...])) and use the constant.")


def as_condition(value: Any, where: str) -> Expr:
    """``value`` as a condition of ``where`` (a builtin or operator); refuses a Python bool.

    A condition that is already ``True`` or ``False`` while the model is built was decided
    by Python, not by the model: ``x == 1`` on a model variable is Python's identity test
    (``==`` is not overloaded) and is always ``False``. Plain bools, numpy bools and bool
    arrays raise `ExpressionTruthError`; ``1`` and ``0`` stand for a condition that always
    or never holds.

    Examples
    --------
    ``&`` and ``|`` check their operands with it:

    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> (m.time > 1) & (m.time < 3)
    ((TIME > 1.0) and (TIME < 3.0))
    >>> (m.time == 1) & (m.time < 3)
    Traceback (most recent call last):
    ...
    sdflow.errors.ExpressionTruthError: &: the condition is the Python value False, ...
    """
    if isinstance(value, (bool, np.bool_)) or (
            isinstance(value, np.ndarray) and value.dtype == np.bool_):
        raise ExpressionTruthError(
            f"{where}: the condition is the Python value {value!r}, decided before the model "
            "runs. `x == 1` on a model expression is always False (== is not overloaded on "
            "model variables): write sf.eq(x, 1) or sf.ne(x, 1), or compare with "
            "< <= > >=. For a condition that always (never) holds write 1 (0).")
    return as_expr(value)


def describe(expr: Expr) -> str:
    """A short human-readable name for an expression, for error messages."""
    name = getattr(expr, "name", None)
    if isinstance(name, str):
        return f"'{name}'"
    text = repr(expr)
    return text if len(text) < 80 else text[:77] + "..."


def walk(expr: Expr):
    """Yield every node of an expression tree, depth first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children())
