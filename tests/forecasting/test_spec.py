"""Forecast specs in TOML and the ensembles and problems built from them."""

import textwrap

import numpy as np
import pytest

import sdflow as sf
from sdflow.forecasting import Ramp, Step
from sdflow.forecasting.plan import build_ensemble, build_sensitivity
from sdflow.forecasting.spec import load_spec

SPEC = """
[model]
target = "sdmodels.reference.bass:build"
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
    spec = load_spec(_write(tmp_path))
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
    problem = build_sensitivity(load_spec(_write(tmp_path)), variables=["adopters"],
                                years=[5])
    assert problem.sampler.columns == ["imitation", "innovation"]
    y = problem.evaluate(np.array([[0.5, 0.5]]))
    assert y.shape == (1, 1) and problem.outputs == ["adopters @ 5"]


@pytest.mark.parametrize("change, message", [
    ("[forecast]\nhorizon = 2050\n", r"unknown key\(s\) \['horizon'\]"),
    ("[uncertain]\nx = { distribution = \"gamma\" }\n", "distribution 'gamma' is unknown"),
    ("[uncertain]\nx = { distribution = \"normal\", mean = 1 }\n", r"missing \['sd'\]"),
    ("[scenarios.s]\nchanges = [{ lever = \"x\", to = 1 }]\n", "give at = YEAR"),
    ("[scenario.s]\n", r"unknown section\(s\) \['scenario'\]"),
    ("[model]\n", "needs target"),
])
def test_spec_errors_say_what_to_fix(tmp_path, change, message):
    text = change if change.startswith("[model]") else \
        '[model]\ntarget = "sdmodels.reference.bass:build"\n' + change
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(sf.SpecError, match=message):
        load_spec(path)


def test_unknown_lever_in_spec_names_valid_levers(tmp_path):
    text = SPEC.replace('"market size" = 2e6', '"market sise" = 2e6')
    spec = load_spec(_write(tmp_path, text))
    with pytest.raises(sf.SpecError, match=r"'market sise'.*\['imitation', 'innovation', "
                                           r"'market size'\]"):
        build_ensemble(spec).prepared()
