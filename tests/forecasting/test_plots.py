"""Figures: one panel per scenario and element, sensitivity bars sorted."""

import numpy as np
import pandas as pd
import xarray as xr

from sdflow.forecasting.plots import difference_chart, fan_chart, save_figure, sensitivity_chart

Q = np.array([0.05, 0.25, 0.5, 0.75, 0.95])


def _bands(scenarios=("base", "policy"), elements=("a", "b", "c")):
    values = np.ones((len(Q), len(scenarios), 4, len(elements))) * Q[:, None, None, None]
    return xr.Dataset({"x": (("quantile", "scenario", "time", "region"), values,
                             {"units": "yuan"})},
                      coords={"quantile": Q, "scenario": list(scenarios),
                              "time": [0, 1, 2, 3], "region": list(elements)})


def test_fan_chart_grid_and_reference_line(tmp_path):
    fig = fan_chart(_bands(), "x")
    assert len(fig.axes) == 6  # 3 elements x 2 scenarios
    assert [ax.get_title() for ax in fig.axes[:2]] == ["base", "policy"]
    assert len(fig.axes[1].lines) == 2  # median + the reference scenario's median
    path = save_figure(fig, tmp_path / "fan.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_difference_chart_skips_the_reference():
    fig = difference_chart(_bands(), "x", "base")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
    assert [line.get_label() for line in fig.axes[0].lines][0] == "policy"


def test_sensitivity_chart_largest_on_top():
    table = pd.DataFrame({"output": ["y"] * 3, "parameter": ["a", "b", "c"],
                          "mu_star": [0.1, 3.0, 1.0], "mu_star_conf": [0.01] * 3})
    ax = sensitivity_chart(table, "y").axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c", "b"]
