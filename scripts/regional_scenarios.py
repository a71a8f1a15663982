"""Write the forecast specs of the regional presets from parameters.toml and presets.toml.

Usage::

    python scripts/regional_scenarios.py            # all presets
    python scripts/regional_scenarios.py yrd --n 2000
    python scripts/regional_scenarios.py --check    # exit 1 if a committed spec is stale

``calibration/scenarios/<preset>.toml`` is the forecast spec; it samples:

* the calibrated constants: the joint draws ``sdflow calibrate`` writes
  (``calibration/results/<preset>/draws.csv``, named by its ``params.json``, which the
  spec names as ``posterior``); this script writes no draws;
* a constant the preset fixes from other evidence (``constants`` in ``presets.toml``, with
  a standard error in ``constant_errors``): a normal around its value with that standard
  error, cut to its range in ``parameters.toml`` (``truncnormal``);
* every other constant: triangular over its range in ``parameters.toml`` with the default
  as mode (uncertain initial states and lever costs included).

The scenarios set the levers from 2026.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sdflow.calibrate import load_calibration_spec  # noqa: E402
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


def scenario_spec(key: str, n: int) -> str:
    """The forecast spec of preset ``key`` with ``n`` runs per scenario, as TOML text."""
    preset = PRESETS[key]
    calibrated = {p.name for p in load_calibration_spec(ROOT / "calibration" / "specs"
                                                        / f"{key}.toml").parameters}
    ranges = {p.name: p.range for p in PARAMETERS}
    lines = [f"# {preset.title} ({', '.join(preset.members)}): governance scenarios from 2026 "
             "to 2060 under uncertainty.",
             "# Written by scripts/regional_scenarios.py; run with",
             f"#   sdflow forecast calibration/scenarios/{key}.toml --out forecasts/{key}",
             "# Calibrated constants: the joint draws `sdflow calibrate` writes (draws.csv, "
             "named by",
             "# params.json); constants fixed from other evidence: a normal with their "
             "standard error",
             "# cut to their range; every other constant: triangular over its range in "
             "parameters.toml,",
             "# the default as mode.",
             "", "[model]", 'factory = "sdmodels.regional_integration:build"',
             f'options = {{ preset = "{key}" }}', 'method = "euler"',
             f'parameters = "../results/{key}/params.json"',
             f'posterior = "../results/{key}/params.json"', "",
             "[forecast]", "until = 2060", f"n = {n}", "seed = 2026", 'sampling = "lhs"',
             "chunk_size = 250", "saveper = 1",
             'outputs = ["regional output", "output", "member integration", "mean trust", '
             '"protectionism", "local payoff", "lever cost share"]',
             "years = [2030, 2040, 2050, 2060]",
             "thresholds = [", '    { variable = "member integration", above = 0.6, year = 2050 },',
             '    { variable = "protectionism", below = 0.3, year = 2050 },', "]", "",
             "[uncertain]"]
    if preset.constant_errors:
        lines.append("# fixed by the preset from other evidence (presets.toml), with its "
                     "standard error")
    for name, error in preset.constant_errors.items():
        low, high = ranges[name]
        lines.append(f'"{name}" = {{ distribution = "truncnormal", '
                     f'mean = {preset.constants[name]:g}, sd = {error:g}, low = {low:g}, '
                     f'high = {high:g} }}')
    if preset.constant_errors:
        lines.append("# assumed: triangular over the range in parameters.toml")
    for p in PARAMETERS:
        if p.name in calibrated or p.name in preset.constant_errors or p.name in NOT_SAMPLED \
                or p.range[0] == p.range[1]:
            continue
        lines.append(f'"{p.name}" = {{ distribution = "triangular", low = {p.range[0]:g}, '
                     f'mode = {p.value:g}, high = {p.range[1]:g} }}')
    return "\n".join(lines) + "\n" + SCENARIOS


def spec_path(key: str) -> Path:
    """Where the forecast spec of preset ``key`` is committed."""
    return ROOT / "calibration" / "scenarios" / f"{key}.toml"


def stale_specs(presets, n: int) -> list[Path]:
    """The committed specs of ``presets`` that differ from what this script writes."""
    return [spec_path(key) for key in presets
            if not spec_path(key).exists() or spec_path(key).read_text() != scenario_spec(key, n)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=sorted(PRESETS))
    parser.add_argument("--n", type=int, default=400, help="forecast runs per scenario")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed spec differs")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.presets) - set(PRESETS))
    if unknown:
        parser.error(f"unknown preset(s) {unknown}; presets are {sorted(PRESETS)}")
    if args.check:
        stale = stale_specs(args.presets, args.n)
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run python scripts/regional_scenarios.py)")
        return 1 if stale else 0
    for key in args.presets:
        path = spec_path(key)
        path.write_text(scenario_spec(key, args.n))
        print("wrote", path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
