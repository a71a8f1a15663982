"""The numba target's expression printer: plain-float code for one element at a time.

The numba backend (`sdflow.compile.numba_backend`) runs a model with dimensions as the
scalar path runs one without: every element of a variable with dimensions is a local
float of its own, and this printer writes the expression of one element. ``index`` maps
each dimension's name to the position of the element being written; a reference to a
variable with dimensions becomes the name of its element at those positions (the
module writer's ``reference`` callback), a folded constant the number itself.

Straight-line code over floats is what numba compiles well: a loop nest per variable
over short dimensions (regional models have a handful of members) costs LLVM more to
optimise than the same work written out, and whole-array expressions would allocate a
temporary at every step. The tree-level operations of dimensions become positions:

- ``sum``/``mean``/``min``/``max``/``prod`` over a dimension are written out element by
  element (``a_0 + a_1 + a_2``);
- selecting an element fixes that dimension's position; ``rename`` (a transpose such as
  member x partner -> partner x member) reads the argument's dimensions at the positions
  of the dimensions they were renamed to;
- reindexing (subranges and mapped subscripts of imported models) reads the position
  table at the element's position (0.0 where it is negative).

A part of an expression made only of numbers (folded constants: ``(1.2 if 0.0 != 0.0
else 0.0)``, which Vensim's subscript masks produce by the dozen) is computed while the
code is written: Python's float arithmetic and comparisons are IEEE double as numba's are,
so the number is the one the compiled code would compute. Anything else (a call, a
division by zero, NaN) is left to the compiled code.

Sums add left to right; numpy adds the same numbers in an order of its own (pairwise from
8 elements, row by row along a batch), so results agree with the numpy path to rounding,
not always bit for bit. Models without dimensions print exactly as the scalar path does.
A builtin without an element-wise form (`allocate_by_priority`) is refused with an
`UnsupportedBackendError` naming the variable.
"""

from __future__ import annotations

import math
import re
from typing import Callable

from ..errors import UnsupportedBackendError
from ..expr import nodes as ex
from ..expr.allocation import AllocateByPriority
from .expressions import NUMBA_CALLS, ExpressionWriter, Value, wrap


#: the words of code made only of numbers that `fold` computes
_FOLDABLE_WORDS = {"if", "else", "and", "or", "not", "min", "max", "abs", "True", "False",
                   "math.inf", "e"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9.]*")
_NUMBER = re.compile(r"^-?[0-9][0-9.e+-]*$|^-?math\.inf$")
_FOLD_NAMESPACE = {"__builtins__": {}, "min": min, "max": max, "abs": abs,
                   "math": type("math", (), {"inf": math.inf})}


def fold(code: str) -> str:
    """``code`` computed now if it is made only of numbers, arithmetic, comparisons,
    conditionals and ``min``/``max``/``abs``; else ``code`` itself.

    ``code`` is always code this printer wrote from numbers and operators, never text
    of a model; a division by zero or a complex power stays in the code, for numba's
    own rules (inf, NaN).

    Examples
    --------
    >>> fold("((1.2 if (0.0 != 0.0) else 0.0) + 2.0 * 3.0)"), fold("1.0 / 0.0")
    ('6.0', '1.0 / 0.0')
    >>> fold("x + 1.0")
    'x + 1.0'
    """
    if _NUMBER.match(code) or not set(_WORD.findall(code)) <= _FOLDABLE_WORDS:
        return code
    try:
        value = eval(code, _FOLD_NAMESPACE)  # noqa: S307 - numbers and operators only
    except (ArithmeticError, TypeError, ValueError, NameError, SyntaxError):
        return code
    if isinstance(value, bool):
        return repr(value)
    if not isinstance(value, (int, float)) or math.isnan(value):
        return code
    return NumbaExpressionWriter.number(value)


