"""Market segmentation between provinces from relative prices (the relative-price method).

For provinces ``a`` and ``b``, category ``k`` and year ``t`` with chained price indices
``P`` (previous year = 100), the change of the log relative price is
``dQ = ln(P_a / 100) - ln(P_b / 100)``. Following Parsley and Wei (2001, "Explaining the
border effect", Journal of International Economics 55:87-105) and Gui, Chen and Lu (2006),
the measure uses ``|dQ|``, removes from it the part common to all province pairs (its mean
over every pair, per category and year: shocks that hit one good everywhere, such as a world
oil price), and takes the population variance of what is left over the categories. A pair
whose relative prices move apart differently from good to good trades in segmented markets;
the variance falls as the markets integrate.

Categories
    The measure must compare the same goods in every year, so by default it uses the
    categories present for every province in every year. Aggregates are left out: in the
    NBS retail price index ``all_items`` averages every category and ``food`` averages
    ``grain``, ``edible_oil``, ``meat_poultry``, ``eggs``, ``aquatic_products``,
    ``vegetables`` and ``fruit``; an aggregate among its own parts would count their prices
    twice and pull the variance towards them. The food sub-categories are kept rather than
    ``food`` because the literature compares single goods (Gui, Chen and Lu use grain and
    vegetables, not the food group).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from sdflow.errors import DataError

PROVINCE, YEAR, CATEGORY, INDEX = "province", "year", "category", "index_prev_year_eq_100"
PRICE_COLUMNS = (PROVINCE, YEAR, CATEGORY, INDEX)
"""Columns ``market_segmentation`` reads (those of the retail price index file)."""

AGGREGATE_CATEGORIES = ("all_items", "food")
"""Categories that are weighted means of other categories, never chosen by default."""

_SHOWN = 5  # offending rows quoted in an error message


def market_segmentation(prices: pd.DataFrame, categories=None) -> pd.DataFrame:
    """Segmentation of every pair of provinces in every year of ``prices``.

    Parameters
    ----------
    prices : DataFrame
        Long table with columns ``province``, ``year``, ``category`` and
        ``index_prev_year_eq_100`` (price index, previous year = 100), as in
        ``calibration/data/china_provincial_retail_price_index_by_category_2000_2018.csv``;
        other columns are ignored and rows with an empty index count as absent.
    categories : sequence of str, optional
        Categories to compare; each must be present for every province in every year.
        Default: `default_categories` (the complete ones other than the aggregates
        ``all_items`` and ``food``).

    Returns
    -------
    DataFrame
        Columns ``province_a``, ``province_b``, ``year``, ``segmentation``: each unordered
        pair once with ``province_a < province_b``, sorted by pair and year.
        ``segmentation`` is the population variance (ddof 0) over the categories of
        ``|ln(P_a/100) - ln(P_b/100)|`` minus its mean over all pairs in ``prices`` for that
        category and year. With only two provinces the de-meaned values are all 0.

    Raises
    ------
    DataError
        A required column is missing, an index is not positive, a (province, year,
        category) row is repeated, a chosen category is not complete, or fewer than two
        provinces or categories are left.

    Examples
    --------
    Three provinces, two goods, one year; only Beijing's ``grain`` and Hebei's ``fuel``
    prices rise, by 10 % and 21 %. With ``d = ln 1.1`` the gaps ``|dQ|`` (fuel, grain) are
    Beijing-Hebei ``(2d, d)``, Beijing-Tianjin ``(0, d)``, Hebei-Tianjin ``(2d, 0)``; the
    means over the pairs are ``(4d/3, 2d/3)``, so the variances are ``d**2/36``,
    ``25 d**2/36`` and ``16 d**2/36``:

    >>> import pandas as pd
    >>> prices = pd.DataFrame({
    ...     "province": ["Beijing", "Beijing", "Tianjin", "Tianjin", "Hebei", "Hebei"],
    ...     "year": 2010,
    ...     "category": ["grain", "fuel"] * 3,
    ...     "index_prev_year_eq_100": [110.0, 100.0, 100.0, 100.0, 100.0, 121.0]})
    >>> seg = market_segmentation(prices)
    >>> seg.round(6)
      province_a province_b  year  segmentation
    0    Beijing      Hebei  2010      0.000252
    1    Beijing    Tianjin  2010      0.006308
    2      Hebei    Tianjin  2010      0.004037
    """
    prices = _checked(prices)
    chosen = default_categories(prices) if categories is None else _complete(prices, categories)
    if len(chosen) < 2:
        raise DataError(f"segmentation needs at least two categories, got {chosen}: the "
                        "variance over one category is 0 for every pair; pass more categories "
                        "or prices that cover more of them")
    table = (prices[prices[CATEGORY].isin(chosen)]
             .pivot(index=[YEAR, CATEGORY], columns=PROVINCE, values=INDEX))
    provinces = sorted(table.columns)
    if len(provinces) < 2:
        raise DataError(f"segmentation needs at least two provinces, got {provinces}")
    years = sorted(table.index.get_level_values(YEAR).unique())
    # log index as (year, category, province), categories in the order given
    log_index = np.log(table.reindex(pd.MultiIndex.from_product([years, list(chosen)]))
                       [provinces].to_numpy(dtype=float) / 100.0)
    log_index = log_index.reshape(len(years), len(chosen), len(provinces))
    first, second = (np.array(side) for side in zip(*combinations(range(len(provinces)), 2)))
    gap = np.abs(log_index[:, :, first] - log_index[:, :, second])  # (year, category, pair)
    demeaned = gap - gap.mean(axis=2, keepdims=True)
    variance = demeaned.var(axis=1, ddof=0)  # (year, pair)
    names = np.array(provinces, dtype=object)
    return pd.DataFrame({
        "province_a": np.repeat(names[first], len(years)),
        "province_b": np.repeat(names[second], len(years)),
        "year": np.tile(np.asarray(years, dtype=int), len(first)),
        "segmentation": variance.T.reshape(-1),
    })


def default_categories(prices: pd.DataFrame) -> list:
    """Categories present for every province in every year of ``prices``, less aggregates.

    Examples
    --------
    >>> import pandas as pd
    >>> prices = pd.DataFrame({
    ...     "province": ["Anhui"] * 4 + ["Jiangsu"] * 3, "year": 2005,
    ...     "category": ["all_items", "fuel", "grain", "eggs", "all_items", "fuel", "grain"],
    ...     "index_prev_year_eq_100": 101.0})
    >>> default_categories(prices)
    ['fuel', 'grain']
    """
    prices = _checked(prices)
    complete = _completeness(prices)
    return sorted(c for c, whole in complete.items()
                  if whole and c not in AGGREGATE_CATEGORIES)


def _completeness(prices: pd.DataFrame) -> pd.Series:
    """Whether each category has a row for every (province, year) of ``prices``."""
    cells = prices[PROVINCE].nunique() * prices[YEAR].nunique()
    return prices.groupby(CATEGORY).size() == cells


def _complete(prices: pd.DataFrame, categories) -> list:
    chosen = [categories] if isinstance(categories, str) else list(categories)
    counts = prices.groupby(CATEGORY).size()
    unknown = [c for c in chosen if c not in counts.index]
    if unknown:
        raise DataError(f"no price rows for category {unknown}; categories in the data are "
                        f"{sorted(counts.index)}")
    complete = _completeness(prices)
    partial = [c for c in chosen if not complete[c]]
    if partial:
        grid = pd.MultiIndex.from_product([sorted(prices[PROVINCE].unique()),
                                           sorted(prices[YEAR].unique())])
        c = partial[0]
        have = pd.MultiIndex.from_frame(prices.loc[prices[CATEGORY] == c, [PROVINCE, YEAR]])
        missing = grid.difference(have)
        raise DataError(f"category {partial} is not present for every province in every year "
                        f"(e.g. {c!r} lacks {len(missing)} province-years such as "
                        f"{list(missing[:_SHOWN])}); the measure needs a fixed set of goods: "
                        "leave such categories out or restrict the years")
    return chosen


def _checked(prices) -> pd.DataFrame:
    """``prices`` with the four columns, rows with an index only, validated."""
    if not isinstance(prices, pd.DataFrame):
        raise DataError(f"prices must be a pandas DataFrame with columns {list(PRICE_COLUMNS)}, "
                        f"got {type(prices).__name__}")
    missing = [c for c in PRICE_COLUMNS if c not in prices.columns]
    if missing:
        raise DataError(f"prices: no column(s) {missing}; expected {list(PRICE_COLUMNS)} as in "
                        "the retail price index file, got "
                        f"{[str(c) for c in prices.columns]}")
    frame = prices.loc[prices[INDEX].notna(), list(PRICE_COLUMNS)]
    index = pd.to_numeric(frame[INDEX], errors="coerce")
    if index.isna().any():
        rows = frame.index[index.isna()]
        raise DataError(f"prices: column {INDEX!r} is not numeric in rows "
                        f"{list(rows[:_SHOWN])}")
    bad = frame.index[index <= 0]
    if len(bad):
        shown = frame.loc[bad[:_SHOWN], [PROVINCE, YEAR, CATEGORY, INDEX]]
        raise DataError(f"prices: column {INDEX!r} must be positive (previous year = 100); "
                        f"{len(bad)} row(s) are not, rows {list(bad[:_SHOWN])}:\n"
                        f"{shown.to_string()}")
    repeated = frame.duplicated([PROVINCE, YEAR, CATEGORY], keep=False)
    if repeated.any():
        shown = frame.loc[repeated, [PROVINCE, YEAR, CATEGORY]].head(_SHOWN)
        raise DataError(f"prices: {int(repeated.sum())} rows repeat a (province, year, "
                        f"category), rows {list(frame.index[repeated][:_SHOWN])}:\n"
                        f"{shown.to_string()}\nkeep one row per province, year and category")
    return frame.assign(**{INDEX: index.astype(float)})
