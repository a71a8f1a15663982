"""Random draws (Vensim's RANDOM functions) and their streams.

Expected numbers: the moments of the (truncated) distributions, computed independently
with scipy.stats; the properties Vensim's documentation gives the RANDOM functions (a new
number at every time step, reproducible runs, truncation to [minimum, maximum]); and the
common-random-numbers property of the streams (the same seed gives the same draws).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sdflow as sf
from sdflow.compile import noise
from sdflow.errors import ModelError, SimulationError
from sdflow.expr.nodes import Noise


def batch(expr_of, n=400, stop=49, seed=1, **run):
    m = sf.Model("noise", start=0, stop=stop, dt=1)
    m.aux("draw", expr_of(m))
    return m.simulate(n=n, seed=seed, **run)["draw"].values


def check_moments(values, mean, var, lo, hi):
    # 20 000 draws: the mean is within ~4 standard errors, the variance within 5%
    assert values.min() >= lo and values.max() <= hi
    assert abs(values.mean() - mean) < 4 * np.sqrt(var / values.size)
    assert abs(values.var() / var - 1) < 0.05


def test_uniform_matches_its_moments():
    check_moments(batch(lambda m: sf.random_uniform(2, 5)), 3.5, 9 / 12, 2, 5)


def test_normal_is_truncated_at_minimum_and_maximum():
    # Vensim: shifted by the mean, stretched by the std, then truncated to [min, max]
    truth = stats.truncnorm((-1 - 1) / 2, (4 - 1) / 2, loc=1, scale=2)
    values = batch(lambda m: sf.random_normal(-1, 4, 1, 2))
    check_moments(values, truth.mean(), truth.var(), -1, 4)


def test_normal_window_far_in_the_upper_tail():
    truth = stats.truncnorm(3, 4)
    values = batch(lambda m: sf.random_normal(3, 4, 0, 1))
    check_moments(values, truth.mean(), truth.var(), 3, 4)


def test_exponential_is_shifted_and_stretched():
    truth = stats.truncexpon((30 - 1) / 2, loc=1, scale=2)  # 1 + 2 * Exp(1), below 30
    values = batch(lambda m: sf.random_exponential(0, 30, shift=1, stretch=2))
    check_moments(values, truth.mean(), truth.var(), 1, 30)


def test_poisson_truncated_counts():
    k = np.arange(2, 7)  # Poisson(4) kept between 2 and 6 events
    pmf = stats.poisson.pmf(k, 4) / stats.poisson.pmf(k, 4).sum()
    mean = (k * pmf).sum()
    values = batch(lambda m: sf.random_poisson(2, 6, 4))
    check_moments(values, mean, ((k - mean) ** 2 * pmf).sum(), 2, 6)
    assert np.array_equal(values, np.round(values))
    shifted = batch(lambda m: sf.random_poisson(0, 1000, 4, shift=10, stretch=3))
    assert np.array_equal((shifted - 10) / 3, np.round((shifted - 10) / 3))
    check_moments(shifted, 10 + 3 * 4, 9 * 4, 10, 1000)


def test_triangular_matches_its_moments():
    truth = stats.triang((2 - 1) / (5 - 1), loc=1, scale=4)
    check_moments(batch(lambda m: sf.random_triangular(0, 10, 1, 2, 5)),
                  truth.mean(), truth.var(), 1, 5)


def test_beta_is_shifted_stretched_and_truncated():
    truth = stats.beta(2, 5, loc=1, scale=3)  # 1 + 3 * Beta(2, 5), all inside [0, 10]
    check_moments(batch(lambda m: sf.random_beta(0, 10, 2, 5, shift=1, stretch=3)),
                  truth.mean(), truth.var(), 1, 4)
    k = np.linspace(0, 1, 2001)
    cut = stats.beta(2, 5)  # kept below 0.2: moments of the truncated density
    w = cut.pdf(k) * (k <= 0.2)
    mean = (k * w).sum() / w.sum()
    check_moments(batch(lambda m: sf.random_beta(0, 0.2, 2, 5)), mean,
                  ((k - mean) ** 2 * w).sum() / w.sum(), 0, 0.2)


def test_binomial_counts_successes():
    check_moments(batch(lambda m: sf.random_binomial(0, 20, 0.3, 20)), 6, 20 * 0.3 * 0.7,
                  0, 20)
    k = np.arange(4, 9)  # Binomial(20, 0.3) kept between 4 and 8
    pmf = stats.binom.pmf(k, 20, 0.3) / stats.binom.pmf(k, 20, 0.3).sum()
    mean = (k * pmf).sum()
    values = batch(lambda m: sf.random_binomial(4, 8, 0.3, 20))
    assert np.array_equal(values, np.round(values))
    check_moments(values, mean, ((k - mean) ** 2 * pmf).sum(), 4, 8)


def truncated_ks(values, dist, lo, hi):
    """Kolmogorov-Smirnov p-value of ``values`` against scipy's ``dist`` kept in [lo, hi]."""
    a, b = dist.cdf(lo), dist.cdf(hi)
    return stats.kstest(values.ravel(), lambda x: (dist.cdf(x) - a) / (b - a)).pvalue


