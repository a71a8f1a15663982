"""Calibrated parameter files and posterior draws as forecast inputs."""

import numpy as np
import pytest

import sdflow as sf
from sdflow.forecasting.calibrated import read_parameters, read_posterior

from .models import regions


def test_parameter_file_values_intervals_and_elements(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[parameters]\n"rate[south]" = { estimate = 0.01, lower = 0.0, '
                    'upper = 0.02 }\n"output initial" = [1, 2, 3]\n')
    values, intervals = read_parameters(path, regions().graph())
    assert values["rate"].tolist() == [0.05, 0.04, 0.01]
    assert values["output initial"].tolist() == [1.0, 2.0, 3.0]
    low, high = intervals["rate"]
    assert low.tolist() == [0.05, 0.04, 0.0] and high.tolist() == [0.05, 0.04, 0.02]


def test_posterior_csv_columns_by_element(tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("draw,rate[north],rate[south],log_posterior\n0,0.1,0.3,-5\n1,0.2,0.4,-6\n")
    draws = read_posterior(path, regions().graph())
    np.testing.assert_array_equal(draws.values["rate"], [[0.1, 0.04, 0.3], [0.2, 0.04, 0.4]])


def test_bad_files_are_clear_errors(tmp_path):
    graph = regions().graph()
    with pytest.raises(sf.DataError, match="does not exist"):
        read_parameters(tmp_path / "none.toml", graph)
    bad = tmp_path / "bad.toml"
    bad.write_text('[parameters]\n"rate[west]" = 1\n')
    with pytest.raises(sf.DimensionError, match="no element 'west'"):
        read_parameters(bad, graph)
    bad.write_text('[parameters]\nspeed = 1\n')
    with pytest.raises(sf.SpecError, match="'speed' is not a constant"):
        read_parameters(bad, graph)


def test_calibration_params_json(tmp_path):
    # the layout `sdflow calibrate` writes: point estimates, profile and Wald limits
    path = tmp_path / "params.json"
    path.write_text('{"params": {"rate[north]": 0.06, "output initial": 2.0}, '
                    '"intervals": {"rate[north]": {"wald": [0.01, 0.2], '
                    '"profile": [0.03, null]}}}')
    values, intervals = read_parameters(path, regions().graph())
    assert values["rate"].tolist() == [0.06, 0.04, 0.03]
    assert values["output initial"].tolist() == [2.0, 2.0, 2.0]
    low, high = intervals["rate"]
    assert low[0] == 0.03 and high[0] == 0.2  # profile where closed, Wald where open
