"""Write the forecast specs of the regional presets and the calibration draws they sample.

Usage::

    python scripts/regional_scenarios.py            # all presets
    python scripts/regional_scenarios.py yrd --n 2000

For each preset:

* ``calibration/results/<preset>/draws.csv``: joint draws of the calibrated constants from
  the normal approximation of the fit (estimate and covariance in ``params.json``), each
  clipped to its search bounds: the forecasts carry the calibration's uncertainty;
* ``calibration/scenarios/<preset>.toml``: the forecast spec. Every constant that is not
  calibrated is uncertain, triangular over its range in ``parameters.toml`` with the default
  as mode (uncertain initial states and lever costs included); the scenarios set the levers
  from 2026.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sdflow.calibrate import load_spec  # noqa: E402
from sdmodels.regional_integration import PARAMETERS, PRESETS  # noqa: E402

NOT_SAMPLED = {"protection override", "imposed protectionism", "labour growth after data"}
"""Experiment switches, and a constant whose range is a scenario, not an uncertainty."""

SCENARIOS = '''
[scenarios.baseline]
description = "governance levers stay at their present levels"
levers = { "policy year" = 2026 }

[scenarios.contracts]
description = "contract enforcement raised to 0.8 in 2026"
levers = { "policy year" = 2026, "contract enforcement policy" = 0.8 }

[scenarios.monitoring]
description = "monitoring (with graduated sanctions) raised to 0.8 in 2026"
levers = { "policy year" = 2026, "monitoring policy" = 0.8 }

[scenarios.information]
description = "information sharing raised to 0.8 in 2026"
levers = { "policy year" = 2026, "information sharing policy" = 0.8 }

[scenarios.benefit_sharing]
description = "benefit-sharing transfers raised to 0.8 in 2026"
levers = { "policy year" = 2026, "benefit sharing policy" = 0.8 }

[scenarios.central_coordination]
description = "central coordination raised to 0.8 in 2026"
levers = { "policy year" = 2026, "central coordination policy" = 0.8 }

[scenarios.evaluation_reform]
description = "evaluation reform raised to 0.8 in 2026"
levers = { "policy year" = 2026, "evaluation reform policy" = 0.8 }

[sensitivity]
outputs = ["regional output", "member integration"]
years = [2050]
'''


def write_draws(key: str, n: int, seed: int = 2026) -> Path:
    """Draws of the calibrated constants for ``key`` (see the module docstring)."""
    folder = ROOT / "calibration" / "results" / key
    fit = json.loads((folder / "params.json").read_text())
    labels = fit["labels"]
    mean = np.array([fit["estimates"][label] for label in labels])
    cov = np.array(fit["covariance"], dtype=float)
    spec = load_spec(ROOT / "calibration" / "specs" / f"{key}.toml")
    bounds = {p.label: p.bounds for p in spec.parameters}
    low = np.array([bounds[label][0] for label in labels])
    high = np.array([bounds[label][1] for label in labels])
    rng = np.random.default_rng(seed)
    cov = (cov + cov.T) / 2 + 1e-15 * np.eye(len(labels))
    draws = np.clip(rng.multivariate_normal(mean, cov, size=n, method="eigh"), low, high)
    path = folder / "draws.csv"
    lines = ["draw," + ",".join(labels) + ",log_posterior"]
    lines += [f"{i}," + ",".join(f"{v:.8g}" for v in row) + ",0" for i, row in enumerate(draws)]
    path.write_text("\n".join(lines) + "\n")
    return path


def scenario_spec(key: str, n: int) -> str:
    preset = PRESETS[key]
    calibrated = {p.name for p in load_spec(ROOT / "calibration" / "specs"
                                            / f"{key}.toml").parameters}
    lines = [f"# {preset.title} ({', '.join(preset.members)}): governance scenarios from 2026 "
             "to 2060 under uncertainty.",
             "# Written by scripts/regional_scenarios.py; run with",
             f"#   sdflow forecast calibration/scenarios/{key}.toml --out forecasts/{key}",
             "# Calibrated constants: joint draws (posterior) from the fit; every other "
             "constant:",
             "# triangular over its range in parameters.toml, the default as mode.",
             "", "[model]", 'target = "sdmodels.regional_integration:build"',
             f'options = {{ preset = "{key}" }}', 'method = "euler"',
             f'parameters = "../results/{key}/params.json"',
             f'posterior = "../results/{key}/draws.csv"', "",
             "[forecast]", "until = 2060", f"n = {n}", "seed = 2026", 'sampling = "lhs"',
             "chunk_size = 250", "saveper = 1",
             'outputs = ["regional output", "output", "member integration", "mean trust", '
             '"protectionism", "local payoff", "lever cost share"]',
             "years = [2030, 2040, 2050, 2060]",
             "thresholds = [", '    { variable = "member integration", above = 0.6, year = 2050 },',
             '    { variable = "protectionism", below = 0.3, year = 2050 },', "]", "",
             "[uncertain]"]
    for p in PARAMETERS:
        if p.name in calibrated or p.name in NOT_SAMPLED or p.range[0] == p.range[1]:
            continue
        lines.append(f'"{p.name}" = {{ distribution = "triangular", low = {p.range[0]:g}, '
                     f'mode = {p.value:g}, high = {p.range[1]:g} }}')
    return "\n".join(lines) + "\n" + SCENARIOS


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=sorted(PRESETS))
    parser.add_argument("--n", type=int, default=1000, help="forecast runs per scenario")
    parser.add_argument("--draws", type=int, default=1000, help="calibration draws")
    args = parser.parse_args(argv)
    for key in args.presets:
        print("wrote", write_draws(key, args.draws))
        path = ROOT / "calibration" / "scenarios" / f"{key}.toml"
        path.write_text(scenario_spec(key, args.n))
        print("wrote", path)


if __name__ == "__main__":
    main()
