"""The regional integration presets' specs against the real provincial data.

Expected: the model starts output at each member's 2004 GDP, and real GDP in 2004 prices
equals nominal GDP in 2004, so the simulated 2004 output equals the observed 2004 GDP
exactly; the GDP check values come from calibration/data/PROVENANCE.md.
"""

from pathlib import Path

import numpy as np
import pytest

from sdflow.calibrate import load_observations, load_spec
from sdflow.calibrate.problem import CalibrationProblem

SPECS = Path(__file__).resolve().parents[2] / "calibration" / "specs"


@pytest.mark.parametrize("name, members", [("jjj", 3), ("yrd", 4)])
def test_spec_aligns_model_and_data(name, members):
    spec = load_spec(SPECS / f"{name}.toml")
    model = spec.build_model()
    gdp, investment, revenue, segmentation = load_observations(spec, model)
    assert gdp.values.shape == (15, members) and investment.times[-1] == 2017
    assert revenue.values.shape == (15, members) and segmentation.times[0] == 2000
    observed = [s.between(*spec.fit_period) for s in (gdp, investment, revenue, segmentation)]
    problem = CalibrationProblem(model, list(zip(spec.series, observed)), spec.parameters)
    start = problem.initial()
    predicted = problem.predict(np.stack([start, start, np.clip(start * 1.1, problem.lower,
                                                                problem.upper)]))
    assert predicted[0].shape == (3, 11, members) and problem.batches == 1
    np.testing.assert_allclose(predicted[0][:, 0], np.broadcast_to(gdp.values[0], (3, members)),
                               rtol=1e-9)


def test_yrd_real_gdp_check_value():
    spec = load_spec(SPECS / "yrd.toml")
    gdp = load_observations(spec, spec.build_model())[0]
    # real GDP 2018 in 2004 prices < nominal 36,012 (PROVENANCE.md); 2004 = nominal 8,101.6
    assert gdp.values[-1, 0] < 36012 and gdp.values[0, 0] == pytest.approx(8101.6)
