"""Figures people look at: fan charts of forecasts and bar charts of sensitivity indices.

Functions return matplotlib Figures; `save_figure` writes a PNG atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..files import atomic_write

_COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
            "#8c8c8c"]


def _pyplot():
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    return plt


def _panels(data: xr.DataArray, limit: int = 9) -> list[tuple[str, dict]]:
    other = [d for d in data.dims if d not in ("scenario", "quantile", "time")]
    if not other:
        return [("", {})]
    stacked = data.stack(element=other)
    labels = []
    for element in stacked["element"].values[:limit]:
        element = element if isinstance(element, tuple) else (element,)
        labels.append((", ".join(map(str, element)), dict(zip(other, element))))
    return labels


def fan_chart(bands: xr.Dataset, variable: str, title: str | None = None,
              units: str | None = None, reference: str | None = None):
    """Fan chart of ``variable``: one column per scenario, one row per element, each with
    the median and the 50% and 90% bands over runs (``bands`` from `quantile_bands`, with
    0.05 ... 0.95). The ``reference`` scenario's median (default the first) is repeated
    as a dashed line in the other columns.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> q = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    >>> x = (np.arange(3.0)[None, None, :] + q[:, None, None]) * np.ones((1, 2, 1))
    >>> bands = xr.Dataset({"x": (("quantile", "scenario", "time"), x)},
    ...                    coords={"quantile": q, "scenario": ["base", "policy"],
    ...                            "time": [0, 1, 2]})
    >>> len(fan_chart(bands, "x").axes)
    2
    """
    plt = _pyplot()
    data = bands[variable]
    panels = _panels(data, limit=6)
    scenarios = [str(s) for s in data["scenario"].values]
    reference = reference or scenarios[0]
    rows, columns = len(panels), len(scenarios)
    fig, axes = plt.subplots(rows, columns, figsize=(2.9 * columns + 0.8, 2.2 * rows + 0.9),
                             squeeze=False, sharex=True, sharey="row")
    time = data["time"].values
    for r, (label, where) in enumerate(panels):
        cell = data.sel(**where) if where else data
        for c, scenario in enumerate(scenarios):
            ax = axes[r, c]
            colour = _COLOURS[c % len(_COLOURS)]
            s = cell.sel(scenario=scenario)
            ax.fill_between(time, s.sel(quantile=0.05), s.sel(quantile=0.95), color=colour,
                            alpha=0.18, linewidth=0, label="90%")
            ax.fill_between(time, s.sel(quantile=0.25), s.sel(quantile=0.75), color=colour,
                            alpha=0.35, linewidth=0, label="50%")
            ax.plot(time, s.sel(quantile=0.5), color=colour, linewidth=1.6, label="median")
            if scenario != reference:
                ax.plot(time, cell.sel(scenario=reference, quantile=0.5), color="0.3",
                        linewidth=1.0, linestyle="--", label=f"{reference} median")
            if r == 0:
                ax.set_title(scenario, fontsize=9)
            if c == 0 and label:
                ax.set_ylabel(label, fontsize=9)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
    units = units if units is not None else data.attrs.get("units", "")
    fig.suptitle(title or f"{variable}" + (f" [{units}]" if units else "") +
                 ": median, 50% and 90% bands over runs", fontsize=10)
    handles, labels = axes[0, -1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8,
               frameon=False, borderaxespad=0.1)
    fig.tight_layout(rect=(0, 0.3 / (2.2 * rows + 0.9), 1, 1))  # room for the legend
    return fig


def difference_chart(differences: xr.Dataset, variable: str, reference: str,
                     units: str | None = None):
    """Paired differences of ``variable`` from the ``reference`` scenario over time:
    median and 90% band per scenario, one panel per element (``differences`` are
    quantile bands of `paired_differences`).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> q = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    >>> d = np.stack([np.zeros((5, 3)), np.ones((5, 3)) * q[:, None]], axis=1)
    >>> bands = xr.Dataset({"x": (("quantile", "scenario", "time"), d)},
    ...                    coords={"quantile": q, "scenario": ["base", "policy"],
    ...                            "time": [0, 1, 2]})
    >>> len(difference_chart(bands, "x", "base").axes)
    1
    """
    plt = _pyplot()
    data = differences[variable]
    panels = _panels(data)
    columns = min(3, len(panels))
    rows = int(np.ceil(len(panels) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(max(6.0, 4.2 * columns),
                                                     2.8 * rows + 1.0),
                             squeeze=False, sharex=True)
    time = data["time"].values
    scenarios = [str(s) for s in data["scenario"].values]
    for ax, (label, where) in zip(axes.ravel(), panels):
        cell = data.sel(**where) if where else data
        for k, scenario in enumerate(scenarios):
            if scenario == reference:
                continue
            colour = _COLOURS[k % len(_COLOURS)]
            s = cell.sel(scenario=scenario)
            ax.fill_between(time, s.sel(quantile=0.05), s.sel(quantile=0.95), color=colour,
                            alpha=0.18, linewidth=0)
            ax.plot(time, s.sel(quantile=0.5), color=colour, linewidth=1.6, label=scenario)
        ax.axhline(0, color="0.3", linewidth=0.8)
        ax.set_title(label or variable, fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    for ax in axes.ravel()[:len(panels)]:  # panels above a hidden one keep their years
        ax.xaxis.set_tick_params(labelbottom=True)
    units = units if units is not None else data.attrs.get("units", "")
    fig.suptitle(f"{variable}" + (f" [{units}]" if units else "") +
                 f": difference from '{reference}'\nrun by run (median and 90% band)",
                 fontsize=10)
    axes.ravel()[0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def sensitivity_chart(table: pd.DataFrame, output: str, top: int = 15):
    """Horizontal bars of the indices of ``output``, largest first, with confidence
    intervals: total (ST) and first-order (S1) Sobol indices, or Morris mu*.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"output": ["y", "y"], "parameter": ["a", "b"], "S1": [0.2, 0.8],
    ...                   "S1_conf": [0.01, 0.02], "ST": [0.2, 0.8], "ST_conf": [0.01, 0.02]})
    >>> fig = sensitivity_chart(t, "y")
    """
    plt = _pyplot()
    rows = table[table["output"] == output]
    sobol = "ST" in rows.columns
    key = "ST" if sobol else "mu_star"
    rows = rows.sort_values(key, ascending=True).tail(top)
    y = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(rows) + 1.4))
    if sobol:
        ax.barh(y + 0.18, rows["ST"], height=0.36, xerr=rows["ST_conf"], color=_COLOURS[0],
                label="total (ST)", capsize=2)
        ax.barh(y - 0.18, rows["S1"], height=0.36, xerr=rows["S1_conf"], color=_COLOURS[1],
                label="first order (S1)", capsize=2)
        ax.set_xlabel("Sobol index (share of output variance)")
        ax.legend(fontsize=8, loc="lower right")
    else:
        ax.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], color=_COLOURS[0], capsize=2)
        ax.set_xlabel("Morris mu* (mean |effect| per unit of quantile)")
    ax.set_yticks(y, rows["parameter"], fontsize=8)
    ax.set_title(output, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def save_figure(fig, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` as PNG atomically and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
    dpi : int

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> path = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "line.png", dpi=50)
    >>> path.read_bytes()[:4]
    b'\\x89PNG'
    """
    plt = _pyplot()
    try:
        return atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))
    finally:
        plt.close(fig)
