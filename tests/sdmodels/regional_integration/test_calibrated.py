"""The committed calibrations (calibration/results/<preset>/params.json) run as the interface
promises and reproduce the behaviour they were fitted to (Barlas 1996, behaviour
reproduction): segmentation falling from 2004 to 2018 in every member, as the relative-price
index does in all three areas (calibration/data/market_segmentation_by_member_2000_2018.csv),
and real GDP and budget revenue near the data over the fit period."""

import json
from pathlib import Path

import numpy as np
import pytest

from sdmodels.regional_integration import PRESETS, build
from sdmodels.regional_integration.data import region_data

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
