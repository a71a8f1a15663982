"""Ensembles against analytic distributions, and paired scenario differences.

Reference: with dt = 1 the Euler update of x' = (g - 1) x is x <- g x, so x(T) = x0 g^T.
If ln g ~ N(mu, s), then ln x(T) ~ N(T mu, T s): x(T) is log-normal with known quantiles
(scipy.stats.lognorm) and exceedance probabilities.
"""

import numpy as np
from scipy import stats

import sdflow as sf
from sdflow.forecasting import Ensemble, Scenario, Uncertain, run_ensemble
from sdflow.forecasting.summary import (BANDS, exceedance_probability, paired_differences,
                                     quantile_bands)

from .models import growth

MU, S, T = 0.04, 0.02, 10
OUTCOME = stats.lognorm(s=T * S, scale=np.exp(T * MU))


def _ensemble(n, sampling="lhs", scenarios=None, chunk_size=1000):
    return Ensemble(growth(stop=T), scenarios or [Scenario("baseline")],
                    [Uncertain("growth factor", sf.lognormal(MU, S))], n=n, seed=11,
                    sampling=sampling, chunk_size=chunk_size, variables=["x"])


def _quantile_error(ds):
    got = quantile_bands(ds, ["x"])["x"].sel(scenario="baseline", time=T).values
    return np.max(np.abs(got / OUTCOME.ppf(BANDS) - 1))


def test_lhs_quantiles_converge_to_the_lognormal_outcome():
    coarse = _quantile_error(run_ensemble(_ensemble(200, chunk_size=200)))
    fine = _quantile_error(run_ensemble(_ensemble(4000, chunk_size=4000)))
    assert fine < 1e-3
    assert fine < coarse / 4  # one stratified sample per 1/n: error falls like 1/n


def test_random_sampling_quantiles_within_their_standard_errors():
    n = 4000
    ds = run_ensemble(_ensemble(n, sampling="random", chunk_size=1000))
    got = quantile_bands(ds, ["x"])["x"].sel(scenario="baseline", time=T).values
    q = np.array(BANDS)
    # asymptotic standard error of a sample quantile: sqrt(q(1-q)/n) / density
    se = np.sqrt(q * (1 - q) / n) / OUTCOME.pdf(OUTCOME.ppf(q))
    assert np.all(np.abs(got - OUTCOME.ppf(q)) < 4 * se)


def test_exceedance_probability_matches_the_lognormal_tail():
    ds = run_ensemble(_ensemble(4000, sampling="random"))
    level = 1.6
    p = float(exceedance_probability(ds, "x", level).sel(scenario="baseline", time=T))
    expected = OUTCOME.sf(level)
    assert abs(p - expected) < 4 * np.sqrt(expected * (1 - expected) / 4000)


def test_common_random_numbers_make_paired_differences_exact():
    # Doubling x0 doubles x(T) run by run, so with the same draws per scenario the
    # paired relative difference is exactly 1 and the absolute one equals the baseline.
    scenarios = [Scenario("baseline"), Scenario("double", levers={"x0": 2.0})]
    ds = run_ensemble(_ensemble(300, scenarios=scenarios, chunk_size=128))
    rel = paired_differences(ds, ["x"], relative=True)["x"].sel(scenario="double")
    np.testing.assert_allclose(rel.values, 1.0, rtol=1e-12)
    diff = paired_differences(ds, ["x"])["x"].sel(scenario="double")
    np.testing.assert_allclose(diff.values, ds["x"].sel(scenario="baseline").values,
                               rtol=1e-12)


def test_chunks_are_independent_of_the_ensemble_size():
    small = _ensemble(500, chunk_size=100)
    large = _ensemble(2000, chunk_size=100)
    a, b = small.run_chunk(3), large.run_chunk(3)
    np.testing.assert_array_equal(a["x"].values, b["x"].values)
    assert a["run"].values.tolist() == list(range(300, 400))
    np.testing.assert_array_equal(a["sampled growth factor"], b["sampled growth factor"])


def test_failed_runs_are_marked_and_left_out_of_summaries():
    m = sf.Model("m", start=0, stop=3, dt=1)
    k = m.const("k", 1.0)
    x = m.stock("x", initial=1.0)
    m.flow("f", sf.ln(k) * x, sink=x)  # ln of a negative k -> NaN
    e = Ensemble(m, [Scenario("baseline")], [Uncertain("k", sf.uniform(-1, 3))], n=400,
                 variables=["x"], chunk_size=400)
    ds = run_ensemble(e)
    failed = ds["failed"].sel(scenario="baseline").values
    assert failed.sum() == (ds["sampled k"].values <= 0).sum() > 0
    bands = quantile_bands(ds, ["x"])
    assert np.isfinite(bands["x"].values).all()