# Vensim (fn_random): "RANDOM GAMMA(m,x,O,h,r,s) GAMMA with order O"; its sensitivity
# distributions page describes the same draw as a gamma of that order with mean 1, and
# order 1 as RANDOM EXPONENTIAL: shape O, scale 1/O, then times the stretch plus the shift
def gamma_of(order, shift, stretch):
    return stats.gamma(order, loc=shift, scale=stretch / order)


# Vensim (fn_random): "RANDOM WEIBULL(m,x,S,h,r,s) WEIBULL with shape S starting at 0 with
# mean 1": the unit-scale Weibull divided by its mean gamma(1 + 1/S)
def weibull_of(shape, shift, stretch):
    from scipy.special import gamma
    return stats.weibull_min(shape, loc=shift, scale=stretch / gamma(1 + 1 / shape))


def test_gamma_of_order_o_and_mean_one_is_shifted_and_stretched():
    truth = gamma_of(3, 1, 2)  # untruncated: mean 1 + 2, variance 2^2 / 3
    values = batch(lambda m: sf.random_gamma(0, 1e9, 3, shift=1, stretch=2))
    check_moments(values, 3.0, 4 / 3, 1, 1e9)
    assert truncated_ks(values, truth, 0, np.inf) > 1e-3
    cut = batch(lambda m: sf.random_gamma(2, 4, 3, shift=1, stretch=2))
    assert cut.min() >= 2 and cut.max() <= 4
    assert truncated_ks(cut, truth, 2, 4) > 1e-3
    # order 1 is RANDOM EXPONENTIAL ("starting at 0 with mean 1")
    assert truncated_ks(batch(lambda m: sf.random_gamma(0, 30, 1, 1, 2)),
                        stats.expon(loc=1, scale=2), 0, 30) > 1e-3
    # an order below 1 is taken as 1 (Vensim warns and uses 1)
    np.testing.assert_array_equal(batch(lambda m: sf.random_gamma(0, 30, 0.4), n=3),
                                  batch(lambda m: sf.random_gamma(0, 30, 1), n=3))


def test_gamma_window_far_in_the_upper_tail():
    # P(g > 4) for shape 3, scale 1/3 is 6e-5: drawn through the survival function
    truth = gamma_of(3, 0, 1)
    values = batch(lambda m: sf.random_gamma(4, 5, 3))
    assert values.min() >= 4 and values.max() <= 5 and len(np.unique(values)) > 1000
    assert truncated_ks(values, truth, 4, 5) > 1e-3


def test_weibull_of_shape_s_and_mean_one():
    truth = weibull_of(2, 1, 2)
    values = batch(lambda m: sf.random_weibull(0, 1e9, 2, shift=1, stretch=2))
    check_moments(values, 3.0, truth.var(), 1, 1e9)
    assert truncated_ks(values, truth, 0, np.inf) > 1e-3
    cut = batch(lambda m: sf.random_weibull(1.5, 3.5, 0.7, shift=1, stretch=2))
    assert cut.min() >= 1.5 and cut.max() <= 3.5
    assert truncated_ks(cut, weibull_of(0.7, 1, 2), 1.5, 3.5) > 1e-3
    far = batch(lambda m: sf.random_weibull(3, 4, 2))  # P(w > 3) = exp(-9 pi / 4) ~ 9e-4
    assert truncated_ks(far, weibull_of(2, 0, 1), 3, 4) > 1e-3
    assert truncated_ks(batch(lambda m: sf.random_weibull(0, 30, 1, 1, 2)),
                        stats.expon(loc=1, scale=2), 0, 30) > 1e-3  # shape 1: exponential
    with pytest.raises(SimulationError, match="'draw.random weibull'.*became NaN"):
        batch(lambda m: sf.random_weibull(0, 10, 0), n=2)  # no Weibull of shape 0


