"""`Results`: a run's output as an xarray Dataset, with export and a quick plot."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr


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

    def to_dataframe(self):
        """The time-varying variables as a pandas DataFrame indexed by time (and run...)."""
        timed = [v for v in self.dataset.data_vars if "time" in self.dataset[v].dims]
        return self.dataset[timed].to_dataframe()

    def to_netcdf(self, path: str | os.PathLike) -> Path:
        """Write the dataset to netCDF atomically (a half-written file never replaces a
        good one)."""
        path = Path(path)
        dataset = self.dataset.copy()
        for name in dataset.data_vars:
            if dataset[name].dtype == bool:
                dataset[name] = dataset[name].astype("int8")
        return atomic_write(path, lambda tmp: dataset.to_netcdf(tmp))

    def to_csv(self, path: str | os.PathLike) -> Path:
        """Write the time-varying variables to CSV atomically."""
        frame = self.to_dataframe()
        return atomic_write(Path(path), lambda tmp: frame.to_csv(tmp))

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


def atomic_write(path: Path, write) -> Path:
    """Call ``write(tmp_path)`` then move the file into place in one step.

    A reader never sees a half-written file, and a failing ``write`` leaves the old file
    (if any) untouched and no temporary file behind.

    Parameters
    ----------
    path : Path
        The file to write; its folder is created if missing.
    write : callable
        Called with the temporary path (a str in the same folder) to write to.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "a.txt"
    >>> atomic_write(target, lambda tmp: pathlib.Path(tmp).write_text("hello")).read_text()
    'hello'
    >>> def fail(tmp):
    ...     pathlib.Path(tmp).write_text("half")
    ...     raise OSError("disk full")
    >>> atomic_write(target, fail)
    Traceback (most recent call last):
    ...
    OSError: disk full
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('hello', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
