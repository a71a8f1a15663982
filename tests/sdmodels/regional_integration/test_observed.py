"""Observed series of the regional model (sdmodels/regional_integration/observed.py).

Expected numbers come from the CSV files in calibration/data (quoted in the comments) and
from `market_segmentation`, whose own numbers are checked by hand in test_segmentation.py.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sdflow.errors import DataError
from sdmodels.regional_integration import PRESETS, market_segmentation
from sdmodels.regional_integration.observed import (DATA_DIR, GDP_INDEX_FILE, fiscal_revenue,
                                                    national_segmentation, observed_segmentation,
                                                    price_shock_by_area, real_gdp,
                                                    relative_price_shock, segmentation_by_area)

ROOT = Path(__file__).resolve().parents[3]


def _script():
    spec = importlib.util.spec_from_file_location("observed_series",
                                                  ROOT / "scripts" / "observed_series.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- segmentation per member ---------------------------------------------------------------

def test_member_value_is_the_mean_over_its_partners_of_the_national_pairs():
    pairs = national_segmentation().set_index(["province_a", "province_b", "year"])["segmentation"]
    seg = observed_segmentation(["Shanghai", "Jiangsu", "Zhejiang"], window=1)
    got = seg.set_index(["member", "year"])
    # Shanghai's partners: Jiangsu and Zhejiang (pairs are stored alphabetically)
    expected = (pairs["Jiangsu", "Shanghai", 2010] + pairs["Shanghai", "Zhejiang", 2010]) / 2
    assert got.loc[("Shanghai", 2010), "segmentation"] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(got["segmentation"], got["segmentation_raw"], rtol=0)


def test_pairs_are_de_meaned_over_all_provinces_not_only_the_area():
    # With the two members alone every de-meaned value is 0 (test_segmentation.py); the
    # national cross-section gives the pair a positive value.
    nat = observed_segmentation(["Beijing", "Tianjin"], window=1)
    prices = pd.read_csv(DATA_DIR / "china_provincial_retail_price_index_by_category_2000_2018.csv")
    alone = market_segmentation(prices[prices["province"].isin(["Beijing", "Tianjin"])])
    assert (alone["segmentation"].abs() < 1e-20).all()
    assert (nat["segmentation"] > 0).all()


def test_smoothing_is_a_centred_three_year_mean_shrinking_at_the_ends():
    seg = observed_segmentation(["Beijing", "Tianjin", "Hebei"]).set_index(["member", "year"])
    raw = seg["segmentation_raw"]
    assert seg.loc[("Hebei", 2008), "segmentation"] == pytest.approx(
        (raw["Hebei", 2007] + raw["Hebei", 2008] + raw["Hebei", 2009]) / 3, rel=1e-12)
    assert seg.loc[("Hebei", 2018), "segmentation"] == pytest.approx(
        (raw["Hebei", 2017] + raw["Hebei", 2018]) / 2, rel=1e-12)
    assert seg.loc[("Hebei", 2000), "segmentation"] == pytest.approx(
        (raw["Hebei", 2000] + raw["Hebei", 2001]) / 2, rel=1e-12)


def test_selected_years_are_smoothed_with_their_neighbours():
    full = observed_segmentation(["Anhui", "Jiangsu"]).set_index(["member", "year"])
    some = observed_segmentation(["Anhui", "Jiangsu"], years=[2004, 2018])
    assert some["year"].tolist() == [2004, 2018, 2004, 2018]
    np.testing.assert_allclose(some["segmentation"],
                               full.loc[list(zip(some["member"], some["year"])), "segmentation"])


def test_segmentation_falls_from_2004_to_2018_in_every_area():
    # The check the regional model v2 issue asks for: the area mean (smoothed) in 2018 is
    # below 2004 in all three presets, and the log-linear trend of the yearly series is down.
    table = segmentation_by_area()
    years = np.arange(2004, 2019)
    for key in PRESETS:
        mean = table[table["area"] == key].groupby("year")[["segmentation",
                                                             "segmentation_raw"]].mean()
        assert mean.loc[2018, "segmentation"] < mean.loc[2004, "segmentation"], key
        assert np.polyfit(years, np.log(mean.loc[years, "segmentation_raw"]), 1)[0] < 0, key


def test_committed_segmentation_csv_is_what_the_function_computes():
    committed = pd.read_csv(DATA_DIR / _script().SEGMENTATION_CSV)
    pd.testing.assert_frame_equal(committed, segmentation_by_area(), check_exact=False,
                                  rtol=1e-12)


def test_bad_members_or_window_are_refused():
    with pytest.raises(DataError, match=r"no province \['Shangai'\]"):
        observed_segmentation(["Shangai", "Jiangsu"])
    with pytest.raises(DataError, match="at least two different provinces"):
        observed_segmentation(["Jiangsu"])
    with pytest.raises(DataError, match="odd positive"):
        observed_segmentation(["Anhui", "Jiangsu"], window=2)
    with pytest.raises(DataError, match=r"year\(s\) \[1999\]"):
        observed_segmentation(["Anhui", "Jiangsu"], years=[1999, 2004])


# --- real GDP and the GDP deflator ---------------------------------------------------------

def test_real_gdp_equals_nominal_in_2004():
    gdp = real_gdp()
    base = gdp[gdp["year"] == 2004]
    assert len(base) == 31
    np.testing.assert_array_equal(base["real_gdp_100m_yuan_2004_prices"], base["gdp_100m_yuan"])
    assert (base["gdp_deflator_2004_eq_1"] == 1.0).all()


def test_real_gdp_grows_by_the_gdp_index():
    gdp = real_gdp().pivot(index="year", columns="province",
                           values="real_gdp_100m_yuan_2004_prices")
    index = pd.read_csv(DATA_DIR / GDP_INDEX_FILE).pivot(
        index="year", columns="province", values="gdp_index_prev_year_eq_100")
    growth = gdp / gdp.shift(1) * 100
    np.testing.assert_allclose(growth.loc[2005:], index.loc[2005:2018, gdp.columns], rtol=1e-12)


def test_real_gdp_by_hand_for_shanghai_2006():
    # Shanghai: nominal GDP 2004 8101.6, 2006 10598.9; GDP index 2005 111.5, 2006 112.8
    # (calibration/data). Real 2006 = 8101.6 * 1.115 * 1.128 = 10189.544352;
    # deflator = 10598.9 / 10189.544352 = 1.0401741.
    row = real_gdp(["Shanghai"]).set_index("year").loc[2006]
    assert row["real_gdp_100m_yuan_2004_prices"] == pytest.approx(10189.544352, rel=1e-12)
    assert row["gdp_deflator_2004_eq_1"] == pytest.approx(1.0401741, rel=1e-7)


def test_committed_real_gdp_csv_is_what_the_function_computes():
    committed = pd.read_csv(DATA_DIR / _script().REAL_GDP_CSV)
    pd.testing.assert_frame_equal(committed, real_gdp(), check_exact=False, rtol=1e-12)


def test_unknown_province_is_named():
    with pytest.raises(DataError, match=r"no province \['Shangai'\]"):
        real_gdp(["Shangai"])


# --- fiscal revenue ------------------------------------------------------------------------

def test_fiscal_revenue_by_hand_for_shanghai_2006():
    # Shanghai budget revenue 2006 1576.0742 (calibration/data); deflated by 1.0401741
    # (above): 1515.20233; share of nominal GDP 1576.0742 / 10598.9 = 0.1487017.
    # Tax revenue is not published for 2006.
    row = fiscal_revenue(["Shanghai"]).set_index("year").loc[2006]
    assert row["budget_revenue_100m_yuan_2004_prices"] == pytest.approx(1515.20233, rel=1e-8)
    assert row["budget_revenue_share_of_gdp"] == pytest.approx(0.1487017, rel=1e-6)
    assert np.isnan(row["tax_revenue_100m_yuan_2004_prices"])


def test_fiscal_revenue_equals_nominal_in_2004_and_covers_every_province():
    fiscal = fiscal_revenue()
    assert len(fiscal) == 31 * 15
    base = fiscal[fiscal["year"] == 2004]
    np.testing.assert_array_equal(base["budget_revenue_100m_yuan_2004_prices"],
                                  base["budget_revenue_100m_yuan"])


def test_committed_fiscal_csv_is_what_the_function_computes():
    committed = pd.read_csv(DATA_DIR / _script().FISCAL_CSV)
    pd.testing.assert_frame_equal(committed, fiscal_revenue(), check_exact=False, rtol=1e-12)


def test_loaders_name_a_missing_file_or_column(tmp_path):
    with pytest.raises(DataError, match="missing"):
        real_gdp(gdp_path=tmp_path / "none.csv")
    bad = tmp_path / "index.csv"
    bad.write_text("province,year,gdp_index\nAnhui,2005,110\n")
    with pytest.raises(DataError, match=r"no column\(s\) \['gdp_index_prev_year_eq_100'\]"):
        real_gdp(index_path=bad)


# --- nationwide relative-price shocks --------------------------------------------------------

def test_price_shock_is_the_mean_over_the_pairs_outside_the_area():
    pairs = national_segmentation()
    members = ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"]
    year = pairs[pairs["year"] == 2008]
    outside = year[~year["province_a"].isin(members) & ~year["province_b"].isin(members)]
    assert len(outside) == 27 * 26 // 2  # 31 provinces less the 4 members
    shock = relative_price_shock(members, window=1).set_index("year")
    assert shock.loc[2008, "shock"] == pytest.approx(outside["segmentation"].mean(), rel=1e-12)
    assert shock.loc[2008, "pairs"] == 351
    # no area: every pair
    every = relative_price_shock(window=1).set_index("year")
    assert every.loc[2008, "shock"] == pytest.approx(year["segmentation"].mean(), rel=1e-12)


def test_price_shock_is_smoothed_like_the_segmentation_index():
    shock = relative_price_shock(["Beijing", "Tianjin", "Hebei"]).set_index("year")
    raw = shock["shock_raw"]
    assert shock.loc[2008, "shock"] == pytest.approx(raw.loc[2007:2009].mean(), rel=1e-12)
    assert shock.loc[2018, "shock"] == pytest.approx(raw.loc[2017:2018].mean(), rel=1e-12)


def test_committed_price_shock_csvs_are_what_the_function_computes():
    # the calibration's copy and the model's package data, both written by the script
    from sdmodels.regional_integration.data import DATA_DIR as PACKAGE_DATA
    for folder in (DATA_DIR, PACKAGE_DATA):
        committed = pd.read_csv(folder / _script().PRICE_SHOCK_CSV)
        pd.testing.assert_frame_equal(committed, price_shock_by_area(), check_exact=False,
                                      rtol=1e-12)


def test_price_shock_refuses_unknown_members_and_even_windows():
    with pytest.raises(DataError, match=r"no province \['Shangai'\]"):
        relative_price_shock(["Shangai", "Jiangsu"])
    with pytest.raises(DataError, match="odd positive"):
        relative_price_shock(["Anhui", "Jiangsu"], window=4)
