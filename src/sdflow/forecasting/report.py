"""Write what a forecast produced: NetCDF of all draws, fan charts, ``forecast_report.md``.

Every file is written atomically, so an interrupted write never leaves half a report.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import SpecError
from ..files import atomic_write
from .plots import difference_chart, fan_chart, save_figure, sensitivity_chart
from .summary import exceedance_probability, paired_differences, quantile_bands, values_at


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 1e3:
        return f"{value:,.0f}"
    return f"{value:.4g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def slug(name: str) -> str:
    """A file-name-safe version of a variable name.

    Examples
    --------
    >>> slug("market integration (mean)")
    'market_integration_mean'
    """
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "variable"


def _elements(data: xr.DataArray) -> list[tuple[str, dict]]:
    other = [d for d in data.dims if d not in ("scenario", "quantile", "time", "run")]
    if not other:
        return [("", {})]
    stacked = data.stack(element=other)
    out = []
    for element in stacked["element"].values:
        element = element if isinstance(element, tuple) else (element,)
        out.append((", ".join(map(str, element)), dict(zip(other, element))))
    return out


def band_table(bands: xr.Dataset, variable: str, years: Sequence[float]) -> str:
    """Markdown table: median [50% band] [90% band] per scenario (and element) and year.

    Parameters
    ----------
    bands : xarray.Dataset
        From `quantile_bands` (needs the 0.05, 0.25, 0.5, 0.75 and 0.95 quantiles).
    variable : str
    years : sequence of float
        One column per year.

    Returns
    -------
    str

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdflow.forecasting import Ensemble, Scenario, Uncertain, run_ensemble
    >>> from sdflow.forecasting.examples import growth_model
    >>> m = growth_model()
    >>> ds = run_ensemble(Ensemble(m, [Scenario("baseline"),
    ...                                Scenario("boost", levers={"rate": 0.05})],
    ...                            [Uncertain("rate", sf.uniform(0.02, 0.04))], n=20))
    >>> print(band_table(quantile_bands(ds), "x", [2030]))   # the lever fixes the rate
    | scenario | 2030 |
    |---|---|
    | baseline | 1.342 [1.282, 1.407] [1.237, 1.454] |
    | boost | 1.629 [1.629, 1.629] [1.629, 1.629] |
    """
    data = values_at(bands[variable], years)
    head = "| scenario | " + ("element | " if _elements(data)[0][0] else "") + \
        " | ".join(f"{y:g}" for y in years) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for scenario in data["scenario"].values:
        for label, where in _elements(data):
            cells = []
            for y in years:
                q = data.sel(scenario=scenario, time=y, method=None, **where) if where else \
                    data.sel(scenario=scenario, time=y)
                v = {float(k): float(q.sel(quantile=k)) for k in q["quantile"].values}
                cells.append(f"{_fmt(v[0.5])} [{_fmt(v[0.25])}, {_fmt(v[0.75])}] "
                             f"[{_fmt(v[0.05])}, {_fmt(v[0.95])}]")
            lines.append(f"| {scenario} | " + (f"{label} | " if label else "") +
                         " | ".join(cells) + " |")
    return "\n".join(lines)


def difference_table(ds: xr.Dataset, variable: str, year: float) -> str:
    """Markdown table of paired differences from the first scenario at ``year``.

    Runs with the same index share their parameter draws, so each difference is taken
    run by run (see `paired_differences`).

    Parameters
    ----------
    ds : xarray.Dataset
        An ensemble from `run_ensemble` with at least two scenarios.
    variable : str
    year : float

    Returns
    -------
    str

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdflow.forecasting import Ensemble, Scenario, Uncertain, run_ensemble
    >>> from sdflow.forecasting.examples import growth_model
    >>> m = growth_model()
    >>> ds = run_ensemble(Ensemble(m, [Scenario("baseline"),
    ...                                Scenario("boost", levers={"rate": 0.05})],
    ...                            [Uncertain("rate", sf.uniform(0.02, 0.04))], n=20))
    >>> print(difference_table(ds, "x", 2030))
    Paired differences from 'baseline' in 2030 (same parameter draws):
    <BLANKLINE>
    | scenario | median difference | 90% band | median relative | share of runs > 0 |
    |---|---|---|---|---|
    | boost | 0.2868 | [0.1746, 0.3919] | +21.37% | 1.00 |
    """
    at_year = values_at(ds, [year]).isel(time=0).compute()  # small: one year, all runs
    diff = paired_differences(at_year.expand_dims(time=[year]), [variable])[variable]
    rel = paired_differences(at_year.expand_dims(time=[year]), [variable],
                             relative=True)[variable]
    diff, rel = diff.isel(time=0), rel.isel(time=0)
    reference = str(ds["scenario"].values[0])
    elements = _elements(diff)
    head = "| scenario | " + ("element | " if elements[0][0] else "") + \
        "median difference | 90% band | median relative | share of runs > 0 |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for scenario in [str(s) for s in ds["scenario"].values[1:]]:
        for label, where in elements:
            d = diff.sel(scenario=scenario, **where)
            r = rel.sel(scenario=scenario, **where)
            q = d.quantile([0.05, 0.5, 0.95], dim="run").values
            share = float((d > 0).sum() / d.notnull().sum())
            lines.append(f"| {scenario} | " + (f"{label} | " if label else "") +
                         f"{_fmt(q[1])} | [{_fmt(q[0])}, {_fmt(q[2])}] | "
                         f"{100 * float(r.median()):+.2f}% | {share:.2f} |")
    return f"Paired differences from '{reference}' in {year:g} (same parameter draws):\n\n" + \
        "\n".join(lines)


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to netCDF (``.nc``) or Zarr (``.zarr``, needs the zarr package),
    atomically: readers see the old store or the new one, never half of one.

    Boolean variables (``failed``) are stored as int8, which every netCDF engine accepts.

    Parameters
    ----------
    ds : xarray.Dataset
    path : str or Path
        Ends in ``.zarr`` for a Zarr store, anything else for netCDF.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import numpy as np, xarray as xr, tempfile, pathlib
    >>> ds = xr.Dataset({"x": ("run", [1.0, 2.0]), "failed": ("run", [False, True])})
    >>> path = write_dataset(ds, pathlib.Path(tempfile.mkdtemp()) / "runs.nc")
    >>> with xr.open_dataset(path) as back:
    ...     back["x"].values.tolist(), back["failed"].values.tolist()
    ([1.0, 2.0], [0, 1])
    """
    path = Path(path)
    stored = ds.copy()
    for name in stored.data_vars:
        if stored[name].dtype == bool:
            stored[name] = stored[name].astype("int8")
    if path.suffix != ".zarr":
        return atomic_write(path, stored.to_netcdf)
    try:
        import zarr  # noqa: F401
    except ImportError:
        raise SpecError("Zarr output needs the zarr package (pip install zarr); or write "
                        "netCDF instead") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        stored.to_zarr(tmp / "store.zarr", mode="w")
        old = path.with_name(f".{path.name}.old")
        if path.exists():
            os.replace(path, old)
        os.replace(tmp / "store.zarr", path)
        if old.exists():
            shutil.rmtree(old)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def write_forecast(ds: xr.Dataset, out_dir: str | Path, years: Sequence[float] = (),
                   thresholds: Sequence[dict] = (), title: str = "Forecast",
                   notes: str = "", descriptions: dict | None = None,
                   figures: bool = True, store: str | None = "netcdf") -> dict[str, Path]:
    """Write all draws (``ensemble.nc``, or ``ensemble.zarr`` with ``store="zarr"``),
    the quantile bands (``bands.nc``), fan charts and ``forecast_report.md``.

    Parameters
    ----------
    ds : xarray.Dataset
        An ensemble from `run_ensemble` (dims scenario, run, time, ...).
    out_dir : str or Path
        Created if missing.
    years : sequence of float
        Columns of the band tables (default: the middle and the last time).
    thresholds : sequence of dict
        Exceedance probabilities to report (see `exceedance_probability`).
    title, notes : str
        Heading and an introductory paragraph of the report.
    descriptions : dict, optional
        Scenario name -> one-line description for the scenario table.
    figures : bool
        Draw a fan chart (PNG) per variable.
    store : {"netcdf", "zarr", None}
        Format of the draws; None writes neither the draws nor the bands.

    Returns
    -------
    dict of str to Path
        The paths written, by role (``"ensemble"``, ``"bands"``, ``"fan <variable>"``,
        ``"report"``...).

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdflow.forecasting import Ensemble, Scenario, Uncertain, run_ensemble
    >>> from sdflow.forecasting.examples import growth_model
    >>> m = growth_model()
    >>> import tempfile
    >>> ds = run_ensemble(Ensemble(m, [Scenario("baseline")],
    ...                            [Uncertain("rate", sf.uniform(0.02, 0.04))], n=20))
    >>> written = write_forecast(ds, tempfile.mkdtemp(), years=[2030], figures=False)
    >>> {role: path.name for role, path in written.items()}
    {'ensemble': 'ensemble.nc', 'bands': 'bands.nc', 'report': 'forecast_report.md'}
    >>> print(written["report"].read_text().split("## x")[1].split("##")[0].strip())
    | scenario | 2030 |
    |---|---|
    | baseline | 1.342 [1.282, 1.407] [1.237, 1.454] |
    """
    if store not in ("netcdf", "zarr", None):
        raise SpecError(f"store={store!r} must be 'netcdf', 'zarr' or None")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    variables = [str(v) for v in ds.data_vars if "time" in ds[v].dims and "run" in ds[v].dims]
    bands = quantile_bands(ds, variables).compute()
    times = ds["time"].values
    years = list(years) or [float(times[len(times) // 2]), float(times[-1])]
    if store is not None:
        suffix = ".zarr" if store == "zarr" else ".nc"
        written["ensemble"] = write_dataset(ds, out / f"ensemble{suffix}")
        written["bands"] = write_dataset(bands, out / "bands.nc")
    lines = [f"# {title}", ""]
    if notes:
        lines += [notes, ""]
    scenarios = [str(s) for s in ds["scenario"].values]
    failed = ds["failed"].sum("run").values if "failed" in ds else np.zeros(len(scenarios))
    lines += ["| scenario | description | failed runs |", "|---|---|---|"]
    for s, f in zip(scenarios, failed):
        lines.append(f"| {s} | {(descriptions or {}).get(s, '')} | {int(f)} |")
    lines += ["", f"{ds.sizes['run']} runs per scenario; cells show the median "
                  "[50% band] [90% band] across runs.", ""]
    for variable in variables:
        units = ds[variable].attrs.get("units", "")
        lines += [f"## {variable}" + (f" [{units}]" if units else ""), ""]
        if figures:
            path = save_figure(fan_chart(bands, variable, units=units),
                               out / f"fan_{slug(variable)}.png")
            written[f"fan {variable}"] = path
            lines += [f"![{variable}]({path.name})", ""]
        lines += [band_table(bands, variable, years), ""]
        if len(scenarios) > 1:
            if figures:
                diff = quantile_bands(paired_differences(ds, [variable]), [variable])
                path = save_figure(difference_chart(diff.compute(), variable, scenarios[0],
                                                    units=units),
                                   out / f"difference_{slug(variable)}.png")
                written[f"difference {variable}"] = path
                lines += [f"![{variable}: difference]({path.name})", ""]
            lines += [difference_table(ds, variable, years[-1]), ""]
    if thresholds:
        lines += ["## Thresholds", "", "| variable | condition | year | scenario | "
                  "element | probability |", "|---|---|---|---|---|---|"]
        for item in thresholds:
            above = "above" in item
            level = float(item["above" if above else "below"])
            year = float(item.get("year", times[-1]))
            p = values_at(exceedance_probability(ds, item["variable"], level, above),
                          [year]).isel(time=0).compute()
            for scenario in scenarios:
                for label, where in _elements(p):
                    value = float(p.sel(scenario=scenario, **where))
                    lines.append(f"| {item['variable']} | {'>' if above else '<'} {level:g} | "
                                 f"{year:g} | {scenario} | {label or '-'} | {value:.3f} |")
        lines.append("")
    text = "\n".join(lines)
    written["report"] = atomic_write(out / "forecast_report.md",
                                     lambda tmp: Path(tmp).write_text(text))
    return written


def write_sensitivity(table: pd.DataFrame, out_dir: str | Path, title: str = "Sensitivity",
                      figures: bool = True) -> dict[str, Path]:
    """Write ``sensitivity.csv``, one bar chart per output and ``sensitivity_report.md``.

    Parameters
    ----------
    table : pandas.DataFrame
        From `morris_screening` or `sobol_indices` (its ``attrs`` name the method).
    out_dir : str or Path
        Created if missing.
    title : str
        Heading of the report.
    figures : bool
        Draw a bar chart (PNG) per output.

    Returns
    -------
    dict of str to Path
        The paths written, by role (``"table"``, ``"chart <output>"``, ``"report"``).

    Examples
    --------
    >>> import tempfile
    >>> from sdflow.forecasting import morris_screening
    >>> from sdflow.forecasting.examples import linear_sensitivity
    >>> p = linear_sensitivity()
    >>> written = write_sensitivity(morris_screening(p, trajectories=10), tempfile.mkdtemp(),
    ...                             figures=False)
    >>> print(written["report"].read_text().split("## y @ 1")[1].strip())
    | parameter | mu* | ± | mu | sigma |
    |---|---|---|---|---|
    | b | 2 | 0 | 2 | 0 |
    | a | 1 | 0 | 1 | 0 |
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {"table": atomic_write(out / "sensitivity.csv",
                                     lambda tmp: table.to_csv(tmp, index=False))}
    method = table.attrs.get("method", "sobol" if "ST" in table.columns else "morris")
    key = "ST" if method == "sobol" else "mu_star"
    lines = [f"# {title}", "", f"Method: {method}; {table.attrs.get('runs', '?')} model runs; "
             f"{int(100 * table.attrs.get('conf_level', 0.95))}% confidence intervals.", ""]
    for output in dict.fromkeys(table["output"]):
        rows = table[table["output"] == output].sort_values(key, ascending=False)
        lines += [f"## {output}", ""]
        if figures:
            path = save_figure(sensitivity_chart(table, output),
                               out / f"sensitivity_{slug(output)}.png")
            written[f"chart {output}"] = path
            lines += [f"![{output}]({path.name})", ""]
        if method == "sobol":
            lines += ["| parameter | S1 | ± | ST | ± |", "|---|---|---|---|---|"]
            lines += [f"| {r.parameter} | {r.S1:.3f} | {r.S1_conf:.3f} | {r.ST:.3f} | "
                      f"{r.ST_conf:.3f} |" for r in rows.itertuples()]
        else:
            lines += ["| parameter | mu* | ± | mu | sigma |", "|---|---|---|---|---|"]
            lines += [f"| {r.parameter} | {_fmt(r.mu_star)} | {_fmt(r.mu_star_conf)} | "
                      f"{_fmt(r.mu)} | {_fmt(r.sigma)} |" for r in rows.itertuples()]
        lines.append("")
    text = "\n".join(lines)
    written["report"] = atomic_write(out / "sensitivity_report.md",
                                     lambda tmp: Path(tmp).write_text(text))
    return written
