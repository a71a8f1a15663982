"""``sdflow forecast`` and ``sdflow sensitivity`` end to end on the Bass model."""

import xarray as xr

from sdflow.cli import main

SPEC = """
[model]
factory = "sdmodels.reference.bass:build"

[forecast]
until = 15
n = 300
chunk_size = 100
saveper = 1
outputs = ["adopters"]
years = [5, 15]

[uncertain]
imitation = { distribution = "uniform", low = 0.3, high = 0.5 }

[scenarios.baseline]

[scenarios.campaign]
description = "advertising doubles innovation from year 3"
changes = [{ lever = "innovation", at = 3, scale = 2.0 }]
"""


def test_forecast_command_writes_outputs_and_resumes(tmp_path, capsys):
    spec = tmp_path / "bass.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    assert main(["forecast", str(spec), "--scenarios", "baseline,campaign", "--out",
                 str(out), "--no-figures"]) == 0
    err = capsys.readouterr().err
    assert "3/3 chunks, 300 runs" in err
    ds = xr.open_dataset(out / "ensemble.nc")
    assert ds["adopters"].dims == ("scenario", "run", "time")
    assert float(ds["time"][-1]) == 15
    # more advertising, more adopters, run by run
    assert bool((ds["adopters"].sel(scenario="campaign", time=5) >
                 ds["adopters"].sel(scenario="baseline", time=5)).all())
    ds.close()
    assert "## adopters" in (out / "forecast_report.md").read_text()
    assert main(["forecast", str(spec), "--out", str(out), "--resume", "--no-figures"]) == 0
    assert "3/3 chunks, 300 runs" in capsys.readouterr().err


def test_forecast_resume_recomputes_a_truncated_chunk(tmp_path, capsys):
    spec = tmp_path / "bass.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    args = ["forecast", str(spec), "--out", str(out), "--no-figures"]
    assert main(args) == 0
    with xr.open_dataset(out / "ensemble.nc") as ds:
        expected = ds.load()
    chunk = out / "chunks" / "chunk-00002.nc"
    chunk.write_bytes(chunk.read_bytes()[:-100])
    capsys.readouterr()
    assert main(args + ["--resume"]) == 0
    err = capsys.readouterr().err
    assert f"sdflow forecast: {chunk} cannot be read (" in err
    assert "computing chunk 2 again" in err and "Traceback" not in err
    with xr.open_dataset(out / "ensemble.nc") as ds:
        assert ds.load().identical(expected)


def test_forecast_errors_exit_2_with_the_names(tmp_path, capsys):
    spec = tmp_path / "bass.toml"
    spec.write_text(SPEC)
    assert main(["forecast", str(spec), "--scenarios", "baseline,campain", "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario(s) ['campain']; valid scenarios are ['baseline', 'campaign']" \
        in err
    assert main(["forecast", str(tmp_path / "none.toml"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_sensitivity_command(tmp_path, capsys):
    spec = tmp_path / "bass.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sens"
    assert main(["sensitivity", str(spec), "--method", "morris", "--n", "10", "--outputs",
                 "adopters", "--years", "5", "--out", str(out), "--no-figures"]) == 0
    assert "imitation" in (out / "sensitivity.csv").read_text()


def test_bad_outputs_and_late_thresholds_fail_before_running(tmp_path, capsys):
    spec = tmp_path / "bass.toml"
    spec.write_text(SPEC.replace('outputs = ["adopters"]', 'outputs = ["adoptors"]'))
    assert main(["forecast", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "'adoptors' is not a variable" in capsys.readouterr().err
    assert not (tmp_path / "o" / "chunks").exists()
    spec.write_text(SPEC.replace('years = [5, 15]', 'years = [5, 15]\nthresholds = '
                                 '[{ variable = "adopters", above = 1, year = 30 }]'))
    assert main(["forecast", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "after the horizon 15" in capsys.readouterr().err


def test_sensitivity_resumes_from_its_checkpoint(tmp_path, capsys, monkeypatch):
    from sdflow.forecasting.sensitivity import SensitivityRuns

    spec = tmp_path / "bass.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sens"
    args = ["sensitivity", str(spec), "--method", "sobol", "--n", "32", "--outputs",
            "adopters", "--years", "5", "--out", str(out), "--no-figures",
            "--chunk-size", "30"]  # 32 x (1 + 2) = 96 runs: 4 chunks

    computed = []
    run_chunk = SensitivityRuns.run_chunk

    def interrupted(self, i):
        if i == 2:
            raise KeyboardInterrupt
        computed.append(i)
        return run_chunk(self, i)

    monkeypatch.setattr(SensitivityRuns, "run_chunk", interrupted)
    assert main(args) == 130
    assert "interrupted; run the same command with --resume" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "chunks").glob("chunk-*")) == [
        "chunk-00000.nc", "chunk-00001.nc"]

    monkeypatch.setattr(SensitivityRuns, "run_chunk",
                        lambda self, i: computed.append(i) or run_chunk(self, i))
    assert main(args + ["--resume"]) == 0
    assert computed == [0, 1, 2, 3]
    resumed = (out / "sensitivity.csv").read_text()
    assert "2/4 chunks, 60 runs" in capsys.readouterr().err
    # an uninterrupted run elsewhere gives the same table, and other settings are refused
    fresh = tmp_path / "fresh"
    assert main([a if a != str(out) else str(fresh) for a in args]) == 0
    assert (fresh / "sensitivity.csv").read_text() == resumed
    capsys.readouterr()
    assert main(args[:-1] + ["50", "--resume"]) == 2
    assert "holds chunks of a run with other settings" in capsys.readouterr().err
