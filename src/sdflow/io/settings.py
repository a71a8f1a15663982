"""Vensim time settings (INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER) folded to numbers.

Vensim re-reads the time settings during a run, so they may change with TIME (a time step
that halves after year 4, say). Settings that are expressions of numbers and scalar
constants are folded here; the builder gives settings that depend on TIME
(`depends_on_time`) to ``Model.vary_time_settings``, which walks their time grid.
"""

from __future__ import annotations

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from ..errors import UnsupportedFeatureError

NUMERIC = (int, float, np.integer, np.floating, np.ndarray)


def fold_setting(node, element, elements: dict, depth: int = 0) -> float:
    """The value of a time setting (INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER).

    Settings that are expressions of numbers and scalar constants (``+ - * / ^``, a sign)
    are folded to a number. sdflow runs on a fixed time grid, so a setting that depends
    on TIME (Vensim re-reads it during the run) is refused with a clear error.
    """
    fail = UnsupportedFeatureError
    if depth > 50:
        raise fail(f"variable '{element.name}': the time setting refers to itself",
                   element.name)
    if isinstance(node, (bool, np.bool_)):
        return float(node)
    if isinstance(node, NUMERIC) and np.ndim(node) == 0:
        return float(node)
    if _mentions_time(node):
        raise fail(f"variable '{element.name}': the time setting depends on TIME; "
                   "sdflow runs on a fixed time grid, so INITIAL TIME, FINAL TIME, "
                   "TIME STEP and SAVEPER must be numbers or expressions of constants",
                   element.name)
    if isinstance(node, ae.ReferenceStructure) and not node.subscripts:
        target = elements.get(node.reference)
        if target is not None and len(target.components) == 1 \
                and not target.components[0].subscripts[0]:
            return fold_setting(target.components[0].ast, element, elements, depth + 1)
    if isinstance(node, ae.ArithmeticStructure):
        args = [fold_setting(a, element, elements, depth + 1) for a in node.arguments]
        ops = list(node.operators)
        if ops == ["negative"]:
            return -args[0]
        if ops and all(op == "^" for op in ops):  # ^ groups to the right
            value = args[-1]
            for a in reversed(args[:-1]):
                value = a ** value
            return float(value)
        value = args[0]
        for op, b in zip(ops, args[1:]):
            if op not in ("+", "-", "*", "/") or (op == "/" and b == 0):
                break
            value = {"+": value + b, "-": value - b, "*": value * b, "/": value / b}[op]
        else:
            return float(value)
    raise fail(f"variable '{element.name}': the time setting must be a number or an "
               "expression of numbers and constants (+ - * / ^)", element.name)


def _mentions_time(node, depth: int = 0) -> bool:
    """Whether a pysd expression tree reads TIME (directly, not through other variables)."""
    if depth > 100 or isinstance(node, (str, bytes, NUMERIC)) or node is None:
        return False
    if isinstance(node, ae.ReferenceStructure):
        return node.reference == "time"
    if isinstance(node, (list, tuple)):
        return any(_mentions_time(n, depth + 1) for n in node)
    fields = getattr(node, "__dict__", None)
    return bool(fields) and any(_mentions_time(v, depth + 1) for v in fields.values())


def depends_on_time(node, elements: dict, depth: int = 0) -> bool:
    """Whether a pysd expression tree reads TIME, directly or through the variables it
    names (``elements``: pysd reference name -> element)."""
    if depth > 50:
        return False
    if _mentions_time(node):
        return True
    return any(depends_on_time(c.ast, elements, depth + 1)
               for ref in _references(node) if ref in elements
               for c in elements[ref].components)


def _references(node, depth: int = 0) -> set:
    if depth > 100 or isinstance(node, (str, bytes, NUMERIC)) or node is None:
        return set()
    if isinstance(node, ae.ReferenceStructure):
        return {node.reference} | _references(node.subscripts, depth + 1)
    if isinstance(node, (list, tuple)):
        return set().union(*(_references(n, depth + 1) for n in node))
    fields = getattr(node, "__dict__", None) or {}
    return set().union(*(_references(v, depth + 1) for v in fields.values()))
