"""The committed calibrations (calibration/results/<preset>/params.json) run as the interface
promises and reproduce the behaviour they were fitted to (Barlas 1996, behaviour
reproduction): segmentation falling from 2004 to 2018 in every member, as the relative-price
index does in all three areas (calibration/data/market_segmentation_by_member_2000_2018.csv),
and real GDP and budget revenue near the data over the fit period."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from sdmodels.regional_integration import PRESETS, build
from sdmodels.regional_integration.data import region_data

_SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "growth_rates.py"
_spec = importlib.util.spec_from_file_location("growth_rates", _SCRIPT)
growth_rates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(growth_rates)
draw_params = growth_rates.draw_params
_spec = importlib.util.spec_from_file_location("pooled_constants",
                                               _SCRIPT.with_name("pooled_constants.py"))
_pooled = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pooled)
pooled_constants = _pooled.pooled_constants

RESULTS = Path(__file__).resolve().parents[3] / "calibration" / "results"


def _params(key):
    return json.loads((RESULTS / key / "params.json").read_text())["params"]


@pytest.fixture(scope="module", params=sorted(PRESETS))
def calibrated_run(request):
    key = request.param
    return key, build(key, stop=2018).simulate(params=_params(key))


def test_params_json_feeds_simulate_directly(calibrated_run):
    key, run = calibrated_run
    assert np.isfinite(run["output"].values).all()


def test_segmentation_falls_from_2004_to_2018_in_every_member(calibrated_run):
    key, run = calibrated_run
    seg = run["price segmentation"]
    assert (seg.sel(time=2018.0) < seg.sel(time=2004.0)).all(), key


def test_real_gdp_and_revenue_follow_the_data_over_the_fit_period(calibrated_run):
    key, run = calibrated_run
    data = region_data(PRESETS[key].members)
    model = run["output"].sel(time=2014.0).values
    np.testing.assert_allclose(model, data.real_gdp.loc[2014].values, rtol=0.1)
    revenue = run["fiscal revenue"].sel(time=2014.0).values
    np.testing.assert_allclose(revenue, data.real_fiscal_revenue.loc[2014].values, rtol=0.25)


def test_jjj_pools_what_its_data_do_not_identify():
    # presets.toml: precision-weighted means of the YRD and Pan-PRD estimates committed in
    # calibration/results, recomputed by scripts/pooled_constants.py
    constants, errors = pooled_constants()
    assert PRESETS["jjj"].constants == constants
    assert PRESETS["jjj"].constant_errors == errors
    model = build("jjj", stop=2006)
    assert float(model["productivity slowdown"].value) == constants["productivity slowdown"]
    assert float(model["capital share"].value) == constants["capital share"]
    assert float(build(members=["Beijing", "Tianjin"], stop=2006)[
        "productivity slowdown"].value) == 0.03  # custom areas keep the defaults
    draws = draw_params("jjj", 1000)
    assert abs(draws["productivity slowdown"].mean() - constants["productivity slowdown"]) < 0.01


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_forecast_draws_grow_at_credible_rates_to_2060(key):
    # Long-run projections of Chinese growth put 2018-2060 well below the 2004-2018 pace
    # (about 10 %/year); the draws once made Jing-Jin-Ji grow 13-15 %/year (median) to 2060
    # because its fit left the slowdown of productivity growth at 0, and Pan-PRD's and
    # Jing-Jin-Ji's up to 6.5 % while the integration learning effect, drawn over its range,
    # added a growth rate the slowdown did not damp (it fades with it now, economy.py).
    n = 100
    run = build(key, stop=2060).simulate(params=draw_params(key, n), n=n)
    output = run["output"]
    growth = (output.sel(time=2060.0) / output.sel(time=2018.0)) ** (1 / 42) - 1
    median = growth.median("run").values
    assert (median > 0).all() and (median < 0.06).all(), (key, median)
