"""Annual growth of each member's real output 2018-2060, at the calibrated constants and over
the calibration draws the forecasts sample.

Usage::

    python scripts/growth_rates.py            # all presets, 400 draws each
    python scripts/growth_rates.py jjj --n 1000

Prints a markdown table: per member, the average annual growth of ``output`` 2018-2030,
2030-2060 and 2018-2060 at ``params.json``, and the median and 5-95 % range of the
2018-2060 growth over the first ``--n`` rows of ``draws.csv`` (every other constant at its
default: the spread is the calibration's alone).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sdmodels.regional_integration import PRESETS, build  # noqa: E402

RESULTS = ROOT / "calibration" / "results"


def draw_params(key: str, n: int) -> dict:
    """The first ``n`` rows of ``draws.csv`` as batched parameters of ``build(key)``."""
    draws = pd.read_csv(RESULTS / key / "draws.csv").iloc[:n]
    members = list(PRESETS[key].members)
    fit = json.loads((RESULTS / key / "params.json").read_text())["params"]
    params = {name: np.broadcast_to(np.asarray(v, float), (n,) + np.shape(v)).copy()
              for name, v in fit.items()}
    for column in draws.columns.drop(["draw", "log_posterior"]):
        name, _, element = column.rstrip("]").partition("[")
        if element:
            params[name][:, members.index(element)] = draws[column].values
        else:
            params[name] = draws[column].values
    return params


def annual_growth(output, start: float, end: float):
    return (output.sel(time=end) / output.sel(time=start)) ** (1 / (end - start)) - 1


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=sorted(PRESETS))
    parser.add_argument("--n", type=int, default=400)
    args = parser.parse_args(argv)
    print("| area | member | 2018-30 | 2030-60 | 2018-60 | 2018-60 over the draws: median "
          "[5 %, 95 %] |")
    print("|---|---|---|---|---|---|")
    for key in args.presets:
        fit = json.loads((RESULTS / key / "params.json").read_text())["params"]
        point = build(key, stop=2060).simulate(params=fit)["output"]
        runs = build(key, stop=2060).simulate(params=draw_params(key, args.n), n=args.n)
        spread = annual_growth(runs["output"], 2018.0, 2060.0)
        for member in PRESETS[key].members:
            one = point.sel(member=member)
            low, mid, high = np.percentile(spread.sel(member=member).values, [5, 50, 95])
            print(f"| {key} | {member} | {annual_growth(one, 2018.0, 2030.0):.1%} | "
                  f"{annual_growth(one, 2030.0, 2060.0):.1%} | "
                  f"{annual_growth(one, 2018.0, 2060.0):.1%} | "
                  f"{mid:.1%} [{low:.1%}, {high:.1%}] |")


if __name__ == "__main__":
    main()
