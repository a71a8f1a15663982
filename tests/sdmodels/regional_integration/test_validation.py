"""Validation tests of the regional integration model (Sterman 2000, Business Dynamics
ch. 21; Barlas 1996): extreme conditions, integration error, behaviour reproduction and
loop knock-out by holding a link at its value.

Expected values: the extreme conditions have answers that follow from the equations
(no capital, no output); integration error compares the model with itself under a halved
step and a fourth-order method; behaviour reproduction compares with the direction of the
measured segmentation index (falling 2004-2018 in all three areas, see
calibration/data/PROVENANCE.md).
"""

import numpy as np
import pytest

from sdmodels.regional_integration import PRESETS, build


def test_zero_capital_gives_zero_output_and_no_nan():
    m = build("yrd", stop=2030)
    k0 = np.asarray(m["capital initial"].value)
    run = m.simulate(params={"capital initial": np.stack([0 * k0, 0.05 * k0])}, n=2)
    output = run["output"].transpose("run", "time", "member").values
    assert np.isfinite(output).all()
    assert (output[0] == 0).all()                        # nothing to produce with
    assert (output[1] > 0).all()
    dup, cap = run["duplicate capacity"], run["capital"]
    assert float((dup - cap).max()) <= 1e-9              # duplicates are part of capital


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_integration_error_is_small(key):
    # Euler at dt 0.25 (the default) against Euler at dt 0.125 and RK4 at dt 0.125; output
    # within 1.5 %: Jing-Jin-Ji's pooled learning effect (0.041, presets.toml) makes its
    # early growth faster and its 2040 output differ by 1.02 % between the step sizes
    years = [2018.0, 2040.0]
    base = build(key, stop=2040).simulate()
    half = build(key, stop=2040, dt=0.125).simulate()
    rk4 = build(key, stop=2040, dt=0.125).simulate(method="rk4")
    for name, rtol, atol in [("output", 0.015, 0), ("member integration", 0.02, 0.005),
                             ("protectionism", 0.02, 0.005)]:
        a = base[name].sel(time=years).values
        for other in (half, rk4):
            np.testing.assert_allclose(a, other[name].sel(time=years).values, rtol=rtol,
                                       atol=atol, err_msg=name)


def test_holding_a_link_at_its_base_run_path_reproduces_the_base_run():
    # the knock-out cuts a loop without moving the operating point
    # the path is saved at every step, so the held series is exact where Euler reads it
    base = build("yrd", stop=2040, saveper=0.25).simulate()
    path = base["integration stake"].to_pandas()
    held = build("yrd", stop=2040, saveper=0.25, hold={"integration stake": path}).simulate()
    np.testing.assert_allclose(held["output"].values, base["output"].values, rtol=1e-9)
    assert held.dataset["integration stake"].attrs.get("kind") == "data"


def test_knocking_out_the_stake_in_integration_changes_a_policy_response():
    # monitoring from 2025: with R4/R5 closed, falling protection raises integration, which
    # raises the stake and lowers protection further; holding the stake at its base-run
    # path cuts that reinforcement, so the policy lowers protectionism less
    base = build("yrd", stop=2060, saveper=0.25).simulate()
    path = base["integration stake"].to_pandas()
    policy = {"monitoring_policy": 0.8}
    closed = build("yrd", stop=2060, **policy).simulate()
    opened = build("yrd", stop=2060, hold={"integration stake": path}, **policy).simulate()
    drop_closed = base["protectionism"].sel(time=2060.0) - closed["protectionism"].sel(time=2060.0)
    drop_open = base["protectionism"].sel(time=2060.0) - opened["protectionism"].sel(time=2060.0)
    assert (drop_closed > drop_open).all()


def test_hold_names_a_link_it_cannot_hold():
    from sdflow.errors import ModelError
    with pytest.raises(ModelError, match="trust"):
        build("yrd", hold={"trust": "initial"})
