"""Lever rankings as probabilities from a forecast ensemble (paired runs).

Usage::

    python scripts/lever_rankings.py forecasts/yrd [--years 2040 2060]

Reads ``ensemble.nc`` written by ``sdflow forecast`` (every scenario run on the same
parameter draws) and writes ``lever_rankings.md`` next to it:

* each scenario's effect on regional output against the baseline (median and 90 % band of
  the paired relative difference), its lever cost (share of output) and the probability
  that it beats the baseline;
* ``P(row beats column)``: the share of paired runs in which the row scenario's regional
  output exceeds the column's, per year;
* the conclusions that hold in at least 90 % of the runs (a lever beats the baseline, or
  another lever), the only ones the README states.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import xarray as xr

OUTPUT = "regional output"
ROBUST = 0.9


def rankings(ds: xr.Dataset, year: float) -> tuple[list[str], np.ndarray, dict]:
    """Scenario names, P(row beats column) and per-scenario effect statistics in ``year``."""
    y = ds[OUTPUT].sel(time=year).transpose("scenario", "run").values
    names = [str(s) for s in ds["scenario"].values]
    beats = (y[:, None, :] > y[None, :, :]).mean(axis=2)
    base = y[names.index("baseline")]
    effects = {}
    for i, name in enumerate(names):
        rel = 100 * (y[i] / base - 1)
        cost = ds["lever cost share"].sel(time=year).isel(scenario=i) \
            if "lever cost share" in ds else None
        effects[name] = {"median %": float(np.median(rel)),
                         "5 %": float(np.percentile(rel, 5)),
                         "95 %": float(np.percentile(rel, 95)),
                         "P(beats baseline)": float(beats[i, names.index("baseline")]),
                         "lever cost share": float(np.median(cost)) if cost is not None
                         else float("nan")}
    return names, beats, effects


def report(folder: Path, years) -> str:
    ds = xr.open_dataset(folder / "ensemble.nc")
    lines = [f"# Lever rankings: {folder.name}", "",
             f"From `{folder / 'ensemble.nc'}` ({ds.sizes['run']} paired runs per scenario); "
             "written by `python scripts/lever_rankings.py "
             f"{folder}`. Regional output is net of the levers' costs.", ""]
    robust = []
    for year in years:
        names, beats, effects = rankings(ds, float(year))
        lines += [f"## {year}", "", "| scenario | median effect on regional output | 90 % band | "
                  "P(beats baseline) | lever cost (share of output) |", "|---|---|---|---|---|"]
        for name in names:
            e = effects[name]
            lines.append(f"| {name} | {e['median %']:+.1f} % | [{e['5 %']:+.1f} %, "
                         f"{e['95 %']:+.1f} %] | {e['P(beats baseline)']:.2f} | "
                         f"{e['lever cost share']:.4f} |")
        lines += ["", "P(row beats column):", "",
                  "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for i, name in enumerate(names):
            lines.append(f"| {name} | " + " | ".join(
                "" if i == j else f"{beats[i, j]:.2f}" for j in range(len(names))) + " |")
            robust += [f"{year}: {name} beats {other} (P = {beats[i, j]:.2f})"
                       for j, other in enumerate(names) if i != j and beats[i, j] >= ROBUST]
        lines.append("")
    lines += [f"## Conclusions that hold in at least {ROBUST:.0%} of the runs", ""]
    lines += [f"* {r}" for r in robust] or ["* none"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--years", nargs="+", type=int, default=[2040, 2060])
    args = parser.parse_args(argv)
    text = report(args.folder, args.years)
    (args.folder / "lever_rankings.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
