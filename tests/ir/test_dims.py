"""Named dimensions: broadcasting by name, reductions, selection, renaming, and their errors.

Expected numbers: the same arithmetic done by xarray on DataArrays with the same dimension
names (xarray's broadcasting by name is the behaviour the DSL promises to follow).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sdflow as sf

REGIONS = ["Shanghai", "Jiangsu", "Zhejiang"]
GDP = np.array([4.0, 12.0, 8.0])
TRADE = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 4.0], [5.0, 6.0, 0.0]])
WEIGHT = np.array([0.5, 2.0])


def build():
    m = sf.Model("dims", start=0, stop=1, dt=1)
    region = m.dim("region", REGIONS)
    partner = m.dim("partner", REGIONS)
    sector = m.dim("sector", ["farm", "factory"])
    gdp = m.const("gdp", GDP, dims=[region])
    trade = m.const("trade", TRADE, dims=[region, partner])
    weight = m.const("weight", WEIGHT, dims=[sector])
    return m, region, partner, sector, gdp, trade, weight


def expected_arrays():
    gdp = xr.DataArray(GDP, dims=["region"], coords={"region": REGIONS})
    partner_gdp = xr.DataArray(GDP, dims=["partner"], coords={"partner": REGIONS})
    trade = xr.DataArray(TRADE, dims=["region", "partner"],
                         coords={"region": REGIONS, "partner": REGIONS})
    weight = xr.DataArray(WEIGHT, dims=["sector"], coords={"sector": ["farm", "factory"]})
    return gdp, partner_gdp, trade, weight


@pytest.mark.parametrize("n", [1, 3])
def test_broadcasting_reductions_selection_and_rename_match_xarray(n):
    m, region, partner, sector, gdp, trade, weight = build()
    m.aux("outer", gdp * weight, dims=[region, sector])
    m.aux("outer swapped", weight * gdp, dims=[sector, region])
    m.aux("pair product", gdp * gdp.rename(region=partner), dims=[region, partner])
    m.aux("weighted trade", trade * gdp.rename(region=partner) + gdp, dims=[region, partner])
    m.aux("exports", sf.sum(trade, over=partner), dims=[region])
    m.aux("imports", sf.sum(trade, over=region), dims=[partner])
    m.aux("mean trade", sf.mean(trade, over=partner), dims=[region])
    m.aux("smallest", sf.min(trade + gdp, over=region), dims=[partner])
    m.aux("largest", sf.max(trade * weight, over=partner), dims=[region, sector])
    m.aux("product", sf.prod(gdp, over=region))
    m.aux("share", gdp / sf.sum(gdp, over=region), dims=[region])
    m.aux("jiangsu", gdp.sel(region="Jiangsu"))
    m.aux("by position", gdp.sel(region=2))
    m.aux("cell", trade.sel(region="Zhejiang", partner="Shanghai"))
    m.aux("row", trade.sel(region="Jiangsu"), dims=[partner])
    m.aux("column", trade.sel(partner="Jiangsu"), dims=[region])
    m.aux("transposed", trade.rename(region=partner, partner=region), dims=[region, partner])
    run = m.simulate(n=n)

    g, pg, t, w = expected_arrays()
    expected = {
        "outer": (g * w).transpose("region", "sector"),
        "outer swapped": (g * w).transpose("sector", "region"),
        "pair product": g * pg,
        "weighted trade": t * pg + g,
        "exports": t.sum("partner"), "imports": t.sum("region"),
        "mean trade": t.mean("partner"), "smallest": (t + g).min("region"),
        "largest": (t * w).max("partner").transpose("region", "sector"),
        "product": g.prod("region"), "share": g / g.sum("region"),
        "jiangsu": g.sel(region="Jiangsu"), "by position": g.isel(region=2),
        "cell": t.sel(region="Zhejiang", partner="Shanghai"),
        "row": t.sel(region="Jiangsu"), "column": t.sel(partner="Jiangsu"),
        "transposed": xr.DataArray(TRADE.T, dims=["region", "partner"]),
    }
    for name, value in expected.items():
        got = run[name].isel(time=-1)
        if n > 1:
            assert got.dims[0] == "run"
            got = got.isel(run=n - 1)
        np.testing.assert_allclose(got.values, value.values, err_msg=name)
        assert got.dims == value.dims, name


def test_select_on_per_run_constants():
    m, region, partner, sector, gdp, trade, weight = build()
    m.aux("jiangsu", gdp.sel(region="Jiangsu"))
    m.aux("cell", trade.sel(region="Jiangsu", partner="Zhejiang"))
    run = m.simulate(params={"gdp": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
                             "trade": TRADE * 2})
    np.testing.assert_allclose(run["jiangsu"].values[-1], [2.0, 5.0])
    np.testing.assert_allclose(run["cell"].values[-1], [8.0, 8.0])


def test_stock_over_two_dimensions():
    m, region, partner, sector, gdp, trade, weight = build()
    flows = m.stock("flows", initial=trade, dims=[region, partner])
    m.flow("growth", 0.1 * flows * gdp.rename(region=partner), sink=flows,
           dims=[region, partner])
    run = m.simulate()
    np.testing.assert_allclose(run["flows"].values[-1], TRADE * (1 + 0.1 * GDP[None, :]))


@pytest.mark.parametrize("build_bad, fragment", [
    (lambda m, r, p, s, g, t, w: m.aux("bad", g * w, dims=[r]),
     "'bad': is declared over (region) but its equation also varies over (sector)"),
    (lambda m, r, p, s, g, t, w: m.aux("bad", sf.sum(g, over=s)),
     "sum(..., over=sector) of an expression that does not vary over 'sector'"),
    (lambda m, r, p, s, g, t, w: m.aux("bad", g.sel(sector="farm")),
     "selects sector='farm' from an expression that does not vary over 'sector'"),
    (lambda m, r, p, s, g, t, w: m.aux("bad", g.sel(region="Anhui")),
     "has no element 'Anhui'"),
    (lambda m, r, p, s, g, t, w: m.aux("bad", g.rename(region=s)),
     "renames 'region' (3 elements) as 'sector' (2 elements)"),
    (lambda m, r, p, s, g, t, w: m.aux("bad", t.rename(region=p)),
     "renames 'region' as 'partner', which the expression already varies over"),
    (lambda m, r, p, s, g, t, w: (o := m.dim("other", REGIONS)) and m.aux(
        "bad", t.rename(region=o, partner=o)),
     "renames ['region', 'partner'] onto one dimension twice"),
    (lambda m, r, p, s, g, t, w: m.stock("bad", initial=g),
     "'bad': is a scalar stock but its initial value varies over (region)"),
])
def test_dimension_errors_name_the_variable(build_bad, fragment):
    m, *rest = build()
    build_bad(m, *rest)
    with pytest.raises(sf.DimensionError) as info:
        m.check()
    assert fragment in str(info.value)
    assert "bad" in info.value.variables


def test_flow_with_more_dims_than_its_stock():
    m, region, partner, sector, gdp, trade, weight = build()
    total = m.stock("total", initial=0.0, dims=[region])
    m.flow("inflow", trade, sink=total, dims=[region, partner])
    with pytest.raises(sf.DimensionError, match="receives flow 'inflow'") as info:
        m.check()
    assert "sum the flow over partner" in str(info.value)


def test_dimension_declaration_errors():
    m = sf.Model("m", start=0, stop=1, dt=1)
    with pytest.raises(sf.DimensionError, match=r"lists element\(s\) \['a'\] more than once"):
        m.dim("region", ["a", "b", "a"])
    with pytest.raises(sf.DimensionError, match="needs at least one element"):
        m.dim("empty", [])
    region = m.dim("region", ["a", "b"])
    with pytest.raises(sf.DuplicateNameError, match="dimension 'region' is declared twice"):
        m.dim("region", ["c"])
    with pytest.raises(sf.DimensionError, match=r"'x': value has shape \(3,\)"):
        m.const("x", [1, 2, 3], dims=[region])
    with pytest.raises(sf.ModelError, match="repeats a dimension"):
        m.const("y", np.ones((2, 2)), dims=[region, region])
    with pytest.raises(sf.ModelError, match="unknown dimension 'sector'"):
        m.const("z", 1.0, dims=["sector"])
    by_element = m.const("by element", {"b": 2.0, "a": 1.0}, dims=[region])
    assert by_element.value.tolist() == [1.0, 2.0]
    with pytest.raises(sf.DimensionError, match=r"unknown \['c'\], missing \['b'\]"):
        m.const("w", {"a": 1.0, "c": 2.0}, dims=[region])


def test_select_by_numeric_label_or_position():
    """Integers select by position, unless they are an element's name (years)."""
    m = sf.Model("m", start=0, stop=1, dt=1)
    year = m.dim("year", [2019, 2020, 2021])
    value = m.const("value", [1.0, 2.0, 3.0], dims=[year])
    m.aux("in 2020", value.sel(year=2020))
    m.aux("last", value.sel(year=-1))
    m.aux("by label text", value.sel(year="2019"))
    run = m.simulate()
    assert run["in 2020"].values.tolist() == [2.0, 2.0]
    assert run["last"].values.tolist() == [3.0, 3.0]
    assert run["by label text"].values.tolist() == [1.0, 1.0]
    m.aux("missing", value.sel(year=2030))
    with pytest.raises(sf.DimensionError, match=r"has no element 2030; its elements are"):
        m.check()
