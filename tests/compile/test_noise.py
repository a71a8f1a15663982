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
    from sdflow.expr.nodes import Noise
    with pytest.raises(ModelError, match=r"random_normal takes \(minimum, maximum, mean, "
                                         r"std\); got 3"):
        Noise("normal", [0, 1, 2])
    with pytest.raises(ModelError, match="no random distribution 'gamma'.*'uniform'"):
        Noise("gamma", [0, 1, 2])


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
