"""Graphical functions of imported models: plain, arrayed, and read from files.

sdflow's lookups are scalar tables; a Vensim lookup subscripted over dimensions becomes
one table per element, and a call of it is assembled over those dimensions (each element
reading its own table at its own argument) with `Reindex` placements.
"""

from __future__ import annotations

import itertools

import numpy as np

from pysd.translators.structures import abstract_expressions as ae

from ..expr.nodes import Reindex, Select
from . import external
from ..errors import UnsupportedFeatureError
from .expressions import Term


class ArrayedLookup:
    """One scalar sdflow lookup per element of ``dims`` (a dict keyed by element tuple)."""

    def __init__(self, name: str, dims: tuple, tables: dict):
        self.name, self.dims, self.tables = name, dims, tables


def make_lookup(model, name: str, table: ae.LookupsStructure):
    """A sdflow lookup from pysd's table, refusing interpolation modes it lacks.

    XMILE's discrete graphical functions (pysd's ``hold_backward``: the value of the point
    at or before x, ends held) become tables of steps, as data series that hold their
    values do (`sdflow.io.external.step_table`).
    """
    if table.type in ("hold_backward", "look_forward"):
        x, y = external.step_table(np.asarray(table.x, float), np.asarray(table.y, float),
                                   table.type)
        return model.lookup(name, x=x.tolist(), y=y.tolist())
    if table.type not in ("interpolate", "extrapolate"):
        raise UnsupportedFeatureError(
            f"variable '{name}': lookup interpolation '{table.type}' is not supported "
            "(only interpolate, extrapolate and hold backward)", name)
    return model.lookup(name, x=list(table.x), y=list(table.y),
                        extrapolate=table.type == "extrapolate")


#: Vensim's LOOKUP EXTRAPOLATE / BACKWARD / FORWARD: pysd's interpolation name -> how the
#: table read that way is named
VARIANTS = {"extrapolate": "extrapolated", "hold_backward": "held backward",
            "look_forward": "looked forward"}


def variant(model, table, mode: str):
    """``table`` read another way: continuing its end segments (``extrapolate``), or as
    steps at its points (``hold_backward``: the point at or before x; ``look_forward``:
    the point at or after x), as a second lookup beside it (made once)."""
    if isinstance(table, ArrayedLookup):
        return ArrayedLookup(table.name, table.dims,
                             {k: variant(model, t, mode) for k, t in table.tables.items()})
    name = f"{table.name} {VARIANTS[mode]}"
    if name in model:
        return model[name]
    if mode == "extrapolate":
        return model.lookup(name, x=table.x.tolist(), y=table.y.tolist(), extrapolate=True)
    x, y = external.step_table(table.x, table.y, mode)
    return model.lookup(name, x=x.tolist(), y=y.tolist())


def build_lookup(builder, element, name: str, dims: tuple):
    """The lookup (or `ArrayedLookup`) an element of tables defines."""
    model, space = builder.model, builder.space
    if not dims:
        ast = element.components[0].ast
        if isinstance(ast, ae.GetLookupsStructure):
            tables = external.read_lookup(ast, element.components[0], (), space,
                                          builder.path.parent, element.name)
            x, y = tables[()]
            return model.lookup(name, x, y, doc=element.documentation or "")
        return make_lookup(model, name, builder.graph_table(element.name, ast))
    tables = {}
    for component in element.components:
        subs = list(component.subscripts[0])
        if component.subscripts[1]:
            raise UnsupportedFeatureError(f"variable '{element.name}': EXCEPT in a lookup "
                                          "table is not supported", element.name)
        combos = itertools.product(*(space.elements_of(s) for s in subs))
        if isinstance(component.ast, ae.GetLookupsStructure):
            read = external.read_lookup(component.ast, component, dims, space,
                                        builder.path.parent, element.name)
            for key, (x, y) in read.items():
                tables[key] = model.lookup(f"{name}[{', '.join(key)}]", x, y)
        else:
            for key in combos:
                tables[key] = make_lookup(model, f"{name}[{', '.join(key)}]", component.ast)
    return ArrayedLookup(name, dims, tables)


def series_lookup(builder, name: str, dims: tuple, times, values, keyword: str):
    """A data series (time, *dims) as lookup tables of TIME, read as ``keyword`` says."""
    tables = {}
    for index in itertools.product(*(range(len(d)) for d in dims)):
        key = tuple(d.elements[i] for d, i in zip(dims, index))
        xy = external.step_table(times, values[(slice(None),) + index], keyword)
        if xy is None:
            continue  # an element without data reads 0, as a part left undefined
        label = f"{name} series" + (f"[{', '.join(key)}]" if key else "")
        tables[key] = builder.model.lookup(label, *xy)
    if not dims:
        if () not in tables:
            raise UnsupportedFeatureError(f"variable '{name}': the data has no values", name)
        return tables[()]
    return ArrayedLookup(name, dims, tables)


def call_lookup(builder, table: ArrayedLookup, subs: list, arg: Term, variable: str,
                banged: set) -> Term:
    """``table[subs](arg)``: each element's table read at that element's argument."""
    total = None
    for key, lookup in table.tables.items():
        x = arg.expr
        for dim, element in zip(table.dims, key):
            if dim in arg.dims:
                x = Select(x, dim.name, element)
        part = lookup(x)
        for dim, element in zip(table.dims, key):
            part = Reindex(part, None, dim, [0 if e == element else -1 for e in dim.elements])
        total = part if total is None else total + part
    dims = table.dims
    if subs:
        total, dims = builder.space.subscript_reference(total, table.dims, subs, variable,
                                                        banged)
    return Term(total, tuple(d for d in arg.dims if d not in table.dims and d not in dims)
                + dims)


def is_table(element) -> bool:
    """Whether every component of ``element`` is a lookup table (in the file or read)."""
    return all(isinstance(c.ast, (ae.LookupsStructure, ae.GetLookupsStructure))
               for c in element.components)


def own_graph(element):
    """The table of a variable defined as its own graphical function of one input (an
    XMILE aux with a ``<gf>``; pysd reads Vensim's WITH LOOKUP the same way), or None.

    XMILE lets other variables call such a variable as a function, ``gf(x)`` or
    ``LOOKUP(gf, x)``: its table read at x instead of at its own input.
    """
    if len(element.components) != 1:
        return None
    component = element.components[0]
    if any(component.subscripts) or not isinstance(component.ast, ae.InlineLookupsStructure):
        return None
    return component.ast.lookups
