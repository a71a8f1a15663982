"""Vensim's RANDOM functions and VECTOR LOOKUP read from .mdl files.

PySD draws its random numbers from numpy's global generator (and has no VECTOR LOOKUP), so
the expected numbers come from Vensim's documentation: the RANDOM functions' arguments
(minimum, maximum, shift, stretch, stream ID) with the moments of the truncated
distributions computed by scipy.stats, and VECTOR LOOKUP as a lookup over points equally
spaced from xmin to xmax, computed with numpy.interp.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sdflow as sf
from sdflow.errors import ImportModelError, SeedError, UnsupportedFeatureError

CONTROL = """
INITIAL TIME = 0 ~~|
FINAL TIME = 40 ~~|
TIME STEP = 1 ~~|
SAVEPER = TIME STEP ~~|
"""

RANDOM = """
region: north, south, east ~~|
stream = 7 ~~|
uniform = RANDOM UNIFORM(2, 5, 0) ~~|
unit = RANDOM 0 1() ~~|
normal[region] = RANDOM NORMAL(-1, 4, 1, 2, stream) ~~|
twin[region] = RANDOM NORMAL(-1, 4, 1, 2, stream) ~~|
exponential = RANDOM EXPONENTIAL(0, 30, 1, 2, 0) ~~|
poisson = RANDOM POISSON(2, 6, 4, 0, 1, 0) ~~|
triangular = RANDOM TRIANGULAR(0, 10, 1, 2, 5, 0) ~~|
beta = RANDOM BETA(0, 10, 2, 5, 1, 3, 0) ~~|
binomial = RANDOM BINOMIAL(0, 20, 0.3, 20, 0, 1, 0) ~~|
parts[north] = RANDOM UNIFORM(0, 1, 0) ~~|
parts[south] = 5 ~~|
parts[east] = RANDOM UNIFORM(10, 11, 0) ~~|
"""


def read(tmp_path, text):
    path = tmp_path / "model.mdl"
    path.write_text(text + CONTROL)
    return sf.read_vensim(path)


def close(values, truth, lo, hi):
    assert values.min() >= lo and values.max() <= hi
    assert abs(values.mean() - truth.mean()) < 4 * truth.std() / np.sqrt(values.size)
    assert abs(values.var() / truth.var() - 1) < 0.06


def test_random_functions_follow_vensims_arguments(tmp_path):
    runs = read(tmp_path, RANDOM).simulate(n=300, seed=1)
    close(runs["uniform"].values, stats.uniform(2, 3), 2, 5)
    close(runs["unit"].values, stats.uniform(0, 1), 0, 1)
    close(runs["normal"].values, stats.truncnorm(-1, 1.5, loc=1, scale=2), -1, 4)
    close(runs["exponential"].values, stats.truncexpon(14.5, loc=1, scale=2), 1, 30)
    k = np.arange(2, 7)
    counts = stats.rv_discrete(values=(k, stats.poisson.pmf(k, 4) / stats.poisson.pmf(
        k, 4).sum()))
    close(runs["poisson"].values, counts, 2, 6)
    close(runs["triangular"].values, stats.triang(0.25, loc=1, scale=4), 1, 5)
    close(runs["beta"].values, stats.beta(2, 5, loc=1, scale=3), 1, 4)
    close(runs["binomial"].values, stats.binom(20, 0.3), 0, 20)
    # one draw per element; two variables with the same arguments and stream ID are
    # distinct streams with the same statistics (Vensim's NOISE SEED example)
    normal = runs["normal"].values
    assert len(np.unique(normal)) == normal.size
    assert not np.isin(normal, runs["twin"].values).any()
    # elements defined one by one draw on their own; the constant one stays
    parts = runs["parts"].sel(region="north").values
    assert 0 <= parts.min() and parts.max() <= 1
    assert (runs["parts"].sel(region="south").values == 5).all()
    assert 10 <= runs["parts"].sel(region="east").values.min()


MORE_RANDOM = """
region: north, south ~~|
order = 3 ~~|
gamma[region] = RANDOM GAMMA(0, 100, order, 1, 2, 0) ~~|
cut gamma = RANDOM GAMMA(2, 4, 3, 1, 2, 4) ~~|
weibull = RANDOM WEIBULL(0, 100, 2, 1, 2, 0) ~~|
negative binomial = RANDOM NEGATIVE BINOMIAL(8, 20, 0.3, 4, 0, 1, 0) ~~|
"""


def test_gamma_weibull_and_negative_binomial_follow_vensims_arguments(tmp_path):
    # Vensim's documentation (fn_random): RANDOM GAMMA(m,x,O,h,r,s) "GAMMA with order O"
    # of mean 1 (sensitivity distributions), RANDOM WEIBULL(m,x,S,h,r,s) "WEIBULL with
    # shape S starting at 0 with mean 1", RANDOM NEGATIVE BINOMIAL(m,x,P,N,h,r,s) the
    # trials up to the N-th success of probability P; each times the stretch r plus the
    # shift h, truncated to [m, x]
    from scipy.special import gamma
    runs = read(tmp_path, MORE_RANDOM).simulate(n=300, seed=1)
    assert runs["gamma"].dims[-1] == "region"
    truth = stats.gamma(3, loc=1, scale=2 / 3)
    close(runs["gamma"].values, truth, 1, 100)
    a, b = truth.cdf(2), truth.cdf(4)
    values = runs["cut gamma"].values
    assert values.min() >= 2 and values.max() <= 4
    assert stats.kstest(values.ravel(),
                        lambda x: (truth.cdf(x) - a) / (b - a)).pvalue > 1e-3
    close(runs["weibull"].values,
          stats.weibull_min(2, loc=1, scale=2 / gamma(1.5)), 1, 100)
    k = np.arange(8, 21)
    pmf = stats.nbinom.pmf(k - 4, 4, 0.3)
    close(runs["negative binomial"].values,
          stats.rv_discrete(values=(k, pmf / pmf.sum())), 8, 20)


@pytest.mark.parametrize("equation, words", [
    ("RANDOM LOOKUP(shape, 0, 2, 0, 1, 0)", "RANDOM LOOKUP.*not implemented"),
    ("RANDOM PINK NOISE(0, 1, 2, 0)", "RANDOM PINK NOISE.*not the equations"),
    ("RANDOM LOGNORMAL(0, 10, 1, 1, 0)", "RANDOM LOGNORMAL.*not one of Vensim's"),
])
def test_random_functions_sdflow_does_not_draw_are_refused_by_name(tmp_path, equation,
                                                                   words):
    with pytest.raises(UnsupportedFeatureError, match=f"'noisy'.*{words}"):
        read(tmp_path, f"shape((0,0),(1,1),(2,0)) ~~|\nnoisy = {equation} ~~|\n")


def test_a_random_function_with_too_few_arguments_says_how_many(tmp_path):
    with pytest.raises(ImportModelError, match="'noisy'.*RANDOM WEIBULL takes 6 argument"):
        read(tmp_path, "noisy = RANDOM WEIBULL(0, 10, 2, 0) ~~|\n")


def test_same_file_same_numbers(tmp_path):
    model = read(tmp_path, RANDOM)
    np.testing.assert_array_equal(model.simulate()["normal"].values,
                                  read(tmp_path, RANDOM).simulate()["normal"].values)


def test_noise_seed_is_the_seed_of_runs_given_none(tmp_path):
    # Vensim's documentation (NOISE SEED): a variable NOISE SEED seeds the RANDOM
    # functions; without it the seed is 4487556. sdflow's runs take it as their seed
    # unless simulate(seed=...) gives one
    seeded = read(tmp_path, RANDOM + "NOISE SEED = 1234 ~~|\n")
    assert seeded.noise_seed == 1234
    plain = read(tmp_path, RANDOM)
    assert plain.noise_seed is None
    normal = seeded.simulate()["normal"].values
    np.testing.assert_array_equal(normal, plain.simulate(seed=1234)["normal"].values)
    assert not np.allclose(normal, plain.simulate()["normal"].values)
    np.testing.assert_array_equal(seeded.simulate(seed=5)["normal"].values,
                                  plain.simulate(seed=5)["normal"].values)
    with pytest.raises(SeedError, match="noise_seed=-1 must be a whole number"):
        plain.noise_seed = -1
    # a written XMILE holds NOISE SEED as a constant, read back as the same seed
    seeded = read(tmp_path, "u = RANDOM UNIFORM(0, 10, 0) ~~|\nNOISE SEED = 1234 ~~|\n")
    path = tmp_path / "seeded.xmile"
    sf.write_xmile(seeded, path)
    again = sf.read_xmile(path)
    assert again.noise_seed == 1234
    np.testing.assert_array_equal(again.simulate()["u"].values, seeded.simulate()["u"].values)


@pytest.mark.parametrize("equation", ["-3", "2.5", "Time"])
def test_a_noise_seed_that_is_not_a_whole_number_is_refused(tmp_path, equation):
    with pytest.raises(ImportModelError, match="'NOISE SEED'.*whole number >= 0"):
        read(tmp_path, f"x = RANDOM UNIFORM(0, 1, 0) ~~|\nNOISE SEED = {equation} ~~|\n")


def test_a_stream_id_that_changes_is_refused(tmp_path):
    with pytest.raises(UnsupportedFeatureError, match="'noisy'.*stream ID"):
        read(tmp_path, "noisy = RANDOM UNIFORM(0, 1, Time) ~~|\n")


VECTOR_LOOKUP = """
point: p1, p2, p3, p4, p5 ~~|
row: r1, r2 ~~|
heights[point] = 1, 4, 9, 16, 25 ~~|
grid[row, point] = 0, 1, 2, 3, 4; 10, 20, 30, 40, 50 ~~|
x = Time / 4 - 1 ~~|
interpolated = VECTOR LOOKUP(heights[p1], x, 0, 8, 0) ~~|
backward = VECTOR LOOKUP(heights[p1], x, 0, 8, 2) ~~|
extrapolated = VECTOR LOOKUP(heights[p1], x, 0, 8, 3) ~~|
forward = VECTOR LOOKUP(heights[p1], x, 0, 8, 4) ~~|
per row[row] = VECTOR LOOKUP(grid[row, p1], 3.5, 2, 6, 0) ~~|
"""


def test_vector_lookup_modes(tmp_path):
    run = read(tmp_path, VECTOR_LOOKUP).simulate()
    x = run["x"].values
    xs, ys = np.linspace(0, 8, 5), np.array([1, 4, 9, 16, 25.0])
    np.testing.assert_allclose(run["interpolated"].values, np.interp(x, xs, ys), rtol=1e-12)
    slope_lo, slope_hi = (4 - 1) / 2, (25 - 16) / 2
    expected = np.where(x < 0, 1 + x * slope_lo,
                        np.where(x > 8, 25 + (x - 8) * slope_hi, np.interp(x, xs, ys)))
    np.testing.assert_allclose(run["extrapolated"].values, expected, rtol=1e-12)
    index = np.clip(x / 2, 0, 4)
    np.testing.assert_array_equal(run["backward"].values, ys[np.floor(index).astype(int)])
    np.testing.assert_array_equal(run["forward"].values, ys[np.ceil(index).astype(int)])
    # along the last subscript, one lookup per row over the points 2, 3, 4, 5, 6
    np.testing.assert_allclose(run["per row"].isel(time=0).values, [1.5, 25.0])


def test_vector_lookup_refusals(tmp_path):
    with pytest.raises(UnsupportedFeatureError, match="'area'.*mode 1"):
        read(tmp_path, "point: p1, p2 ~~|\nh[point] = 1, 2 ~~|\n"
                       "area = VECTOR LOOKUP(h[p1], Time, 0, 1, 1) ~~|\n")
    with pytest.raises(ImportModelError, match="'late'.*first element 'p1'"):
        read(tmp_path, "point: p1, p2 ~~|\nh[point] = 1, 2 ~~|\n"
                       "late = VECTOR LOOKUP(h[p2], Time, 0, 1, 0) ~~|\n")
