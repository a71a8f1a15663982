"""Priors: densities against closed forms, and the checks made when a spec loads.

Expected log densities are written out from the textbook formulas (not from scipy, which
the implementation calls or, for the normal and log-normal, copies operation for
operation), so each test compares two independent computations; the copies are also
compared with scipy itself, bit for bit.
"""

import math

import numpy as np
import pytest
from scipy import stats

from sdflow import SpecError
from sdflow.calibrate.priors import Prior, prior_from_table
from sdflow.calibrate.spec import spec_from_dict

X = np.array([0.2, 0.5, 1.7])


@pytest.mark.parametrize("prior, formula", [
    (Prior("uniform", 0.0, 2.0), lambda x: np.full_like(x, -math.log(2.0))),
    (Prior("normal", 0.4, 0.3), lambda x: -0.5 * ((x - 0.4) / 0.3) ** 2
     - math.log(0.3 * math.sqrt(2 * math.pi))),
    (Prior("lognormal", 0.5, 0.8), lambda x: -np.log(x * 0.8 * math.sqrt(2 * math.pi))
     - 0.5 * ((np.log(x) - math.log(0.5)) / 0.8) ** 2),
    (Prior("half_normal", 0.7), lambda x: math.log(2) - 0.5 * (x / 0.7) ** 2
     - math.log(0.7 * math.sqrt(2 * math.pi))),
    (Prior("gamma", 2.5, 3.0), lambda x: 2.5 * math.log(3.0) + 1.5 * np.log(x) - 3.0 * x
     - math.lgamma(2.5)),
])
def test_log_densities_match_the_formulas(prior, formula):
    np.testing.assert_allclose(prior.logpdf(X), formula(X), rtol=1e-12)


def test_beta_density_and_its_support():
    prior = Prior("beta", 2.0, 5.0)
    # B(2, 5) = 1! 4! / 6! = 1/30
    x = np.array([0.1, 0.5])
    np.testing.assert_allclose(prior.logpdf(x), math.log(30) + np.log(x) + 4 * np.log(1 - x))
    assert prior.logpdf(1.5) == -np.inf
    assert Prior("half_normal", 1.0).logpdf(-0.1) == -np.inf


@pytest.mark.parametrize("table, message", [
    ({"dist": "normal", "mean": 0.0, "sd": -1.0},
     r"parameters\[0\]\.prior\.sd: -1.0 must be > 0"),
    ({"dist": "half_normal", "sd": 0.0}, r"parameters\[0\]\.prior\.sd: 0.0 must be > 0"),
    ({"dist": "gamma", "shape": 2.0, "rate": 0.0}, r"parameters\[0\]\.prior\.rate"),
    ({"dist": "beta", "alpha": 0.0, "beta": 2.0}, r"parameters\[0\]\.prior\.alpha"),
    ({"dist": "lognormal", "median": -1.0, "sigma": 1.0}, r"parameters\[0\]\.prior\.median"),
    ({"dist": "uniform", "lower": 1.0, "upper": 0.0}, r"parameters\[0\]\.prior\.upper"),
    ({"dist": "gamma", "shape": 2.0}, r"parameters\[0\]\.prior\.rate: is required"),
    ({"dist": "beta", "alpha": 1.0, "beta": 1.0, "sd": 1.0},
     r"parameters\[0\]\.prior\.sd: unknown key"),
    ({"dist": "weibull"}, r"parameters\[0\]\.prior\.dist"),
])
def test_bad_prior_tables_name_the_key(table, message):
    with pytest.raises(SpecError, match=message):
        prior_from_table(table, "parameters[0].prior")


def _spec(bounds, prior):
    return {"model": {"factory": "sdmodels.reference.bass:build"},
            "series": [{"name": "a", "file": "a.csv", "variable": "adopters", "value": "a"}],
            "parameters": [{"name": "imitation", "bounds": bounds, "prior": prior}]}


@pytest.mark.parametrize("bounds, prior", [
    ([0.1, 1.5], {"dist": "beta", "alpha": 2.0, "beta": 2.0}),
    ([-0.5, 0.9], {"dist": "gamma", "shape": 2.0, "rate": 1.0}),
    ([-0.5, 0.9], {"dist": "half_normal", "sd": 1.0}),
    ([-0.5, 0.9], {"dist": "lognormal", "median": 0.4, "sigma": 1.0}),
])
def test_bounds_outside_the_support_of_the_prior_are_refused(bounds, prior):
    with pytest.raises(SpecError, match=r"parameters\[0\]\.bounds: .* reach outside the "
                                        rf"support .* of its {prior['dist']} prior"):
        spec_from_dict(_spec(bounds, prior))


def test_every_family_loads_from_a_spec():
    for prior in ({"dist": "beta", "alpha": 2.0, "beta": 3.0},
                  {"dist": "gamma", "shape": 2.0, "rate": 4.0},
                  {"dist": "half_normal", "sd": 0.5}):
        spec = spec_from_dict(_spec([0.1, 0.9], prior))
        assert spec.parameters[0].prior.dist == prior["dist"]


@pytest.mark.parametrize("dist, a, b, frozen", [
    ("normal", 1.0, 0.5, stats.norm(1.0, 0.5)),
    ("normal", 0.05, 0.05, stats.norm(0.05, 0.05)),
    ("lognormal", 10.0, 1.0, stats.lognorm(s=1.0, scale=10.0)),
    ("lognormal", 0.3, 2.5, stats.lognorm(s=2.5, scale=0.3))])
def test_written_out_densities_are_scipys_to_the_last_bit(dist, a, b, frozen):
    # the normal and log-normal skip scipy's argument handling; same numbers, edges too
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 30, 500), 10 ** rng.uniform(-6, 3, 500),
                        [0.0, -0.0, -1.0, np.inf, -np.inf, np.nan]])
    prior = Prior(dist, a, b)
    assert np.array_equal(prior.logpdf(x), frozen.logpdf(x), equal_nan=True)
    assert prior.logpdf(0.3) == frozen.logpdf(0.3)
    assert np.ndim(prior.logpdf(0.3)) == 0
