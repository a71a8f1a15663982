"""What an ensemble says: quantile bands, threshold probabilities, paired differences.

All functions take the Dataset of `run_ensemble` (dims scenario, run, time, ...) and
ignore failed runs (their values are NaN).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import xarray as xr

from ..errors import SpecError

#: Median, the 50% band (25-75%) and the 90% band (5-95%).
BANDS = (0.05, 0.25, 0.5, 0.75, 0.95)


def _variable(ds: xr.Dataset, name: str) -> xr.DataArray:
    if name not in ds.data_vars or "run" not in ds[name].dims or "time" not in ds[name].dims:
        valid = sorted(str(v) for v in ds.data_vars if "time" in ds[v].dims)
        raise SpecError(f"'{name}' is not an output of the ensemble; outputs are {valid}")
    data = ds[name]
    if "failed" in ds:
        data = data.where(~ds["failed"].astype(bool))
    return data


def quantile_bands(ds: xr.Dataset, variables: Sequence[str] | None = None,
                   quantiles: Sequence[float] = BANDS) -> xr.Dataset:
    """Quantiles over runs of each variable, per scenario, time and element.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"x": (("scenario", "run", "time"),
    ...                        np.arange(101.0).reshape(1, 101, 1))})
    >>> quantile_bands(ds)["x"].sel(quantile=0.25).item()
    25.0
    """
    names = variables or [v for v in ds.data_vars if "time" in ds[v].dims and "run" in ds[v].dims]
    data = xr.Dataset({name: _variable(ds, name) for name in names})
    if data.chunks:  # dask-backed: all runs of a few times at once, to bound memory
        data = data.chunk({"run": -1, "time": 8})
    return data.quantile(list(quantiles), dim="run", skipna=True)


def exceedance_probability(ds: xr.Dataset, variable: str, threshold: float,
                           above: bool = True) -> xr.DataArray:
    """Share of (non-failed) runs in which ``variable`` is above (or below) ``threshold``,
    per scenario, time and element.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"x": (("scenario", "run", "time"), np.arange(10.0).reshape(1, 10, 1))})
    >>> exceedance_probability(ds, "x", 6.5).item()
    0.3
    """
    data = _variable(ds, variable)
    hit = (data > threshold) if above else (data < threshold)
    valid = data.notnull()
    return hit.where(valid).sum("run") / valid.sum("run")


def paired_differences(ds: xr.Dataset, variables: Sequence[str] | None = None,
                       reference: str | None = None, relative: bool = False) -> xr.Dataset:
    """Run-by-run differences of every scenario from ``reference`` (default the first).

    With common random numbers, run ``j`` of each scenario used the same parameters, so
    these differences isolate the effect of the policy. ``relative`` gives
    ``scenario / reference - 1``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> x = np.array([[[1.0], [2.0]], [[3.0], [5.0]]])  # scenario, run, time
    >>> ds = xr.Dataset({"x": (("scenario", "run", "time"), x)},
    ...                 coords={"scenario": ["base", "policy"]})
    >>> paired_differences(ds)["x"].sel(scenario="policy").values.ravel().tolist()
    [2.0, 3.0]
    """
    names = variables or [v for v in ds.data_vars if "time" in ds[v].dims and "run" in ds[v].dims]
    scenarios = [str(s) for s in ds["scenario"].values]
    reference = scenarios[0] if reference is None else reference
    if reference not in scenarios:
        raise SpecError(f"reference scenario '{reference}' is not in the ensemble; scenarios "
                        f"are {scenarios}")
    out = {}
    for name in names:
        data = _variable(ds, name)
        base = data.sel(scenario=reference)
        out[name] = data / base - 1 if relative else data - base
    return xr.Dataset(out)


def values_at(data: xr.Dataset | xr.DataArray, years: Sequence[float]):
    """The values at the saved times nearest to ``years`` (which must be in the run).

    Examples
    --------
    >>> import xarray as xr
    >>> x = xr.DataArray([1.0, 2.0, 3.0], dims="time", coords={"time": [2020.0, 2021.0, 2022.0]})
    >>> values_at(x, [2022]).values.tolist()
    [3.0]
    """
    times = np.asarray(data["time"].values, dtype=float)
    missing = [y for y in years if np.min(np.abs(times - y)) > 1e-6 * max(1.0, abs(y))]
    if missing:
        raise SpecError(f"years {missing} are not saved times of the forecast "
                        f"({times[0]:g} to {times[-1]:g}); choose years inside the horizon")
    return data.sel(time=list(years), method="nearest")