class NumbaExpressionWriter(ExpressionWriter):
    """The scalar printer, element by element over dimensions, with numba's spellings.

    Examples
    --------
    >>> NumbaExpressionWriter.number(float("-inf")), NumbaExpressionWriter.number(0.5)
    ('-math.inf', '0.5')
    >>> w = NumbaExpressionWriter(True, None, None)
    >>> w.flat_index((("member", 4), ("partner", 4)), {"member": 1, "partner": 2})
    6
    """

    #: the registry's numba forms (`sdflow.expr.builtins`: INTEGER as a float, since
    #: ``math.trunc`` would make an int, which overflows in numba)
    scalar_calls = {**ExpressionWriter.scalar_calls, **NUMBA_CALLS}

    #: the reductions over a dimension written as a fold of the element codes
    _FOLDS = {"sum": " + ", "mean": " + ", "prod": " * "}

    def __init__(self, scalar: bool, reference: Callable[[str], Value],
                 lookup_name: Callable[[object], tuple[str, str]]):
        super().__init__(True, reference, lookup_name)
        #: dimension name -> position of the element being written
        self.index: dict[str, int] = {}
        #: the model's dimensions by name (`sdflow.ir.graph.ModelGraph.dimensions`)
        self.dimensions: dict = {}
        #: the variable being written, for error messages
        self.owner = ""
        #: code already written, by expression, input time and positions: the elements of
        #: a variable share the inner sums of one another (an expression tree lives as
        #: long as the graph that holds it, and with it the writer)
        self._written: dict[tuple, Value] = {}
        #: parts of expressions written since `at` was last given a budget, and the budget
        self._count, self._budget = 0, math.inf

    @staticmethod
    def number(value: float) -> str:
        value = float(value)
        if math.isnan(value):
            return "math.nan"
        if math.isinf(value):
            return "math.inf" if value > 0 else "-math.inf"
        return repr(value)

    # -- positions --------------------------------------------------------------------
    def at(self, e: ex.Expr, index: dict[str, int], budget: float | None = None) -> str:
        """Code of ``e`` at the element whose positions are ``index``; with a ``budget``,
        refuse (`UnsupportedBackendError`) when that takes more than ``budget`` parts of
        expressions written (nested sums over long dimensions grow as the product of
        their lengths)."""
        if budget is not None:
            self._count, self._budget = 0, budget
        outer, self.index = self.index, index
        try:
            return self.write(e).code
        finally:
            self.index = outer

    def flat_index(self, dims, index: dict[str, int] | None = None) -> int:
        """The flat (C order) position, in a variable laid out along ``dims``
        (dimensions, or (name, length) pairs), of the element at ``index`` (default: the
        one being written)."""
        index = self.index if index is None else index
        flat = 0
        for dim in dims:
            name, length = dim if isinstance(dim, tuple) else (dim.name, len(dim))
            if name not in index:
                raise UnsupportedBackendError(
                    f"backend='numba' cannot tell which element of dimension '{name}' "
                    f"variable '{self.owner}' reads; use backend='auto'", (self.owner,))
            flat = flat * length + index[name]
        return flat

    # -- dimension operations ------------------------------------------------------------
    def write(self, e: ex.Expr) -> Value:
        key = (id(e), self.input_time, tuple(sorted(self.index.items())))
        value = self._written.get(key)
        if value is None:
            self._count += 1
            if self._count > self._budget:
                raise UnsupportedBackendError(
                    f"backend='numba' writes sums over dimensions out element by element, "
                    f"and variable '{self.owner}' would take more than {self._budget} parts "
                    "of expressions; use backend='auto'", (self.owner,))
            value = self._write(e)
            value = self._written[key] = value._replace(code=fold(value.code))
        return value

    def _write(self, e: ex.Expr) -> Value:
        if isinstance(e, ex.Reduce):
            return Value(self._reduce(e), (), False)
        if isinstance(e, ex.Select):
            position = self.dimensions[e.dim_name].index(e.element)
            return Value(self.at(e.arg, {**self.index, e.dim_name: position}), (), False)
        if isinstance(e, ex.Rename):
            index = dict(self.index)
            for old, new in e.mapping.items():  # all at once: a swap is a transpose
                if new.name in self.index:
                    index[old] = self.index[new.name]
                else:
                    index.pop(old, None)
            return Value(self.at(e.arg, index), (), False)
        if isinstance(e, ex.Reindex):
            return Value(self._reindex(e), (), False)
        if isinstance(e, AllocateByPriority):
            raise UnsupportedBackendError(
                f"backend='numba' does not run allocate_by_priority (variable "
                f"'{self.owner}'); use backend='auto'", (self.owner,))
        return super().write(e)

    def _reduce(self, e: ex.Reduce) -> str:
        codes = [wrap(self.at(e.arg, {**self.index, e.dim.name: k}))
                 for k in range(len(e.dim))]
        if e.op in ("min", "max"):
            return codes[0] if len(codes) == 1 else f"{e.op}({', '.join(codes)})"
        if e.op not in self._FOLDS:
            raise UnsupportedBackendError(
                f"backend='numba' does not run the reduction {e.op!r} (variable "
                f"'{self.owner}'); use backend='auto'", (self.owner,))
        total = f"({self._FOLDS[e.op].join(codes)})"
        # np.mean divides the sum by the count
        return f"({total} / {float(len(codes))!r})" if e.op == "mean" else total

    def _reindex(self, e: ex.Reindex) -> str:
        """Element ``j`` of the target reads element ``index[j]`` of the source (0.0 where
        that is negative; without a source, the argument itself)."""
        if e.target.name not in self.index:
            raise UnsupportedBackendError(
                f"backend='numba' cannot tell which element of dimension "
                f"'{e.target.name}' variable '{self.owner}' reads; use backend='auto'",
                (self.owner,))
        source = e.index[self.index[e.target.name]]
        if source < 0:
            return "0.0"
        inner = dict(self.index)
        if e.source is not None:
            inner[e.source.name] = source
        return self.at(e.arg, inner)
