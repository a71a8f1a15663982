"""The fit report of a calibration, written atomically under one folder.

Files: ``report.md`` (estimates with intervals, flags, correlations, fit scores in and out
of sample against a naive trend), ``params.json`` (what forecasting reads: the model, its
options and every calibrated constant's full value), ``estimates.csv``, ``statistics.csv``,
and PNG plots ``fit_<series>.png`` (simulated vs observed) and ``residuals_<series>.png``;
``draws.csv``, predictive checks and the posterior's files (see `posterior_report`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..solve.results import atomic_write
from .posterior_report import write_draws_report


def write_report(result, folder: str | Path) -> Path:
    """Write all report files of ``result`` (a `CalibrationResult`) into ``folder``.

    Parameters
    ----------
    result : CalibrationResult
    folder : str or Path
        Created if missing; existing report files are replaced atomically.

    Returns
    -------
    Path
        ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> from sdflow.calibrate import calibrate
    >>> from sdflow.calibrate.examples import decay_spec
    >>> spec = decay_spec()
    >>> folder = write_report(calibrate(spec), tempfile.mkdtemp())
    >>> sorted(p.name for p in folder.iterdir())
    ... # doctest: +NORMALIZE_WHITESPACE
    ['draws.csv', 'estimates.csv', 'fit_x.png', 'params.json', 'predictive_x.png',
     'report.md', 'residuals_x.png', 'statistics.csv']
    >>> import json
    >>> params = json.loads((folder / "params.json").read_text())["params"]
    >>> {k: round(v, 6) for k, v in params.items()}
    {'k': 0.3}
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = result.spec
    params = {
        "spec": spec.name, "model": spec.model if isinstance(spec.model, str) else None,
        "options": spec.options, "payoff": spec.payoff,
        "fit_period": list(spec.fit_period), "params": result.params,
        "estimates": result.estimates, "intervals": result.intervals,
        "error_scales": result.sigma if spec.payoff in ("gaussian", "lognormal") else None,
        "dispersion": result.sigma if spec.payoff == "negative_binomial" else None,
        "covariance": result.wald["cov"].tolist(), "labels": result.labels}
    draw_params, draw_lines = write_draws_report(result, folder)
    params.update(draw_params)
    _text(folder / "params.json", json.dumps(params, indent=2, default=_plain))
    _text(folder / "estimates.csv", _estimates(result).to_csv(index=False))
    _text(folder / "statistics.csv", _statistics(result).to_csv(index=False))
    for s, sim in zip(result.observed, result.simulated):
        _plots(folder, s, sim, spec)
    _text(folder / "report.md", _markdown(result, draw_lines))
    return folder


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _estimates(result) -> pd.DataFrame:
    rows = []
    for j, label in enumerate(result.labels):
        row = {"parameter": label, "estimate": result.x[j], "se": result.wald["se"][j],
               "wald_lower": result.wald["lower"][j], "wald_upper": result.wald["upper"][j]}
        if result.profiles:
            row["profile_lower"] = result.profiles[j]["lower"]
            row["profile_upper"] = result.profiles[j]["upper"]
        if result.posterior:
            for key in ("mean", "sd", "q025", "q975"):
                row[f"posterior_{key}"] = result.posterior[key][j]
        row["flags"] = "; ".join(result.flags[label])
        rows.append(row)
    return pd.DataFrame(rows)


def _statistics(result) -> pd.DataFrame:
    rows = []
    for part, by_series in result.statistics.items():
        for name, stats in by_series.items():
            rows.append({"series": name, "part": part, **stats})
    return pd.DataFrame(rows)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()


def _plots(folder: Path, s, sim, spec) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = s.values.shape[1]
    labels = s.elements or (s.name,)
    for kind in ("fit", "residuals"):
        fig, axes = plt.subplots(columns, 1, figsize=(7, 2.2 * columns + 0.6), squeeze=False,
                                 sharex=True)
        for j, axis in enumerate(axes[:, 0]):
            if kind == "fit":
                axis.plot(s.times, sim[:, j], "-", label="simulated")
                axis.plot(s.times, s.values[:, j], "o", ms=3, label="observed")
            else:
                axis.axhline(0, color="grey", lw=0.8)
                axis.plot(s.times, sim[:, j] - s.values[:, j], "o-", ms=3)
            if spec.test_period is not None:
                axis.axvspan(spec.test_period[0] - 0.5, spec.test_period[1] + 0.5,
                             color="orange", alpha=0.12, label="out of sample")
            axis.set_ylabel(f"{labels[j]}\n[{s.units or ''}]", fontsize=8)
        title = "simulated vs observed" if kind == "fit" else "residuals (simulated - observed)"
        axes[0, 0].set_title(f"{s.name}: {title}", fontsize=9)
        if kind == "fit":
            axes[0, 0].legend(fontsize=7)
        fig.tight_layout()
        path = folder / f"{kind}_{_slug(s.name)}.png"
        atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=90))
        plt.close(fig)


def _fmt(value) -> str:
    if value is None:
        return "open"
    if isinstance(value, float) and not np.isfinite(value):
        return "-"
    return f"{value:.4g}"


