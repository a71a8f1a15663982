"""Report writing: files exist, tables hold the ensemble's own numbers."""

import numpy as np
import xarray as xr

from sdflow.forecasting.report import write_forecast, write_sensitivity
from sdflow.forecasting.sensitivity import SensitivityProblem, sobol_indices
from sdflow.forecasting import Uncertain
import sdflow as sf


def _ensemble_dataset():
    # run j of scenario s ends at (j + 1) * (s + 1): medians and differences are known
    runs = np.arange(1.0, 101.0)
    x = np.stack([np.outer(runs, [0.0, 1.0]) * (s + 1) for s in range(2)])
    return xr.Dataset({"x": (("scenario", "run", "time"), x, {"units": "yuan"}),
                       "failed": (("scenario", "run"), np.zeros((2, 100), bool))},
                      coords={"scenario": ["baseline", "policy"], "run": np.arange(100),
                              "time": [2020.0, 2030.0]})


def test_forecast_report_files_and_tables(tmp_path):
    written = write_forecast(_ensemble_dataset(), tmp_path, years=[2030],
                             thresholds=[{"variable": "x", "above": 90, "year": 2030}],
                             descriptions={"policy": "doubles x"})
    text = (tmp_path / "forecast_report.md").read_text()
    assert "| policy | doubles x | 0 |" in text
    # median of 1..100 is 50.5; policy doubles it; 90% band 5.95 .. 95.05 (linear)
    assert "| baseline | 50.5 [25.75, 75.25] [5.95, 95.05] |" in text
    assert "| policy | 50.5 | [5.95, 95.05] | +100.00% | 1.00 |" in text
    assert "| x | > 90 | 2030 | baseline | - | 0.100 |" in text
    assert "| x | > 90 | 2030 | policy | - | 0.550 |" in text
    assert (tmp_path / "fan_x.png").read_bytes()[:4] == b"\x89PNG"
    back = xr.open_dataset(written["ensemble"])
    np.testing.assert_array_equal(back["x"].values, _ensemble_dataset()["x"].values)
    back.close()


def test_sensitivity_report(tmp_path):
    m = sf.Model("lin", start=0, stop=1, dt=1)
    a, b = m.const("a", 0.0), m.const("b", 0.0)
    m.aux("y", a + 2 * b)
    table = sobol_indices(SensitivityProblem(m, [Uncertain("a", sf.uniform(0, 1)),
                                                 Uncertain("b", sf.uniform(0, 1))], ["y"],
                                             [1]), n=64)
    write_sensitivity(table, tmp_path)
    text = (tmp_path / "sensitivity_report.md").read_text()
    assert "## y @ 1" in text and text.index("| b |") < text.index("| a |")
    assert (tmp_path / "sensitivity_y_1.png").exists()


def test_zarr_store_or_a_clear_error(tmp_path):
    import importlib.util

    import pytest

    from sdflow.errors import SpecError
    from sdflow.forecasting.report import write_dataset

    ds = _ensemble_dataset()
    if importlib.util.find_spec("zarr") is None:
        with pytest.raises(SpecError, match="pip install zarr"):
            write_dataset(ds, tmp_path / "e.zarr")
    else:
        back = xr.open_zarr(write_dataset(ds, tmp_path / "e.zarr"))
        np.testing.assert_array_equal(back["x"].values, ds["x"].values)
