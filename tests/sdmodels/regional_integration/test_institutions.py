"""Reality checks of governance, perception, trust, cooperation and integration
(sdmodels/regional_integration/institutions.py), in the style of Sterman (2000, ch. 21):
extreme conditions with a known answer, stocks in their meaningful ranges, levers that
cost something, and budget-balanced transfers."""

import numpy as np
import pytest

from sdmodels.regional_integration import LEVERS, build

STOCKS_IN_UNIT_INTERVAL = ["trust", "cooperation", "market integration", "protectionism",
                           "reputation"]


def _levers(value, policy_only=False):
    values = {}
    for lever in LEVERS:
        key = lever.name.replace(" ", "_")
        values[f"{key}_policy"] = value
        if not policy_only:
            values[key] = value
    return values


def test_contracts_start_cooperation_from_zero_trust():
    # zero trust and zero effort in 2004: binding contracts (coverage > 0) make joint
    # projects worth starting; kept agreements then build trust.
    run = build("yrd", stop=2030, initial_trust=0, initial_cooperation=0,
                contract_enforcement=0.6, contract_enforcement_policy=0.6).simulate()
    assert float(run["cooperation"].sel(time=2030.0).max()) > 0.2
    assert float(run["mean trust"].sel(time=2030.0).min()) > 0.05


def test_central_mandates_start_cooperation_without_contracts_or_trust():
    # Jing-Jin-Ji's 2015 mandate (milestones data) is the only thing that can start it
    run = build("jjj", stop=2030, initial_trust=0, initial_cooperation=0,
                contract_enforcement=0, contract_enforcement_policy=0).simulate()
    coop = run["joint planning"]
    assert float(coop.sel(time=2014.0).max()) == 0.0          # nothing before the mandate
    assert float(coop.sel(time=2030.0).min()) > 0.0           # cooperation after it
    # the start, not its later size: the mandate also integrates the markets itself, and
    # at the preset's rate (0.268, the YRD's) the mean effort falls from 0.065 in 2016 to
    # 0.01 by 2030 (at the default rate 0.1 it is still 0.13 then)
    assert float(coop.sel(time=slice(2015.0, 2030.0)).mean("member").max()) > 0.05


def test_without_trust_contracts_or_mandates_nothing_starts_cooperation():
    # a custom area has no milestones; zero coverage and zero trust: the basis is zero
    run = build(members=["Shanghai", "Jiangsu"], stop=2040, initial_trust=0,
                initial_cooperation=0, contract_enforcement=0,
                contract_enforcement_policy=0).simulate()
    assert float(run["cooperation"].max()) == 0.0


def test_benefit_sharing_moves_budget_money_and_balances():
    run = build("pprd", stop=2030, benefit_sharing=0.8, benefit_sharing_policy=0.8).simulate()
    transfer = run["net transfer"]
    np.testing.assert_allclose(transfer.sum("member").values, 0.0, atol=1e-6)
    paid = run["compensation paid"].sel(time=2030.0)
    assert float(paid.sum()) > 1.0                           # 100 million yuan a year
    assert float(abs(transfer.sel(time=2030.0)).max()) > 0.1 * float(paid.sum())


def test_every_lever_has_a_cost_that_can_outweigh_its_benefit():
    # each lever at 1 from 2020: 2030 output falls as the lever's cost rises, and at a cost
    # of 20 % of output (far above the defaults) the lever leaves output below the base run
    base = float(build("jjj", stop=2030).simulate()["regional output"].sel(time=2030.0))
    for lever in LEVERS:
        key = lever.name.replace(" ", "_")
        costs = np.array([0.0, lever_cost(lever), 0.05, 0.2])
        m = build("jjj", stop=2030, policy_year=2020, **{f"{key}_policy": 1.0})
        run = m.simulate(params={f"{lever.name} cost": costs}, n=len(costs))
        output = run["regional output"].sel(time=2030.0).values
        assert (np.diff(output) < 0).all(), (lever.name, output)
        assert output[-1] < base, lever.name


def lever_cost(lever):
    return float(build("jjj", stop=2006)[f"{lever.name} cost"].value)


