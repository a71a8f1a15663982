"""Calibrated parameter files and posterior draws as forecast inputs."""

import numpy as np
import pytest

import sdflow as sf
from sdflow.forecasting.calibrated import read_parameters, read_posterior

from .models import regions


def test_parameter_file_values_intervals_and_elements(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[parameters]\n"rate[south]" = { estimate = 0.01, lower = 0.0, '
                    'upper = 0.02 }\n"output initial" = [1, 2, 3]\n')
    values, intervals = read_parameters(path, regions().graph())
    assert values["rate"].tolist() == [0.05, 0.04, 0.01]
    assert values["output initial"].tolist() == [1.0, 2.0, 3.0]
    low, high = intervals["rate"]
    assert low.tolist() == [0.05, 0.04, 0.0] and high.tolist() == [0.05, 0.04, 0.02]


def test_posterior_csv_columns_by_element(tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("draw,rate[north],rate[south],log_posterior\n0,0.1,0.3,-5\n1,0.2,0.4,-6\n")
    draws = read_posterior(path, regions().graph())
    np.testing.assert_array_equal(draws.values["rate"], [[0.1, 0.04, 0.3], [0.2, 0.04, 0.4]])


def test_bad_files_are_clear_errors(tmp_path):
    graph = regions().graph()
    with pytest.raises(sf.DataError, match="does not exist"):
        read_parameters(tmp_path / "none.toml", graph)
    bad = tmp_path / "bad.toml"
    bad.write_text('[parameters]\n"rate[west]" = 1\n')
    with pytest.raises(sf.DimensionError, match="no element 'west'"):
        read_parameters(bad, graph)
    bad.write_text('[parameters]\nspeed = 1\n')
    with pytest.raises(sf.SpecError, match="'speed' is not a constant"):
        read_parameters(bad, graph)


def test_calibration_params_json(tmp_path):
    # the layout `sdflow calibrate` writes: point estimates, profile and Wald limits
    path = tmp_path / "params.json"
    path.write_text('{"params": {"rate[north]": 0.06, "output initial": 2.0}, '
                    '"intervals": {"rate[north]": {"wald": [0.01, 0.2], '
                    '"profile": [0.03, null]}}}')
    values, intervals = read_parameters(path, regions().graph())
    assert values["rate"].tolist() == [0.06, 0.04, 0.03]
    assert values["output initial"].tolist() == [2.0, 2.0, 2.0]
    low, high = intervals["rate"]
    assert low[0] == 0.03 and high[0] == 0.2  # profile where closed, Wald where open


# -- a calibration's draws as a forecast's uncertainty -------------------------------------

def _calibrated_decay(folder, noise=0.1, seed=11, **spec_options):
    """Calibrate k of x' = -k x (sdflow.calibrate.examples.decay_model, dt 0.25) to
    log-normal noisy data made with k = 0.3; return the report folder."""
    from sdflow.calibrate import CalibrationSpec, ParameterSpec, SeriesSpec, calibrate
    from sdflow.calibrate.examples import decay_model

    rng = np.random.default_rng(seed)
    t = np.arange(1, 5)
    values = (1 - 0.25 * 0.3) ** (4 * t) * np.exp(noise * rng.standard_normal(4))
    data = folder / "x.csv"
    data.write_text("year,x\n" + "".join(f"{a},{b}\n" for a, b in zip(t, values)))
    spec = CalibrationSpec("decay", decay_model(), [SeriesSpec("x obs", data, "x", value="x")],
                           [ParameterSpec("k", (0.0, 1.0))], payoff="lognormal",
                           profile=False, **spec_options)
    out = folder / "calibration"
    calibrate(spec, out)
    return out


def _forecast_spec(folder, model_lines):
    from sdflow.forecasting.spec import load_spec
    path = folder / "forecast.toml"
    path.write_text('[model]\ntarget = "sdflow.calibrate.examples:decay_model"\n'
                    + model_lines + '\n[forecast]\nn = 2000\nchunk_size = 2000\n'
                    'outputs = ["x"]\n')
    return load_spec(path)


def test_forecast_reads_a_calibrations_draws_and_adds_observation_error(tmp_path):
    from sdflow.forecasting.plan import build_ensemble

    out = _calibrated_decay(tmp_path, draws=500)
    draws = np.loadtxt(out / "draws.csv", delimiter=",", skiprows=1)   # draw,chain,k,sd
    plain = build_ensemble(_forecast_spec(tmp_path, 'posterior = "calibration/params.json"'))
    noisy = build_ensemble(_forecast_spec(
        tmp_path, 'posterior = "calibration/draws.csv"\npredictive = true'))
    a, b = plain.run_chunk(0), noisy.run_chunk(0)
    k = a["sampled k"].values
    assert set(np.round(k, 12)) <= set(np.round(draws[:, 2], 12))   # whole calibrated draws
    np.testing.assert_array_equal(k, b["sampled k"].values)          # same draws, paired
    # log-normal error: log(noisy / clean) has the sd of each run's draw
    log_ratio = np.log(b["x"].values / a["x"].values)[0, :, 1:]     # (runs, times>0)
    index = np.searchsorted(np.sort(draws[:, 2]), k)
    sd = draws[np.argsort(draws[:, 2]), 3][index]
    z = log_ratio / sd[:, None]
    assert abs(z.std() - 1) < 0.03 and abs(z.mean()) < 0.03
    # predictive bands are wider than the parameter-only ones
    last = dict(time=4.0, scenario="baseline")
    width = [float(np.subtract(*np.quantile(d["x"].sel(**last), [0.95, 0.05])))
             for d in (a, b)]
    assert width[1] > 1.5 * width[0]


def test_intervals_sample_the_bounded_draws_not_uniform_wald_intervals(tmp_path):
    # k = 0.02 on [0, 1] from four noisy points: the Wald interval reaches below 0, so
    # uniform sampling on it gave negative decay rates; the calibration's draws cannot
    from sdflow.forecasting.plan import build_ensemble

    out = _calibrated_decay(tmp_path, noise=0.6, seed=3, draws=2000)
    wald = __import__("json").loads((out / "params.json").read_text())["intervals"]["k"]
    assert wald["wald"][0] < 0                           # the case the old sampling broke
    ensemble = build_ensemble(_forecast_spec(
        tmp_path, 'parameters = "calibration/params.json"\nintervals = true'))
    k = ensemble.run_chunk(0)["sampled k"].values
    assert k.min() >= 0 and k.max() <= 1
    assert ensemble.posterior is not None and not ensemble.uncertain


def test_predictive_without_draws_is_a_clear_error(tmp_path):
    from sdflow.forecasting.plan import build_ensemble

    with pytest.raises(sf.SpecError, match="predictive = true needs a calibration's draws"):
        build_ensemble(_forecast_spec(tmp_path, 'predictive = true'))


def test_observation_error_of_a_summed_flow_and_of_chosen_elements(tmp_path):
    import json

    import xarray as xr

    from sdflow.forecasting.predictive import read_observation_error

    (tmp_path / "draws.csv").write_text("draw,chain,rate[north],observation sd: growth obs\n"
                                        "0,0,0.05,4.0\n")
    (tmp_path / "params.json").write_text(json.dumps({
        "params": {}, "draws": {"file": "draws.csv"}, "observation_error": {"growth obs": {
            "variable": "growth", "elements": ["north", "south"], "measure": "sum",
            "period": 2.0, "noise": "normal"}}}))
    error = read_observation_error(tmp_path / "params.json", regions().graph())
    [entry] = error.entries
    assert entry.sd.tolist() == [2.0]      # a sum over 2 years with sd 4: rate sd 4 / 2
    ds = xr.Dataset({"growth": (("scenario", "run", "time", "region"),
                                np.zeros((1, 20000, 2, 3)))},
                    coords={"region": ["north", "centre", "south"]})
    noisy = error.add_to(ds, np.zeros(20000, int), np.random.default_rng(0))["growth"]
    assert float(noisy.sel(region="centre").std()) == 0.0          # not observed
    assert float(noisy.sel(region="north").std()) == pytest.approx(2.0, rel=0.02)


def test_observation_error_needs_a_calibration_that_wrote_one(tmp_path):
    from sdflow.forecasting.predictive import read_observation_error

    (tmp_path / "draws.csv").write_text("draw,rate[north]\n0,0.05\n")
    with pytest.raises(sf.SpecError, match="params.json does not exist"):
        read_observation_error(tmp_path / "draws.csv", regions().graph())
    (tmp_path / "params.json").write_text('{"params": {}}')
    with pytest.raises(sf.SpecError, match="describes no observation error"):
        read_observation_error(tmp_path / "draws.csv", regions().graph())
