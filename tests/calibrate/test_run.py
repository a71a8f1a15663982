"""`calibrate` end to end: report files, parameter file, checkpoint and resume."""

import json

import numpy as np
import pytest

from sdflow import SpecError
from sdflow.calibrate import calibrate

import sdflow as sf

from .test_recovery import spec, write_data




def stop_at(stage_text):
    def progress(stage=None, **_):
        if stage is not None and stage_text in stage:
            raise KeyboardInterrupt
    return progress


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_data(tmp_path_factory.mktemp("run") / "x.csv", seed=1)


def test_report_files_and_parameter_file(data, tmp_path):
    result = calibrate(spec(data, profile=False, test_period=(2016, 2020),
                            fit_period=(2001, 2015)), out_dir=tmp_path)
    for name in ("report.md", "params.json", "estimates.csv", "statistics.csv",
                 "fit_x.png", "residuals_x.png"):
        assert (tmp_path / name).stat().st_size > 0
    params = json.loads((tmp_path / "params.json").read_text())
    # forecasting reads full constants: the arrayed rate with both elements
    assert params["params"]["rate"] == pytest.approx(
        [result.estimates["rate[A]"], result.estimates["rate[B]"]])
    report = (tmp_path / "report.md").read_text()
    assert "Out of sample" in report and "naive trend" in report
    assert set(result.statistics) == {"fit", "test", "naive"}
    assert result.statistics["test"]["x"]["n"] == 10


def test_a_test_period_before_the_fit_period_is_scored(data):
    # it used to be cut off with the years before the fit period: no test scores at all
    result = calibrate(spec(data, profile=False, test_period=(2001, 2005),
                            fit_period=(2006, 2020)))
    assert result.statistics["test"]["x"]["n"] == 10       # 5 years x 2 regions
    assert result.statistics["fit"]["x"]["n"] == 30


def test_interrupted_run_resumes_without_redoing_finished_starts(data, tmp_path):
    import dataclasses

    # with this payoff the starts need 7, 8 and 9 trial points: the first ends first
    def three_starts():
        return dataclasses.replace(spec(data, starts=3, profile=False), payoff="wsse")

    full = calibrate(three_starts(), out_dir=tmp_path / "full")
    # the starts advance together; the interruption stops all of them
    with pytest.raises(KeyboardInterrupt):
        calibrate(three_starts(), out_dir=tmp_path / "cut", progress=stop_at("finished"))
    saved = json.loads((tmp_path / "cut" / "checkpoint.json").read_text())
    assert [f["start"] for f in saved["stages"]["starts"]] == [0]
    stages = []
    resumed = calibrate(three_starts(), out_dir=tmp_path / "cut", resume=True,
                        progress=lambda stage=None, **_: stages.append(stage))
    assert "least squares, start 1/3" not in stages and "least squares, start 3/3" in stages
    np.testing.assert_allclose(resumed.x, full.x, rtol=1e-8)
    assert [f.cost for f in resumed.fits] == pytest.approx([f.cost for f in full.fits])
    assert [f.nfev for f in resumed.fits] == [f.nfev for f in full.fits]


def test_differential_evolution_resumes_where_the_uninterrupted_run_ends(data, tmp_path):
    options = {"popsize": 8, "maxiter": 12, "polish": False, "tol": 0}

    def de_spec():
        return spec(data, optimiser="differential_evolution", profile=False,
                    optimiser_options=dict(options))

    full = calibrate(de_spec(), out_dir=tmp_path / "full")
    with pytest.raises(KeyboardInterrupt):
        calibrate(de_spec(), out_dir=tmp_path / "cut", progress=stop_at("generation 5"))
    saved = json.loads((tmp_path / "cut" / "checkpoint.json").read_text())["stages"]["de"]
    assert saved["nit"] == 5 and len(saved["population"]) == 24
    assert saved["rng"]["bit_generator"] == "PCG64"
    resumed = calibrate(de_spec(), out_dir=tmp_path / "cut", resume=True)
    after = json.loads((tmp_path / "cut" / "checkpoint.json").read_text())["stages"]["de"]
    assert after["finished"] and after["nit"] == 12
    # bit for bit: the random stream and the population continue exactly
    assert resumed.x.tolist() == full.x.tolist() and resumed.cost == full.cost
    assert after["population"] == json.loads(
        (tmp_path / "full" / "checkpoint.json").read_text())["stages"]["de"]["population"]
    assert (resumed.evaluations, resumed.batches) == (full.evaluations, full.batches)
    assert resumed.estimates["capacity"] == pytest.approx(50, rel=0.2)


