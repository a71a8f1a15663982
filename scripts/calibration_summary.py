"""Summarise the regional calibrations: fit and out-of-sample scores per series, the naive
comparison per member, the segmentation index against a naive trend that knows the
relative-price shocks, and the estimates at a bound.

Usage::

    python scripts/calibration_summary.py            # yrd, jjj, pprd

Reads ``calibration/results/<preset>/statistics.csv`` and ``estimates.csv`` (written by
``sdflow calibrate calibration/specs/<preset>.toml``) and prints markdown tables.

The model's segmentation in 2015-2018 is scaled by the observed relative-price shock of
those years (`sdmodels.regional_integration.data.price_shock`), so the plain naive trend
knows less than the model. The fair benchmark extends the trend of ``index / shock^e`` over
the fit years and multiplies it by ``shock^e`` of the test years, with ``e = 1``
(proportional) and with the calibrated ``price shock elasticity``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sdflow.calibrate import fit_statistics, naive_trend  # noqa: E402
from sdmodels.regional_integration import PRESETS as AREAS, build  # noqa: E402
from sdmodels.regional_integration.data import price_shock  # noqa: E402

PRESETS = ["yrd", "jjj", "pprd"]
SEGMENTATION = "market segmentation"
SEGMENTATION_CSV = ROOT / "calibration" / "data" / "market_segmentation_by_member_2000_2018.csv"
FIT, TEST = range(2004, 2015), range(2015, 2019)
ELASTICITY = "price shock elasticity"
SHOWN_YEARS = (2004, 2010, 2018)


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


def shock_naive(key: str, elasticity: float) -> tuple[float, pd.Series]:
    """MAPE % over every member in 2015-2018 of the naive trend of ``index / shock^e``
    times ``shock^e``, pooled and per member."""
    seg = pd.read_csv(SEGMENTATION_CSV)
    members = list(AREAS[key].members)
    wide = seg[seg["area"] == key].pivot(index="year", columns="member",
                                         values="segmentation")[members]
    factor = price_shock(key) ** elasticity
    adjusted = wide.div(factor.reindex(wide.index), axis=0)
    trend = naive_trend(list(FIT), adjusted.loc[list(FIT)].to_numpy(), list(TEST))
    forecast = trend * factor.loc[list(TEST)].to_numpy()[:, None]
    observed = wide.loc[list(TEST)].to_numpy()
    pooled = fit_statistics(forecast.ravel(), observed.ravel())["MAPE"]
    each = pd.Series({f"{SEGMENTATION}[{m}]": fit_statistics(forecast[:, j], observed[:, j])[
        "MAPE"] for j, m in enumerate(members)})
    return pooled, each


def segmentation_table(key: str) -> list[dict]:
    """The model's segmentation in 2015-2018 against the plain and the shock-aware trends."""
    stats = pd.read_csv(ROOT / "calibration" / "results" / key / "statistics.csv")
    est = pd.read_csv(ROOT / "calibration" / "results" / key / "estimates.csv")
    test = stats[stats["part"] == "test"].set_index("series")["MAPE"]
    members = test[test.index.str.startswith(SEGMENTATION + "[")]
    naive = stats[stats["part"] == "naive"].set_index("series")["MAPE"]
    fitted = est.loc[est["parameter"] == ELASTICITY, "estimate"]
    rows = {"preset": key, "MAPE % model": test[SEGMENTATION],
            "MAPE % naive": naive[SEGMENTATION],
            "beats naive": f"{int((members < naive[members.index]).sum())} of {len(members)}"}
    benchmarks = [("e = 1", 1.0)]
    if len(fitted):
        rows["fitted e"] = float(fitted.iloc[0])
        benchmarks.append(("fitted e", float(fitted.iloc[0])))
    for label, e in benchmarks:
        pooled, each = shock_naive(key, e)
        rows[f"MAPE % naive x shock, {label}"] = pooled
        rows[f"beats it, {label}"] = f"{int((members < each[members.index]).sum())} of " \
                                    f"{len(members)}"
    params = json.loads((ROOT / "calibration" / "results" / key / "params.json").read_text())
    run = build(key, stop=SHOWN_YEARS[-1]).simulate(params=params["params"])
    integration = run["member integration"].mean("member")
    rows["member integration " + " / ".join(map(str, SHOWN_YEARS))] = " / ".join(
        f"{float(integration.sel(time=float(y))):.2f}" for y in SHOWN_YEARS)
    return [rows]


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
    print("Segmentation 2015-2018 against naive trends with and without the relative-price "
          "shock (e: its elasticity):")
    print(markdown(pd.DataFrame([r for k in keys for r in segmentation_table(k)])
                   .astype(object).fillna("")))
    print()
    print(markdown(pd.DataFrame([r for k in keys for r in bound_table(k)])))


if __name__ == "__main__":
    main()
