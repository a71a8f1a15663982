"""Python source for one expression tree, batched (numpy) or scalar (floats).

Batched values are arrays whose axis 0 is the batch of runs (length n, or 1 for values
shared by all runs) followed by the value's named dimensions; bare numbers and time stay
Python scalars. Operands are aligned by dimension name before they meet, like xarray.

Nothing of a tree is copied into the source as text: operators and functions are looked up
in the tables below (the builtins' forms come from the registry `sdflow.expr.builtins`; an
unknown one is refused), numbers are printed from floats and positions from ints, and
names come from the ``reference`` and ``lookup_name`` callbacks (identifiers made by
`sdflow.compile.identifiers.python_identifier`).
"""

from __future__ import annotations

import math
import re
from typing import Callable, NamedTuple

from ..expr import nodes as ex
from ..expr.builtins import BUILTINS, REDUCTIONS, render
from ..expr.allocation import AllocateByPriority
from ..ir.dims import union
from ..ir.nodes import NodeRef


class Value(NamedTuple):
    """Source text of a computed value, its dimensions, and whether it has a batch axis."""

    code: str
    dims: tuple
    batched: bool


_SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\.]*(\[[^\[\]]*\])?$|^[0-9][0-9.e+-]*$")


def wrap(code: str) -> str:
    """Parenthesise unless the code is a name, an indexed name or a number."""
    return code if _SIMPLE.match(code) or (code.startswith("(") and _balanced(code)) \
        else f"({code})"


def _balanced(code: str) -> bool:
    depth = 0
    for i, c in enumerate(code):
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and i < len(code) - 1:
            return False
    return True


def align(value: Value, target: tuple) -> str:
    """Code for ``value`` laid out along ``target`` dims (transposed, new axes inserted)."""
    if not value.batched or value.dims == target:
        return value.code
    present = [d for d in target if d in value.dims]
    code = wrap(value.code)
    perm = [0] + [1 + value.dims.index(d) for d in present]
    if perm != sorted(perm):
        code = f"{code}.transpose({', '.join(map(str, perm))})"
    if len(present) < len(target):
        index = ", ".join(":" if d in value.dims else "None" for d in target)
        code = f"{code}[:, {index}]"
    return code


#: How each builtin prints, by target (`sdflow.expr.builtins` declares them)
_NUMPY_CALLS = {name: b.numpy for name, b in BUILTINS.items()}
_SCALAR_CALLS = {name: b.scalar for name, b in BUILTINS.items()}
#: the scalar forms the numba backend replaces (`sdflow.compile.numba_backend`)
NUMBA_CALLS = {name: b.numba for name, b in BUILTINS.items() if b.numba is not None}
_ARITHMETIC = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**"}
_COMPARISONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_LOGIC = {"and": "and", "or": "or"}


def number(value: float) -> str:
    """A float as source text (``float('inf')`` and ``float('nan')`` for the others).

    Examples
    --------
    >>> number(0.1), number(float("-inf")), number(2)
    ('0.1', "float('-inf')", '2.0')
    """
    value = float(value)
    return repr(value) if math.isfinite(value) else f"float('{value!r}')"
_REDUCERS = {name: r.numpy for name, r in REDUCTIONS.items()}


