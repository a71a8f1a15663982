"""Payoffs: residual scaling, missing values, and the concentrated likelihood.

Expected values are worked by hand in each test.
"""

import numpy as np
import pytest

from sdflow import DataError
from sdflow.calibrate.objectives import PENALTY, Payoff


def test_weighted_sse_divides_by_mean_level_and_skips_missing():
    payoff = Payoff("wsse", [np.array([[2.0, np.nan], [4.0, 10.0]])], [4.0])
    sim = [np.array([[[3.0, 0.0], [4.0, 12.0]]])]
    # mean |obs| = (2 + 4 + 10) / 3; residuals 2 * (1, 0, 2) / (16/3)
    np.testing.assert_allclose(payoff.residuals(sim), [[0.375, 0.0, 0.75]])
    assert payoff.n == 3


def test_log_sse_needs_positive_data_and_penalises_invalid_runs():
    with pytest.raises(DataError, match="takes logs"):
        Payoff("log_sse", [np.array([[1.0], [0.0]])], [1.0])
    payoff = Payoff("log_sse", [np.array([[1.0], [np.e]])], [1.0])
    r = payoff.residuals([np.array([[[1.0], [1.0]], [[-1.0], [np.nan]]])])
    np.testing.assert_allclose(r, [[0.0, -1.0], [PENALTY, PENALTY]])
    assert payoff.marginal_loglik([np.array([[[-1.0], [1.0]]])])[0] == -np.inf


def test_gaussian_concentrated_likelihood_and_scales():
    obs = [np.array([[0.0], [0.0]]), np.array([[0.0], [0.0], [0.0]])]
    payoff = Payoff("gaussian", obs, [1.0, 1.0])
    sim = [np.array([[[1.0], [-1.0]]]), np.array([[[2.0], [2.0], [-2.0]]])]
    # SSE 2 over 2 values, 12 over 3: nll = 1 * log(1) + 1.5 * log(4)
    assert payoff.nll(sim)[0] == pytest.approx(1.5 * np.log(4))
    np.testing.assert_allclose(payoff.update_sigma(sim), [1.0, 2.0])
    np.testing.assert_allclose(payoff.residuals(sim), [[1, -1, 1, 1, -1]])
    assert payoff.marginal_loglik(sim)[0] == pytest.approx(-(np.log(2) + 1.5 * np.log(12)))
