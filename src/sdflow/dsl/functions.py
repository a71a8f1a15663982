"""Builtin functions with Vensim's documented semantics.

Elementwise math, conditionals, reductions over named dimensions, and the time functions
STEP, PULSE, PULSE TRAIN and RAMP. They only build expression nodes; the compiler decides
how to compute them.

The functions are generated from the registry `sdflow.expr.builtins` (as xarray generates
its aggregations), which declares each one once with its parameters and docstring; here
they get their signature, their docstring and this module as their home, so ``help()``,
the API reference and the doctests see ordinary functions.
"""

from __future__ import annotations

import inspect

from ..expr.builtins import BUILTINS, REDUCTIONS
from ..expr.nodes import Call, Expr, Reduce, as_condition, as_expr
from .dimensions import Dimension

_P = inspect.Parameter
_OVER = _P("over", _P.KEYWORD_ONLY, default=None, annotation="Dimension | None")


def _reduce_or_elementwise(op: str, args, over: Dimension | None) -> Expr:
    if over is not None:
        if len(args) != 1:
            raise TypeError(f"sf.{op}(x, over=dim) reduces one expression over a dimension")
        return Reduce(op, args[0], over)
    if len(args) < 2:
        raise TypeError(f"sf.{op} needs two or more arguments, or one and over=dimension")
    result = as_expr(args[0])
    for arg in args[1:]:
        result = Call(op, result, arg)
    return result


def _parameters(names) -> list:
    """``inspect.Parameter``s of the registry's parameter names (``"end=None"``)."""
    return [_P(name[:-len("=None")], _P.POSITIONAL_OR_KEYWORD, default=None)
            if name.endswith("=None") else _P(name, _P.POSITIONAL_OR_KEYWORD)
            for name in names]


def _bind(name: str, signature: inspect.Signature, args, kwargs) -> list:
    """The arguments in the signature's order, or the TypeError Python would give."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        shown = signature.replace(return_annotation=inspect.Signature.empty)
        raise TypeError(f"sf.{name}{shown}: {exc}") from None
    return [bound.arguments.get(p, None) for p in signature.parameters]


def _wrapper(name: str):
    """The public function ``sf.<name>`` of the registry's builtin or reduction ``name``."""
    builtin, reduction = BUILTINS.get(name), REDUCTIONS.get(name)
    if builtin is not None and builtin.fold:
        signature = inspect.Signature([_P("args", _P.VAR_POSITIONAL), _OVER],
                                      return_annotation="Expr")

        def function(*args, over=None):
            return _reduce_or_elementwise(name, args, over)
        doc = builtin.doc
    elif builtin is not None:
        signature = inspect.Signature(_parameters(builtin.params), return_annotation="Expr")
        required = builtin.required

        def function(*args, **kwargs):
            values = _bind(name, signature, args, kwargs)
            for position in builtin.conditions:
                values[position] = as_condition(values[position], f"sf.{name}")
            while len(values) > required and values[-1] is None:
                values.pop()  # an optional argument not given stays out of the node
            return Call(name, *values)
        doc = builtin.doc
    else:
        signature = inspect.Signature(
            [_P("x", _P.POSITIONAL_OR_KEYWORD),
             _P("over", _P.POSITIONAL_OR_KEYWORD, annotation="Dimension")],
            return_annotation="Expr")

        def function(*args, **kwargs):
            x, over = _bind(name, signature, args, kwargs)
            return Reduce(name, x, over)
        doc = reduction.doc
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__signature__ = signature
    function.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()
                                if p.annotation is not _P.empty}
    function.__annotations__["return"] = "Expr"
    return function


#: One public function per builtin, and per reduction that no builtin folds (sum, mean,
#: prod), in the registry's order.
__all__ = [*BUILTINS, *(r for r, red in REDUCTIONS.items() if red.doc is not None)]
globals().update({_name: _wrapper(_name) for _name in __all__})