def _markdown(result, draw_lines=()) -> str:
    spec = result.spec
    lines = [f"# Calibration report: {spec.name}", "",
             f"Model `{spec.model if isinstance(spec.model, str) else 'in-memory'}` "
             f"options {spec.options}; payoff `{spec.payoff}`; optimiser `{spec.optimiser}` "
             f"({spec.starts} start(s)); seed {spec.seed}; fit period "
             f"{list(spec.fit_period)}; test period "
             f"{list(spec.test_period) if spec.test_period else 'none'}.", "",
             f"Simulated runs: {result.evaluations} in {result.batches} batches. "
             f"Objective at the estimate: {result.cost:.6g}.", "", "## Estimates", "",
             "| parameter | estimate | s.e. | 95% Wald | 95% profile | 95% posterior | flags |",
             "|---|---|---|---|---|---|---|"]
    for j, label in enumerate(result.labels):
        iv = result.intervals[label]
        prof = iv.get("profile")
        post = iv.get("posterior")
        lines.append(
            f"| {label} | {result.x[j]:.5g} | {result.wald['se'][j]:.3g} | "
            f"[{_fmt(iv['wald'][0])}, {_fmt(iv['wald'][1])}] | "
            + (f"[{_fmt(prof[0])}, {_fmt(prof[1])}]" if prof else "-") + " | "
            + (f"[{_fmt(post[0])}, {_fmt(post[1])}]" if post else "-") + " | "
            + ("; ".join(result.flags[label]) or "ok") + " |")
    if result.posterior and result.posterior.get("sampler") != "smc":
        p = result.posterior
        lines += ["", f"MCMC: {p['walkers']} walkers x {p['steps']} steps (burn-in "
                  f"{p['burn']}), acceptance {p['acceptance']:.2f}, integrated "
                  f"autocorrelation times {[round(t, 1) for t in p['autocorrelation_time']]}."]
    if spec.payoff in ("gaussian", "lognormal"):
        lines += ["", "Estimated error scales (per series): " + ", ".join(
            f"{k} {v:.4g}" for k, v in result.sigma.items())]
    if spec.payoff == "negative_binomial":
        how = "fixed" if "dispersion" in spec.payoff_options else "estimated"
        lines += ["", f"Negative-binomial dispersion phi ({how}; variance mu + mu^2 / phi): "
                  + ", ".join(f"{k} {v:.4g}" for k, v in result.sigma.items())]
    lines += ["", "## Parameter correlations (from the Jacobian)", "",
              "| | " + " | ".join(result.labels) + " |",
              "|---|" + "---|" * len(result.labels)]
    for j, label in enumerate(result.labels):
        lines.append(f"| {label} | " + " | ".join(
            f"{c:+.2f}" for c in result.wald["corr"][j]) + " |")
    lines += ["", "## Fit in sample", "",
              "| series | n | R^2 | MAPE % | RMSE | U_M | U_S | U_C |",
              "|---|---|---|---|---|---|---|---|"]
    for name, s in result.statistics["fit"].items():
        lines.append(f"| {name} | {s['n']} | {_fmt(s['R2'])} | {_fmt(s['MAPE'])} | "
                     f"{_fmt(s['RMSE'])} | {_fmt(s['U_M'])} | {_fmt(s['U_S'])} | "
                     f"{_fmt(s['U_C'])} |")
    if result.statistics["test"]:
        lines += ["", "## Out of sample: model against a naive trend", "",
                  "The naive forecast extends each series' constant growth rate (a line "
                  "through the logs) fitted over the fit period.", "",
                  "| series | n | MAPE % model | MAPE % naive | RMSE model | RMSE naive | "
                  "U_M model | better |", "|---|---|---|---|---|---|---|---|"]
        for name, s in result.statistics["test"].items():
            naive = result.statistics["naive"][name]
            better = "model" if s["RMSE"] < naive["RMSE"] else "naive"
            lines.append(f"| {name} | {s['n']} | {_fmt(s['MAPE'])} | {_fmt(naive['MAPE'])} | "
                         f"{_fmt(s['RMSE'])} | {_fmt(naive['RMSE'])} | {_fmt(s['U_M'])} | "
                         f"{better} |")
    lines += list(draw_lines)
    missing = [(s.name, m) for s in result.observed for m in s.missing]
    lines += ["", "## Data", ""]
    for s in result.observed:
        lines.append(f"- {s.name}: {s.n_observed} values from `{Path(s.source).name}`"
                     + (f", {len(s.missing)} missing (left out of the payoff)" if s.missing
                        else ", none missing"))
        for note in s.notes[:10]:
            lines.append(f"  - {note}")
        if len(s.notes) > 10:
            lines.append(f"  - ... {len(s.notes) - 10} more")
    if missing:
        lines.append("- missing: " + ", ".join(f"{n} {e} {t:g}" for n, (t, e) in missing[:40]))
    lines += ["", "Plots: " + ", ".join(f"`fit_{_slug(s.name)}.png`, "
                                       f"`residuals_{_slug(s.name)}.png`"
                                       for s in result.observed), ""]
    return "\n".join(lines)
