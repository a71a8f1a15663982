"""XMILE's wildcard subscript ``*`` (``SUM(a[*])``, ``MAX(g[*, region])``) as the banged
dimension it stands for (``a[dim!]``), which the equation grammar (PySD's) reads.

In XMILE 1.0 an array builtin reduces the dimensions its argument marks with ``*`` or
with the dimension's name and ``!``; ``*`` at a position means every element of the
dimension the variable is declared with there. `banged_wildcards` rewrites an equation's
text before it is parsed, from the dimensions each variable declares
(`sdflow.io.readers.xmile_declared_dims`).

Examples
--------
>>> declared = {"a": ["dim"], "flow rate": ["region", "age group"]}
>>> banged_wildcards("MAX(a[*]) + SUM(flow_rate[north, *])", declared)
'MAX(a[dim!]) + SUM(flow_rate[north, age_group!])'
"""

from __future__ import annotations

import re

from ..errors import ImportModelError
from ..names import name_key

__all__ = ["banged_wildcards"]

#: a reference with subscripts: a plain or quoted name, then ``[...]``
_SUBSCRIPTED = re.compile(r'("(?:\\.|[^"\\])*"|[A-Za-z_][\w.$]*)\s*\[([^\[\]]*)\]')
_PLAIN = re.compile(r"^[A-Za-z_]\w*$")


def _as_written(dim: str) -> str:
    shown = dim.replace(" ", "_")
    return shown if _PLAIN.match(shown) else '"' + dim.replace('"', '\\"') + '"'


def banged_wildcards(equation: str, declared: dict) -> str:
    """``equation`` with each ``*`` subscript written as its dimension, banged.

    ``declared`` maps name keys to the dimension names each variable declares. A ``*``
    at a position the variable declares no dimension for raises `ImportModelError`.
    """
    if "*" not in equation or "[" not in equation:
        return equation

    def replace(match: re.Match) -> str:
        name, inside = match.group(1), match.group(2)
        parts = inside.split(",")
        if not any(p.strip() == "*" for p in parts):
            return match.group(0)
        key = name_key(name[1:-1] if name.startswith('"') else name)
        dims = declared.get(key, [])
        if len(dims) != len(parts):
            raise ImportModelError(
                f"the reference {match.group(0)} uses the wildcard * but '{name}' declares "
                f"{len(dims)} dimension(s) for its {len(parts)} subscript(s); declare its "
                "<dimensions> or name the dimension (dim!)", name)
        written = [_as_written(dim) + "!" if part.strip() == "*" else part.strip()
                   for part, dim in zip(parts, dims)]
        return f"{name}[{', '.join(written)}]"

    return _SUBSCRIPTED.sub(replace, equation)
