"""Distributions of uncertain parameters: parameters checked when made, laws as published.

Expected quantiles are textbook values: the standard normal's 97.5% quantile is
1.959964 (any normal table); a uniform's median is the middle of its interval; a
log-normal's median is ``exp(mu)``; a triangular's median on [0, 2] with mode 1 is 1. A
normal cut at its mean is half-normal: median ``sd * 0.6744898`` (the standard normal's 75%
quantile) and mean ``sd * sqrt(2 / pi)``; the mean of a normal cut to ``[a, b]`` (in sd
units) is ``mean + sd * (phi(a) - phi(b)) / (Phi(b) - Phi(a))`` (Johnson, Kotz and
Balakrishnan, Continuous Univariate Distributions vol. 1, ch. 13).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sdflow as sf

NAN, INF = float("nan"), float("inf")


def test_valid_distributions_have_their_published_quantiles():
    assert float(sf.uniform(2.0, 4.0).ppf(0.5)) == pytest.approx(3.0)
    assert float(sf.normal(1.0, 0.5).ppf(0.975)) == pytest.approx(1.0 + 0.5 * 1.959964, abs=1e-6)
    assert float(sf.lognormal(math.log(3.0), 0.4).ppf(0.5)) == pytest.approx(3.0)
    assert float(sf.triangular(0.0, 1.0, 2.0).ppf(0.5)) == pytest.approx(1.0)
    assert float(sf.truncnormal(0.0, 0.2, 0.0, 5.0).ppf(0.5)) == pytest.approx(0.2 * 0.6744898)
    # numpy scalars and integers are numbers too
    assert float(sf.uniform(np.float64(0.0), np.int64(2)).ppf(0.25)) == pytest.approx(0.5)


@pytest.mark.parametrize("make, fragments", [
    (lambda: sf.uniform(2, 1), ["uniform(low=2.0, high=1.0)", "high must be greater than low"]),
    (lambda: sf.uniform(1, 1), ["uniform(", "high must be greater than low"]),
    (lambda: sf.normal(0, -1), ["normal(mean=0.0, sd=-1.0)", "sd must be positive"]),
    (lambda: sf.normal(0, 0), ["normal(", "sd must be positive"]),
    (lambda: sf.lognormal(0.0, -0.5), ["lognormal(mu=0.0, sigma=-0.5)",
                                       "sigma must be positive"]),
    # mu is log(median): mu = -inf is a median of 0, which no log-normal has
    (lambda: sf.lognormal(-INF, 0.5), ["lognormal(mu=-inf, sigma=0.5)", "mu is infinite"]),
    (lambda: sf.triangular(0, 3, 2), ["triangular(low=0.0, mode=3.0, high=2.0)",
                                      "mode must lie between low and high"]),
    (lambda: sf.triangular(0, -1, 2), ["triangular(", "mode must lie between low and high"]),
    (lambda: sf.triangular(2, 1, 0), ["triangular(", "high must be greater than low"]),
    (lambda: sf.triangular(1, 1, 1), ["triangular(", "high must be greater than low"]),
    (lambda: sf.truncnormal(0.5, 0, 0, 1), ["truncnormal(mean=0.5, sd=0.0, low=0.0, high=1.0)",
                                            "sd must be positive"]),
    (lambda: sf.truncnormal(0.5, 0.1, 1, 0), ["truncnormal(", "high must be greater than low"]),
    # a mean outside the limits: a wrong range, or the arguments in another order
    (lambda: sf.truncnormal(0.1, 0.05, 0.2, 1.0), ["truncnormal(",
                                                   "mean must lie between low and high"]),
])
def test_bad_bounds_raise_a_distribution_error_naming_call_and_argument(make, fragments):
    with pytest.raises(sf.DistributionError) as info:
        make()
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize("make, argument", [
    (lambda: sf.uniform(NAN, 1.0), "low"),
    (lambda: sf.uniform(0.0, NAN), "high"),
    (lambda: sf.normal(NAN, 1.0), "mean"),  # passed unchecked before: a NaN distribution
    (lambda: sf.normal(0.0, NAN), "sd"),
    (lambda: sf.lognormal(NAN, 0.5), "mu"),
    (lambda: sf.lognormal(0.0, NAN), "sigma"),
    (lambda: sf.triangular(NAN, 1.0, 2.0), "low"),
    (lambda: sf.triangular(0.0, NAN, 2.0), "mode"),
    (lambda: sf.triangular(0.0, 1.0, NAN), "high"),
    (lambda: sf.truncnormal(0.5, NAN, 0.0, 1.0), "sd"),
    (lambda: sf.truncnormal(0.5, 0.1, NAN, 1.0), "low"),
])
def test_nan_parameters_are_refused_by_name(make, argument):
    with pytest.raises(sf.DistributionError, match=f": {argument} is NaN; give a finite"):
        make()


@pytest.mark.parametrize("make, fragment", [
    (lambda: sf.uniform(0.0, INF), "high is infinite"),  # scipy would sample NaN
    (lambda: sf.normal(0.0, INF), "sd is infinite"),
    (lambda: sf.truncnormal(0.0, 1.0, 0.0, INF), "high is infinite"),
    (lambda: sf.uniform("0", 1.0), "low must be one real number, got str '0'"),
    (lambda: sf.normal(0.0, None), "sd must be one real number, got NoneType"),
    (lambda: sf.uniform([0.0, 1.0], 2.0), "low must be one real number, got list"),
    (lambda: sf.uniform(np.array([0.0, 1.0]), 2.0), "low must be one real number"),
    (lambda: sf.normal(1j, 1.0), "mean must be one real number, got complex"),
])
def test_other_non_numbers_are_refused_by_name(make, fragment):
    with pytest.raises(sf.DistributionError) as info:
        make()
    assert fragment in str(info.value)


def test_distribution_error_is_a_value_error_of_sdflow():
    """Code that caught ValueError before keeps working; sdflow's base class catches it."""
    with pytest.raises(ValueError):
        sf.uniform(1, 0)
    with pytest.raises(sf.SdflowError):
        sf.normal(0, -1)
    assert not issubclass(sf.DistributionError, sf.ModelError)  # no model is involved


def test_truncnormal_keeps_the_normal_shape_inside_its_limits():
    rng = np.random.default_rng(3)
    d = sf.truncnormal(0.119, 0.035, 0.05, 0.3)   # a rate estimated at 0.119 +- 0.035
    draws = d.sample(rng, 200_000)
    assert draws.min() >= 0.05 and draws.max() <= 0.3
    a, b = (0.05 - 0.119) / 0.035, (0.3 - 0.119) / 0.035
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)      # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))              # noqa: E731
    expected = 0.119 + 0.035 * (phi(a) - phi(b)) / (cdf(b) - cdf(a))
    assert float(draws.mean()) == pytest.approx(expected, abs=3e-4)
    # quantiles reach the limits, not beyond; half-normal mean sd * sqrt(2 / pi)
    assert d.ppf([0.0, 1.0]).tolist() == pytest.approx([0.05, 0.3])
    half = sf.truncnormal(0.0, 0.013, 0.0, 1.0).sample(rng, 200_000)
    assert float(half.mean()) == pytest.approx(0.013 * math.sqrt(2 / math.pi), rel=0.01)
    # unlike a clipped normal, no mass piles up on a limit
    assert float(np.mean(half == 0.0)) == 0.0
