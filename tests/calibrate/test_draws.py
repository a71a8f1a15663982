"""Draws for forecasts: bounded Laplace draws and observation error scales."""

import numpy as np
import pytest

from sdflow.calibrate.draws import add_error, error_scales, laplace_draws
from sdflow.calibrate.objectives import Payoff


def test_laplace_draws_keep_the_normal_approximation_where_the_bounds_are_far():
    # delta method: far from the bounds the logit map is nearly linear over +-4 se, so
    # the draws have the Jacobian's covariance
    cov = np.array([[0.01 ** 2, 0.5 * 0.01 * 0.02], [0.5 * 0.01 * 0.02, 0.02 ** 2]])
    d = laplace_draws([0.5, 1.0], cov, [0.0, 0.0], [1.0, 2.0], 200_000,
                      np.random.default_rng(1))
    np.testing.assert_allclose(d.mean(axis=0), [0.5, 1.0], atol=2e-4)
    np.testing.assert_allclose(np.cov(d.T), cov, rtol=0.02)


def test_laplace_draws_respect_every_bound():
    # a capital share of 0.98 with s.e. 0.05 in [0, 1], a growth rate of 0.002 with s.e.
    # 0.01 in [0, 0.1]: a normal puts 34% and 42% of its draws outside; these never do
    d = laplace_draws([0.98, 0.002], np.diag([0.05 ** 2, 0.01 ** 2]), [0.0, 0.0], [1.0, 0.1],
                      50_000, np.random.default_rng(2))
    assert (d > 0).all() and (d[:, 0] < 1).all() and (d[:, 1] < 0.1).all()
    assert np.median(d[:, 0]) == pytest.approx(0.98, abs=2e-3)


def test_laplace_draws_of_an_estimate_on_its_bound_stay_inside():
    d = laplace_draws([0.0], [[0.1]], [0.0], [1.0], 1000, np.random.default_rng(3))
    assert (d >= 0).all() and (d <= 1).all()


def test_error_scales_follow_the_scaled_inverse_chi_square():
    # Jeffreys prior: sigma^2 | SSE ~ SSE / chi2_n, so E[sigma^2] = SSE / (n - 2)
    obs = [np.arange(1.0, 11.0)[:, None]]
    payoff = Payoff("gaussian", obs, [1.0])
    residual = np.array([0.3, -0.3] * 5)
    sim = [np.repeat((obs[0][:, 0] + residual)[None, :, None], 100_000, axis=0)]
    sd = error_scales(payoff, sim, np.random.default_rng(4))
    assert (sd[:, 0] ** 2).mean() == pytest.approx(0.9 / 8, rel=0.01)


def test_wsse_error_scale_is_in_each_series_units():
    # one scale on residuals scaled by each series' mean level: a series ten times larger
    # gets an sd ten times larger
    obs = [np.array([[1.0], [1.0]]), np.array([[10.0], [10.0]])]
    payoff = Payoff("wsse", obs, [1.0, 1.0])
    sim = [obs[0][None] * 1.1, obs[1][None] * 0.9]
    sd = error_scales(payoff, sim, np.random.default_rng(5))
    assert sd[0, 1] == pytest.approx(10 * sd[0, 0])


def test_add_error_normal():
    y = add_error(np.zeros((50_000, 2)), np.full(50_000, 2.0), "normal",
                  np.random.default_rng(6))
    assert y.std() == pytest.approx(2.0, rel=0.01)


def test_laplace_draws_of_a_barely_constrained_parameter_do_not_pile_on_the_bounds():
    # s.e. 10 on [0, 1]: logit-normal draws with the delta-method sd (40) would put 91%
    # of them within 1% of a bound; capped at the logit sd of a uniform, about 1% are
    d = laplace_draws([0.5], [[10.0 ** 2]], [0.0], [1.0], 20_000, np.random.default_rng(7))
    near = np.mean((d < 0.01) | (d > 0.99))
    assert near < 0.03
    assert abs(np.median(d) - 0.5) < 0.02


def test_the_cap_keeps_a_well_determined_combination():
    # two rates the data pin down only as a sum: s.e. 10 each, s.e. of the sum 0.01.
    # At 0.5 on [0, 1], dz/dtheta = 4, so z1 + z2 keeps an sd of 0.04 while each z is
    # capped at pi / sqrt(3)
    e = 0.5e-4
    cov = np.array([[100.0, -100.0 + e], [-100.0 + e, 100.0]])
    d = laplace_draws([0.5, 0.5], cov, [0, 0], [1, 1], 50_000, np.random.default_rng(8))
    z = np.log(d) - np.log1p(-d)
    assert (z[:, 0] + z[:, 1]).std() == pytest.approx(0.04, rel=0.05)
    assert z[:, 0].std() == pytest.approx(np.pi / np.sqrt(3) / np.sqrt(2), rel=0.05)


def test_laplace_draws_of_an_estimate_on_its_bound_spread_as_a_half_normal():
    # The flat-prior posterior of a quadratic likelihood whose maximum is the bound 0:
    # a half-normal with the Wald sd; quantiles from the half-normal's inverse CDF,
    # sd * Phi^-1((1 + p) / 2): 0.674 sd at the median, 1.645 sd at 90%.
    d = laplace_draws([0.0, 0.5], np.diag([0.02 ** 2, 0.1 ** 2]), [0.0, 0.0], [1.0, 1.0],
                      200_000, np.random.default_rng(5))
    assert d[:, 0].min() >= 0
    assert np.quantile(d[:, 0], [0.5, 0.9]) == pytest.approx([0.674 * 0.02, 1.645 * 0.02],
                                                              rel=0.02)
    assert np.median(d[:, 1]) == pytest.approx(0.5, abs=2e-3)
    upper = laplace_draws([1.0], [[0.5 ** 2]], [0.0], [1.0], 10_000, np.random.default_rng(6))
    assert (upper >= 0).all() and (upper <= 1).all() and np.median(upper) < 0.8


