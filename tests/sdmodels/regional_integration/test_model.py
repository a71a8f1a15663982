"""`build` (sdmodels/regional_integration/model.py): structure and unit checks on every
preset, fresh models, clear errors, and the uncalibrated base run against GDP 2004-2018.

The GDP figures compared with are the NBS series shipped with the model, in 2004 prices
from the NBS GDP index (see data.py); tolerances are wide on purpose: these are the default
constants, not the calibrated ones (see sdmodels/README.md for the measured errors).
"""

import numpy as np
import pytest

from sdflow.errors import ModelError, ParameterError
from sdmodels.regional_integration import PRESETS, build, parameter_names
from sdmodels.regional_integration.data import region_data


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_units_and_structure_checks_pass(key):
    report = build(key).check(raise_on_error=False)
    assert report.ok, str(report)
    graph = build(key).graph()  # raises AlgebraicLoopError on a loop without a stock
    assert len(graph.flow_order) > 50
    assert graph.node("capital").units is not None


def test_every_named_constant_is_in_the_model():
    m = build("jjj")
    for name in parameter_names():
        assert m[name].kind == "const"


def test_build_returns_a_fresh_model_each_call():
    a, b = build("jjj", stop=2010), build("jjj", stop=2010, monitoring=0.9)
    assert a is not b and float(a["monitoring"].value) == pytest.approx(0.2)
    assert float(b["monitoring"].value) == pytest.approx(0.9)


def test_custom_members_and_bad_settings():
    m = build(members=["Shanghai", "Beijing"], stop=2010)
    assert m.dimensions["partner"].elements == ("Shanghai", "Beijing")
    with pytest.raises(ModelError, match="at least two"):
        build(members=["Shanghai"])
    with pytest.raises(ModelError, match="2004"):
        build("yrd", start=2010)
    with pytest.raises(ParameterError, match="Tianjin"):
        build("jjj", maximum_investment_share=0.5)


def test_unknown_constant_is_refused_by_name():
    with pytest.raises(ParameterError, match="monitorin"):
        build("yrd", monitorin=0.5)


def test_per_member_constants_take_one_value_or_one_per_member():
    m = build("jjj", stop=2006, base_productivity_growth=[0.03, 0.04, 0.05])
    assert m["base productivity growth"].value.tolist() == [0.03, 0.04, 0.05]
    with pytest.raises(ParameterError, match="one per member"):
        build("jjj", base_productivity_growth=[0.03, 0.04])
    with pytest.raises(ParameterError, match="capital_share takes one number"):
        build("jjj", capital_share=[0.4, 0.5, 0.6])


def test_initial_output_is_the_2004_gdp_in_the_2004_state():
    run = build("pprd", stop=2006).simulate()
    data = region_data(PRESETS["pprd"].members)
    np.testing.assert_allclose(run["output"].sel(time=2004.0).values, data.output0, rtol=1e-12)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_base_run_reproduces_order_of_magnitude_and_growth_of_real_gdp(key):
    run = build(key, stop=2018).simulate()
    model = run["output"].sel(time=[2004.0, 2018.0]).to_pandas()
    real = region_data(PRESETS[key].members).real_gdp
    ratio = model.loc[2018.0] / real.loc[2018]
    assert ((ratio > 0.4) & (ratio < 2.5)).all(), ratio      # same order of magnitude
    area = model.sum(axis=1)
    growth_model = (area[2018.0] / area[2004.0]) ** (1 / 14) - 1
    growth_data = (real.loc[2018].sum() / real.loc[2004].sum()) ** (1 / 14) - 1
    assert abs(growth_model - growth_data) < 0.03, (growth_model, growth_data)
    assert 0.06 < growth_model < 0.15


def test_zero_investment_lets_capital_decay_at_the_depreciation_rate():
    # with investment share 0 capital obeys dK/dt = -delta K: K(t) = K0 exp(-delta t)
    m = build("yrd", stop=2034, dt=0.125, saveper=1.0)
    run = m.simulate(params={"initial investment share": 0.0}, method="rk4")
    k = run["capital"]
    assert float(abs(run["investment"]).max()) == 0.0
    t = k["time"].values - 2004
    expected = k.isel(time=0).values[None, :] * np.exp(-0.096 * t)[:, None]
    np.testing.assert_allclose(k.values, expected, rtol=1e-6)


def test_output_is_monotone_in_capital_with_cobb_douglas_elasticity():
    m = build("jjj", stop=2030)
    k0 = np.asarray(m["capital initial"].value)
    factors = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
    run = m.simulate(params={"capital initial": factors[:, None] * k0}, n=len(factors))
    y = run["output"].transpose("run", "time", "member").values
    assert (np.diff(y[:, 0, :], axis=0) > 0).all()          # at the start: Y ~ K^alpha
    alpha = float(m["capital share"].value)  # Jing-Jin-Ji's pooled 0.538 (presets.toml);
    # duplicates start as a share of capital, so effective capital scales with capital too
    expected = np.broadcast_to(factors[:, None] ** alpha, y[:, 0, :].shape)
    np.testing.assert_allclose(y[:, 0, :] / y[2, 0, :], expected, rtol=1e-9)
    assert (np.diff(y[:, -1, :], axis=0) > 0).all()         # and still ordered in 2030


def test_integration_learning_fades_with_the_productivity_slowdown():
    # productivity' / productivity = (base growth + learning * member integration)
    # * exp(-slowdown (t - 2004)) + diffusion * catch-up (economy.py): the learning term's
    # share of growth at t, per unit of member integration, is exp(-slowdown (t - 2004)) of
    # its 2004 size. The earlier form added it undamped, a permanent growth rate to 2060.
    slowdown, learning, base = 0.05, 0.02, 0.03
    m = build("yrd", stop=2060, saveper=1.0)
    run = m.simulate(params={"productivity slowdown": slowdown,
                             "integration learning effect": learning,
                             "base productivity growth": base,
                             "technology diffusion rate": 0.0})
    rate = run["productivity growth"] / run["productivity"]
    t = rate["time"] - 2004
    damping = np.exp(-slowdown * t)
    learned = (rate - base * damping) / (learning * run["member integration"])
    for year in (2004.0, 2030.0, 2050.0, 2060.0):
        np.testing.assert_allclose(learned.sel(time=year).values,
                                   float(damping.sel(time=year)), rtol=1e-9)
    assert float(damping.sel(time=2050.0)) < 0.11  # 2050's term is a tenth of 2004's