def test_negative_binomial_counts_trials_to_the_nth_success():
    # Vensim (fn_random): "NEGATIVE BINOMIAL N successes prob P", a whole number from N
    # on; scipy's nbinom counts the failures, so trials = N + nbinom(N, P)
    values = batch(lambda m: sf.random_negative_binomial(0, 1e9, 0.3, 4))
    assert np.array_equal(values, np.round(values)) and values.min() >= 4
    check_moments(values, 4 / 0.3, 4 * 0.7 / 0.3 ** 2, 4, 1e9)
    k = np.arange(8, 21)  # trials kept between 8 and 20
    pmf = stats.nbinom.pmf(k - 4, 4, 0.3) / stats.nbinom.pmf(k - 4, 4, 0.3).sum()
    mean = (k * pmf).sum()
    cut = batch(lambda m: sf.random_negative_binomial(8, 20, 0.3, 4))
    check_moments(cut, mean, ((k - mean) ** 2 * pmf).sum(), 8, 20)
    counts = np.array([(cut == j).sum() for j in k])
    assert stats.chisquare(counts, pmf * cut.size).pvalue > 1e-3
    shifted = batch(lambda m: sf.random_negative_binomial(0, 1e9, 0.5, 2, shift=10,
                                                          stretch=3))
    assert np.array_equal((shifted - 10) / 3, np.round((shifted - 10) / 3))
    check_moments(shifted, 10 + 3 * 4, 9 * 4, 16, 1e9)  # 2 / 0.5 trials, variance 2*0.5/0.25


@pytest.mark.parametrize("draw", [lambda: sf.random_gamma(0, 50, 2.5, 1, 3),
                                  lambda: sf.random_weibull(0, 50, 1.5, 1, 3),
                                  lambda: sf.random_negative_binomial(0, 50, 0.4, 3, 1, 2)])
def test_new_draws_keep_the_stream_discipline(draw):
    same = batch(lambda m: draw(), n=6, seed=4)
    np.testing.assert_array_equal(same, batch(lambda m: draw(), n=6, seed=4))
    # the single-run path gives run 0's numbers
    np.testing.assert_array_equal(batch(lambda m: draw(), n=1, seed=4), same[:, 0])
    # another variable with another stream ID: uncorrelated (300 pairs: |r| < 0.2 by ~3.5 sd)
    m = sf.Model("noise", start=0, stop=299, dt=1)
    m.aux("a", draw())
    m.aux("b", Noise(draw().dist, draw().args, stream=5))
    run = m.simulate(seed=4)
    assert abs(np.corrcoef(run["a"].values, run["b"].values)[0, 1]) < 0.2


def test_a_new_draw_every_step_and_independent_elements():
    m = sf.Model("noise", start=0, stop=199, dt=1)
    region = m.dim("region", ["a", "b"])
    m.aux("shock", sf.random_normal(-9, 9, 0, 1), dims=[region])
    shock = m.simulate(seed=3)["shock"].values  # (time, region)
    lag = np.corrcoef(shock[1:, 0], shock[:-1, 0])[0, 1]
    cross = np.corrcoef(shock[:, 0], shock[:, 1])[0, 1]
    assert abs(lag) < 0.2 and abs(cross) < 0.2  # 200 steps: |r| < 0.2 by ~3 sd
    assert len(np.unique(shock)) == shock.size


def test_same_seed_same_numbers_and_each_run_its_own_stream():
    first = batch(lambda m: sf.random_uniform(0, 1), n=5, seed=11)
    again = batch(lambda m: sf.random_uniform(0, 1), n=5, seed=11)
    other = batch(lambda m: sf.random_uniform(0, 1), n=5, seed=12)
    assert np.array_equal(first, again)
    assert not np.isin(first, other).any()
    assert len(np.unique(first[0])) == 5  # the runs differ from each other
    single = batch(lambda m: sf.random_uniform(0, 1), n=1, seed=11)  # scalar path
    np.testing.assert_array_equal(single, first[:, 0])
    # a model without seed= gives the same numbers every time, as Vensim does
    np.testing.assert_array_equal(batch(lambda m: sf.random_uniform(0, 1), n=3, seed=None),
                                  batch(lambda m: sf.random_uniform(0, 1), n=3, seed=None))


