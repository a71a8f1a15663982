"""Quantiles, exceedance and paired differences on hand-made ensembles."""

import numpy as np
import pytest
import xarray as xr

import sdflow as sf
from sdflow.forecasting.summary import (exceedance_probability, paired_differences,
                                     quantile_bands, values_at)


def _ds():
    x = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],       # scenario a: runs x times
                  [[2.0, 2.0], [6.0, 9.0], [np.nan, np.nan]]])  # scenario b: run 2 failed
    return xr.Dataset({"x": (("scenario", "run", "time"), x),
                       "failed": (("scenario", "run"), [[False] * 3, [False, False, True]])},
                      coords={"scenario": ["a", "b"], "time": [0.0, 1.0]})


def test_failed_runs_are_left_out():
    bands = quantile_bands(_ds(), quantiles=[0.5])
    assert bands["x"].sel(quantile=0.5).values.tolist() == [[3.0, 4.0], [4.0, 5.5]]
    p = exceedance_probability(_ds(), "x", 2.5)
    assert p.values.tolist() == [[2 / 3, 2 / 3], [0.5, 0.5]]
    assert exceedance_probability(_ds(), "x", 2.5, above=False).values.tolist()[1] == [0.5,
                                                                                        0.5]


def test_paired_differences_by_run():
    d = paired_differences(_ds(), reference="a")["x"].sel(scenario="b")
    assert d.values[:2].tolist() == [[1.0, 0.0], [3.0, 5.0]]
    assert np.isnan(d.values[2]).all()
    r = paired_differences(_ds(), relative=True)["x"].sel(scenario="b", time=0.0)
    assert r.values[:2].tolist() == pytest.approx([1.0, 1.0])


def test_errors_name_the_problem():
    with pytest.raises(sf.SpecError, match=r"'y' is not an output.*\['x'\]"):
        quantile_bands(_ds(), ["y"])
    with pytest.raises(sf.SpecError, match="reference scenario 'c'"):
        paired_differences(_ds(), reference="c")
    with pytest.raises(sf.SpecError, match=r"years \[5\] are not saved times"):
        values_at(_ds(), [5])
