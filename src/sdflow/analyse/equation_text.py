"""Equations as short readable text, for diagrams' tooltips and notebook tables.

Variables appear by their names as the modeller wrote them (spaces kept), builtins by
their DSL names (``smooth(price, 3)``, ``sum(capital, over=region)``). The text is for
reading only: nothing parses it back (XMILE export has its own printer).
"""

from __future__ import annotations

from ..expr import nodes as ex
from ..expr.allocation import AllocateByPriority


def equation_text(expr) -> str:
    """``expr`` written out for a reader.

    Examples
    --------
    >>> from sdmodels.reference import sir
    >>> m = sir.build()
    >>> equation_text(m["succumbing"].equation)
    'susceptible * infectious / total population * contact infectivity'
    >>> import sdflow as sf
    >>> equation_text(sf.smooth(m["infectious"] - 2, 3) * (1 + m["duration"]))
    'smooth(input=infectious - 2, delay_time=3) * (1 + duration)'
    """
    return _text(ex.as_expr(expr), 0)


#: binding strength of the binary operators (higher binds tighter)
_PRECEDENCE = {"or": 1, "and": 2, "<": 3, ">": 3, "<=": 3, ">=": 3, "+": 4, "-": 4,
               "*": 5, "/": 5, "**": 7}
_NEGATION = 6


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e16 else repr(value)


def _text(e, outer: int) -> str:
    """``e`` as text, in parentheses when it binds less tightly than ``outer`` needs."""
    match e:
        case ex.Named():  # a variable, or a reference to one by name
            return e.name
        case ex.Literal():
            return _number(e.value)
        case ex.Time():
            return "TIME"
        case ex.Neg():
            return _wrap(f"-{_text(e.a, _NEGATION)}", _NEGATION, outer)
        case ex.Not():
            return _wrap(f"not {_text(e.a, _NEGATION)}", _NEGATION, outer)
        case ex.BinOp():
            strength = _PRECEDENCE.get(e.op, 3)
            # the right operand of - and / (and the left of **) must keep its parentheses
            right = strength + (e.op in ("-", "/"))
            left = strength + (e.op == "**")
            return _wrap(f"{_text(e.a, left)} {e.op} {_text(e.b, right)}", strength, outer)
        case ex.Call():
            return f"{e.func}({', '.join(_text(a, 0) for a in e.args)})"
        case ex.Reduce():
            return f"{e.op}({_text(e.arg, 0)}, over={e.dim.name})"
        case ex.Select():
            return f"{_text(e.arg, 8)}[{e.dim_name}={e.element}]"
        case ex.Rename():
            pairs = ", ".join(f"{old}={new.name}" for old, new in e.mapping.items())
            return f"{_text(e.arg, 8)}.rename({pairs})"
        case ex.LookupCall():
            return f"{e.lookup.name}({_text(e.arg, 0)})"
        case ex.Stateful():
            inner = ", ".join(f"{k}={_text(v, 0)}" for k, v in e.args.items())
            return f"{e.kind}({inner})"
        case ex.Noise():
            args = ", ".join(_text(a, 0) for a in e.args)
            stream = f", stream={_number(e.stream)}" if e.stream else ""
            return f"random_{e.dist}({args}{stream})"
        case AllocateByPriority():
            parts = ", ".join(_text(c, 0) for c in e.children())
            return f"allocate_by_priority({parts}, over={e.dim.name})"
        case _:
            return ex.describe(e)


def _wrap(text: str, strength: int, outer: int) -> str:
    return f"({text})" if strength < outer else text
