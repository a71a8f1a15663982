"""Designs and parameter sampling: stratification, chunk determinism, posterior draws."""

import numpy as np
import pytest
from scipy.stats import qmc

import sdflow as sf
from sdflow.forecasting import ParameterSampler, PosteriorDraws, Uncertain, unit_design

from .models import regions


def test_lhs_puts_one_point_in_every_stratum_of_every_column():
    u = unit_design("lhs", 3, 50, seed=7, chunk=4, chunk_size=50)
    for column in u.T:
        assert sorted((column * 50).astype(int).tolist()) == list(range(50))


def test_chunks_depend_only_on_seed_and_chunk_number():
    a = unit_design("lhs", 2, 10, seed=1, chunk=3, chunk_size=10)
    b = unit_design("lhs", 2, 10, seed=1, chunk=3, chunk_size=10)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, unit_design("lhs", 2, 10, seed=2, chunk=3, chunk_size=10))
    assert not np.array_equal(a, unit_design("lhs", 2, 10, seed=1, chunk=2, chunk_size=10))


def test_sobol_chunks_are_consecutive_pieces_of_one_sequence():
    # scipy's scrambled Sobol sequence, drawn in one go, is the reference
    whole = qmc.Sobol(3, scramble=True, seed=np.random.default_rng(5)).random(32)
    pieces = [unit_design("sobol", 3, 8, seed=5, chunk=i, chunk_size=8) for i in range(4)]
    np.testing.assert_array_equal(np.concatenate(pieces), np.clip(whole, 1e-12, 1 - 1e-12))


def test_sampler_maps_quantiles_per_element_or_shared():
    graph = regions().graph()
    u = np.array([[0.1, 0.5, 0.9], [0.5, 0.5, 0.5]])
    per_element = ParameterSampler(graph, [Uncertain("rate", sf.uniform(0.0, 1.0))])
    assert per_element.columns == ["rate[north]", "rate[centre]", "rate[south]"]
    np.testing.assert_allclose(per_element.values(u)["rate"], u)
    shared = ParameterSampler(graph, [Uncertain("rate", sf.normal(0.0, 1.0), shared=True)])
    values = shared.values(np.array([[0.5], [0.975]]))["rate"]
    assert values.shape == (2, 3)
    assert values[1].tolist() == pytest.approx([1.959964] * 3, rel=1e-6)  # normal table


def test_posterior_draws_are_taken_whole():
    graph = regions().graph()
    draws = PosteriorDraws({"rate": np.array([[1.0, 2, 3], [4, 5, 6]]),
                            "output initial": np.array([[7.0, 8, 9], [10, 11, 12]])})
    sampler = ParameterSampler(graph, posterior=draws)
    assert sampler.columns == ["posterior draw"]
    values = sampler.values(np.array([[0.9], [0.2], [0.6]]))
    assert values["rate"][:, 0].tolist() == [4.0, 1.0, 4.0]
    assert values["output initial"][:, 0].tolist() == [10.0, 7.0, 10.0]


def test_unknown_or_duplicate_parameters_are_spec_errors():
    graph = regions().graph()
    with pytest.raises(sf.SpecError, match=r"'rates' is not a constant.*\['output initial'"):
        ParameterSampler(graph, [Uncertain("rates", sf.uniform(0, 1))])
    with pytest.raises(sf.SpecError, match="declared twice"):
        ParameterSampler(graph, [Uncertain("rate", sf.uniform(0, 1))] * 2)
    with pytest.raises(sf.SpecError, match="sampling method 'halton'"):
        unit_design("halton", 1, 1, 0, 0, 1)
