"""Jing-Jin-Ji's constants taken from the other areas' calibrations (``[jjj] constants`` and
``constant_errors`` in ``sdmodels/regional_integration/presets.toml``).

Usage::

    python scripts/pooled_constants.py                 # from calibration/results/
    python scripts/pooled_constants.py --results /elsewhere

Jing-Jin-Ji's 2004-2014 data do not identify its productivity slowdown, capital share and
integration learning effect (they correlate at 0.84-1.00 with its productivity growth), nor
its mandate integration rate (its only mandate is of 2015). The first three are pooled: the
precision-weighted mean of the YRD and Pan-PRD estimates, ``sum(w x) / sum(w)`` with
``w = 1 / se^2``, and the pooled standard error ``1 / sqrt(sum(w))``; the mandate
integration rate is the YRD's estimate with its standard error (Pan-PRD's only mandate is
of 2004, its first year). Reads ``calibration/results/{yrd,pprd}/estimates.csv`` and prints
both tables as ``presets.toml`` writes them, rounded to three decimals.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "calibration" / "results"
POOLED = ("productivity slowdown", "capital share", "integration learning effect")
"""Pooled across ``SOURCES``."""
SOURCES = ("yrd", "pprd")
TAKEN = {"mandate integration rate": "yrd"}
"""Taken from one area's fit."""
DECIMALS = 3


def estimates(key: str, results: Path = RESULTS) -> pd.DataFrame:
    """``estimate`` and ``se`` by parameter label of ``results/<key>/estimates.csv``."""
    path = Path(results) / key / "estimates.csv"
    frame = pd.read_csv(path).set_index("parameter")
    return frame[["estimate", "se"]]


def pooled_constants(results: Path = RESULTS) -> tuple[dict, dict]:
    """Jing-Jin-Ji's ``constants`` and ``constant_errors``, rounded as in ``presets.toml``.

    Examples
    --------
    >>> constants, errors = pooled_constants()
    >>> sorted(constants) == sorted(POOLED + tuple(TAKEN))
    True
    """
    tables = {key: estimates(key, results) for key in set(SOURCES) | set(TAKEN.values())}
    constants, errors = {}, {}
    for name in POOLED:
        missing = [k for k in SOURCES if name not in tables[k].index]
        if missing:
            raise KeyError(f"'{name}' is not in calibration/results/{missing[0]}/estimates.csv")
        value = pd.DataFrame([tables[k].loc[name] for k in SOURCES])
        weight = 1.0 / value["se"] ** 2
        constants[name] = float((weight * value["estimate"]).sum() / weight.sum())
        errors[name] = float(weight.sum() ** -0.5)
    for name, key in TAKEN.items():
        constants[name] = float(tables[key].loc[name, "estimate"])
        errors[name] = float(tables[key].loc[name, "se"])
    rounded = {name: round(v, DECIMALS) + 0.0 for name, v in constants.items()}
    return rounded, {name: round(v, DECIMALS) for name, v in errors.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="folder of the calibrations (<preset>/estimates.csv)")
    args = parser.parse_args(argv)
    for key in SOURCES:
        table = estimates(key, args.results)
        print(f"# {key}: " + "; ".join(
            f"{name} {table.loc[name, 'estimate']:.3f} +- {table.loc[name, 'se']:.3f}"
            for name in POOLED + tuple(n for n, k in TAKEN.items() if k == key)))
    constants, errors = pooled_constants(args.results)
    inline = ", ".join(f'"{name}" = {value}' for name, value in constants.items())
    print(f"constants = {{ {inline} }}")
    inline = ", ".join(f'"{name}" = {value}' for name, value in errors.items())
    print(f"constant_errors = {{ {inline} }}")


if __name__ == "__main__":
    main()
