"""How much of the members' segmentation index nationwide relative-price shocks explain.

Usage::

    python scripts/price_shock_regression.py

For each area, a pooled least-squares regression over the fit years 2004-2014 of the log of
each member's (smoothed) segmentation index on a constant and a linear trend per member,
without and with the log of a shock series; prints the shock's elasticity and the R2 of
both. The member trends stand in for the smooth integration stock, so the elasticity is
measured on the swings around them (a straight line in the shock's log changes nothing).
Shocks compared:

* ``outside pairs``: the mean index of the province pairs outside the area
  (`relative_price_shock`, the model's input);
* ``all pairs``: the national mean over all 465 pairs (the area's own pairs included);
* ``goods dispersion``: the variance over goods of the national mean log price change,
  smoothed the same way (no province pairs at all).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sdmodels.regional_integration import PRESETS  # noqa: E402
from sdmodels.regional_integration.observed import (RETAIL_PRICE_FILE,  # noqa: E402
                                                    SMOOTHING_WINDOW, read_table,
                                                    relative_price_shock, segmentation_by_area)
from sdmodels.regional_integration.segmentation import default_categories  # noqa: E402

FIT = list(range(2004, 2015))


def goods_dispersion() -> pd.Series:
    """Variance over goods of the mean (over provinces) log price change, by year, smoothed."""
    prices = read_table(RETAIL_PRICE_FILE, ["index_prev_year_eq_100"],
                        key=("province", "year", "category"))
    chosen = prices[prices["category"].isin(default_categories(prices))]
    change = np.log(chosen["index_prev_year_eq_100"] / 100.0)
    by_good = change.groupby([chosen["year"], chosen["category"]]).mean()
    yearly = by_good.groupby(level="year").var(ddof=0)
    return yearly.rolling(SMOOTHING_WINDOW, center=True, min_periods=1).mean()


def regression(index: pd.DataFrame, shock: pd.Series | None) -> tuple[float, float]:
    """(elasticity, R2) of log index on member constants and trends (+ log shock)."""
    rows, target = [], []
    members = list(index.columns)
    for j, member in enumerate(members):
        for year in FIT:
            row = np.zeros(2 * len(members) + (shock is not None))
            row[j], row[len(members) + j] = 1.0, year - FIT[0]
            if shock is not None:
                row[-1] = np.log(shock[year])
            rows.append(row)
            target.append(np.log(index.loc[year, member]))
    design, target = np.array(rows), np.array(target)
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = target - design @ coef
    return (float(coef[-1]) if shock is not None else np.nan,
            float(1 - residual.var() / target.var()))


def main() -> None:
    table = segmentation_by_area()
    every = relative_price_shock().set_index("year")["shock"]
    goods = goods_dispersion()
    print("| area | shock | elasticity | R2 with shock | R2 members' trends alone |")
    print("|---|---|---|---|---|")
    for key, preset in PRESETS.items():
        members = list(preset.members)
        index = table[table["area"] == key].pivot(index="year", columns="member",
                                                  values="segmentation")[members]
        outside = relative_price_shock(members).set_index("year")["shock"]
        _, alone = regression(index, None)
        for label, shock in (("outside pairs", outside), ("all pairs", every),
                             ("goods dispersion", goods)):
            elasticity, r2 = regression(index, shock)
            print(f"| {key} | {label} | {elasticity:.2f} | {r2:.3f} | {alone:.3f} |")


if __name__ == "__main__":
    main()