def resumed_stages(spec_, out_dir):
    stages = []
    calibrate(spec_, out_dir=out_dir, resume=True,
              progress=lambda stage=None, **_: stages.append(stage))
    return stages


def test_resume_starts_over_when_the_spec_changed(data, tmp_path, caplog):
    calibrate(spec(data, profile=False), out_dir=tmp_path)
    stages = resumed_stages(spec(data, profile=False, seed=99), tmp_path)
    assert "least squares, start 1/1" in stages
    [record] = caplog.records
    assert "not reusing the checkpoint" in record.message
    assert "(the spec changed since it was written)" in record.message


def test_resume_starts_over_when_a_data_file_changed(tmp_path, caplog):
    data = write_data(tmp_path / "x.csv", seed=1)
    out = tmp_path / "out"
    calibrate(spec(data, profile=False), out_dir=out)
    assert "least squares, start 1/1" not in resumed_stages(spec(data, profile=False), out)
    assert caplog.records == []
    write_data(data, seed=2)                 # same file name, new noise
    stages = resumed_stages(spec(data, profile=False), out)
    assert "least squares, start 1/1" in stages
    [record] = caplog.records
    assert f"(data file {data} changed since it was written)" in record.message
    assert "\n" not in record.message


def test_resume_starts_over_when_the_compiled_model_changed(data, tmp_path, caplog):
    import dataclasses

    calibrate(spec(data, profile=False), out_dir=tmp_path)
    # the same spec and data with a model whose initial stock differs: only the
    # compiled source (where the initial value is folded in) tells them apart
    other = sf.Model("logistic", start=2000, stop=2020, dt=0.25, time_units="year")
    region = other.dim("region", ["A", "B"])
    rate = other.const("rate", [0.2, 0.2], dims=[region], units="1/year")
    capacity = other.const("capacity", 30.0, units="person")
    x = other.stock("x", initial=[1.0, 0.6], dims=[region], units="person")
    other.flow("growth", rate * x * (1 - x / capacity), sink=x, dims=[region],
               units="person/year")
    stages = resumed_stages(dataclasses.replace(spec(data, profile=False), model=other),
                            tmp_path)
    assert "least squares, start 1/1" in stages
    [record] = caplog.records
    assert "(the compiled model changed since it was written)" in record.message


def test_one_compile_per_calibration(data, monkeypatch):
    import sdflow.compile as compile_package

    calls = []
    original = compile_package.compile_model

    def counting(*args, **kwargs):
        calls.append(kwargs.get("params"))
        return original(*args, **kwargs)

    # Model.compile imports compile_model from sdflow.compile at call time
    monkeypatch.setattr(compile_package, "compile_model", counting)
    result = calibrate(spec(data, starts=2, profile_points=3))
    assert result.batches > 50 and len(calls) == 1


def test_smc_resumes_after_its_last_stage_with_the_same_draws(data, tmp_path):
    def smc_spec():
        return spec(data, profile=False, smc={"particles": 150, "chains": 2})

    full = calibrate(smc_spec())
    with pytest.raises(KeyboardInterrupt):
        calibrate(smc_spec(), out_dir=tmp_path / "cut", progress=stop_at("SMC stage 2"))
    saved = json.loads((tmp_path / "cut" / "checkpoint.json").read_text())["stages"]["smc"]
    assert saved["stage"] == 2
    stages = []
    resumed = calibrate(smc_spec(), out_dir=tmp_path / "cut", resume=True,
                        progress=lambda stage=None, **_: stages.append(stage))
    assert not any(s and s.startswith("SMC stage 2:") for s in stages)
    assert any(s and s.startswith("SMC stage 3:") for s in stages)
    np.testing.assert_array_equal(resumed.posterior["draws"], full.posterior["draws"])
    np.testing.assert_array_equal(resumed.draws["sd"], full.draws["sd"])


def test_numba_backend_gives_the_same_fit_and_chain(data):
    # `[model] backend = "numba"` changes where the runs are computed, not the numbers:
    # same optimiser steps, same MCMC chain, bit for bit (a model with one dimension)
    pytest.importorskip("numba")
    pytest.importorskip("emcee")
    options = dict(starts=2, profile=False, mcmc={"walkers": 8, "steps": 20, "burn": 10})
    numpy_fit = calibrate(spec(data, **options))
    numba_fit = calibrate(spec(data, backend="numba", **options))
    assert numba_fit.x.tolist() == numpy_fit.x.tolist()
    assert np.array_equal(numba_fit.posterior["draws"], numpy_fit.posterior["draws"])
    assert numba_fit.evaluations == numpy_fit.evaluations
