"""Count likelihoods and the custom log-likelihood hook.

Log probabilities are checked against the closed forms written out with ``math.lgamma``
(the implementation calls scipy.stats); fitted values against a direct one-dimensional
maximisation of the same likelihood with scipy on simulations of the model.
"""

import dataclasses
import math

import numpy as np
import pytest
from scipy import optimize

import sdflow as sf
from sdflow import DataError, SpecError
from sdflow.calibrate import CalibrationSpec, ParameterSpec, SeriesSpec, calibrate
from sdflow.calibrate.examples import decay_spec
from sdflow.calibrate.likelihoods import CountPayoff, CustomPayoff, make_payoff
from sdflow.calibrate.spec import spec_from_dict

Y = np.array([[0.0], [3.0], [12.0], [7.0]])
MU = np.array([[[0.5], [2.0], [9.0], [7.5]], [[1.0], [4.0], [15.0], [6.0]]])


def poisson_log(y, mu):
    return y * math.log(mu) - mu - math.lgamma(y + 1)


def nb2_log(y, mu, phi):      # Stan's neg_binomial_2_lpmf
    return (math.lgamma(y + phi) - math.lgamma(phi) - math.lgamma(y + 1)
            + phi * math.log(phi / (mu + phi)) + y * math.log(mu / (mu + phi)))


def expected(log, *extra):
    return np.array([sum(log(y, mu, *extra) for y, mu in zip(Y.ravel(), run.ravel()))
                     for run in MU])


def test_poisson_log_likelihood_is_the_closed_form():
    payoff = CountPayoff("poisson", [Y])
    np.testing.assert_allclose(payoff.loglik([MU]), expected(poisson_log), rtol=1e-12)


def test_negative_binomial_with_fixed_dispersion_is_stans_neg_binomial_2():
    payoff = make_payoff("negative_binomial", [Y], [1.0], {"dispersion": 2.5})
    assert not payoff.estimates_scales
    np.testing.assert_allclose(payoff.loglik([MU]), expected(nb2_log, 2.5), rtol=1e-12)


@pytest.mark.parametrize("kind, options", [("poisson", {}),
                                           ("negative_binomial", {"dispersion": 3.0})])
def test_deviance_residuals_square_to_the_likelihood(kind, options):
    # half the sum of squared deviance residuals = nll - nll of the saturated model
    payoff = make_payoff(kind, [Y], [1.0], options)
    r = payoff.residuals([MU])
    saturated = payoff.loglik([Y[None]])
    np.testing.assert_allclose(0.5 * (r ** 2).sum(axis=1), saturated - payoff.loglik([MU]),
                               rtol=1e-10)
    assert (np.sign(r) == np.sign(Y.ravel() - MU[..., 0])).all()


def test_estimated_dispersion_is_each_runs_maximum_likelihood():
    payoff = make_payoff("negative_binomial", [Y], [1.0], {"dispersion_bounds": [0.01, 100]})
    for run in range(2):
        best = optimize.minimize_scalar(
            lambda u: -expected(nb2_log, math.exp(u))[run], bounds=(math.log(0.01),
                                                                    math.log(100)),
            method="bounded", options={"xatol": 1e-10})
        assert payoff.nll([MU])[run] == pytest.approx(best.fun, rel=1e-9)
        assert payoff.best_dispersion([MU])[run, 0] == pytest.approx(math.exp(best.x),
                                                                      rel=1e-4)


def test_failed_runs_and_missing_values():
    payoff = CountPayoff("poisson", [np.array([[1.0], [np.nan], [2.0]])])
    assert payoff.n == 2
    sim = np.array([[[1.0], [5.0], [2.0]], [[np.nan], [5.0], [2.0]]])
    loglik = payoff.loglik([sim])
    assert loglik[0] == pytest.approx(poisson_log(1, 1) + poisson_log(2, 2))
    assert loglik[1] == -np.inf and payoff.nll([sim])[1] > 1e10


def test_counts_must_be_whole_and_non_negative():
    with pytest.raises(DataError, match="series 'cases': payoff 'poisson' needs counts.*2.5"):
        CountPayoff("poisson", [np.array([[1.0], [2.5]])], names=["cases"])
    with pytest.raises(DataError, match="-1"):
        CountPayoff("negative_binomial", [np.array([[-1.0]])])


BASE = {"model": {"factory": "sdmodels.reference.bass:build"},
        "series": [{"name": "a", "file": "a.csv", "variable": "adopters", "value": "a"}],
        "parameters": [{"name": "imitation", "bounds": [0.1, 0.9]}]}


@pytest.mark.parametrize("payoff, message", [
    ({"kind": "poisson", "dispersion": 2.0}, "payoff.dispersion: only payoff kind "
                                             "'negative_binomial' takes a dispersion"),
    ({"kind": "negative_binomial", "dispersion": 2.0, "dispersion_bounds": [1, 2]},
     "payoff.dispersion_bounds: give either"),
    ({"kind": "negative_binomial", "dispersion_bounds": [0, 2]}, "0 < low < high"),
    ({"kind": "negative_binomial", "dispersion": -1.0}, "payoff.dispersion: expected a number > 0"),
    ({"kind": "custom"}, "payoff.function: a custom payoff needs"),
    ({"kind": "gaussian", "function": "m:f"}, "payoff.function: only payoff kind 'custom'"),
    ({"kind": "custom", "funtion": "m:f"}, "payoff.funtion: unknown key; did you mean 'function'"),
])
def test_payoff_keys_are_checked_at_load(payoff, message):
    with pytest.raises(SpecError, match=message):
        spec_from_dict({**BASE, "payoff": payoff})


