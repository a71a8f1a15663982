"""Lotka-Volterra fitted to the Hudson's Bay Company hare and lynx pelts (1900-1920).

Published fit compared with: B. Carpenter (2018), "Predator-Prey Population Dynamics: the
Lotka-Volterra model in Stan", Stan case study (stan-dev/example-models,
knitr/lotka-volterra). Its model ``lotka-volterra.stan`` has state ``z = {u, v}`` = {hares
(prey), lynx (predator)} (the CSV lists lynx first), ``theta = {alpha, beta, gamma, delta}``
with ``du/dt = (alpha - beta v) u`` and ``dv/dt = (-gamma + delta u) v``, estimates the 1900
state ``z_init``, and fits log-normal errors with one scale per species. Its posterior
(4 chains x 1000 draws, printed in the case study) has means (sd): alpha 0.545 (0.064),
beta 0.028 (0.004), gamma 0.803 (0.092), delta 0.024 (0.004), z_init 33.956 (2.856) and
5.933 (0.535), sigma 0.250 (0.045) and 0.252 (0.044).

Our spec (calibration/specs/lynx_hare.toml) is the same likelihood with flat priors on
bounds, so the maximum-likelihood estimate must sit well inside one posterior sd of those
means (the case study's priors are weak next to 21 years of data).
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sdflow.calibrate import calibrate, load_spec

SPEC = Path(__file__).resolve().parents[2] / "calibration" / "specs" / "lynx_hare.toml"

CARPENTER_2018 = {   # label: (posterior mean, posterior sd)
    "hare birth rate": (0.545, 0.064),
    "predation rate": (0.028, 0.004),
    "lynx death rate": (0.803, 0.092),
    "lynx birth rate": (0.024, 0.004),
    "initial hares": (33.956, 2.856),
    "initial lynx": (5.933, 0.535),
}


@pytest.fixture(scope="module")
def result():
    spec = dataclasses.replace(load_spec(SPEC), profile=False, smc=None, draws=0)
    return calibrate(spec)


def test_estimates_match_carpenter_2018(result):
    for label, (mean, sd) in CARPENTER_2018.items():
        assert abs(result.estimates[label] - mean) < 0.5 * sd, label
        lo, hi = result.intervals[label]["wald"]
        assert lo < mean < hi, label


def test_error_scales_match(result):
    # maximum likelihood divides by N = 21 where the posterior mean sits higher
    for name in ("hare pelts", "lynx pelts"):
        assert 0.20 < result.sigma[name] < 0.26


def test_fit_statistics_are_consistent(result):
    hares = result.statistics["fit"]["hare pelts"]
    assert hares["n"] == 21
    assert hares["U_M"] + hares["U_S"] + hares["U_C"] == pytest.approx(1.0)
    sim, obs = result.simulated[0][:, 0], result.observed[0].values[:, 0]
    assert hares["RMSE"] == pytest.approx(np.sqrt(np.mean((sim - obs) ** 2)))


# posteriordb (github.com/stan-dev/posteriordb), posterior "lotka_volterra-hudson_lynx_hare":
# reference posterior means of theta; the sds are Carpenter's (2018) posterior sds above.
POSTERIORDB_MEANS = {"hare birth rate": 0.5469, "predation rate": 0.02775,
                     "lynx death rate": 0.8001, "lynx birth rate": 0.02409}


@pytest.fixture(scope="module")
def posterior(tmp_path_factory):
    # the committed spec (4 x 1,000 particles, same priors), smaller: 2 x 500 particles
    spec = dataclasses.replace(load_spec(SPEC), profile=False, starts=1,
                               smc={"particles": 500, "chains": 2})
    return calibrate(spec, tmp_path_factory.mktemp("lynx_hare"))


def test_smc_posterior_means_match_posteriordb(posterior):
    post = posterior.posterior
    for label, mean in POSTERIORDB_MEANS.items():
        j = posterior.labels.index(label)
        assert abs(post["mean"][j] - mean) < 0.2 * CARPENTER_2018[label][1], label
        assert post["rhat"][j] < 1.05, label


def test_smc_report_files_and_forecastable_draws(posterior, tmp_path_factory):
    import json

    from sdflow.calibrate.posterior import import_arviz
    from sdflow.forecasting.calibrated import read_posterior

    folder = next(tmp_path_factory.getbasetemp().glob("lynx_hare*"))
    for name in ("draws.csv", "posterior.nc", "trace.png", "pair.png",
                 "predictive_hare_pelts.png"):
        assert (folder / name).exists(), name
    idata = import_arviz().from_netcdf(folder / "posterior.nc")
    assert dict(idata.posterior.sizes) == {"chain": 2, "draw": 500}
    params = json.loads((folder / "params.json").read_text())
    assert params["draws"] == {"file": "draws.csv", "source": "smc", "count": 1000}
    assert params["observation_error"]["lynx pelts"]["noise"] == "lognormal"
    draws = read_posterior(folder / "params.json", posterior.spec.build_model().graph())
    np.testing.assert_array_equal(draws.values["hare birth rate"],
                                  idata.posterior["hare birth rate"].values.ravel())
    # Carpenter's posterior error scales are 0.250 and 0.252 (sd 0.045 and 0.044)
    sd = posterior.draws["sd"].mean(axis=0)
    assert np.all(np.abs(sd - [0.250, 0.252]) < 0.045)
