"""Forecast specs in TOML and the ensembles and problems built from them."""

import textwrap

import numpy as np
import pytest

import sdflow as sf
from sdflow.forecasting import Ramp, Step
from sdflow.forecasting.plan import build_ensemble, build_sensitivity
from sdflow.forecasting.spec import load_forecast_spec

SPEC = """
[model]
factory = "sdmodels.reference.bass:build"
options = { stop = 10.0 }
parameters = "params.toml"
intervals = true

[forecast]
until = 12
n = 64
chunk_size = 32
seed = 5
outputs = ["adopters"]
years = [5, 12]
thresholds = [{ variable = "adopters", above = 5e5, year = 12 }]

[uncertain]
imitation = { distribution = "triangular", low = 0.3, mode = 0.4, high = 0.5 }

[scenarios.baseline]
description = "as is"

[scenarios.campaign]
description = "advertising"
levers = { "market size" = 2e6 }
changes = [{ lever = "innovation", at = 3, scale = 2.0 },
           { lever = "imitation", start = 2, end = 4, to = 0.6 }]
"""


def _write(tmp_path, text=SPEC, params='[parameters]\ninnovation = { value = 0.02, '
                                        'low = 0.01, high = 0.04 }\n'):
    (tmp_path / "params.toml").write_text(params)
    path = tmp_path / "f.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_spec_builds_the_ensemble_it_describes(tmp_path):
    spec = load_forecast_spec(_write(tmp_path))
    campaign = spec.scenarios[1]
    assert campaign.changes == (Step("innovation", at=3, scale=2.0),
                                Ramp("imitation", start=2, end=4, to=0.6))
    ensemble = build_ensemble(spec, ["campaign", "baseline"], n=40)
    assert [s.name for s in ensemble.scenarios] == ["campaign", "baseline"]
    assert ensemble.n == 40 and ensemble.until == 12 and ensemble.seed == 5
    # calibrated value as the fixed value, calibrated interval as uniform uncertainty
    assert ensemble.params["innovation"] == pytest.approx(0.02)
    draws = ensemble.draws(0)
    assert draws["innovation"].min() >= 0.01 and draws["innovation"].max() <= 0.04
    assert 0.3 <= draws["imitation"].min() and draws["imitation"].max() <= 0.5
    ds = ensemble.run_chunk(0)
    assert float(ds["time"][-1]) == 12


def test_sensitivity_problem_from_spec(tmp_path):
    problem = build_sensitivity(load_forecast_spec(_write(tmp_path)), variables=["adopters"],
                                years=[5])
    assert problem.sampler.columns == ["imitation", "innovation"]
    y = problem.evaluate(np.array([[0.5, 0.5]]))
    assert y.shape == (1, 1) and problem.outputs == ["adopters @ 5"]


# keys are named as calibration specs name them (sdflow.toml_schema): table.key, with the
# closest known key suggested for a misspelt one
@pytest.mark.parametrize("change, message", [
    ("[forecast]\nhorizon = 2050\n", r"forecast.horizon: unknown key \(known keys: "),
    ("[forecast]\nuntill = 2050\n", r"forecast.untill: unknown key; did you mean 'until'\?"),
    ("[uncertain]\nx = { distribution = \"gamma\" }\n", "distribution 'gamma' is unknown"),
    ("[uncertain]\nx = { distribution = \"normal\", mean = 1 }\n", r"missing \['sd'\]"),
    ("[scenarios.s]\nchanges = [{ lever = \"x\", to = 1 }]\n", "give at = YEAR"),
    ("[scenario.s]\n", r"scenario: unknown key; did you mean 'scenarios'\?"),
    ("[model]\n", "model.factory: name the model"),
    ("[scenarios.s]\nchanges = [{ lever = \"x\", at = \"soon\" }]\n",
     r"scenarios.s.changes\[0\].at: expected a number, got 'soon'"),
    ("[uncertain]\n\"market size\" = { distribution = \"uniform\", low = 1, hihg = 2 }\n",
     r"uncertain.\"market size\".hihg: unknown key; did you mean 'high'\?"),
    ("[uncertain]\nimitation = { distribution = \"truncnormal\", mean = 0.4, sd = 0.1 }\n",
     r"uncertain.imitation: a truncnormal distribution needs \['mean', 'sd', 'low', 'high'\]; "
     r"missing \['low', 'high'\]"),
    ("[uncertain]\nimitation = { distribution = \"truncnormal\", mean = 0.2, sd = 0.1, "
     "low = 0.3, high = 0.5 }\n",
     r"uncertain.imitation: truncnormal\(mean=0.2, sd=0.1, low=0.3, high=0.5\): mean must lie "
     "between low and high"),
])
def test_spec_errors_say_what_to_fix(tmp_path, change, message):
    text = change if change.startswith("[model]") else \
        '[model]\nfactory = "sdmodels.reference.bass:build"\n' + change
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(sf.SpecError, match=message):
        load_forecast_spec(path)


def test_truncnormal_in_a_spec_samples_within_its_limits(tmp_path):
    path = _write(tmp_path, SPEC.replace(
        'imitation = { distribution = "triangular", low = 0.3, mode = 0.4, high = 0.5 }',
        'imitation = { distribution = "truncnormal", mean = 0.38, sd = 0.1, low = 0.3, '
        'high = 0.5 }'))
    spec = load_forecast_spec(path)
    assert spec.uncertain[0].describe() == \
        "imitation ~ truncnormal(mean=0.38, sd=0.1, low=0.3, high=0.5)"
    imitation = build_ensemble(spec, ["baseline"], n=64).draws(0)["imitation"]
    assert imitation.min() >= 0.3 and imitation.max() <= 0.5
    # Latin hypercube: one draw per 1/64 stratum, so the draws' median is the law's median
    assert float(np.median(imitation)) == pytest.approx(
        float(sf.truncnormal(0.38, 0.1, 0.3, 0.5).ppf(0.5)), abs=0.01)


def test_unknown_lever_in_spec_names_valid_levers(tmp_path):
    text = SPEC.replace('"market size" = 2e6', '"market sise" = 2e6')
    spec = load_forecast_spec(_write(tmp_path, text))
    with pytest.raises(sf.SpecError, match=r"'market sise'.*\['imitation', 'innovation', "
                                           r"'market size'\]"):
        build_ensemble(spec).prepared()


def test_model_target_is_the_old_name_of_factory(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('[model]\ntarget = "sdmodels.reference.bass:build"\n')
    with pytest.warns(DeprecationWarning, match="target is deprecated; write factory = "):
        spec = load_forecast_spec(path)
    assert spec.factory == "sdmodels.reference.bass:build"
    with pytest.warns(DeprecationWarning, match="use ForecastSpec.factory"):
        assert spec.target == spec.factory
    path.write_text('[model]\ntarget = "a:build"\nfactory = "a:build"\n')
    with pytest.raises(sf.SpecError, match="model.target: the old name of model.factory"):
        load_forecast_spec(path)


def test_old_load_spec_name_warns_and_reads_the_same_spec(tmp_path):
    import sdflow.forecasting

    path = _write(tmp_path)
    with pytest.warns(DeprecationWarning, match="use sdflow.forecasting.load_forecast_spec"):
        old = sdflow.forecasting.load_spec(path)
    new = load_forecast_spec(path)
    assert old.scenarios == new.scenarios and old.n == new.n and old.factory == new.factory
