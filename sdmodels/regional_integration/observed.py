"""Observed series the regional model is calibrated against, derived from the provincial data.

* `observed_segmentation`: each member's market segmentation against its partners in the
  area, from relative retail prices (see `segmentation`); `segmentation_by_area` for the
  presets;
* `relative_price_shock`: the mean segmentation of the province pairs outside an area, the
  nationwide relative-price conditions the area's own index moves with;
* `real_gdp`: GDP in constant 2004 prices from the NBS GDP index, and the implied deflator;
* `fiscal_revenue`: budget and tax revenue in 2004 prices and as shares of GDP.

Every loader takes the path of its file (default: the file in ``calibration/data/``, described
in PROVENANCE.md there), so the same functions read package data later.
``scripts/observed_series.py`` writes the derived CSV files from these functions.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from sdflow.errors import DataError

from .presets import PRESETS
from .segmentation import market_segmentation

DATA_DIR = Path(__file__).resolve().parents[2] / "calibration" / "data"
RETAIL_PRICE_FILE = "china_provincial_retail_price_index_by_category_2000_2018.csv"
GDP_FILE = "china_provincial_gdp_2004_2018.csv"
GDP_INDEX_FILE = "china_provincial_gdp_index_2000_2018.csv"
FISCAL_FILE = "china_provincial_fiscal_2000_2018.csv"

BASE_YEAR = 2004
"""Price base of the model: real series are in constant 2004 prices."""

SMOOTHING_WINDOW = 3
"""Years in the centred rolling mean that smooths the segmentation series."""


def read_table(filename: str, columns, path=None, key=("province", "year")) -> pd.DataFrame:
    """The CSV ``path`` (default ``DATA_DIR / filename``), checked for ``columns``.

    Rows must be unique on the ``key`` columns (none checked when ``key`` is empty).

    Examples
    --------
    >>> read_table(GDP_FILE, ["province", "year", "gdp_100m_yuan"]).shape
    (465, 3)
    """
    path = DATA_DIR / filename if path is None else Path(path)
    if not path.exists():
        raise DataError(f"data file {path} is missing; {filename} ships with the repository "
                        "in calibration/data/")
    return _read_csv(path, tuple(columns), tuple(key)).copy()  # the cache stays untouched


@functools.lru_cache(maxsize=8)
def _read_csv(path: Path, columns: tuple, key: tuple) -> pd.DataFrame:
    frame = pd.read_csv(path)
    missing = [c for c in (*columns, *key) if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: no column(s) {missing}; columns are {list(frame.columns)}")
    repeated = frame.duplicated(list(key), keep=False) if key else frame.index < 0
    if repeated.any():
        raise DataError(f"{path}: file lines {list(frame.index[repeated][:5] + 2)} repeat the "
                        f"same {list(key)}; keep one row each")
    return frame


def _wide(frame: pd.DataFrame, column: str, provinces=None) -> pd.DataFrame:
    """One column per province, years as index, checked for unknown provinces."""
    wide = frame.pivot(index="year", columns="province", values=column).astype(float)
    if provinces is None:
        return wide
    provinces = [provinces] if isinstance(provinces, str) else list(provinces)
    unknown = [p for p in provinces if p not in wide.columns]
    if unknown:
        raise DataError(f"no province {unknown} in the {column!r} data; known provinces are "
                        f"{sorted(wide.columns)}")
    return wide[provinces]


def _long(wide: pd.DataFrame, column: str) -> pd.Series:
    return wide.stack().rename(column).rename_axis(["year", "province"])


def observed_segmentation(members, years=None, window: int = SMOOTHING_WINDOW,
                          path=None) -> pd.DataFrame:
    """Each member's market segmentation against the other members, by year, smoothed.

    Pairwise segmentation (`market_segmentation`, default categories) is de-meaned over all
    31 provinces, the national cross-section, as in Gui, Chen and Lu (2006), so a pair's value
    does not depend on which area it is looked at in. A member's value is the mean over its
    partners in ``members`` (itself excluded). The yearly values jump in inflation years
    (2004, 2007-2008, 2011), so they are smoothed by a centred rolling mean of ``window``
    years; at the two ends of the data the window shrinks to the years that exist (2018 is
    the mean of 2017 and 2018). A centred mean is chosen over an exponential smooth because it
    does not shift the series in time, which matters when the model's trend is fitted to it.

    Parameters
    ----------
    members : sequence of str
        Province names as in the data, at least two.
    years : sequence of int, optional
        Years to return (default: all, 2000-2018). Smoothing uses the neighbouring years
        even when they are not returned.
    window : int
        Odd number of years of the centred rolling mean; 1 leaves the series unsmoothed.
    path : str or Path, optional
        The retail price index file (default: the one in ``calibration/data``).

    Returns
    -------
    DataFrame
        Columns ``member``, ``year``, ``segmentation`` (smoothed) and ``segmentation_raw``
        (the yearly mean over partners), members in the order given.

    Examples
    --------
    >>> seg = observed_segmentation(["Beijing", "Tianjin", "Hebei"], years=[2004, 2018])
    >>> seg.columns.tolist()
    ['member', 'year', 'segmentation', 'segmentation_raw']
    >>> wide = seg.pivot(index="year", columns="member", values="segmentation")
    >>> bool((wide.loc[2018] < wide.loc[2004]).all())
    True
    """
    members = [members] if isinstance(members, str) else list(members)
    if len(members) < 2 or len(set(members)) < len(members):
        raise DataError(f"members must be at least two different provinces, got {members}")
    if not isinstance(window, (int, np.integer)) or window < 1 or window % 2 == 0:
        raise DataError(f"window must be an odd positive number of years (1 = no smoothing), "
                        f"got {window!r}")
    pairs = national_segmentation(path)
    known = set(pairs["province_a"]) | set(pairs["province_b"])
    unknown = [m for m in members if m not in known]
    if unknown:
        raise DataError(f"no province {unknown} in the retail price data; known provinces are "
                        f"{sorted(known)}")
    inside = pairs[pairs["province_a"].isin(members) & pairs["province_b"].isin(members)]
    both_ways = pd.concat([
        inside.rename(columns={"province_a": "member", "province_b": "partner"}),
        inside.rename(columns={"province_b": "member", "province_a": "partner"})])
    raw = both_ways.pivot_table(index="year", columns="member", values="segmentation",
                                aggfunc="mean")[members]
    smooth = raw.rolling(window, center=True, min_periods=1).mean()
    if years is not None:
        years = list(years)
        absent = [y for y in years if y not in raw.index]
        if absent:
            raise DataError(f"no segmentation for year(s) {absent}; the price data cover "
                            f"{raw.index.min()}-{raw.index.max()}")
        raw, smooth = raw.loc[years], smooth.loc[years]
    out = pd.concat([_long(smooth, "segmentation"), _long(raw, "segmentation_raw")], axis=1)
    out = out.reset_index().rename(columns={"province": "member"})
    out["member"] = pd.Categorical(out["member"], categories=members, ordered=True)
    out = out.sort_values(["member", "year"]).reset_index(drop=True)
    out["member"] = out["member"].astype(str)
    return out[["member", "year", "segmentation", "segmentation_raw"]]


def segmentation_by_area(areas=None, window: int = SMOOTHING_WINDOW, path=None) -> pd.DataFrame:
    """`observed_segmentation` of the members of several areas, one long table.

    Parameters
    ----------
    areas : mapping of str to sequence of str, optional
        Area key -> members. Default: the presets (``yrd``, ``jjj``, ``pprd``).

    Returns
    -------
    DataFrame
        Columns ``area``, ``member``, ``year``, ``segmentation``, ``segmentation_raw``.

    Examples
    --------
    >>> table = segmentation_by_area()
    >>> table.groupby("area")["member"].nunique().to_dict()
    {'jjj': 3, 'pprd': 9, 'yrd': 4}
    """
    if areas is None:
        areas = {key: preset.members for key, preset in PRESETS.items()}
    parts = [observed_segmentation(members, window=window, path=path).assign(area=key)
             for key, members in areas.items()]
    table = pd.concat(parts, ignore_index=True)
    return table[["area", "member", "year", "segmentation", "segmentation_raw"]]


def relative_price_shock(members=None, window: int = SMOOTHING_WINDOW,
                         path=None) -> pd.DataFrame:
    """Nationwide relative-price shocks by year: the mean segmentation of the pairs outside
    an area, smoothed as `observed_segmentation` smooths the area's own index.

    The segmentation index is a variance over goods of relative-price changes, so it rises in
    every pair when the inflation rates of the goods diverge (2004, 2007-2008, 2011) whatever
    the integration of the pair: the national mean over all 465 pairs swings as much as the
    areas' own series. The mean over the pairs in which neither province belongs to the area
    measures those swings without the area's own integration (no circularity when the area's
    index is divided by it); with ``members=None`` every pair counts.

    Parameters
    ----------
    members : sequence of str, optional
        The area's provinces; pairs with one of them are left out. Default: none left out.
    window : int
        Odd number of years of the centred rolling mean (1: yearly values).
    path : str or Path, optional
        The retail price index file (default: the one in ``calibration/data``).

    Returns
    -------
    DataFrame
        Columns ``year``, ``shock`` (smoothed mean over the pairs), ``shock_raw`` (yearly
        mean) and ``pairs`` (how many pairs the mean is over).

    Examples
    --------
    >>> shock = relative_price_shock(["Beijing", "Tianjin", "Hebei"]).set_index("year")
    >>> int(shock.loc[2004, "pairs"])  # 28 other provinces: 28 * 27 / 2 pairs
    378
    >>> bool(shock.loc[2008, "shock"] > shock.loc[2014, "shock"])
    True
    """
    if not isinstance(window, (int, np.integer)) or window < 1 or window % 2 == 0:
        raise DataError(f"window must be an odd positive number of years (1 = no smoothing), "
                        f"got {window!r}")
    pairs = national_segmentation(path)
    members = [] if members is None else (
        [members] if isinstance(members, str) else list(members))
    known = set(pairs["province_a"]) | set(pairs["province_b"])
    unknown = [m for m in members if m not in known]
    if unknown:
        raise DataError(f"no province {unknown} in the retail price data; known provinces are "
                        f"{sorted(known)}")
    outside = pairs[~pairs["province_a"].isin(members) & ~pairs["province_b"].isin(members)]
    if outside.empty:
        raise DataError(f"members {members} leave no pair of other provinces to measure "
                        "nationwide relative-price shocks with")
    by_year = outside.groupby("year")["segmentation"]
    raw = by_year.mean()
    return pd.DataFrame({
        "year": raw.index.astype(int),
        "shock": raw.rolling(window, center=True, min_periods=1).mean().to_numpy(),
        "shock_raw": raw.to_numpy(),
        "pairs": by_year.size().to_numpy(),
    })


ALL_PAIRS = "all"
"""Area label of the shock over every pair (`price_shock_by_area`), for custom areas."""


def price_shock_by_area(areas=None, window: int = SMOOTHING_WINDOW, path=None) -> pd.DataFrame:
    """`relative_price_shock` outside each area, and over every pair (area ``"all"``).

    Parameters
    ----------
    areas : mapping of str to sequence of str, optional
        Area key -> members. Default: the presets (``yrd``, ``jjj``, ``pprd``).

    Returns
    -------
    DataFrame
        Columns ``area``, ``year``, ``shock``, ``shock_raw``, ``pairs``.

    Examples
    --------
    >>> table = price_shock_by_area()
    >>> table.groupby("area")["pairs"].first().to_dict()
    {'all': 465, 'jjj': 378, 'pprd': 231, 'yrd': 351}
    """
    if areas is None:
        areas = {key: preset.members for key, preset in PRESETS.items()}
    parts = [relative_price_shock(members, window=window, path=path).assign(area=key)
             for key, members in {**areas, ALL_PAIRS: None}.items()]
    table = pd.concat(parts, ignore_index=True)
    return table[["area", "year", "shock", "shock_raw", "pairs"]]


def national_segmentation(path=None) -> pd.DataFrame:
    """`market_segmentation` of every pair of the 31 provinces in the retail price file.

    Examples
    --------
    >>> len(national_segmentation())  # 465 pairs x 19 years
    8835
    """
    prices = read_table(RETAIL_PRICE_FILE, ["index_prev_year_eq_100"], path,
                        key=("province", "year", "category"))
    return market_segmentation(prices)


def real_gdp(provinces=None, gdp_path=None, index_path=None) -> pd.DataFrame:
    """GDP in constant 2004 prices and the implied GDP deflator, 2004-2018.

    ``real[2004] = nominal[2004]`` and ``real[t] = real[t-1] * index[t] / 100`` with the NBS
    GDP index (previous year = 100), so
    ``real[t] = nominal[2004] * prod(index[2005..t] / 100)``; the deflator is
    ``nominal / real`` (2004 = 1).

    Parameters
    ----------
    provinces : sequence of str, optional
        Default: every province in the files.
    gdp_path, index_path : str or Path, optional
        The nominal GDP and GDP index files (default: those in ``calibration/data``).

    Returns
    -------
    DataFrame
        Columns ``province``, ``year``, ``gdp_100m_yuan`` (nominal),
        ``real_gdp_100m_yuan_2004_prices``, ``gdp_deflator_2004_eq_1``.

    Examples
    --------
    >>> gdp = real_gdp(["Shanghai"]).set_index("year")
    >>> float(gdp.loc[2004, "real_gdp_100m_yuan_2004_prices"])  # = nominal 2004
    8101.6
    >>> round(float(gdp.loc[2008, "real_gdp_100m_yuan_2004_prices"] /
    ...             gdp.loc[2007, "real_gdp_100m_yuan_2004_prices"]), 3)  # GDP index 109.7
    1.097
    """
    nominal = _wide(read_table(GDP_FILE, ["province", "year", "gdp_100m_yuan"], gdp_path),
                    "gdp_100m_yuan", provinces)
    index = _wide(read_table(GDP_INDEX_FILE, ["province", "year", "gdp_index_prev_year_eq_100"],
                             index_path), "gdp_index_prev_year_eq_100", nominal.columns)
    years = nominal.index[nominal.index >= BASE_YEAR]
    gaps = [y for y in years if y not in index.index] if BASE_YEAR in nominal.index else None
    if gaps is None or gaps:
        raise DataError(f"real GDP needs nominal GDP in {BASE_YEAR} and the GDP index for every "
                        f"later year; missing: {gaps if gaps else BASE_YEAR}")
    growth = (index.loc[years] / 100.0).copy()
    growth.loc[BASE_YEAR] = 1.0
    if growth.isna().any().any():
        raise DataError("the GDP index has empty cells for "
                        f"{growth.isna().stack()[lambda s: s].index.tolist()[:5]}")
    real = nominal.loc[BASE_YEAR] * growth.cumprod()
    table = pd.concat([_long(nominal.loc[years], "gdp_100m_yuan"),
                       _long(real, "real_gdp_100m_yuan_2004_prices")], axis=1)
    table["gdp_deflator_2004_eq_1"] = (table["gdp_100m_yuan"]
                                       / table["real_gdp_100m_yuan_2004_prices"])
    return table.reset_index().sort_values(["province", "year"]).reset_index(drop=True)[
        ["province", "year", "gdp_100m_yuan", "real_gdp_100m_yuan_2004_prices",
         "gdp_deflator_2004_eq_1"]]


def fiscal_revenue(provinces=None, fiscal_path=None, gdp_path=None,
                   index_path=None) -> pd.DataFrame:
    """Local budget and tax revenue in 2004 prices and as shares of GDP, 2004-2018.

    Revenue is deflated by the province's GDP deflator (`real_gdp`); the shares are nominal
    revenue over nominal GDP. Tax revenue is empty where the source is (all provinces in
    2005-2006, 14 in 2004).

    Returns
    -------
    DataFrame
        Columns ``province``, ``year``, ``budget_revenue_100m_yuan`` (nominal),
        ``budget_revenue_100m_yuan_2004_prices``, ``tax_revenue_100m_yuan_2004_prices``,
        ``budget_revenue_share_of_gdp``, ``tax_revenue_share_of_gdp``.

    Examples
    --------
    >>> fiscal = fiscal_revenue(["Shanghai"]).set_index("year")
    >>> round(float(fiscal.loc[2018, "budget_revenue_share_of_gdp"]), 3)
    0.197
    """
    gdp = real_gdp(provinces, gdp_path, index_path).set_index(["province", "year"])
    columns = ["province", "year", "budget_revenue_100m_yuan", "tax_revenue_100m_yuan"]
    fiscal = read_table(FISCAL_FILE, columns, fiscal_path)
    fiscal = fiscal.set_index(["province", "year"])[columns[2:]].reindex(gdp.index)
    gaps = fiscal.index[fiscal["budget_revenue_100m_yuan"].isna()]
    if len(gaps):
        raise DataError(f"no budget revenue for {list(gaps[:5])} in the fiscal data")
    deflator = gdp["gdp_deflator_2004_eq_1"]
    table = pd.DataFrame({
        "budget_revenue_100m_yuan": fiscal["budget_revenue_100m_yuan"],
        "budget_revenue_100m_yuan_2004_prices": fiscal["budget_revenue_100m_yuan"] / deflator,
        "tax_revenue_100m_yuan_2004_prices": fiscal["tax_revenue_100m_yuan"] / deflator,
        "budget_revenue_share_of_gdp": fiscal["budget_revenue_100m_yuan"] / gdp["gdp_100m_yuan"],
        "tax_revenue_share_of_gdp": fiscal["tax_revenue_100m_yuan"] / gdp["gdp_100m_yuan"],
    })
    return table.reset_index()
