"""Initial values, observed series and policy milestones for the presets, from package data.

The series ship with the package in ``data_files/`` (see PROVENANCE.md there): nominal
gross regional product 2004-2018, the NBS GDP index (previous year = 100) 2000-2018, gross
fixed capital formation (GFCF) with the fixed-asset investment price index 1952-2017,
year-end resident population 2000-2018, local budget revenue and expenditure 2000-2018, and
the dated milestones of regional cooperation, and the nationwide relative-price shocks
derived from the retail price data (`observed.relative_price_shock`).

Price basis
    The model runs in **constant 2004 prices**:

    * output starts at nominal 2004 GDP (which *is* GDP in 2004 prices);
    * `real_gdp` chains the NBS GDP index from 2004 (``Y[t] = Y[t-1] * index[t] / 100``,
      `observed.real_gdp`), so real growth is the official real growth in every year, 2018
      included; the implicit GDP deflator is nominal / real GDP;
    * capital is built by the perpetual inventory method from GFCF deflated by the
      investment price index re-based to 2004 = 1 (the only investment deflator there is);
    * fiscal revenue in 2004 prices is nominal budget revenue over the GDP deflator.

Perpetual inventory
    ``K[t] = (1 - delta) K[t-1] + I[t] / P[t]`` from 1952, with the initial stock
    ``K[1952] = I[1952] / (g + delta)`` (steady-state capital for investment growing at
    ``g``), ``g`` the mean growth of real GFCF 1953-1978 (at least 0.02) and
    ``delta = 0.096`` (Zhang 2008; Zhang, Wu and Zhang 2004). By 2004 the 1952 guess has
    decayed by ``0.904**52 < 0.6 %``, so the method hardly matters.

Milestones
    The central mandates of an area are the milestone events of its region code issued by
    the centre (State Council, Politburo, CPC Central Committee, a national strategy) or a
    framework agreement of all its governments; one time per calendar year (the first
    event of that year), as decimal years.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sdflow.errors import DataError

from . import observed
from .milestones import cooperation_milestones

DATA_DIR = Path(__file__).resolve().with_name("data_files")
GDP_FILE = "china_provincial_gdp_2004_2018.csv"
GDP_INDEX_FILE = "china_provincial_gdp_index_2000_2018.csv"
GFCF_FILE = "china_provincial_gfcf_1952_2017.csv"
POPULATION_FILE = "china_provincial_population_2000_2018.csv"
FISCAL_FILE = "china_provincial_fiscal_2000_2018.csv"
MILESTONES_FILE = "regional_cooperation_milestones.csv"
PRICE_SHOCK_FILE = "relative_price_shock_2000_2018.csv"
ALL_PAIRS = "all"

DEPRECIATION_RATE = 0.096
"""Annual depreciation rate of fixed capital (Zhang 2008), 1/year."""

BASE_YEAR = 2004

CENTRAL_MARKERS = ("State Council", "Politburo", "CPC Central Committee", "Central Leading",
                   "national strategy", "Framework Agreement")
"""Words that mark a milestone as a central mandate or an all-member framework agreement."""


@dataclass(frozen=True)
class RegionData:
    """Data-derived inputs of one preset, one entry per member (in member order).

    Attributes
    ----------
    members : tuple of str
    output0 : ndarray
        GDP in 2004, 100 million yuan/year (nominal = 2004 prices).
    capital0 : ndarray
        Fixed capital stock at the start of 2004 in 2004 prices, 100 million yuan.
    investment_share0 : ndarray
        GFCF / GDP in 2004 (nominal both), dimensionless.
    tax_share0 : ndarray
        Local budget revenue / GDP in 2004 (nominal both), dimensionless.
    labour : DataFrame
        Year-end population 2000-2018 (index year, one column per member), 10,000 persons.
    real_gdp : DataFrame
        GDP 2004-2018 in 2004 prices, chained from the NBS GDP index.
    nominal_gdp : DataFrame
        GDP 2004-2018 as published, 100 million yuan/year.
    real_fiscal_revenue : DataFrame
        Local budget revenue 2004-2018 in 2004 prices (over the implicit GDP deflator).
    real_investment : DataFrame
        GFCF 2004-2017 in 2004 prices (investment price index).
    """

    members: tuple
    output0: np.ndarray
    capital0: np.ndarray
    investment_share0: np.ndarray
    tax_share0: np.ndarray
    labour: pd.DataFrame
    real_gdp: pd.DataFrame
    nominal_gdp: pd.DataFrame
    real_fiscal_revenue: pd.DataFrame
    real_investment: pd.DataFrame


@functools.lru_cache(maxsize=8)
def _table(filename: str, columns: tuple) -> pd.DataFrame:
    path = DATA_DIR / filename
    if not path.exists():
        raise DataError(f"data file {path} is missing; it ships with the package in "
                        "sdmodels/regional_integration/data_files/")
    frame = pd.read_csv(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: no column(s) {missing}; columns are {list(frame.columns)}")
    return frame


def _wide(filename: str, value: str, members) -> pd.DataFrame:
    frame = _table(filename, ("province", "year", value))
    wide = frame.pivot(index="year", columns="province", values=value)
    unknown = [p for p in members if p not in wide.columns]
    if unknown:
        raise DataError(f"{DATA_DIR / filename}: no province {unknown}; known provinces are "
                        f"{sorted(wide.columns)}")
    return wide[list(members)].astype(float)


def perpetual_inventory(real_investment: pd.Series, delta: float = DEPRECIATION_RATE,
                        until: int = BASE_YEAR) -> float:
    """Capital at the start of ``until`` from real investment of the years before it.

    Parameters
    ----------
    real_investment : Series
        Investment in constant prices indexed by consecutive years.
    delta : float
        Depreciation rate, 1/year.
    until : int
        The stock is the one entering this year (investment of ``until`` not included).

    Examples
    --------
    >>> import pandas as pd
    >>> steady = pd.Series([10.0 * 1.05 ** k for k in range(60)], index=range(1950, 2010))
    >>> k = perpetual_inventory(steady, delta=0.1, until=2004)
    >>> round(float(k / steady[2003]), 3)   # steady state K = I (1 + g) / (g + delta) = 7
    7.0
    """
    series = real_investment.dropna()
    first = int(series.index[0])
    early = series.loc[first:min(first + 26, until - 1)].to_numpy()
    early = early[early > 0]  # a few early years are zero or negative in the sources
    growth = max(0.02, float(np.exp(np.diff(np.log(early)).mean()) - 1)) if len(early) > 1 \
        else 0.02
    capital = series.iloc[0] / (growth + delta)
    for year in range(first + 1, until):
        capital = (1 - delta) * capital + series.get(year, np.nan)
        if not np.isfinite(capital):
            raise DataError(f"investment series has a gap in {year}; cannot accumulate capital")
    return float(capital)


def region_data(members) -> RegionData:
    """Initial values and observed series for ``members`` (province names as in the data).

    Examples
    --------
    >>> d = region_data(["Beijing", "Tianjin", "Hebei"])
    >>> d.output0.tolist()
    [6252.5, 2621.1, 7588.6]
    >>> bool((d.capital0 > d.output0).all())
    True
    """
    members = tuple(members)
    gdp = _wide(GDP_FILE, "gdp_100m_yuan", members)
    gfcf = _wide(GFCF_FILE, "gfcf_100m_yuan", members)
    price = _wide(GFCF_FILE, "investment_price_index_1952_eq_1", members)
    population = _wide(POPULATION_FILE, "population_10k_persons", members)
    revenue = _wide(FISCAL_FILE, "budget_revenue_100m_yuan", members)
    price_2004 = price / price.loc[BASE_YEAR]
    real_investment = gfcf / price_2004
    capital0 = np.array([perpetual_inventory(real_investment[p]) for p in members])
    paths = dict(gdp_path=DATA_DIR / GDP_FILE, index_path=DATA_DIR / GDP_INDEX_FILE)
    real = observed.real_gdp(members, **paths).pivot(
        index="year", columns="province", values="real_gdp_100m_yuan_2004_prices")[list(members)]
    fiscal = observed.fiscal_revenue(members, fiscal_path=DATA_DIR / FISCAL_FILE, **paths).pivot(
        index="year", columns="province",
        values="budget_revenue_100m_yuan_2004_prices")[list(members)]
    return RegionData(
        members=members,
        output0=gdp.loc[BASE_YEAR].to_numpy(),
        capital0=capital0,
        investment_share0=(gfcf.loc[BASE_YEAR] / gdp.loc[BASE_YEAR]).to_numpy(),
        tax_share0=(revenue.loc[BASE_YEAR] / gdp.loc[BASE_YEAR]).to_numpy(),
        labour=population,
        real_gdp=real,
        nominal_gdp=gdp,
        real_fiscal_revenue=fiscal,
        real_investment=real_investment.loc[BASE_YEAR:],
    )


def price_shock(area: str | None) -> pd.Series:
    """Nationwide relative-price shocks by year for the measurement of segmentation: the mean
    segmentation index of the province pairs outside the area, 2004 = 1.

    The shock is `observed.relative_price_shock` (smoothed like the area's own index, written
    to the package data by ``scripts/observed_series.py``); ``area=None`` (a custom set of
    members) takes the mean over every pair.

    Examples
    --------
    >>> shock = price_shock("yrd")
    >>> float(shock[2004]), round(float(shock[2009]), 2), round(float(shock[2014]), 2)
    (1.0, 0.95, 0.39)
    >>> round(float(price_shock(None)[2014]), 2)
    0.38
    """
    label = ALL_PAIRS if area is None else str(area).lower()
    table = _table(PRICE_SHOCK_FILE, ("area", "year", "shock"))
    rows = table[table["area"] == label]
    if rows.empty:
        raise DataError(f"{DATA_DIR / PRICE_SHOCK_FILE}: no rows for area {label!r}; areas are "
                        f"{sorted(table['area'].unique())} (rewrite the file with "
                        "scripts/observed_series.py)")
    series = rows.set_index("year")["shock"].astype(float).sort_index()
    if BASE_YEAR not in series.index or not (series > 0).all():
        raise DataError(f"{DATA_DIR / PRICE_SHOCK_FILE}: area {label!r} needs a positive shock "
                        f"in every year, {BASE_YEAR} included")
    return series / series[BASE_YEAR]


def _decimal_year(date: str) -> float:
    parts = [int(p) for p in str(date).split("-")]
    year, month, day = (parts + [1, 1])[:3]
    start = pd.Timestamp(year=year, month=1, day=1)
    when = pd.Timestamp(year=year, month=month, day=day)
    return year + (when - start).days / 365.0


def milestone_times(region: str, since: float = BASE_YEAR) -> tuple:
    """Decimal years of the central mandates of ``region`` from ``since`` on (one a year),
    from `cooperation_milestones` on the package's copy of the milestones file.

    Examples
    --------
    >>> [int(t) for t in milestone_times("YRD")]
    [2008, 2010, 2016, 2018, 2019]
    >>> [round(t, 2) for t in milestone_times("PPRD")]
    [2004.42]
    """
    rows = cooperation_milestones(region, path=DATA_DIR / MILESTONES_FILE)
    central = rows[rows["event"].str.contains("|".join(CENTRAL_MARKERS), regex=True)]
    first_of_year: dict[int, float] = {}
    for t in sorted(_decimal_year(d) for d in central["date"]):
        first_of_year.setdefault(int(t), t)
    return tuple(t for t in first_of_year.values() if t >= since)
