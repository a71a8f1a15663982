"""Tidy tables of saved results: one table per set of dimensions.

A regional total and a member x partner flow cannot share a table without repeating the
total on every (member, partner) row or leaving holes, so each variable goes to the table of
exactly its own dimensions: rows are (time, [run], *dims), one column per variable.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import xarray as xr

from ..errors import ResultsExportError


def dimension_sets(dataset: xr.Dataset) -> dict[tuple[str, ...], list[str]]:
    """The time-varying variables grouped by their model dimensions (without time and run).

    Keys are the dimension names in the order of the first variable seen with that set;
    variables over the same dimensions in another order join that set.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"total": ("time", np.zeros(2)),
    ...                  "gdp": (("time", "region"), np.zeros((2, 3))),
    ...                  "price": ("region", np.zeros(3))})
    >>> dimension_sets(ds)
    {(): ['total'], ('region',): ['gdp']}
    """
    groups: dict[frozenset, tuple[tuple[str, ...], list[str]]] = {}
    for name in dataset.data_vars:
        dims = dataset[name].dims
        if "time" not in dims:
            continue
        own = tuple(str(d) for d in dims if d not in ("time", "run"))
        groups.setdefault(frozenset(own), (own, []))[1].append(str(name))
    return {dims: names for dims, names in groups.values()}


def table(dataset: xr.Dataset, dims: tuple[str, ...], names: list[str]) -> pd.DataFrame:
    """The variables ``names`` (all over ``dims``) as one DataFrame indexed by time, run
    (if present) and ``dims``."""
    order = ["time"] + (["run"] if "run" in dataset.dims else []) + list(dims)
    if not names:  # only the index: the times (and runs) of the results
        index = pd.MultiIndex.from_product([dataset[d].values for d in order], names=order)
        return pd.DataFrame(index=index if len(order) > 1 else index.get_level_values(0))
    subset = dataset[names]
    return subset.transpose(*order).to_dataframe(dim_order=order)[names]


def csv_path(path: Path, dims: tuple[str, ...]) -> Path:
    """The file of one dimension set: ``path`` itself for variables without dimensions,
    ``<stem>.<dim>[.<dim>...]<suffix>`` next to it otherwise (characters other than
    letters, digits, ``_`` and ``-`` in dimension names become ``_``).

    Examples
    --------
    >>> csv_path(Path("out/run.csv"), ()).as_posix()
    'out/run.csv'
    >>> csv_path(Path("out/run.csv"), ("member", "trade partner")).as_posix()
    'out/run.member.trade_partner.csv'
    """
    if not dims:
        return path
    parts = ".".join(re.sub(r"[^A-Za-z0-9_-]", "_", d) for d in dims)
    return path.with_name(f"{path.stem}.{parts}{path.suffix}")


def select_dimension_set(dataset: xr.Dataset, dims) -> tuple[tuple[str, ...], list[str]]:
    """The dimension set ``dims`` (names in any order; ``None`` when there is only one) and
    its variables; raises `ResultsExportError` listing the sets otherwise."""
    sets = dimension_sets(dataset)
    available = ", ".join(repr(d) for d in sets) or "none"
    if dims is None:
        if len(sets) == 1:
            return next(iter(sets.items()))
        if not sets:
            return (), []
        raise ResultsExportError(
            f"the results hold variables over {len(sets)} different sets of dimensions "
            f"({available}); pick one with to_dataframe(dims=...), e.g. "
            f"dims={next(iter(sets))!r}, or take all of them with tables()")
    wanted = (dims,) if isinstance(dims, str) else tuple(dims)
    for own, names in sets.items():
        if frozenset(own) == frozenset(wanted) and len(own) == len(wanted):
            return own, names
    raise ResultsExportError(f"no saved variable is over exactly the dimensions {wanted!r}; "
                             f"the sets of dimensions are {available}")
