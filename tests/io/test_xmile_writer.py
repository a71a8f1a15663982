"""Round trip: a DSL model written to XMILE, read back by sdflow and by PySD (3.14, an
independent engine), gives the same trajectories as the original."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import sdflow as sf
from sdflow.io import UnsupportedFeatureError


def build_growth():
    m = sf.Model("growth", start=0, stop=20, dt=0.25, time_units="year")
    region = m.dim("region", ["north", "south", "east"])
    rate = m.const("growth rate", [0.06, 0.07, 0.08], dims=[region], units="1/year")
    capital = m.stock("capital", initial=[3.0, 9.0, 6.0], dims=[region], units="yuan")
    effect = m.lookup("effect of time", x=[0, 10, 20], y=[1, 0.6, 0.2])
    m.flow("investment", rate * capital * effect(m.time), sink=capital, units="yuan/year")
    loss = m.const("depreciation rate", 0.05, units="1/year")
    m.flow("depreciation", capital * loss, source=capital, units="yuan/year")
    total = m.aux("total capital", sf.sum(capital, over=region), units="yuan")
    m.aux("perceived total", sf.smooth(total, 3), units="yuan")
    m.aux("north share", capital.sel(region="north") / total)
    m.aux("policy", 1 + sf.step(0.5, 5) + sf.if_then_else(m.time > 10, 1, 0))
    m.data("price", pd.Series([1.0, 2.0, 1.5], index=[0.0, 10.0, 20.0]))
    m.aux("delayed total", sf.delay3(total, 2) + sf.delay_fixed(total, 1.5, 0))
    return m


VARIABLES = ["capital", "total capital", "perceived total", "north share", "policy",
             "price", "delayed total"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    model = build_growth()
    path = tmp_path_factory.mktemp("xmile") / "growth.xmile"
    sf.write_xmile(model, path)
    return model, path


def test_valid_xmile_document(written):
    _, path = written
    root = ET.parse(path).getroot()
    ns = {"x": "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"}
    assert root.tag == "{%s}xmile" % ns["x"] and root.get("version") == "1.0"
    assert root.find("x:sim_specs/x:dt", ns).text == "0.25"
    assert [e.get("name") for e in root.findall("x:dimensions/x:dim/x:elem", ns)] == \
        ["north", "south", "east"]
    stock = root.find("x:model/x:variables/x:stock[@name='capital']", ns)
    assert stock.find("x:units", ns).text == "yuan"
    assert {f.text for f in stock.findall("x:inflow", ns)} == {"investment"}


def test_round_trip_through_sdflow(written):
    model, path = written
    original = model.simulate().dataset
    again = sf.read_xmile(path).simulate().dataset
    for name in VARIABLES:
        np.testing.assert_allclose(again[name].values, original[name].values, rtol=1e-12,
                                   err_msg=name)


def test_round_trip_through_pysd(written):
    pysd = pytest.importorskip("pysd")
    model, path = written
    original = model.simulate().dataset
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pysd.read_xmile(str(path)).run()
    for region in ("north", "south", "east"):
        np.testing.assert_allclose(peer[f"capital[{region}]"].values,
                                   original["capital"].sel(region=region).values, rtol=1e-10)
    for name in VARIABLES[1:]:
        np.testing.assert_allclose(peer[name].values, original[name].values, rtol=1e-10,
                                   err_msg=name)


def test_constructs_without_xmile_form_are_refused(tmp_path):
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    m.aux("pulsed", sf.pulse(0.5, 0.1))
    with pytest.raises(UnsupportedFeatureError, match="'pulsed'.*pulse"):
        sf.write_xmile(m, tmp_path / "m.xmile")
    assert not (tmp_path / "m.xmile").exists()


def test_flagship_model_round_trip(tmp_path):
    # the regional integration model: arrayed stocks, transposed member x partner
    # tables, arrayed data series, means over a dimension
    from sdmodels.regional_integration.model import build
    model = build()
    path = tmp_path / "regional.xmile"
    sf.write_xmile(model, path)
    original = model.simulate().dataset
    again = sf.read_xmile(path).simulate().dataset.sel(time=original["time"])
    compared = 0
    for name in original.data_vars:
        if name in again.data_vars and "time" in original[name].dims:
            np.testing.assert_allclose(again[name].transpose(*original[name].dims).values,
                                       original[name].values, rtol=1e-12, atol=1e-12,
                                       err_msg=name)
            compared += 1
    assert compared > 50
