"""Assemble saved arrays into the xarray Dataset of a `Results`."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..ir.graph import ModelGraph


def build_dataset(graph: ModelGraph, times: np.ndarray, saved: dict[str, np.ndarray],
                  constants: dict[str, np.ndarray], n: int, keep_run: bool,
                  attrs: dict) -> xr.Dataset:
    """``saved`` maps node keys to (time, run, *dims) arrays; ``constants`` to (run, *dims).

    The ``run`` dimension is dropped when there is one run and ``keep_run`` is false.
    """
    coords: dict = {"time": times}
    if keep_run:
        coords["run"] = np.arange(n)
    for dim in graph.dimensions.values():
        coords[dim.name] = list(dim.elements)
    data_vars = {}
    for key, values in saved.items():
        node = graph.nodes[key]
        dims = ["time", "run"] + [d.name for d in node.dims]
        if not keep_run:
            values, dims = values[:, 0], [d for d in dims if d != "run"]
        data_vars[node.name] = xr.Variable(dims, values, attrs=_attrs(node))
    for key, values in constants.items():
        node = graph.nodes[key]
        dims = ["run"] + [d.name for d in node.dims]
        if not keep_run:
            values, dims = values[0], dims[1:]
        data_vars[node.name] = xr.Variable(dims, np.asarray(values), attrs=_attrs(node))
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