def _rejection_reference(x, cov, lower, upper, n, rng):
    """The truncated multivariate normal `laplace_draws` should draw, by brute force: the
    delta-method normal in mixed space (logit for estimates inside their bounds, natural
    units for those on a bound), proposals kept only when every on-bound coordinate lies
    within its bounds, mapped back to natural units."""
    x, cov = np.asarray(x, float), np.asarray(cov, float)
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    inside = (x > lower) & (x < upper)
    d, mean = np.ones_like(x), x.copy()
    xi, lo, hi = x[inside], lower[inside], upper[inside]
    d[inside] = (hi - lo) / ((xi - lo) * (hi - xi))
    mean[inside] = np.log((xi - lo) / (hi - xi))
    proposals = rng.multivariate_normal(mean, cov * np.outer(d, d), n)
    ok = ((proposals >= lower) & (proposals <= upper))[:, ~inside].all(axis=1)
    kept = proposals[ok]
    expit = lower + (upper - lower) / (1 + np.exp(-kept))
    return np.where(inside, expit, kept)


@pytest.mark.parametrize("x, sd, lower, upper", [
    # one estimate on its lower bound among two inside (like the Pan-PRD learning effect
    # at 0, correlated -0.86 with the capital share and +0.5 with productivity growth)
    ([0.0, 0.5, 0.04], [0.024, 0.02, 0.01], [0.0, 0.4, 0.0], [0.05, 0.6, 0.15]),
    # two on bounds (one lower, one upper) with one inside: their joint marginal is a
    # normal truncated to a quadrant, drawn by rejection of pairs
    ([0.0, 0.5, 3.1], [0.024, 0.02, 0.5], [0.0, 0.4, 0.0], [0.05, 0.6, 3.1]),
])
def test_draws_at_a_bound_keep_their_correlations_as_a_truncated_normal(x, sd, lower, upper):
    # Moments and correlations against rejection sampling of the truncated multivariate
    # normal (the definition), within Monte Carlo error: 100,000 draws or more each, so
    # means and sds agree within 3 standard errors of the difference (0.013 sd, 1.0 %)
    # and correlations within 0.015
    sd = np.array(sd)
    corr = np.array([[1.0, -0.86, 0.5], [-0.86, 1.0, -0.3], [0.5, -0.3, 1.0]])
    cov = corr * np.outer(sd, sd)
    n = 100_000
    ours = laplace_draws(x, cov, lower, upper, n, np.random.default_rng(10))
    reference = _rejection_reference(x, cov, lower, upper, 8 * n, np.random.default_rng(11))
    assert len(reference) > n
    assert ((ours >= lower) & (ours <= upper)).all()
    scale = reference.std(axis=0)
    np.testing.assert_allclose(ours.mean(axis=0) / scale, reference.mean(axis=0) / scale,
                               atol=0.015)
    np.testing.assert_allclose(ours.std(axis=0), scale, rtol=0.012)
    np.testing.assert_allclose(np.corrcoef(ours.T), np.corrcoef(reference.T), atol=0.015)
    # the correlation is real: independent half-normal draws would give ~0 here
    assert np.corrcoef(ours.T)[0, 1] < -0.5


def test_many_correlated_coordinates_on_bounds_fall_back_to_gibbs_sampling():
    # Eight coordinates on their lower bounds with correlations 0.6^|i - j|, sign flipped
    # for the last one: the Gibbs sampler's moments agree with rejection of the same
    # normal (which keeps about 1 proposal in 60, 34,000 of 2,000,000)
    from sdflow.calibrate.draws import _gibbs_box

    m = 8
    corr = 0.6 ** np.abs(np.subtract.outer(np.arange(m), np.arange(m)))
    corr[-1, :-1] *= -1
    corr[:-1, -1] *= -1
    cov = corr * 0.1 ** 2
    span = np.full(m, 0.25)
    gibbs = _gibbs_box(cov, span, 40_000, 60, np.random.default_rng(12))
    rng = np.random.default_rng(13)
    proposals = rng.multivariate_normal(np.zeros(m), cov, 2_000_000)
    reference = proposals[((proposals >= 0) & (proposals <= span)).all(axis=1)]
    assert len(reference) > 30_000
    np.testing.assert_allclose(gibbs.mean(axis=0), reference.mean(axis=0), atol=0.002)
    # 28 correlations, each with a standard error of the difference of about 0.0075
    np.testing.assert_allclose(np.corrcoef(gibbs.T), np.corrcoef(reference.T), atol=0.03)


def test_uncorrelated_draws_on_a_bound_stay_half_normal_and_leave_the_others_alone():
    # no correlation: the conditional normal of the others is their own
    d = laplace_draws([0.0, 0.5], np.diag([0.02 ** 2, 0.05 ** 2]), [0.0, 0.0], [1.0, 1.0],
                      100_000, np.random.default_rng(14))
    assert np.quantile(d[:, 0], 0.5) == pytest.approx(0.674 * 0.02, rel=0.02)
    assert np.median(d[:, 1]) == pytest.approx(0.5, abs=1e-3)
    assert abs(np.corrcoef(d.T)[0, 1]) < 0.01
