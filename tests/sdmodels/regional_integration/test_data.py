"""Data-derived initial values (sdmodels/regional_integration/data.py).

Expected numbers come from the CSV files shipped with the model (data_files/, read here
independently with the csv module) and from the steady state of the perpetual inventory
recursion.
"""

import csv

import numpy as np
import pandas as pd
import pytest

from sdflow.errors import DataError
from sdmodels.regional_integration.data import (DATA_DIR, FISCAL_FILE, GDP_FILE,
                                                GDP_INDEX_FILE, PRICE_SHOCK_FILE,
                                                milestone_times, perpetual_inventory,
                                                price_shock, region_data)


def _csv_value(filename, province, year, column):
    with open(DATA_DIR / filename, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["province"] == province and int(row["year"]) == year:
                return float(row[column])
    raise AssertionError("row not found")


def test_initial_output_is_2004_gdp_from_the_file():
    d = region_data(["Shanghai", "Jiangsu", "Zhejiang", "Anhui"])
    expected = [_csv_value(GDP_FILE, p, 2004, "gdp_100m_yuan") for p in d.members]
    np.testing.assert_array_equal(d.output0, expected)
    # PROVENANCE.md check figures (post-4th-census vintage)
    assert d.nominal_gdp.loc[2018, "Jiangsu"] == pytest.approx(93208, abs=1)
    assert d.nominal_gdp.loc[2018, "Shanghai"] == pytest.approx(36012, abs=1)


def test_real_gdp_equals_nominal_in_the_base_year_and_grows_slower():
    d = region_data(["Beijing", "Tianjin", "Hebei"])
    np.testing.assert_allclose(d.real_gdp.loc[2004], d.nominal_gdp.loc[2004])
    assert (d.real_gdp.loc[2018] < d.nominal_gdp.loc[2018]).all()


def test_real_gdp_grows_at_the_nbs_index_in_every_year_2018_included():
    # PROVENANCE.md check figure: Shanghai's GDP index 2008 = 109.7 (previous year = 100)
    d = region_data(["Shanghai", "Jiangsu"])
    growth = d.real_gdp.loc[2008, "Shanghai"] / d.real_gdp.loc[2007, "Shanghai"]
    assert growth == pytest.approx(1.097)
    index_2018 = _csv_value(GDP_INDEX_FILE, "Jiangsu", 2018, "gdp_index_prev_year_eq_100")
    assert d.real_gdp.loc[2018, "Jiangsu"] / d.real_gdp.loc[2017, "Jiangsu"] == \
        pytest.approx(index_2018 / 100)


def test_tax_share_is_2004_budget_revenue_over_gdp():
    d = region_data(["Hainan", "Guangdong"])
    revenue = _csv_value(FISCAL_FILE, "Hainan", 2004, "budget_revenue_100m_yuan")
    gdp = _csv_value(GDP_FILE, "Hainan", 2004, "gdp_100m_yuan")
    assert d.tax_share0[0] == pytest.approx(revenue / gdp)
    assert d.real_fiscal_revenue.loc[2004, "Hainan"] == pytest.approx(revenue)


def test_central_milestones_follow_the_milestones_file():
    # regional_cooperation_milestones.csv: YRD 2008, 2010, 2016, 2018-19; JJJ 2015;
    # Pan-PRD 2004 (the framework agreement of 3 June)
    assert [int(t) for t in milestone_times("YRD")] == [2008, 2010, 2016, 2018, 2019]
    assert [int(t) for t in milestone_times("JJJ")] == [2015]
    assert milestone_times("PPRD")[0] == pytest.approx(2004 + 154 / 365)


def test_perpetual_inventory_reaches_the_analytic_steady_state():
    # I growing at g: K = I (1 + g) / (g + delta) once the initial guess has decayed
    g, delta = 0.08, 0.096
    invest = pd.Series([5.0 * (1 + g) ** k for k in range(53)], index=range(1952, 2005))
    k = perpetual_inventory(invest, delta=delta, until=2004)
    assert k == pytest.approx(invest[2003] * (1 + g) / (g + delta), rel=1e-3)


def test_investment_share_matches_gfcf_over_gdp():
    d = region_data(["Tianjin"] + ["Hebei"])
    gfcf = _csv_value("china_provincial_gfcf_1952_2017.csv", "Tianjin", 2004, "gfcf_100m_yuan")
    gdp = _csv_value(GDP_FILE, "Tianjin", 2004, "gdp_100m_yuan")
    assert d.investment_share0[0] == pytest.approx(gfcf / gdp)


def test_unknown_province_names_the_file_and_the_province():
    with pytest.raises(DataError, match="Atlantis"):
        region_data(["Beijing", "Atlantis"])


def test_price_shock_is_the_file_over_its_2004_value():
    def value(area, year):
        with open(DATA_DIR / PRICE_SHOCK_FILE, newline="") as handle:
            for row in csv.DictReader(handle):
                if row["area"] == area and int(row["year"]) == year:
                    return float(row["shock"])
        raise AssertionError("row not found")
    shock = price_shock("jjj")
    assert shock[2004] == 1.0
    assert shock[2011] == pytest.approx(value("jjj", 2011) / value("jjj", 2004), rel=1e-12)
    # custom areas: the mean over every pair
    assert price_shock(None)[2011] == pytest.approx(value("all", 2011) / value("all", 2004),
                                                    rel=1e-12)
    with pytest.raises(DataError, match="no rows for area 'prd'"):
        price_shock("prd")