def count_model():
    m = sf.Model("decline", start=0, stop=10, dt=0.25)
    cases = m.stock("cases", initial=m.const("initial cases", 200.0))
    m.flow("recovery", m.const("k", 0.1) * cases, source=cases)
    return m


def test_poisson_fit_is_the_maximum_of_the_likelihood(tmp_path):
    # counts drawn once from Poisson(200 e^{-0.3 t}); the estimate must be where a direct
    # scalar search on the same likelihood (simulating the model itself) ends
    rng = np.random.default_rng(4)
    t = np.arange(1, 11)
    counts = rng.poisson(200 * np.exp(-0.3 * t))
    (tmp_path / "c.csv").write_text("year,cases\n" + "".join(f"{a},{b}\n"
                                                              for a, b in zip(t, counts)))
    spec = CalibrationSpec("counts", count_model(), [SeriesSpec("cases", tmp_path / "c.csv",
                                                                "cases", value="cases")],
                           [ParameterSpec("k", (0.01, 1.0))], payoff="poisson",
                           profile=False, method="rk4")
    result = calibrate(spec)

    def nll(k):
        run = count_model().simulate(params={"k": k}, method="rk4")
        mu = run["cases"].sel(time=t).values
        return -sum(poisson_log(y, m) for y, m in zip(counts, mu))

    direct = optimize.minimize_scalar(nll, bounds=(0.01, 1.0), method="bounded",
                                      options={"xatol": 1e-10})
    assert result.estimates["k"] == pytest.approx(direct.x, rel=1e-6)
    assert result.cost == pytest.approx(direct.fun, rel=1e-9)


def gaussian_loglik(simulated, observed):
    """Fixed-scale Gaussian: its maximum is the least-squares fit (no missing values)."""
    return -0.5 * sum((((s - o[None]) / 0.01) ** 2).sum(axis=(1, 2))
                      for s, o in zip(simulated, observed))


def test_custom_log_likelihood_from_python_and_from_a_file(tmp_path):
    spec = dataclasses.replace(decay_spec(tmp_path), payoff="custom",
                               payoff_options={"function": gaussian_loglik})
    result = calibrate(spec)
    assert result.estimates["k"] == pytest.approx(0.3, abs=1e-6)      # data made with 0.3
    # Wald intervals from the curvature: se = 1 / sqrt(sum (dx/dk)^2 / 0.01^2)
    assert 0 < result.wald["se"][0] < 1e-2
    (tmp_path / "lik.py").write_text(
        "import numpy as np\n"
        "def loglik(simulated, observed):\n"
        "    return -0.5 * sum(((s - o[None]) ** 2).sum(axis=(1, 2)) / 1e-4\n"
        "                      for s, o in zip(simulated, observed))\n")
    toml = spec_from_dict({**BASE, "payoff": {"kind": "custom", "function": "lik.py:loglik"}},
                          base_dir=tmp_path)
    function = toml.payoff_settings()["function"]
    assert function.__name__ == "loglik"


def test_a_custom_function_returning_the_wrong_shape_is_named():
    def total(simulated, observed):
        return 0.0
    payoff = CustomPayoff(total, [np.ones((2, 1))])
    with pytest.raises(SpecError, match=r"'total' returned shape \(\) for 3 runs"):
        payoff.nll([np.ones((3, 2, 1))])


@pytest.mark.parametrize("kind", ["poisson", "negative_binomial"])
def test_log_probabilities_are_scipys_to_the_last_bit(kind):
    # CountPayoff.logpmf writes out scipy.stats' formulas to skip its argument checks
    from scipy import stats
    from sdflow.calibrate.likelihoods import MIN_MEAN
    rng = np.random.default_rng(7)
    y = rng.integers(0, 500, size=60).astype(float)
    y[:5] = 0.0
    mu = np.concatenate([10 ** rng.uniform(-12, 5, size=(9, 60)), y[None] + 0.0])
    phi = 10 ** rng.uniform(-1, 4, size=(10, 1))
    payoff = CountPayoff(kind, [y[:, None]])
    got = payoff.logpmf(y, mu, phi)
    m = np.maximum(mu, MIN_MEAN)
    want = (stats.poisson.logpmf(y, m) if kind == "poisson"
            else stats.nbinom.logpmf(y, phi, phi / (phi + m)))
    assert got.shape == want.shape == (10, 60)
    assert np.isfinite(want).all()
    assert np.array_equal(got, want)
    # in scipy's memory order whatever the order of the means, so sums add alike
    fortran = payoff.logpmf(y, np.asfortranarray(mu), phi)
    assert fortran.flags.c_contiguous
    assert np.array_equal(fortran.sum(axis=1), want.sum(axis=1))