def test_evaluation_reform_alone_lowers_output_and_does_not_force_integration():
    # v1 drove integration to 1.00 with evaluation reform alone; now it weakens the growth
    # incentive (investment) and barely moves integration
    base = build("yrd", stop=2040).simulate()
    reform = build("yrd", stop=2040, evaluation_reform_policy=1.0).simulate()
    assert float(reform["regional output"].sel(time=2040.0)) < float(
        base["regional output"].sel(time=2040.0))
    assert float(reform["member integration"].sel(time=2040.0).max()) < 0.9


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_every_lever_at_zero_or_one_keeps_the_model_finite_and_in_range(value):
    run = build("yrd", stop=2100, **_levers(value)).simulate()   # raises on NaN/inf
    ds = run.dataset
    for name in STOCKS_IN_UNIT_INTERVAL:
        assert float(ds[name].min()) >= 0.0 and float(ds[name].max()) <= 1.0, name
    assert float(ds["output"].min()) > 0.0


@pytest.mark.parametrize("trust", [0.0, 1.0])
def test_zero_and_full_trust_are_finite_and_in_range(trust):
    run = build("pprd", stop=2060, initial_trust=trust).simulate()
    ds = run.dataset
    for name in STOCKS_IN_UNIT_INTERVAL:
        assert float(ds[name].min()) >= 0.0 and float(ds[name].max()) <= 1.0, name
    if trust == 1.0:   # full trust and no opportunism yet: trust cannot grow past 1
        assert float(ds["trust"].isel(time=0).min()) == 1.0


def test_every_stock_stays_in_range_for_100_years_under_extreme_levers():
    rng = np.random.default_rng(3)
    n = 48
    params = {}
    for lever in LEVERS:  # far outside [0, 1]: the model clips the effective lever
        params[lever.name] = rng.choice([-5.0, 0.0, 1.0, 5.0], n)
        params[f"{lever.name} policy"] = rng.choice([-5.0, 0.0, 1.0, 5.0], n)
    for rate in ["integration rate", "segmentation rate", "trust building rate",
                 "trust erosion rate", "mandate integration rate", "duplication propensity"]:
        params[rate] = rng.choice([0.0, 1.0, 50.0], n)      # 50/year: 12 times 1/dt
    params["protection adjustment time"] = rng.choice([0.01, 3.0, 100.0], n)
    params["protection steepness"] = rng.choice([0.0, 10.0, 1000.0], n)
    run = build("jjj", stop=2104).simulate(params=params, n=n)  # raises on NaN/inf
    ds = run.dataset
    for name in STOCKS_IN_UNIT_INTERVAL:
        assert float(ds[name].min()) >= 0.0 and float(ds[name].max()) <= 1.0, name
    assert float(ds["capital"].min()) > 0.0
    assert float(ds["productivity"].min()) > 0.0
    assert float(ds["regional public goods"].min()) > 0.0
    assert float(ds["duplicate capacity"].min()) >= 0.0
    assert float((ds["duplicate capacity"] - ds["capital"]).max()) <= 1e-9
    assert float(ds["investment share"].max()) < 0.8
    assert float(ds["output"].min()) > 0.0


def test_measured_segmentation_scales_with_the_relative_price_shock():
    # measurement model: scale * (1 - member integration) * shock^elasticity, with the
    # shock the mean index of the pairs outside the area (data.price_shock, 2004 = 1);
    # after the data it keeps its last value
    from sdmodels.regional_integration.data import price_shock
    shock = price_shock("pprd")
    run = build("pprd", stop=2022, segmentation_scale=4e-4,
                price_shock_elasticity=0.5).simulate()
    for year in (2004, 2009, 2018, 2019, 2022):
        expected = 4e-4 * (1 - run["member integration"].sel(time=float(year))) \
            * shock[min(year, 2018)] ** 0.5
        np.testing.assert_allclose(run["price segmentation"].sel(time=float(year)), expected,
                                   rtol=1e-12)
    # elasticity 0: the index measures integration alone, as before the shock was added
    flat = build("pprd", stop=2010, segmentation_scale=4e-4,
                 price_shock_elasticity=0).simulate()
    np.testing.assert_allclose(flat["price segmentation"], 4e-4 * (1 - flat["member integration"]),
                               rtol=1e-12)
