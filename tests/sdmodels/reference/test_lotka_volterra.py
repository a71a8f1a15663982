"""Tests of `sdmodels.reference.lotka_volterra`.

Expected numbers: PySD (a peer engine) running the Lotka-Volterra model of the SDXorg
test-models suite (tests/data/reference/Lotka_Volterra.mdl), and three properties of the
continuous model (Lotka 1925; Volterra 1926): the first integral
V = delta x - gamma ln x + beta y - alpha ln y, the equilibrium (gamma/delta, alpha/beta),
and the period 2 pi / sqrt(alpha gamma) of small cycles around it.
"""

import shutil
from pathlib import Path

import numpy as np
import pytest

from sdmodels.reference import lotka_volterra

ALPHA, BETA, GAMMA, DELTA = 0.55, 0.028, 0.80, 0.024  # the build() defaults

# In the .mdl, Prey Births = Prey * Prey Reproduction Ratio (alpha = 3), Prey Deaths =
# Prey * Reference Fractional Predation Rate * Predators / Reference Predators
# (beta = 0.2 / 20), Predator Births = Predators * Reference Predator Reproduction Ratio *
# Prey / Reference Prey Population (delta = 1 / 1000), Predator Deaths = Predators /
# Predator Lifespan (gamma = 1 / 10); 1000 prey and 20 predators at time 0, until 50.
MDL_OPTIONS = dict(hare_birth_rate=3.0, predation_rate=0.2 / 20, lynx_birth_rate=1 / 1000,
                   lynx_death_rate=1 / 10, initial_hares=1000.0, initial_lynx=20.0,
                   start=0.0, stop=50.0, dt=0.0625)


def first_integral(run, alpha=ALPHA, beta=BETA, gamma=GAMMA, delta=DELTA):
    x, y = run["hares"].values, run["lynx"].values
    return delta * x - gamma * np.log(x) + beta * y - alpha * np.log(y)


@pytest.fixture(scope="module")
def translated_mdl(tmp_path_factory) -> Path:
    """The suite's .mdl translated by PySD once; returns the translated Python file."""
    pysd = pytest.importorskip("pysd")
    source = Path(__file__).resolve().parents[2] / "data" / "reference" / "Lotka_Volterra.mdl"
    # PySD writes its translation beside the .mdl, so translate a copy.
    copy = tmp_path_factory.mktemp("lotka_volterra") / source.name
    shutil.copy(source, copy)
    return Path(pysd.read_vensim(str(copy)).py_model_file)


@pytest.fixture
def pysd_model(translated_mdl):
    """A fresh PySD model per test: ``run(params=...)`` changes the model it runs."""
    import pysd
    return pysd.load(str(translated_mdl))


def test_checks_clean():
    report = lotka_volterra.build().check()
    assert report.ok and report.warnings == []


# PySD 3.14 calls a pandas method that newer pandas deprecates; not ours to fix.
PYSD_PANDAS_WARNING = pytest.mark.filterwarnings("ignore:The inplace keyword")


@PYSD_PANDAS_WARNING
def test_matches_pysd_on_the_test_models_mdl(pysd_model):
    expected = pysd_model.run(return_columns=["Prey", "Predators"])
    run = lotka_volterra.build(**MDL_OPTIONS).simulate(method="euler")
    np.testing.assert_allclose(run.dataset["time"].values, expected.index.values, atol=1e-12)
    # Prey fall to ~1e-50 under Euler here; compare relatively, with no absolute floor.
    np.testing.assert_allclose(run["hares"].values, expected["Prey"].values, rtol=1e-9,
                               atol=0)
    np.testing.assert_allclose(run["lynx"].values, expected["Predators"].values, rtol=1e-9,
                               atol=0)


@PYSD_PANDAS_WARNING
def test_matches_pysd_at_the_hare_lynx_fit(pysd_model):
    # The same .mdl with its references set to 1 so its ratios are the fitted rates.
    params = {"Prey Reproduction Ratio": ALPHA, "Reference Fractional Predation Rate": BETA,
              "Reference Predators": 1, "Reference Predator Reproduction Ratio": DELTA,
              "Reference Prey Population": 1, "Predator Lifespan": 1 / GAMMA,
              "Initial Prey Population": 33.0, "Initial Predator Population": 6.2}
    expected = pysd_model.run(params=params, final_time=20, time_step=1 / 64,
                              saveper=1 / 64, return_columns=["Prey", "Predators"])
    run = lotka_volterra.build(start=0.0, stop=20.0, dt=1 / 64).simulate(method="euler")
    np.testing.assert_allclose(run["hares"].values, expected["Prey"].values, rtol=1e-9)
    np.testing.assert_allclose(run["lynx"].values, expected["Predators"].values, rtol=1e-9)


def test_rk4_conserves_the_first_integral():
    v = first_integral(lotka_volterra.build().simulate(method="rk4"))
    assert np.ptp(v) / abs(v[0]) < 1e-9
    # Euler spirals outwards and does not: the check can tell a conserving scheme apart.
    v_euler = first_integral(lotka_volterra.build().simulate(method="euler"))
    assert np.ptp(v_euler) / abs(v_euler[0]) > 1e-4


def test_equilibrium_stays_put():
    run = lotka_volterra.build(initial_hares=GAMMA / DELTA, initial_lynx=ALPHA / BETA
                               ).simulate(method="rk4")
    np.testing.assert_allclose(run["hares"].values, GAMMA / DELTA, rtol=1e-12)
    np.testing.assert_allclose(run["lynx"].values, ALPHA / BETA, rtol=1e-12)


def test_small_cycles_have_the_linearised_period():
    x_eq = GAMMA / DELTA
    run = lotka_volterra.build(initial_hares=1.01 * x_eq, initial_lynx=ALPHA / BETA,
                               stop=1960.0).simulate(method="rk4")
    x, t = run["hares"].values - x_eq, run.dataset["time"].values
    # Upward crossings of the equilibrium, located by linear interpolation.
    i = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0))
    crossings = t[i] - x[i] * (t[i + 1] - t[i]) / (x[i + 1] - x[i])
    period = np.diff(crossings).mean()
    assert len(crossings) >= 5
    # A 1% amplitude changes the period by O(1e-4) of itself.
    assert abs(period / (2 * np.pi / np.sqrt(ALPHA * GAMMA)) - 1) < 1e-3
