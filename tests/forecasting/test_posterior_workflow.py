"""A calibration's draws carried into a forecast through the commands alone:
``sdflow calibrate`` writes ``draws.csv``, the forecast spec names it (``posterior =
".../params.json"``), and a constant fixed from other evidence is sampled by the spec's
``[uncertain]`` table (``truncnormal``), never written into the draws.

The model is ``x' = -(k + leak) x`` from ``x = 1`` with Euler steps of 0.25, so every run's
``x(t)`` is ``(1 - 0.25 (k + leak)) ** (4 t)`` exactly: each run's output can be checked
against the constants it was given.
"""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdflow as sf
from sdflow.cli import main

MODEL = '''
import sdflow as sf

def build(stop=4.0):
    m = sf.Model("leaky decay", start=0, stop=stop, dt=0.25, time_units="year")
    k = m.const("k", 0.1, units="1/year")
    leak = m.const("leak", 0.1, units="1/year")   # known from other evidence: 0.1 +- 0.04
    x = m.stock("x", initial=1.0)
    m.flow("out", (k + leak) * x, source=x)
    return m
'''

CALIBRATION = '''
name = "leaky"
seed = 7
[model]
factory = "model.py:build"
[payoff]
kind = "lognormal"
[[series]]
name = "x obs"
file = "x.csv"
variable = "x"
value = "x"
[[parameters]]
name = "k"
bounds = [0.0, 1.0]
[uncertainty]
profile = false
draws = 300
'''

FORECAST = '''
[model]
factory = "model.py:build"
options = { stop = 8.0 }
parameters = "calibration/params.json"
posterior = "calibration/params.json"

[forecast]
n = 1000
chunk_size = 100
seed = 3
saveper = 1
outputs = ["x"]

[uncertain]
leak = { distribution = "truncnormal", mean = 0.1, sd = 0.04, low = 0.0, high = 0.3 }
'''


def _euler(rate, t):
    return (1 - 0.25 * rate) ** (4 * t)


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    """A folder with model.py, the data (k = 0.3, leak = 0.1, 15 % log-normal noise,
    seeded) and the calibration ``sdflow calibrate`` wrote to ``calibration/``."""
    folder = tmp_path_factory.mktemp("leaky")
    (folder / "model.py").write_text(MODEL)
    rng = np.random.default_rng(5)
    t = np.arange(1, 5)
    values = _euler(0.4, t) * np.exp(0.15 * rng.standard_normal(len(t)))
    (folder / "x.csv").write_text("year,x\n" + "".join(f"{a},{b:.6f}\n"
                                                       for a, b in zip(t, values)))
    (folder / "calibration.toml").write_text(CALIBRATION)
    (folder / "forecast.toml").write_text(FORECAST)
    assert main(["calibrate", str(folder / "calibration.toml"), "--out",
                 str(folder / "calibration"), "--quiet"]) == 0
    return folder


@pytest.fixture
def calibrated(calibration, tmp_path, monkeypatch):
    """A copy of `calibration` for one test, run from its parent folder: the forecast
    spec's ``model.py:build`` is read next to the spec, not from the current directory."""
    folder = tmp_path / "leaky"
    shutil.copytree(calibration, folder)
    monkeypatch.chdir(tmp_path)
    return folder


def test_forecast_samples_the_calibrations_draws_and_the_specs_constants(calibrated,
                                                                         capsys):
    draws_file = calibrated / "calibration" / "draws.csv"
    written = draws_file.read_bytes()
    draws = pd.read_csv(draws_file)
    assert "leak" not in draws.columns             # fixed in the calibration, not drawn
    assert draws["k"].between(0, 1).all() and draws["k"].std() > 0.01
    assert json.loads((calibrated / "calibration" / "params.json").read_text())["draws"][
        "file"] == "draws.csv"

    out = calibrated / "forecast"
    assert main(["forecast", str(calibrated / "forecast.toml"), "--out", str(out), "--n",
                 "400", "--no-figures"]) == 0
    assert "1 scenario(s) x 400 runs" in capsys.readouterr().err
    assert draws_file.read_bytes() == written      # the forecast only reads the draws
    with xr.open_dataset(out / "ensemble.nc") as ds:
        k = ds["sampled k"].values
        leak = ds["sampled leak"].values
        x8 = ds["x"].sel(scenario="baseline", time=8.0).values
    # every run takes a whole calibration draw ...
    assert set(np.round(k, 12)) <= set(np.round(draws["k"].to_numpy(), 12))
    assert len(set(k)) > 200                       # 400 runs over 300 draws (Latin hypercube)
    # ... and its own leak from the spec's truncated normal, inside the limits
    assert leak.min() >= 0.0 and leak.max() <= 0.3
    assert float(np.median(leak)) == pytest.approx(
        float(sf.truncnormal(0.1, 0.04, 0.0, 0.3).ppf(0.5)), abs=0.005)
    assert abs(np.corrcoef(k, leak)[0, 1]) < 0.15  # drawn independently
    # each run simulated with the constants it reports (Euler, exact)
    np.testing.assert_allclose(x8, _euler(k + leak, 8.0), rtol=1e-12)


def test_a_constant_both_drawn_and_declared_uncertain_is_refused(calibrated, capsys):
    spec = calibrated / "forecast.toml"
    spec.write_text(FORECAST.replace("leak = {", "k = {"))
    assert main(["forecast", str(spec), "--out", str(calibrated / "forecast"),
                 "--no-figures"]) == 2
    assert "'k' has both a distribution and posterior draws; keep one" in \
        capsys.readouterr().err


def test_a_params_json_without_draws_says_to_rerun_the_calibration(calibrated, capsys):
    # params.json written before calibrations wrote draws (as the old regional results)
    path = calibrated / "calibration" / "params.json"
    meta = json.loads(path.read_text())
    del meta["draws"]
    path.write_text(json.dumps(meta))
    assert main(["forecast", str(calibrated / "forecast.toml"), "--out",
                 str(calibrated / "forecast"), "--no-figures"]) == 2
    assert "names no draws file; rerun `sdflow calibrate`" in capsys.readouterr().err
