"""Builtin functions with Vensim's documented semantics.

Elementwise math, conditionals, reductions over named dimensions, and the time functions
STEP, PULSE, PULSE TRAIN and RAMP. They only build expression nodes; the compiler decides
how to compute them.

The functions are generated from the registry `sdflow.expr.builtins` (as xarray generates
its aggregations), which declares each one once with its parameters and docstring; here
they get their signature, their docstring and this module as their home, so ``help()``,
the API reference and the doctests see ordinary functions. Static analysers and editors,
which do not run the module, read the same signatures and docstrings from the stub
``functions.pyi`` beside it, written by `write_stub` (a test fails when the two differ).
"""

from __future__ import annotations

import inspect
from pathlib import Path

from ..expr.builtins import BUILTINS, REDUCTIONS
from ..files import atomic_write
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


#: The stub's path and its first lines: what it is, where it comes from.
STUB = Path(__file__).with_suffix(".pyi")
_STUB_HEAD = (
    '"""Signatures of `sdflow.dsl.functions`, for static analysers and editors.\n\n'
    "Generated from the registry `sdflow.expr.builtins` by\n"
    "``sdflow.dsl.functions.write_stub()``: do not edit; rerun it after changing the registry.\n"
    '"""\n\n'
    "from ..expr.nodes import Expr\n"
    "from .dimensions import Dimension\n\n"
)


def stub_text() -> str:
    """The text of ``functions.pyi``: ``__all__`` and every function's signature and
    docstring, as this module generates them.

    Examples
    --------
    >>> from sdflow.dsl.functions import stub_text
    >>> [line for line in stub_text().splitlines() if line.startswith(("def ramp", "def min"))]
    ['def min(*args, over: Dimension | None = None) -> Expr:', 'def ramp(slope, start, end=None) -> Expr:']
    """
    names = ",\n".join(f'    "{name}"' for name in __all__)
    parts = [_STUB_HEAD, f"__all__ = [\n{names},\n]\n"]
    for name in __all__:
        function = globals()[name]
        parts.append(f"\n\ndef {name}{_stub_signature(function.__signature__)}:\n"
                     f'    """{function.__doc__}"""\n')
    return "".join(parts)


def _stub_signature(signature: inspect.Signature) -> str:
    """``(x, over: Dimension | None = None) -> Expr``: annotations unquoted."""
    params, star_done = [], False
    for p in signature.parameters.values():
        if p.kind is _P.KEYWORD_ONLY and not star_done:
            params.append("*")
        star_done = star_done or p.kind in (_P.VAR_POSITIONAL, _P.KEYWORD_ONLY)
        text = ("*" if p.kind is _P.VAR_POSITIONAL else "") + p.name
        if p.annotation is not _P.empty:
            text += f": {p.annotation}"
        if p.default is not _P.empty:
            text += f" = {p.default!r}" if p.annotation is not _P.empty else f"={p.default!r}"
        params.append(text)
    return f"({', '.join(params)}) -> {signature.return_annotation}"


def write_stub(path: Path = STUB) -> Path:
    """Write `stub_text` to ``functions.pyi`` (or ``path``), atomically; returns the path.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = write_stub(pathlib.Path(tempfile.mkdtemp()) / "functions.pyi")
    >>> path.read_text(encoding="utf-8") == stub_text()
    True
    """
    text = stub_text()
    return atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
