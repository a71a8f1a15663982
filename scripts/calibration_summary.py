"""Summarise the regional calibrations: fit and out-of-sample scores per series, the naive
comparison per member, and the estimates at a bound.

Usage::

    python scripts/calibration_summary.py            # yrd, jjj, pprd

Reads ``calibration/results/<preset>/statistics.csv`` and ``estimates.csv`` (written by
``sdflow calibrate calibration/specs/<preset>.toml``) and prints markdown tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ["yrd", "jjj", "pprd"]


def series_table(key: str) -> list[dict]:
    stats = pd.read_csv(ROOT / "calibration" / "results" / key / "statistics.csv")
    rows = []
    pooled = stats[~stats["series"].str.contains(r"\[")]
    for series in pooled["series"].unique():
        part = {p: pooled[(pooled.series == series) & (pooled.part == p)].iloc[0]
                for p in ("fit", "test", "naive")}
        members = stats[stats["series"].str.startswith(series + "[")]
        test = members[members.part == "test"].set_index("series")["MAPE"]
        naive = members[members.part == "naive"].set_index("series")["MAPE"]
        better = int((test < naive.reindex(test.index)).sum())
        rows.append({"preset": key, "series": series,
                     "R2 fit": part["fit"]["R2"], "MAPE % fit": part["fit"]["MAPE"],
                     "MAPE % 2015-18": part["test"]["MAPE"],
                     "MAPE % naive": part["naive"]["MAPE"],
                     "members where the model beats the naive trend":
                     f"{better} of {len(test)}"})
    return rows


def bound_table(key: str) -> list[dict]:
    est = pd.read_csv(ROOT / "calibration" / "results" / key / "estimates.csv")
    at_bound = est[est["flags"].fillna("").str.contains("bound")]
    return [{"preset": key, "parameter": r.parameter, "estimate": r.estimate,
             "flag": "lower bound" if "lower bound" in r.flags else "upper bound"}
            for r in at_bound.itertuples()]


def markdown(frame: pd.DataFrame) -> str:
    def cell(v):
        return f"{v:.3g}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def main(argv=None) -> None:
    keys = (argv if argv is not None else sys.argv[1:]) or PRESETS
    print(markdown(pd.DataFrame([r for k in keys for r in series_table(k)])))
    print()
    print(markdown(pd.DataFrame([r for k in keys for r in bound_table(k)])))


if __name__ == "__main__":
    main()
