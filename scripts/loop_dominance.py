"""Loop dominance of the Yangtze River Delta baseline at its calibrated constants.

Usage::

    python scripts/loop_dominance.py                 # max loop length 12
    python scripts/loop_dominance.py --max-length 10

The model's pairwise variables (member x partner) and per-member variables have different
dimensions, so `sdflow.loop_scores` scores its loops between elements (``elements=True``),
here up to ``--max-length`` variables (the longer institutional loops, such as the distrust
spiral of 17 variables, are left out: their number grows too fast between elements). The
relative score of a loop between variables (`sdflow.loops(model)`) is the sum of the
scores of its element loops (``capital[Anhui] -> ... -> capital[Anhui]`` counts for the
capital accumulation loop); element loops that pass through a variable twice (across
members) are summed as "across members". `sdflow.dominant_loops` then finds the dominant
loops per period of these summed scores.

Writes ``sdmodels/figures/loop_dominance_yrd.png``, ``sdmodels/figures/loop_dominance_yrd.csv``
and the ``dominance`` block of ``sdmodels/README.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sdflow as sf  # noqa: E402
from sdmodels.regional_integration import LOOPS, build, named_loops  # noqa: E402
from sdmodels.regional_integration.loops import cycle_key  # noqa: E402

README = ROOT / "sdmodels" / "README.md"
FIGURES = ROOT / "sdmodels" / "figures"
ACROSS = "across members"
_SUBSCRIPT = re.compile(r"\[[^\]]*\]$")


def variable_scores(model, max_length: int):
    """Relative loop scores between elements, summed per loop between variables."""
    import xarray as xr

    table = sf.loops(model)
    ids = {cycle_key(v): loop_id for loop_id, v in zip(table["loop"], table["variables"])}
    element_table = sf.loops(model, elements=True, max_length=max_length)
    scores = sf.loop_scores(model, elements=True, max_length=max_length)
    owner = {}
    for loop_id, variables in zip(element_table["loop"], element_table["variables"]):
        names = [_SUBSCRIPT.sub("", v) for v in variables]
        owner[loop_id] = ids.get(cycle_key(names), ACROSS) if len(set(names)) == len(
            names) else ACROSS
    groups = np.array([owner[str(i)] for i in scores["loop"].values])
    keys = sorted(set(groups), key=lambda k: (k == ACROSS, k))
    summed = np.stack([scores.values[:, groups == k].sum(axis=1) for k in keys], axis=1)
    return xr.DataArray(summed, dims=("time", "loop"),
                        coords={"time": scores["time"].values, "loop": keys}), table


def label(loop_id: str, names: dict) -> str:
    return f"{loop_id} ({names[loop_id]})" if loop_id in names else loop_id


def periods_table(periods, names: dict) -> str:
    lines = ["| years | dominant loops (summed relative score) | share |", "|---|---|---|"]
    for row in periods.itertuples():
        years = f"{row.start:g}" if row.start == row.end else f"{row.start:g}-{row.end:g}"
        lines.append(f"| {years} | {', '.join(label(i, names) for i in row.loops)} | "
                     f"{row.share:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-length", type=int, default=12)
    args = parser.parse_args(argv)
    import matplotlib.pyplot as plt

    fit = json.loads((ROOT / "calibration" / "results" / "yrd" / "params.json").read_text())
    # the calibrated constants go into the model itself, so that `sf.loops` (which signs
    # links from a baseline run of the model) and `sf.loop_scores` see the same run
    model = build("yrd", stop=2060, **{name.replace(" ", "_"): value
                                       for name, value in fit["params"].items()})
    scores, table = variable_scores(model, args.max_length)
    by_key = {loop.key: loop for loop in LOOPS}
    names = {loop_id: f"{key} {by_key[key].title}"
             for key, loop_id in named_loops(table).items()}
    periods = sf.dominant_loops(scores)
    FIGURES.mkdir(exist_ok=True)
    scores.to_pandas().to_csv(FIGURES / "loop_dominance_yrd.csv", float_format="%.5g")

    strongest = np.abs(scores).mean("time").to_series().sort_values(ascending=False)
    shown = list(strongest.index[:8])
    fig, ax = plt.subplots(figsize=(9, 5))
    for loop_id in shown:
        ax.plot(scores["time"], scores.sel(loop=loop_id), label=label(loop_id, names))
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("year")
    ax.set_ylabel("relative loop score (summed over members)")
    ax.set_title(f"YRD baseline, calibrated: the 8 strongest loops (element loops up to "
                 f"{args.max_length} variables)", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(FIGURES / "loop_dominance_yrd.png", dpi=110)

    mentioned = sorted({i for row in periods.loops for i in row} | set(shown))
    variables = dict(zip(table["loop"], table["variables"]))
    legend = "; ".join(f"{i}: {' -> '.join(variables[i])}" for i in mentioned
                       if i in variables and i not in names)
    body = (periods_table(periods, names) + "\n\nMean absolute relative score 2005-2060 "
            "of the strongest loops: " + ", ".join(
                f"{label(i, names)} {strongest[i]:.2f}" for i in shown) + ".\n\n"
            "Unnamed loops above (ids of `sf.loops`, see the list of all loops): "
            + legend + ".")
    text = README.read_text()
    pattern = re.compile(r"(<!-- generated: dominance -->\n).*?(<!-- end: dominance -->)",
                         re.S)
    if not pattern.search(text):
        raise SystemExit(f"{README}: no block '<!-- generated: dominance -->'")
    README.write_text(pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text))
    print(body)


if __name__ == "__main__":
    main()
