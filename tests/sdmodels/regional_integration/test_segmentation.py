"""Relative-price market segmentation (sdmodels/regional_integration/segmentation.py).

Expected numbers are worked out by hand in the comments from the definition (Parsley and Wei
2001; Gui, Chen and Lu 2006): per category and year ``|ln(P_a/100) - ln(P_b/100)|``, minus its
mean over all pairs, then the population variance over the categories.
"""

import math

import numpy as np
import pandas as pd
import pytest

from sdflow.errors import DataError
from sdmodels.regional_integration import market_segmentation
from sdmodels.regional_integration.segmentation import AGGREGATE_CATEGORIES, default_categories

PRICE_FILE = "calibration/data/china_provincial_retail_price_index_by_category_2000_2018.csv"


def _prices(table, year=2010):
    """Long price rows from {province: {category: index}}."""
    return pd.DataFrame([
        {"province": p, "year": year, "category": c, "index_prev_year_eq_100": v}
        for p, row in table.items() for c, v in row.items()])


def _by_pair(seg):
    return {(a, b, y): v for a, b, y, v in seg.itertuples(index=False)}


@pytest.fixture(scope="module")
def real_prices():
    from pathlib import Path
    return pd.read_csv(Path(__file__).resolve().parents[3] / PRICE_FILE)


def test_three_provinces_two_categories_by_hand():
    # d = ln 1.1; A all 100, B grain 110, C fuel 121 = 100 * 1.1**2, so ln(1.21) = 2d.
    # |dQ| (grain, fuel): AB (d, 0), AC (0, 2d), BC (d, 2d); means over pairs (2d/3, 4d/3).
    # De-meaned: AB (d/3, -4d/3), AC (-2d/3, 2d/3), BC (d/3, 2d/3). Variance of two values
    # x1, x2 (ddof 0) is (x1 - x2)**2 / 4: AB 25d²/36, AC 16d²/36, BC d²/36.
    d = math.log(1.1)
    prices = _prices({"A": {"grain": 100, "fuel": 100}, "B": {"grain": 110, "fuel": 100},
                      "C": {"grain": 100, "fuel": 121}})
    seg = market_segmentation(prices)
    assert list(seg.columns) == ["province_a", "province_b", "year", "segmentation"]
    got = _by_pair(seg)
    assert got.keys() == {("A", "B", 2010), ("A", "C", 2010), ("B", "C", 2010)}
    assert got["A", "B", 2010] == pytest.approx(25 * d * d / 36, rel=1e-12)
    assert got["A", "C", 2010] == pytest.approx(16 * d * d / 36, rel=1e-12)
    assert got["B", "C", 2010] == pytest.approx(d * d / 36, rel=1e-12)


def test_three_categories_two_years_are_measured_year_by_year():
    # 2010 as above plus a third category 'salt' at 100 everywhere (|dQ| 0 for all pairs).
    # AB de-meaned (d/3, -4d/3, 0): mean -d/3, variance ((2d/3)² + d² + (d/3)²)/3 = 14d²/27.
    # 2011: only B's salt rises to 110: |dQ| salt AB d, AC 0, BC d, mean 2d/3; AB de-meaned
    # (0, 0, d/3): mean d/9, variance ((d/9)² + (d/9)² + (2d/9)²)/3 = 2d²/81.
    d = math.log(1.1)
    first = _prices({"A": {"grain": 100, "fuel": 100, "salt": 100},
                     "B": {"grain": 110, "fuel": 100, "salt": 100},
                     "C": {"grain": 100, "fuel": 121, "salt": 100}}, 2010)
    second = _prices({"A": {"grain": 100, "fuel": 100, "salt": 100},
                      "B": {"grain": 100, "fuel": 100, "salt": 110},
                      "C": {"grain": 100, "fuel": 100, "salt": 100}}, 2011)
    got = _by_pair(market_segmentation(pd.concat([first, second])))
    assert got["A", "B", 2010] == pytest.approx(14 * d * d / 27, rel=1e-12)
    assert got["A", "B", 2011] == pytest.approx(2 * d * d / 81, rel=1e-12)


def test_two_identical_provinces_are_not_segmented():
    prices = _prices({"Anhui": {"grain": 104.0, "fuel": 97.5, "textiles": 101.2},
                      "Jiangsu": {"grain": 104.0, "fuel": 97.5, "textiles": 101.2}})
    assert market_segmentation(prices)["segmentation"].tolist() == [0.0]


