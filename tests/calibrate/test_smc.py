"""Tempered SMC: simulation-based calibration, bounds, and reproducibility.

The coverage check follows Talts et al. (2018), "Validating Bayesian inference algorithms
with simulation-based calibration": when the true parameters are drawn from the prior and
data from the model, a correct sampler's central 90% posterior intervals contain the truth
in exactly 90% of repetitions. With 200 repetitions the count of hits is binomial(200, 0.9):
mean 180, sd 4.24; the test accepts 167..193 (three sd each side).
"""

import numpy as np
import pytest

import sdflow as sf
from pathlib import Path
from sdflow.calibrate.data import ObservedSeries
from sdflow.calibrate.problem import CalibrationProblem
from sdflow.calibrate.smc import tempered_smc
from sdflow.calibrate.spec import ParameterSpec, SeriesSpec

TIMES = np.arange(1.0, 9.0)
SIGMA = 0.2                                  # log-normal observation error, known
LOWER, UPPER = np.array([0.1, 0.5]), np.array([1.0, 2.0])   # k, initial x


def decay_problem() -> CalibrationProblem:
    m = sf.Model("decay", start=0, stop=8, dt=0.25)
    x = m.stock("x", initial=m.const("x0", 1.0))
    m.flow("out", m.const("k", 0.3) * x, source=x)
    observed = ObservedSeries("x", TIMES, np.ones((len(TIMES), 1)))
    return CalibrationProblem(m, [(SeriesSpec("x", Path(), "x"), observed)],
                              [ParameterSpec("k", (0.1, 1.0)), ParameterSpec("x0", (0.5, 2.0))])


def test_ninety_percent_intervals_cover_the_truth_ninety_percent_of_the_time():
    problem = decay_problem()
    reps, particles = 200, 200
    rng = np.random.default_rng(2024)
    truth = LOWER + (UPPER - LOWER) * rng.random((reps, 2))
    clean = problem.predict(truth)[0][..., 0]                     # (reps, times)
    data = np.log(clean) + SIGMA * rng.standard_normal(clean.shape)

    def loglik(theta):            # every particle of every repetition in one batch
        sim = problem.predict(theta.reshape(-1, 2))[0][..., 0].reshape(reps, particles, -1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (np.log(sim) - data[:, None, :]) / SIGMA
        return -0.5 * (r ** 2).sum(axis=2)

    sample = tempered_smc(loglik, lambda t: np.zeros(t.shape[:-1]), LOWER, UPPER,
                          groups=reps, particles=particles, seed=7)
    lo = np.quantile(sample.theta, 0.05, axis=1)
    hi = np.quantile(sample.theta, 0.95, axis=1)
    hits = ((lo <= truth) & (truth <= hi)).sum(axis=0)
    assert ((167 <= hits) & (hits <= 193)).all(), hits
    assert (sample.theta >= LOWER).all() and (sample.theta <= UPPER).all()


def test_same_seed_same_draws_bit_for_bit():
    def loglik(theta):
        return -0.5 * (((theta - [0.3, 0.6]) / [0.05, 0.2]) ** 2).sum(axis=-1)

    def flat(theta):
        return np.zeros(theta.shape[:-1])

    runs = [tempered_smc(loglik, flat, [0, 0], [1, 1], groups=2, particles=300, seed=5)
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0].theta, runs[1].theta)
    other = tempered_smc(loglik, flat, [0, 0], [1, 1], groups=2, particles=300, seed=6)
    assert not np.array_equal(runs[0].theta, other.theta)


def test_mass_against_a_bound_stays_inside():
    # likelihood peaked beyond the upper bound: the posterior piles up at the bound
    sample = tempered_smc(lambda t: -0.5 * ((t[..., 0] - 1.2) / 0.1) ** 2,
                          lambda t: np.zeros(t.shape[:-1]), [0.0], [1.0], groups=1,
                          particles=1000, seed=3)
    assert sample.theta.max() <= 1.0 and sample.theta.min() >= 0.0
    assert np.median(sample.theta) > 0.9


def test_bad_settings_are_clear_errors():
    with pytest.raises(sf.SpecError, match="finite bounds"):
        tempered_smc(lambda t: t[..., 0], lambda t: t[..., 0], [0.0], [np.inf])
    with pytest.raises(sf.SpecError, match="target_ess"):
        tempered_smc(lambda t: t[..., 0], lambda t: t[..., 0], [0.0], [1.0], target_ess=1.5)


def test_a_resumed_run_ends_with_the_same_draws():
    import json

    def loglik(theta):
        return -0.5 * (((theta - [0.3, 0.6]) / [0.05, 0.2]) ** 2).sum(axis=-1)

    def flat(theta):
        return np.zeros(theta.shape[:-1])

    states = []
    settings = dict(groups=2, particles=300, seed=5)
    whole = tempered_smc(loglik, flat, [0, 0], [1, 1], save=states.append, **settings)
    assert len(states) >= 3
    # what a checkpoint file keeps: the state after the second stage, through JSON
    saved = json.loads(json.dumps(states[1]))
    resumed = tempered_smc(loglik, flat, [0, 0], [1, 1], saved=saved, **settings)
    np.testing.assert_array_equal(resumed.theta, whole.theta)
    np.testing.assert_array_equal(resumed.log_evidence, whole.log_evidence)
    assert resumed.batches == whole.batches