def test_streams_do_not_depend_on_how_runs_are_split():
    whole = noise.uniforms(5, 0, 10, 99, 3, 4)
    np.testing.assert_array_equal(noise.uniforms(5, 6, 4, 99, 3, 4), whole[6:])
    assert ((whole > 0) & (whole < 1)).all()


def test_common_random_numbers_across_scenarios():
    # a scenario changes a policy constant: every run keeps its draws, so the difference
    # between scenario and baseline is the policy's effect alone
    def build(extra_noise: bool):
        m = sf.Model("stock", start=0, stop=20, dt=0.5)
        if extra_noise:  # another random variable leaves the others' draws unchanged
            m.aux("weather", sf.random_uniform(0, 1))
        policy = m.const("policy", 1.0)
        demand = m.aux("demand", sf.random_normal(0, 20, 10, 3))
        s = m.stock("s", initial=0)
        m.flow("sales", demand * policy, sink=s)
        return m
    base = build(False).simulate(n=50, seed=4)
    scenario = build(True).simulate(n=50, seed=4, params={"policy": 1.5})
    np.testing.assert_array_equal(base["demand"].values, scenario["demand"].values)
    np.testing.assert_allclose(scenario["s"].values, 1.5 * base["s"].values, rtol=1e-12)


def test_one_draw_per_step_under_runge_kutta():
    # the draw holds over a step's stages, so RK4 integrates it exactly as Euler does
    m = sf.Model("m", start=0, stop=10, dt=0.25)
    s = m.stock("s", initial=0)
    m.flow("f", sf.random_uniform(0, 1), sink=s)
    euler = m.simulate(n=3, seed=2)["s"].values
    np.testing.assert_allclose(m.simulate(n=3, seed=2, method="rk4")["s"].values, euler,
                               rtol=1e-12)


def test_refusals_name_the_variable():
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    m.aux("jitter", sf.random_uniform(0, 1))
    with pytest.raises(SimulationError, match="'jitter'.*rk4"):
        m.simulate(method="rk45")
    with pytest.raises(TypeError, match="stream"):
        sf.random_uniform(0, 1, stream=m.time)
    pytest.importorskip("numba")
    with pytest.raises(ModelError, match="RANDOM.*jitter"):
        m.simulate(backend="numba")


def test_a_draw_with_the_wrong_arguments_says_which_it_takes():
    with pytest.raises(ModelError, match=r"random_normal takes \(minimum, maximum, mean, "
                                         r"std\); got 3"):
        Noise("normal", [0, 1, 2])
    with pytest.raises(ModelError, match="no random distribution 'cauchy'.*'uniform'"):
        Noise("cauchy", [0, 1, 2])


def test_draws_in_initial_values_and_inside_builtins_with_memory():
    m = sf.Model("m", start=0, stop=5, dt=0.5)
    start = m.aux("start", sf.random_uniform(10, 20))
    s = m.stock("s", initial=sf.random_uniform(10, 20))
    m.flow("in", 0.0, sink=s)
    frozen = m.aux("frozen", sf.initial(sf.random_uniform(0, 1)))
    smoothed = m.aux("smoothed", sf.smooth(sf.random_normal(-9, 9, 0, 1), 2))
    run = m.simulate(n=4, seed=5)
    assert (run["s"].values == run["s"].values[0]).all()  # drawn once, at the start
    assert 10 <= run["s"].values.min() and run["s"].values.max() <= 20
    assert (run["frozen"].values == run["frozen"].values[0]).all()
    assert len(np.unique(run["smoothed"].values[1:, 0])) == 10
    # a variable's draws do not depend on the code path
    one = m.simulate(seed=5)
    np.testing.assert_array_equal(one["smoothed"].values, run["smoothed"].values[:, 0])
    np.testing.assert_array_equal(one["start"].values, run["start"].values[:, 0])
