"""Assemble saved arrays into the xarray Dataset of a `Results`."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..ir.graph import ModelGraph


#: Templates kept per graph (in its ``memo``): enough for the usual mix of run sizes and
#: options; beyond it the oldest are dropped.
_TEMPLATES_PER_GRAPH = 16


def build_dataset(graph: ModelGraph, times: np.ndarray, saved: dict[str, np.ndarray],
                  constants: dict[str, np.ndarray], n: int, keep_run: bool,
                  attrs: dict) -> xr.Dataset:
    """``saved`` maps node keys to (time, run, *dims) arrays; ``constants`` to (run, *dims).

    The ``run`` dimension is dropped when there is one run and ``keep_run`` is false.

    Building a Dataset (variables, coordinates, pandas indexes, alignment) costs far more
    than a short run of a small model, and everything but the numbers is the same from one
    call to the next. So the first call for a layout (variables, times, runs, attributes)
    builds a template whose variables hold no memory (broadcast zeros), kept with the
    graph; every call returns a Dataset made from the template's parts holding this call's
    arrays (`Template.filled`: new variables and attributes, the same immutable indexes).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=2, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("inflow", m.const("rate", 0.5) * x, sink=x)
    >>> a, b = m.simulate(), m.simulate(params={"rate": 1.0})
    >>> a["x"].values.tolist(), b["x"].values.tolist()  # one template, two results
    ([1.0, 1.5, 2.25], [1.0, 2.0, 4.0])
    >>> a["x"].attrs["units"] = "widget"
    >>> "units" in b["x"].attrs  # attributes are each result's own
    False
    """
    times = np.asarray(times)
    data = {}
    for key, values in saved.items():
        data[graph.nodes[key].name] = values if keep_run else values[:, 0]
    for key, values in constants.items():
        data[graph.nodes[key].name] = np.asarray(values if keep_run else values[0])
    layout = (tuple(saved), tuple(constants), n, keep_run, times.dtype.str, times.tobytes(),
              tuple(sorted(attrs.items())))
    templates = graph.memo.setdefault(__name__, {})
    template = templates.get(layout)
    if template is None:
        if len(templates) >= _TEMPLATES_PER_GRAPH:
            templates.pop(next(iter(templates)))
        zeros = {name: np.broadcast_to(np.zeros((), values.dtype), values.shape)
                 for name, values in data.items()}
        template = templates[layout] = Template(_build(graph, times, saved, constants,
                                                       zeros, n, keep_run, attrs))
    return template.filled(data)


class Template:
    """A Dataset of one layout without data, and its parts that every result shares.

    `filled` is ``dataset.copy(deep=False, data=data)``, made directly from the parts:
    the template's dimensions, coordinate names and indexes are already checked and
    aligned, and every array of ``data`` has its variable's shape (the layout fixes it),
    so the Dataset is assembled without checking them again (``Dataset._construct_direct``,
    what xarray's own methods use to make their results). On a model of a hundred
    variables ``copy`` spends several times as long checking each variable's data as
    assembling it. Every variable, coordinate and attribute dictionary is the result's
    own; the indexes (immutable) and the coordinates' values are shared.

    Examples
    --------
    >>> template = Template(xr.Dataset({"x": ("time", np.zeros(3))},
    ...                                coords={"time": [0, 1, 2]}, attrs={"model": "m"}))
    >>> made = template.filled({"x": np.arange(3.0)})
    >>> made.identical(template.dataset.copy(deep=False, data={"x": np.arange(3.0)}))
    True
    >>> made.attrs["model"] = "changed"
    >>> template.dataset.attrs["model"]
    'm'
    """

    def __init__(self, dataset: xr.Dataset):
        self.dataset = dataset
        self.variables = tuple(dataset.variables.items())
        self.coord_names = frozenset(dataset.coords)
        self.sizes = dict(dataset.sizes)
        self.indexes = dict(dataset.xindexes)

    def filled(self, data: dict[str, np.ndarray]) -> xr.Dataset:
        """A new Dataset of this layout holding ``data`` (variable name -> array)."""
        construct = getattr(xr.Dataset, "_construct_direct", None)
        if construct is None:  # an xarray without it: the public, checking way
            return self.dataset.copy(deep=False, data=data)
        variables = {}
        for name, var in self.variables:
            values = data.get(name)
            variables[name] = var.copy(deep=False) if values is None else xr.Variable(
                var.dims, np.asarray(values), dict(var.attrs), fastpath=True)
        return construct(variables, set(self.coord_names), dict(self.sizes),
                         dict(self.dataset.attrs), dict(self.indexes))


def _build(graph: ModelGraph, times, saved, constants, data, n: int, keep_run: bool,
           attrs: dict) -> xr.Dataset:
    coords: dict = {"time": times}
    if keep_run:
        coords["run"] = np.arange(n)
    for dim in graph.dimensions.values():
        coords[dim.name] = list(dim.elements)
    data_vars = {}
    for key in saved:
        node = graph.nodes[key]
        dims = ["time", "run"] + [d.name for d in node.dims]
        if not keep_run:
            dims = [d for d in dims if d != "run"]
        data_vars[node.name] = xr.Variable(dims, data[node.name], attrs=_attrs(node))
    for key in constants:
        node = graph.nodes[key]
        dims = ["run"] + [d.name for d in node.dims]
        if not keep_run:
            dims = dims[1:]
        data_vars[node.name] = xr.Variable(dims, data[node.name], attrs=_attrs(node))
    used = {d for v in data_vars.values() for d in v.dims}
    coords = {k: v for k, v in coords.items() if k in used or k in ("time", "run")}
    dataset = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    if graph.time_units:
        dataset["time"].attrs["units"] = graph.time_units
    return dataset


def _attrs(node) -> dict:
    attrs = {"kind": node.kind}
    if node.units_text is not None:
        attrs["units"] = node.units_text
    if node.doc:
        attrs["description"] = node.doc
    return attrs