def test_pair_appears_once_whatever_the_row_order_and_names():
    rng = np.random.default_rng(3)
    table = {p: {c: 100 + 5 * rng.standard_normal() for c in ("a", "b", "c", "d")}
             for p in ("Yunnan", "Anhui", "Hebei", "Guangxi")}
    prices = _prices(table)
    seg = market_segmentation(prices.sample(frac=1, random_state=1))
    assert len(seg) == 6 and (seg["province_a"] < seg["province_b"]).all()
    # symmetric: renaming so that every pair's alphabetical order flips gives the same values
    flipped = market_segmentation(prices.assign(province=prices["province"].map(
        {"Yunnan": "A", "Anhui": "Z", "Hebei": "M", "Guangxi": "N"})))
    back = {"A": "Yunnan", "Z": "Anhui", "M": "Hebei", "N": "Guangxi"}
    original = _by_pair(seg)
    for a, b, y, v in flipped.itertuples(index=False):
        key = tuple(sorted((back[a], back[b]))) + (y,)
        assert v == pytest.approx(original[key], rel=1e-12)


def test_a_national_price_shock_leaves_segmentation_unchanged(real_prices):
    rng = np.random.default_rng(7)
    prices = real_prices[real_prices["year"].between(2008, 2011)]
    shock = {key: rng.uniform(0.8, 1.25)
             for key in prices[["year", "category"]].drop_duplicates().itertuples(index=False)}
    factor = [shock[y, c] for y, c in zip(prices["year"], prices["category"])]
    shocked = prices.assign(index_prev_year_eq_100=prices["index_prev_year_eq_100"] * factor)
    base, moved = market_segmentation(prices), market_segmentation(shocked)
    pd.testing.assert_frame_equal(base[["province_a", "province_b", "year"]],
                                  moved[["province_a", "province_b", "year"]])
    np.testing.assert_allclose(moved["segmentation"], base["segmentation"], rtol=1e-9)


def test_real_data_covers_every_pair_and_is_non_negative(real_prices):
    seg = market_segmentation(real_prices)
    assert len(seg) == 31 * 30 // 2 * 19  # 465 pairs x 2000-2018
    assert (seg["segmentation"] >= 0).all()
    assert seg["segmentation"].notna().all()


def test_default_categories_leave_out_aggregates_and_incomplete_ones(real_prices):
    chosen = default_categories(real_prices)
    # 14 labels are complete 2000-2018 (PROVENANCE.md); all_items and food are aggregates
    assert len(chosen) == 12
    assert not set(chosen) & set(AGGREGATE_CATEGORIES)
    assert "vegetables" not in chosen  # from 2003 only
    later = default_categories(real_prices[real_prices["year"].between(2003, 2015)])
    assert {"vegetables", "eggs", "meat_poultry", "edible_oil"} <= set(later)


def test_explicit_categories_are_used_in_the_given_set():
    d = math.log(1.1)
    prices = _prices({"A": {"grain": 100, "fuel": 100, "salt": 100},
                      "B": {"grain": 110, "fuel": 100, "salt": 100},
                      "C": {"grain": 100, "fuel": 121, "salt": 100}})
    got = _by_pair(market_segmentation(prices, categories=["grain", "fuel"]))
    assert got["A", "B", 2010] == pytest.approx(25 * d * d / 36, rel=1e-12)  # salt ignored


def test_missing_column_is_named():
    prices = _prices({"A": {"grain": 100, "fuel": 100}, "B": {"grain": 110, "fuel": 100}})
    with pytest.raises(DataError, match="index_prev_year_eq_100"):
        market_segmentation(prices.drop(columns="index_prev_year_eq_100"))


def test_non_positive_index_names_the_row():
    prices = _prices({"A": {"grain": 100, "fuel": 0}, "B": {"grain": 110, "fuel": 100}})
    with pytest.raises(DataError, match=r"must be positive.*rows \[1\]"):
        market_segmentation(prices)


def test_repeated_rows_are_named():
    prices = _prices({"A": {"grain": 100, "fuel": 100}, "B": {"grain": 110, "fuel": 100}})
    with pytest.raises(DataError, match=r"repeat a \(province, year, category\).*rows \[0, 4\]"):
        market_segmentation(pd.concat([prices, prices.iloc[[0]]], ignore_index=True))


def test_incomplete_or_unknown_categories_are_refused():
    prices = _prices({"A": {"grain": 100, "fuel": 100, "eggs": 99},
                      "B": {"grain": 110, "fuel": 100}})
    with pytest.raises(DataError, match="'eggs' lacks 1 province-years"):
        market_segmentation(prices, categories=["grain", "eggs"])
    with pytest.raises(DataError, match=r"no price rows for category \['salt'\]"):
        market_segmentation(prices, categories=["grain", "salt"])
    with pytest.raises(DataError, match="at least two categories"):
        market_segmentation(prices, categories=["grain"])
