"""Write the observed series of the regional model (derived from calibration/data) and a figure.

Usage::

    python scripts/observed_series.py [--out calibration/data]

Writes to the output folder (sources and method in calibration/data/PROVENANCE.md):

* ``market_segmentation_by_member_2000_2018.csv``: each preset member's relative-price
  market segmentation against its partners, yearly and smoothed;
* ``china_provincial_real_gdp_2004_prices_2004_2018.csv``: GDP in 2004 prices from the NBS GDP
  index, and the implied GDP deflator, every province;
* ``china_provincial_fiscal_revenue_2004_prices_2004_2018.csv``: budget and tax revenue in 2004
  prices and as shares of GDP, every province;
* ``relative_price_shock_2000_2018.csv``: the mean segmentation of the province pairs outside
  each area (and over every pair, area ``all``), the nationwide relative-price shocks the
  model's measurement of segmentation scales with; also written to the package data of the
  model (``--package-out``), which reads it;
* ``figures/market_segmentation.png``: the segmentation series of the three areas;

and prints, per area, the segmentation in 2004 and 2018 and the YRD revenue shares.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sdmodels.regional_integration import PRESETS  # noqa: E402
from sdmodels.regional_integration.milestones import cooperation_milestones  # noqa: E402
from sdmodels.regional_integration.data import DATA_DIR as PACKAGE_DATA  # noqa: E402
from sdmodels.regional_integration.data import PRICE_SHOCK_FILE  # noqa: E402
from sdmodels.regional_integration.observed import (fiscal_revenue,  # noqa: E402
                                                    price_shock_by_area, real_gdp,
                                                    segmentation_by_area)

SEGMENTATION_CSV = "market_segmentation_by_member_2000_2018.csv"
REAL_GDP_CSV = "china_provincial_real_gdp_2004_prices_2004_2018.csv"
FISCAL_CSV = "china_provincial_fiscal_revenue_2004_prices_2004_2018.csv"
PRICE_SHOCK_CSV = PRICE_SHOCK_FILE
FIGURE = Path("figures") / "market_segmentation.png"
SCALE = 1e4  # the variances are of order 1e-4; the figure shows them times 10,000


def plot_segmentation(table, path: Path) -> None:
    """Three panels: members (thin), area mean smoothed (thick) and yearly (dotted)."""
    fig, axes = plt.subplots(1, len(PRESETS), figsize=(13, 4.2), sharey=True)
    for ax, (key, preset) in zip(axes, PRESETS.items()):
        area = table[table["area"] == key]
        for member, rows in area.groupby("member", sort=False):
            ax.plot(rows["year"], rows["segmentation"] * SCALE, lw=0.9, alpha=0.7, label=member)
        mean = area.groupby("year")[["segmentation", "segmentation_raw"]].mean() * SCALE
        ax.plot(mean.index, mean["segmentation"], color="black", lw=2.4, label="area mean")
        ax.plot(mean.index, mean["segmentation_raw"], color="black", lw=1, ls=":",
                label="area mean, yearly")
        for year in sorted(set(cooperation_milestones(key)["year"]) & set(mean.index)):
            ax.axvline(year, color="grey", lw=0.6, ls="--", zorder=0)
        ax.set_title(f"{preset.title}")
        ax.set_xlabel("year (dashed: cooperation milestones)")
        ax.set_xticks(range(2000, 2019, 3))
        ax.legend(fontsize=7, ncol=2, loc="upper right")
    axes[0].set_ylabel("market segmentation (variance x 10^4)")
    fig.suptitle("Relative-price market segmentation against area partners "
                 "(centred 3-year mean; de-meaned over 31 provinces)", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "calibration" / "data")
    parser.add_argument("--package-out", type=Path, default=PACKAGE_DATA,
                        help="where the model's package data go (the price shock file)")
    args = parser.parse_args(argv)
    segmentation = segmentation_by_area()
    segmentation.to_csv(args.out / SEGMENTATION_CSV, index=False)
    shock = price_shock_by_area()
    for folder in (args.out, args.package_out):
        shock.to_csv(folder / PRICE_SHOCK_CSV, index=False)
    real_gdp().to_csv(args.out / REAL_GDP_CSV, index=False)
    fiscal = fiscal_revenue()
    fiscal.to_csv(args.out / FISCAL_CSV, index=False)
    plot_segmentation(segmentation, args.out / FIGURE)

    years = np.arange(2004, 2019)
    print("segmentation x 10^4, area mean (smoothed; yearly in brackets); trend of the log of "
          "the yearly series 2004-2018")
    for key, rows in segmentation.groupby("area", sort=False):
        mean = rows.groupby("year")[["segmentation", "segmentation_raw"]].mean()
        slope = np.polyfit(years, np.log(mean.loc[years, "segmentation_raw"]), 1)[0]
        print(f"  {key:5s} 2004 {mean.loc[2004, 'segmentation'] * SCALE:5.2f} "
              f"({mean.loc[2004, 'segmentation_raw'] * SCALE:5.2f})  2018 "
              f"{mean.loc[2018, 'segmentation'] * SCALE:5.2f} "
              f"({mean.loc[2018, 'segmentation_raw'] * SCALE:5.2f})  trend {slope:+.3f}/year")
    yrd = fiscal[fiscal["province"].isin(PRESETS["yrd"].members)
                 & fiscal["year"].isin([2004, 2018])]
    print("YRD budget revenue / GDP (tax revenue / GDP):")
    for row in yrd.itertuples(index=False):
        print(f"  {row.province:9s} {row.year}  {row.budget_revenue_share_of_gdp:.3f} "
              f"({row.tax_revenue_share_of_gdp:.3f})")
    print("relative-price shock x 10^4 (mean over the pairs outside the area, smoothed):")
    for key, rows in shock.groupby("area", sort=False):
        rows = rows.set_index("year")["shock"] * SCALE
        print(f"  {key:5s} " + " ".join(f"{y} {rows[y]:4.2f}" for y in (2004, 2008, 2014, 2018)))
    print(f"wrote {SEGMENTATION_CSV}, {REAL_GDP_CSV}, {FISCAL_CSV}, {PRICE_SHOCK_CSV}, {FIGURE} "
          f"in {args.out}; {PRICE_SHOCK_CSV} in {args.package_out}")


if __name__ == "__main__":
    main()