class ExpressionWriter:
    """Writes expressions of one graph; ``lookup_names`` name table arrays in the module.

    ``reference`` maps a node key to the `Value` holding it in the generated function. A
    target that spells numbers or scalar functions differently (numba) overrides `number`
    and `scalar_calls`.
    """

    #: the functions of the scalar path, by builtin
    scalar_calls = _SCALAR_CALLS

    def __init__(self, scalar: bool, reference: Callable[[str], Value],
                 lookup_name: Callable[[object], tuple[str, str]]):
        self.scalar = scalar
        self.reference = reference
        self.lookup_name = lookup_name
        #: the time STEP, PULSE and RAMP read (`ModuleWriter.evaluate_source` sets it)
        self.input_time = "t"

    def write(self, e: ex.Expr) -> Value:
        """The code of an expression, by the kind of node.

        Each kind has its method (``_binop``, ``_call``...), so a target that prints one
        kind differently overrides that method only.
        """
        match e:
            case NodeRef():
                return self.reference(e.key)
            case ex.Literal():
                return Value(self.number(e.value), (), False)
            case ex.Time():
                return Value("t", (), False)
            case ex.Neg():
                a = self.write(e.a)
                return Value(f"-{wrap(a.code)}", a.dims, a.batched)
            case ex.Not():
                return self._not(e)
            case ex.BinOp():
                return self._binop(e)
            case ex.Call():
                return self._call(e)
            case ex.LookupCall():
                return self._lookup(e)
            case ex.Reduce():
                return self._reduce(e)
            case ex.Select():
                return self._select(e)
            case ex.Rename():
                a = self.write(e.arg)
                return Value(a.code, tuple(e.mapping.get(d.name, d) for d in a.dims),
                             a.batched)
            case ex.Reindex():
                return self._reindex(e)
            case AllocateByPriority():
                return self._allocate(e)
        raise TypeError(f"cannot compile expression {e!r}")

    def _not(self, e: ex.Not) -> Value:
        a = self.write(e.a)
        code = f"(not {a.code})" if self.scalar else f"1.0 * np.logical_not({a.code})"
        return Value(code, a.dims, a.batched)

    def _reduce(self, e: ex.Reduce) -> Value:
        a = self.write(e.arg)
        axis = 1 + a.dims.index(e.dim)
        return Value(f"{self._function(_REDUCERS, e.op)}({a.code}, axis={axis})",
                     tuple(d for d in a.dims if d is not e.dim), True)

    def _select(self, e: ex.Select) -> Value:
        a = self.write(e.arg)
        position = next(i for i, d in enumerate(a.dims) if d.name == e.dim_name)
        element = int(a.dims[position].index(e.element))
        index = ", ".join([":"] * (1 + position) + [str(element)])
        return Value(f"{wrap(a.code)}[{index}]",
                     tuple(d for i, d in enumerate(a.dims) if i != position), True)

    def _reindex(self, e: ex.Reindex) -> Value:
        a = self.write(e.arg)
        axis = len(a.dims) if e.source is None else a.dims.index(e.source)
        dims = (a.dims + (e.target,) if e.source is None else
                tuple(e.target if d is e.source else d for d in a.dims))
        index = tuple(int(i) for i in e.index)
        return Value(f"rt.reindex({a.code}, {axis + 1}, {index!r}, "
                     f"{e.source is None})", dims, True)

    @staticmethod
    def number(value: float) -> str:
        """A number as source text (see `number`)."""
        return number(value)

    def _operands(self, *values: Value) -> tuple[list[str], tuple, bool]:
        dims = union(*(v.dims for v in values))
        return [align(v, dims) for v in values], dims, any(v.batched for v in values)

    @staticmethod
    def _function(table: dict[str, str], name: str) -> str:
        if name not in table:
            raise TypeError(f"cannot compile the operation {name!r}: it is not one of "
                            f"{sorted(table)}")
        return table[name]

    def _binop(self, e: ex.BinOp) -> Value:
        a, b = self.write(e.a), self.write(e.b)
        (ca, cb), dims, batched = self._operands(a, b)
        if e.op in _LOGIC:
            if self.scalar:  # bool(): Python's `2.0 and 3.0` is 3.0, numpy's is True
                return Value(f"bool({ca} {_LOGIC[e.op]} {cb})", dims, batched)
            func = "np.logical_and" if e.op == "and" else "np.logical_or"
            return Value(f"1.0 * {func}({ca}, {cb})", dims, batched)
        op = self._function({**_ARITHMETIC, **_COMPARISONS}, e.op)
        if not self.scalar and not batched and op in ("/", "**"):
            # two Python floats would raise on 1/0 or give a complex number for (-8)**(1/3);
            # numpy gives inf/NaN, which the run then reports with the variable's name
            func = "np.divide" if op == "/" else "np.power"
            return Value(f"{func}({ca}, {cb})", dims, batched)
        code = f"{wrap(ca)} {op} {wrap(cb)}"
        if not self.scalar and op in _COMPARISONS:
            # truth values as 1.0/0.0: numpy refuses -bool and adds bools as logical or
            code = f"1.0 * ({code})"
        return Value(code, dims, batched)

    def _call(self, e: ex.Call) -> Value:
        args = [self.write(a) for a in e.args]
        codes, dims, batched = self._operands(*args)
        table = self.scalar_calls if self.scalar else _NUMPY_CALLS
        form = self._function(table, e.func)
        return Value(render(form, codes, wrap, t=self.input_time), dims, batched)

    def _allocate(self, e: AllocateByPriority) -> Value:
        # the allocation runs along the last axis; width and supply get length 1 there
        args = [self.write(a) for a in e.children()]
        dims = tuple(d for d in union(*(a.dims for a in args)) if d is not e.dim) + (e.dim,)
        codes = [align(a, dims) for a in args]
        return Value(f"rt.allocate_by_priority({', '.join(codes)})", dims, True)

    def _lookup(self, e: ex.LookupCall) -> Value:
        a = self.write(e.arg)
        xs, ys = self.lookup_name(e.lookup)
        if self.scalar:
            extra = ", True" if e.lookup.extrapolate else ""
            return Value(f"rt.interp_scalar({a.code}, {xs}, {ys}{extra})", a.dims, a.batched)
        func = "rt.interp_extrapolate" if e.lookup.extrapolate else "np.interp"
        return Value(f"{func}({a.code}, {xs}, {ys})", a.dims, a.batched)
