"""Reality checks of trust, cooperation, integration, government failure and governance
(sdmodels/regional_integration/institutions.py), in the style of Sterman (2000, ch. 21):
extreme conditions with a known answer, and stocks in their meaningful ranges."""

import numpy as np
import pytest

from sdmodels.regional_integration import LEVERS, build


def _no_governance():
    values = {}
    for lever in LEVERS:
        key = lever.name.replace(" ", "_")
        values[key] = values[f"{key}_policy"] = 0.0
    return values


def _all_policies(value):
    return {lever.name.replace(" ", "_") + "_policy": value for lever in LEVERS}


def test_zero_trust_gives_no_cooperation_even_under_strong_policy():
    run = build("yrd", stop=2060, initial_trust=0, initial_cooperation=0,
                **_all_policies(1.0)).simulate()
    assert float(run["cooperation"].max()) == 0.0
    assert float(run["trust"].max()) == 0.0
    assert float(run["member integration"][-1].max()) < float(run["member integration"][0].min())


def test_zero_trust_means_zero_desired_cooperation():
    run = build("pprd", stop=2010, initial_trust=0).simulate()
    assert float(run["desired cooperation"].isel(time=0).max()) == 0.0


def test_without_governance_protectionism_grows_and_integration_falls():
    run = build("jjj", stop=2050, **_no_governance()).simulate()
    p, i = run["protectionism"], run["member integration"]
    assert (p.sel(time=2050.0) > p.sel(time=2004.0) + 0.3).all()
    assert (i.sel(time=2050.0) < 0.5 * i.sel(time=2004.0)).all()
    assert (np.diff(p.values, axis=0) >= -1e-12).all()       # protectionism never falls


@pytest.mark.parametrize("lever", ["monitoring policy", "benefit sharing policy"])
def test_stronger_monitoring_or_compensation_raises_long_run_integration(lever):
    levels = np.array([0.0, 0.3, 0.6, 0.9])
    run = build("yrd", stop=2060).simulate(params={lever: levels}, n=len(levels))
    final = run["member integration"].sel(time=2060.0).mean("member").values
    assert (np.diff(final) > 0).all(), final


def test_every_stock_stays_in_range_for_100_years_under_extreme_levers():
    rng = np.random.default_rng(3)
    n = 48
    params = {}
    for lever in LEVERS:  # far outside [0, 1]: the model clips the effective lever
        params[lever.name] = rng.choice([-5.0, 0.0, 1.0, 5.0], n)
        params[f"{lever.name} policy"] = rng.choice([-5.0, 0.0, 1.0, 5.0], n)
    for rate in ["integration rate", "segmentation rate", "trust building rate",
                 "trust erosion rate", "protection rise rate", "protection fall rate",
                 "tournament sensitivity", "duplication propensity"]:
        params[rate] = rng.choice([0.0, 1.0, 50.0], n)      # 50/year: 12 times 1/dt
    run = build("jjj", stop=2104).simulate(params=params, n=n)  # raises on NaN/inf
    ds = run.dataset
    for name in ["trust", "cooperation", "market integration", "protectionism"]:
        assert float(ds[name].min()) >= 0.0 and float(ds[name].max()) <= 1.0, name
    assert float(ds["capital"].min()) > 0.0
    assert float(ds["productivity"].min()) > 0.0
    assert float(ds["regional public goods"].min()) > 0.0
    assert float(ds["duplicate capacity"].min()) >= 0.0
    assert float((ds["duplicate capacity"] - ds["capital"]).max()) <= 1e-9
    assert float(ds["investment share"].max()) < 0.8
