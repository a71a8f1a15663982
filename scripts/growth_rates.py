"""Annual growth of each member's real output 2018-2060, at the calibrated constants and over
the calibration draws the forecasts sample.

Usage::

    python scripts/growth_rates.py            # all presets, 400 runs each
    python scripts/growth_rates.py jjj --n 1000
    python scripts/growth_rates.py yrd --results /elsewhere   # a calibration written elsewhere
    python scripts/growth_rates.py --correlations 5           # and what drives the spread
    python scripts/growth_rates.py pprd --at "integration learning effect=0,0.01,0.02"

Prints a markdown table: per member, the average annual growth of ``output`` 2018-2030,
2030-2060 and 2018-2060 at ``params.json``, and the median and 5-95 % range of the
2018-2060 growth over ``--n`` runs sampled as the forecast spec
(``calibration/scenarios/<preset>.toml``) samples them, but for the calibration's
uncertainty alone: the draws of ``sdflow calibrate`` (``draws.csv``, named by
``params.json``) and the constants fixed from other evidence with a standard error (the
spec's ``truncnormal`` entries); every other constant at its default. ``--correlations K``
adds, per area, the K sampled constants (per element) most correlated over the runs with
the area's mean 2018-2060 growth of its members; ``--at "NAME=V1,V2,..."`` the 2018-2060
growth at the calibrated constants with NAME set to each value in turn.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sdflow.forecasting.calibrated import read_parameters, read_posterior  # noqa: E402
from sdflow.forecasting.sampling import ParameterSampler  # noqa: E402
from sdflow.forecasting.spec import load_forecast_spec  # noqa: E402
from sdmodels.regional_integration import PRESETS, build  # noqa: E402

RESULTS = ROOT / "calibration" / "results"
SCENARIOS = ROOT / "calibration" / "scenarios"
EVIDENCE = "truncnormal"
"""The distribution of the forecast specs' constants fixed from other evidence."""


def draw_params(key: str, n: int, results: Path = RESULTS, seed: int = 2026) -> dict:
    """``n`` runs' constants of ``build(key)``: the calibration's estimates, its draws and
    the spec's constants fixed from other evidence (Latin hypercube, as `sdflow forecast`)."""
    graph = build(key).graph()
    spec = load_forecast_spec(SCENARIOS / f"{key}.toml")
    fit, _ = read_parameters(results / key / "params.json", graph)
    posterior = read_posterior(results / key / "params.json", graph)
    evidence = [u for u in spec.uncertain if u.distribution.name == EVIDENCE]
    sampled = ParameterSampler(graph, evidence, posterior).chunk("lhs", seed, 0, n, n)
    params = {name: np.broadcast_to(v, (n,) + np.shape(v)).copy() for name, v in fit.items()}
    return {**params, **sampled}


def annual_growth(output, start: float, end: float):
    return (output.sel(time=end) / output.sel(time=start)) ** (1 / (end - start)) - 1


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=sorted(PRESETS))
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="folder of the calibrations (<preset>/params.json)")
    parser.add_argument("--correlations", type=int, default=0, metavar="K",
                        help="also print the K constants most correlated with growth")
    parser.add_argument("--at", metavar="NAME=V1,V2,...",
                        help="also print growth at the calibrated constants with NAME at "
                        "each value")
    args = parser.parse_args(argv)
    drivers = []
    print("| area | member | 2018-30 | 2030-60 | 2018-60 | 2018-60 over the draws: median "
          "[5 %, 95 %] |")
    print("|---|---|---|---|---|---|")
    for key in args.presets:
        fit = json.loads((args.results / key / "params.json").read_text())["params"]
        point = build(key, stop=2060).simulate(params=fit)["output"]
        params = draw_params(key, args.n, args.results)
        runs = build(key, stop=2060).simulate(params=params, n=args.n)
        spread = annual_growth(runs["output"], 2018.0, 2060.0)
        if args.correlations:
            drivers.append((key, correlations(params, spread.mean("member").values,
                                              PRESETS[key].members)[:args.correlations]))
        for member in PRESETS[key].members:
            one = point.sel(member=member)
            low, mid, high = np.percentile(spread.sel(member=member).values, [5, 50, 95])
            print(f"| {key} | {member} | {annual_growth(one, 2018.0, 2030.0):.1%} | "
                  f"{annual_growth(one, 2030.0, 2060.0):.1%} | "
                  f"{annual_growth(one, 2018.0, 2060.0):.1%} | "
                  f"{mid:.1%} [{low:.1%}, {high:.1%}] |")
    if args.at:
        name, _, values = args.at.partition("=")
        values = [float(v) for v in values.split(",")]
        for key in args.presets:
            fit = json.loads((args.results / key / "params.json").read_text())["params"]
            n = len(values)
            params = {k: np.broadcast_to(np.asarray(v, float), (n,) + np.shape(v)).copy()
                      for k, v in fit.items()}
            params[name.strip()] = np.array(values)
            output = build(key, stop=2060).simulate(params=params, n=n)["output"]
            growth = annual_growth(output, 2018.0, 2060.0)
            print(f"\n{key}, 2018-60 growth at the calibrated constants with {name.strip()} = "
                  + "; ".join(f"{v:g}: " + ", ".join(
                      f"{m} {g:.1%}" for m, g in zip(PRESETS[key].members,
                                                      growth.isel(run=i).values))
                      for i, v in enumerate(values)))
    for key, rows in drivers:
        print(f"\n{key}: correlation with the members' mean 2018-60 growth over {args.n} runs: "
              + "; ".join(f"{name} {r:+.2f}" for r, name in rows))


def correlations(params: dict, growth: np.ndarray, members) -> list[tuple[float, str]]:
    """Correlation of every constant that varies over the runs with ``growth``, largest
    first (by size); per member for constants with one value per member."""
    rows = []
    for name, value in params.items():
        value = np.asarray(value, float).reshape(len(growth), -1)
        for j in range(value.shape[1]):
            if np.ptp(value[:, j]) > 0:
                label = name if value.shape[1] == 1 else f"{name}[{members[j]}]"
                rows.append((float(np.corrcoef(value[:, j], growth)[0, 1]), label))
    return sorted(rows, key=lambda row: -abs(row[0]))


if __name__ == "__main__":
    main()
