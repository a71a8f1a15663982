"""`Results`: a run's output as an xarray Dataset, with export and a quick plot."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import ResultsExportError
from .files import atomic_write
from .tables import csv_path, dimension_sets, select_dimension_set, table


class Results:
    """Output of `simulate`: ``dataset`` holds every saved variable.

    Dimensions are ``(time, [run], [model dimensions...])``; ``run`` is present when more
    than one run was made. Variable attrs carry ``units``, ``description`` and ``kind``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("growth", start=0, stop=2, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("inflow", 0.5 * x, sink=x)
    >>> run = m.simulate()
    >>> run["x"].values.tolist()
    [1.0, 1.5, 2.25]
    """

    def __init__(self, dataset: xr.Dataset):
        self.dataset = dataset

    def __getitem__(self, name: str) -> xr.DataArray:
        if name in self.dataset:
            return self.dataset[name]
        from ..dsl.model import name_key
        for var in self.dataset.data_vars:
            if name_key(str(var)) == name_key(name):
                return self.dataset[var]
        raise KeyError(f"no variable '{name}' in the results; saved variables are "
                       f"{sorted(map(str, self.dataset.data_vars))}")

    def __contains__(self, name: str) -> bool:
        try:
            self[name]
            return True
        except KeyError:
            return False

    @property
    def failed(self) -> np.ndarray:
        """Boolean mask of runs stopped by NaN/inf (with ``on_error="mark"``)."""
        if "failed" in self.dataset:
            return np.atleast_1d(self.dataset["failed"].values.astype(bool))
        return np.zeros(self.dataset.sizes.get("run", 1), dtype=bool)

    def tables(self) -> dict:
        """Every time-varying variable in tidy tables, one per set of dimensions.

        Each variable appears once, over exactly its own dimensions: a regional total is
        not repeated on every (member, partner) row of a bilateral flow.

        Returns
        -------
        dict of tuple of str to pandas.DataFrame
            Dimension names (``()`` for variables without dimensions) -> a DataFrame indexed
            by ``time``, ``run`` (when present) and those dimensions, one column per
            variable.

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("trade", start=0, stop=1, dt=1)
        >>> member = m.dim("member", ["a", "b"])
        >>> partner = m.dim("partner", ["a", "b"])
        >>> flows = m.aux("flows", m.const("f", [[0.0, 1.0], [2.0, 0.0]],
        ...                                dims=[member, partner]))
        >>> total = m.aux("total", sf.sum(sf.sum(flows, over=member), over=partner))
        >>> tables = m.simulate().tables()
        >>> list(tables)
        [('member', 'partner'), ()]
        >>> tables[()]["total"].tolist()  # once per time, not once per (member, partner)
        [3.0, 3.0]
        >>> tables[("member", "partner")].index.names
        FrozenList(['time', 'member', 'partner'])
        """
        return {dims: table(self.dataset, dims, names)
                for dims, names in dimension_sets(self.dataset).items()}

    def to_dataframe(self, dims=None):
        """The time-varying variables over one set of dimensions, as a tidy DataFrame.

        Parameters
        ----------
        dims : str or sequence of str, optional
            The dimensions of the variables wanted (``()`` for those without dimensions),
            in any order. May be left out when all saved variables have the same
            dimensions; otherwise `ResultsExportError` lists the sets (see `tables` for
            all of them at once).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``time``, ``run`` (when present) and ``dims``; one column per
            variable.

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("growth", start=0, stop=1, dt=1)
        >>> region = m.dim("region", ["a", "b"])
        >>> capital = m.stock("capital", initial=[1.0, 2.0], dims=[region])
        >>> _ = m.flow("investment", 0.5 * capital, sink=capital)
        >>> _ = m.aux("total", sf.sum(capital, over=region))
        >>> frame = m.simulate().to_dataframe(dims="region")
        >>> frame.index.names, frame.columns.tolist()
        (FrozenList(['time', 'region']), ['capital', 'investment'])
        >>> frame.loc[(1.0, "b")].tolist()
        [3.0, 1.5]
        """
        own, names = select_dimension_set(self.dataset, dims)
        return table(self.dataset, own, names)

    def to_netcdf(self, path: str | os.PathLike) -> Path:
        """Write the dataset to netCDF atomically (a half-written file never replaces a
        good one)."""
        path = Path(path)
        dataset = self.dataset.copy()
        for name in dataset.data_vars:
            if dataset[name].dtype == bool:
                dataset[name] = dataset[name].astype("int8")
        return atomic_write(path, lambda tmp: dataset.to_netcdf(tmp))

    def to_csv(self, path: str | os.PathLike) -> list[Path]:
        """Write the time-varying variables to CSV, one file per set of dimensions.

        ``path`` holds the variables without dimensions (columns ``time``, ``run`` when
        there are several runs, then one per variable; only the index columns when there
        are none). Variables over dimensions go to ``<stem>.<dim>[.<dim>...].csv`` next to
        it, with a column per dimension after ``time`` and ``run``. Every variable is in
        exactly one file, over exactly its own dimensions, so sums over a file's rows are
        the variable's sums. Each file is written atomically (`atomic_write`). Constants
        are not included: they are in the dataset and in `to_netcdf`.

        Returns
        -------
        list of Path
            The files written, ``path`` first.

        Examples
        --------
        >>> import pathlib, tempfile, sdflow as sf
        >>> m = sf.Model("growth", start=0, stop=1, dt=1)
        >>> region = m.dim("region", ["a", "b"])
        >>> capital = m.stock("capital", initial=[1.0, 2.0], dims=[region])
        >>> _ = m.flow("investment", 0.5 * capital, sink=capital)
        >>> _ = m.aux("total", sf.sum(capital, over=region))
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> [p.name for p in m.simulate().to_csv(folder / "run.csv")]
        ['run.csv', 'run.region.csv']
        >>> print((folder / "run.csv").read_text().strip())
        time,total
        0.0,3.0
        1.0,4.5
        >>> print((folder / "run.region.csv").read_text().strip())
        time,region,capital,investment
        0.0,a,1.0,0.5
        0.0,b,2.0,1.0
        1.0,a,1.5,0.75
        1.0,b,3.0,1.5
        """
        path = Path(path)
        sets = dimension_sets(self.dataset)
        sets.setdefault((), [])  # ``path`` itself is always written
        files = {}
        for dims, names in sets.items():
            target = csv_path(path, dims)
            if target in files:
                raise ResultsExportError(
                    f"dimension sets {files[target]!r} and {dims!r} would both be written to "
                    f"{target}; rename one of the dimensions")
            files[target] = dims
        written = []
        for target, dims in sorted(files.items(), key=lambda item: item[0] != path):
            frame = table(self.dataset, dims, sets[dims])
            written.append(atomic_write(target, lambda tmp, frame=frame: frame.to_csv(tmp)))
        return written

    def plot(self, variables=None, ax=None):
        """Quick look: each variable against time (median and 5-95% band over runs).

        Returns the matplotlib Figure.
        """
        import matplotlib.pyplot as plt

        names = list(variables) if variables is not None else [
            v for v in self.dataset.data_vars if "time" in self.dataset[v].dims][:6]
        if ax is None:
            fig, axes = plt.subplots(len(names), 1, figsize=(7, 2.4 * len(names)),
                                     squeeze=False, sharex=True)
            axes = axes[:, 0]
        else:
            axes, fig = [ax] * len(names), ax.figure
        time = self.dataset["time"].values
        for axis, name in zip(axes, names):
            data = self[name]
            other = [d for d in data.dims if d not in ("time", "run")]
            flat = data.stack(series=other) if other else data.expand_dims(series=[name])
            for label in flat["series"].values:
                line = flat.sel(series=label)
                if "run" in line.dims:
                    lo, mid, hi = (line.quantile(q, dim="run").values for q in (0.05, 0.5, 0.95))
                    axis.fill_between(time, lo, hi, alpha=0.25)
                    axis.plot(time, mid, label=str(label))
                else:
                    axis.plot(time, line.values, label=str(label))
            units = data.attrs.get("units") or ""
            axis.set_ylabel(f"{name}\n[{units}]" if units else name, fontsize=8)
            if other:
                axis.legend(fontsize=7)
        axes[-1].set_xlabel(f"time [{self.dataset.attrs.get('time_units', '')}]")
        fig.tight_layout()
        return fig

    def __repr__(self):
        return f"Results(\n{self.dataset!r}\n)"

    def _repr_html_(self) -> str:
        """The results in a notebook: xarray's own display of the dataset."""
        return self.dataset._repr_html_()
