"""``simulate(params=...)``: numbers, arrays over a dimension, per-run arrays, distributions.

Expected values follow from the equations by hand (a constant flow integrates to
``initial + rate * time``) or from scipy.stats (moments of the sampled distributions).
"""

from __future__ import annotations

import numpy as np
import pytest

import sdflow as sf


def regional() -> sf.Model:
    """stock[region] grows linearly by rate[region]; total = sum over regions."""
    m = sf.Model("regional", start=0, stop=2, dt=0.5)
    region = m.dim("region", ["north", "south", "east"])
    rate = m.const("rate", [1.0, 2.0, 3.0], dims=[region])
    scale = m.const("scale", 1.0)
    stock = m.stock("stock", initial=0.0, dims=[region])
    m.flow("inflow", rate * scale, sink=stock, dims=[region])
    m.aux("total", sf.sum(stock, over=region))
    return m


def test_scalar_override_applies_to_every_element():
    run = regional().simulate(params={"scale": 10})
    np.testing.assert_allclose(run["stock"].values[-1], [20.0, 40.0, 60.0])
    assert run["stock"].dims == ("time", "region")


def test_array_over_a_dimension_and_by_element():
    run = regional().simulate(params={"rate": [0.5, 0.0, -1.0]})
    np.testing.assert_allclose(run["stock"].values[-1], [1.0, 0.0, -2.0])


def test_per_run_arrays_shape_n_by_dims():
    rates = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 2.0]])
    run = regional().simulate(params={"rate": rates})
    assert run["stock"].dims == ("time", "run", "region")
    np.testing.assert_allclose(run["stock"].values[-1], 2 * rates)
    np.testing.assert_allclose(run["total"].values[-1], [2.0, 6.0])
    np.testing.assert_allclose(run["rate"].values, rates)  # the constant is saved per run


def test_per_run_scalar_array_and_n():
    run = regional().simulate(params={"scale": [1.0, 2.0]})
    np.testing.assert_allclose(run["total"].values[-1], [12.0, 24.0])
    run = regional().simulate(n=3)
    assert run["total"].dims == ("time", "run") and run["total"].shape == (5, 3)
    np.testing.assert_allclose(run["total"].values[-1], 12.0)


def test_distributions_are_reproducible_with_a_seed():
    params = {"scale": sf.uniform(0.5, 1.5), "rate": sf.normal(2.0, 0.5)}
    a = regional().simulate(params=params, n=400, seed=7)
    b = regional().simulate(params=params, n=400, seed=7)
    c = regional().simulate(params=params, n=400, seed=8)
    np.testing.assert_array_equal(a["total"].values, b["total"].values)
    assert not np.allclose(a["total"].values, c["total"].values)
    scale = a["scale"].values
    assert scale.shape == (400,) and scale.min() >= 0.5 and scale.max() <= 1.5
    rate = a["rate"].values
    assert rate.shape == (400, 3)  # sampled per run and per element
    assert abs(rate.mean() - 2.0) < 0.1 and abs(rate.std() - 0.5) < 0.05
    # each run integrates its own draws
    np.testing.assert_allclose(a["stock"].values[-1], 2 * rate * scale[:, None])


def test_adding_a_parameter_keeps_the_others_draws():
    """One random stream per (seed, parameter): paired scenario comparisons."""
    a = regional().simulate(params={"scale": sf.uniform(0, 1)}, n=50, seed=3)
    b = regional().simulate(params={"scale": sf.uniform(0, 1), "rate": sf.uniform(1, 2)},
                            n=50, seed=3)
    np.testing.assert_array_equal(a["scale"].values, b["scale"].values)


def test_other_distributions_sample_their_law():
    rng = np.random.default_rng(0)
    draws = sf.lognormal(0.0, 0.5).sample(rng, 20000)
    assert np.median(draws) == pytest.approx(1.0, abs=0.03)
    draws = sf.triangular(0.0, 1.0, 4.0).sample(rng, 20000)
    assert draws.mean() == pytest.approx(5.0 / 3.0, abs=0.03)
    with pytest.raises(ValueError, match="high must be greater"):
        sf.uniform(1, 1)
    with pytest.raises(ValueError, match="sd must be positive"):
        sf.normal(0, 0)


@pytest.mark.parametrize("params, fragment", [
    ({"rte": 1.0}, "'rte' is not a variable"),
    ({"total": 1.0}, "'total' is a aux, not a constant"),
    ({"rate": [1.0, 2.0]}, "'rate' has shape (2,)"),
    ({"scale": "big"}, "'scale' = 'big' is not numeric"),
    ({"scale": float("nan")}, "'scale' has NaN"),
])
def test_bad_parameters_raise_parameter_error(params, fragment):
    with pytest.raises(sf.ParameterError) as info:
        regional().simulate(params=params)
    assert fragment in str(info.value)


def test_conflicting_run_counts_and_bad_n():
    with pytest.raises(sf.ParameterError, match="different numbers of runs"):
        regional().simulate(params={"scale": [1.0, 2.0], "rate": np.ones((3, 3))})
    with pytest.raises(sf.ParameterError, match="n=0"):
        regional().simulate(n=0)
    with pytest.raises(sf.ParameterError, match="constants are"):
        regional().compile(["nope"])


@pytest.mark.parametrize("seed", [-1, -2**40, 1.5, "7", True])
def test_seeds_numpy_cannot_take_are_refused_naming_the_seed(seed):
    with pytest.raises(sf.SeedError, match=rf"seed={seed!r} must be a whole number >= 0") \
            as info:
        regional().simulate(params={"scale": sf.uniform(0, 1)}, n=4, seed=seed)
    assert isinstance(info.value, ValueError) and isinstance(info.value, sf.ParameterError)
    with pytest.raises(sf.SeedError):  # refused also when nothing is sampled
        regional().simulate(seed=seed)


def test_whole_float_seeds_are_the_same_as_ints():
    first = regional().simulate(params={"scale": sf.uniform(0, 1)}, n=4, seed=3)
    second = regional().simulate(params={"scale": sf.uniform(0, 1)}, n=4, seed=3.0)
    np.testing.assert_array_equal(first["stock"].values, second["stock"].values)
