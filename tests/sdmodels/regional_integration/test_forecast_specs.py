"""The committed forecast specs of the presets (calibration/scenarios/<preset>.toml) are what
scripts/regional_scenarios.py writes from parameters.toml and presets.toml, and they carry
the calibration's uncertainty through the framework: the draws `sdflow calibrate` writes,
named by params.json, and the constants a preset fixes from other evidence as truncated
normals of the spec, never as columns added to draws.csv."""

import importlib.util
from pathlib import Path

import pytest

from sdflow.calibrate import load_calibration_spec
from sdflow.forecasting.spec import load_forecast_spec
from sdmodels.regional_integration import PARAMETERS, PRESETS

ROOT = Path(__file__).resolve().parents[3]


def _script():
    spec = importlib.util.spec_from_file_location(
        "regional_scenarios", ROOT / "scripts" / "regional_scenarios.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_specs_are_what_the_script_writes():
    # a changed range in parameters.toml or error in presets.toml must reach the specs
    assert _script().stale_specs(sorted(PRESETS), 400) == []


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_spec_samples_the_calibrations_draws_and_the_presets_evidence(key):
    spec = load_forecast_spec(ROOT / "calibration" / "scenarios" / f"{key}.toml")
    params = (ROOT / "calibration" / "results" / key / "params.json").resolve()
    assert spec.posterior.resolve() == params == spec.parameters.resolve()
    calibrated = {p.name for p in load_calibration_spec(
        ROOT / "calibration" / "specs" / f"{key}.toml").parameters}
    uncertain = {u.name: u for u in spec.uncertain}
    assert not calibrated & set(uncertain)      # drawn from the calibration only
    ranges = {p.name: p.range for p in PARAMETERS}
    preset = PRESETS[key]
    for name, error in preset.constant_errors.items():
        frozen = uncertain[name].distribution.frozen
        assert uncertain[name].distribution.name == "truncnormal"
        assert (frozen.kwds["loc"], frozen.kwds["scale"]) == (preset.constants[name], error)
        assert frozen.ppf(0.0) == pytest.approx(ranges[name][0])
        assert frozen.ppf(1.0) == pytest.approx(ranges[name][1])
    others = set(uncertain) - set(preset.constant_errors)
    assert {uncertain[n].distribution.name for n in others} == {"triangular"}
