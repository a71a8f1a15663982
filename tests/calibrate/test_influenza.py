"""The 1978 boarding-school influenza outbreak: SIR with a negative-binomial likelihood.

Reference: Grinsztajn, Semenova, Margossian and Riou (2021), "Bayesian workflow for disease
transmission modeling in Stan", Statistics in Medicine 40:6209-6234: R0 = beta / gamma about
3.2 and a recovery time 1 / gamma about 1.85 days (beta about 1.73, gamma about 0.54). Our
spec (calibration/specs/influenza.toml) is the same model and likelihood; its maximum
likelihood estimate must land on those numbers, and on the joint maximum found directly by
scipy over (beta, gamma, log phi) with the dispersion as an ordinary parameter.
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats

from sdflow.calibrate import calibrate, load_spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result():
    spec = load_spec(ROOT / "calibration/specs/influenza.toml")
    # the small version: one start, no profiles, a coarser step (RK4 stays accurate)
    return calibrate(dataclasses.replace(spec, starts=1, profile=False, dt=0.0625))


def test_reproduces_the_published_r0_and_recovery_time(result):
    beta, gamma = result.x
    assert beta / gamma == pytest.approx(3.2, abs=0.05)
    assert 1 / gamma == pytest.approx(1.85, abs=0.05)
    assert beta == pytest.approx(1.73, abs=0.03) and gamma == pytest.approx(0.54, abs=0.02)


def test_is_the_joint_maximum_with_the_dispersion_as_a_parameter(result):
    spec = load_spec(ROOT / "calibration/specs/influenza.toml")
    model = spec.build_model()
    days = np.arange(1, 15)
    cases = np.array([3, 8, 26, 76, 225, 298, 258, 233, 189, 128, 68, 29, 14, 4])

    def nll(v):
        beta, gamma, log_phi = v
        run = model.simulate(params={"contact rate": beta, "recovery rate": gamma},
                             method="rk4", dt=0.0625)
        mu = run["infectious"].sel(time=days).values
        phi = np.exp(log_phi)
        return -stats.nbinom.logpmf(cases, phi, phi / (phi + mu)).sum()

    direct = optimize.minimize(nll, [2.0, 0.5, 2.0], method="Nelder-Mead",
                               options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 2000})
    np.testing.assert_allclose(result.x, direct.x[:2], rtol=1e-4)
    assert result.sigma["in bed"] == pytest.approx(np.exp(direct.x[2]), rel=1e-3)
    assert result.cost == pytest.approx(direct.fun, abs=1e-6)
