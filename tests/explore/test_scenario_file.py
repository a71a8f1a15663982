"""Exported scenarios load with the forecast spec loader and run (`sdflow.explore.scenario_file`).

Expected numbers: the growth model ``x' = rate x`` from 1 over 2020-2030, dt 1, Euler,
gives ``x(2030) = (1 + rate) ** 10`` (see `sdflow.forecasting.examples.growth_model`).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from sdflow.cli import main
from sdflow.explore import ExplorerApp
from sdflow.explore.settings import Settings
from sdflow.explore.scenario_file import scenario_toml
from sdflow.forecasting.examples import growth_model
from sdflow.forecasting.plan import build_ensemble
from sdflow.forecasting.spec import load_spec

GROWTH = "sdflow.forecasting.examples:growth_model"


def export(app, payload) -> str:
    reply = app.handle("POST", "/api/scenario", json.dumps(payload).encode())
    assert reply.status == 200, reply.json
    return reply.json["toml"]


def test_exported_levers_run_with_sdflow_forecast(tmp_path):
    app = ExplorerApp(growth_model(0.02), GROWTH, {"rate": 0.02})
    text = export(app, {"settings": {"values": {"rate": 0.05}}, "outputs": ["x"], "n": 4})
    spec_file = tmp_path / "explored.toml"
    spec_file.write_text(text, encoding="utf-8")
    spec = load_spec(spec_file)
    assert spec.target == GROWTH and spec.options == {"rate": 0.02}
    assert [s.name for s in spec.scenarios] == ["baseline", "explored"]
    assert spec.scenarios[1].levers == {"rate": 0.05}
    out = tmp_path / "forecast"
    assert main(["forecast", str(spec_file), "--out", str(out), "--no-figures"]) == 0
    ensemble = xr.open_dataset(out / "ensemble.nc")
    end = ensemble["x"].sel(time=2030.0)
    np.testing.assert_allclose(end.sel(scenario="baseline"), 1.02 ** 10)
    np.testing.assert_allclose(end.sel(scenario="explored"), 1.05 ** 10)
    ensemble.close()


def test_exported_policy_year_and_spread_run_as_the_explorer_ran_them(tmp_path):
    app = ExplorerApp(growth_model(0.02), GROWTH, {"rate": 0.02})
    settings = {"values": {"rate": 0.05}, "policy_year": 2025}
    text = export(app, {"settings": settings, "outputs": ["x"], "uncertain": ["rate"],
                        "spread": 0.5, "n": 16})
    spec_file = tmp_path / "explored.toml"
    spec_file.write_text(text, encoding="utf-8")
    spec = load_spec(spec_file)
    (change,) = spec.scenarios[1].changes
    assert (change.lever, change.at, change.to) == ("rate", 2025.0, 0.05)
    (uncertain,) = spec.uncertain
    assert uncertain.name == "rate" and uncertain.label == "uniform(low=0.01, high=0.03)"
    ensemble = build_ensemble(spec, None, None, None, None, None, None)
    assert ensemble.n == 16
    from sdflow.forecasting.distributed import run_ensemble
    ds = run_ensemble(ensemble)
    explored = ds["x"].sel(scenario="explored")
    # the sampled rate holds until 2025, 0.05 from then on
    before = explored.sel(time=2025.0).values
    assert np.all((before >= 1.01 ** 5 - 1e-12) & (before <= 1.03 ** 5 + 1e-12))
    np.testing.assert_allclose(explored.sel(time=2030.0).values, before * 1.05 ** 5)
    # the explorer's own run of the same settings is the spread-free path
    run = app.handle("POST", "/api/run", json.dumps({"settings": settings,
                                                     "series": ["x"]}).encode()).json
    assert run["series"][0]["current"][-1] == pytest.approx(1.02 ** 5 * 1.05 ** 5)


def test_arrayed_values_and_names_needing_quotes_survive_the_round_trip(tmp_path):
    text = scenario_toml(Settings({'odd "name"\\': np.array([[1.0, 2.5], [3.0, 4.0]])},
                                  policy_year=None),
                         "pkg.module:build", {"preset": "yrd", "flag": True, "k": 2})
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(text, encoding="utf-8")
    spec = load_spec(spec_file)
    assert spec.options == {"preset": "yrd", "flag": True, "k": 2}
    assert spec.scenarios[1].levers == {'odd "name"\\': [[1.0, 2.5], [3.0, 4.0]]}


def test_export_needs_a_target():
    app = ExplorerApp(growth_model(0.02))
    reply = app.handle("POST", "/api/scenario", b'{"settings": {}}')
    assert reply.status == 400
    assert "start it with sdflow explore MODULE:ATTR" in reply.json["error"]
