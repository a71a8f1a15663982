"""Initial values and observed series for the presets, from the provincial data.

The series live in ``calibration/data/`` (see PROVENANCE.md there): nominal gross regional
product 2004-2018, gross fixed capital formation (GFCF) with the fixed-asset investment
price index 1952-2017, and year-end resident population 2000-2018.

Price basis
    The model runs in **constant 2004 prices**. The data hold no GDP deflator, so:

    * output starts at nominal 2004 GDP (which *is* GDP in 2004 prices);
    * capital is built by the perpetual inventory method from GFCF deflated by the
      investment price index re-based to 2004 = 1;
    * the observed series the model is compared with, `real_gdp`, is nominal GDP deflated
      by the same investment price index (the only provincial price index in the data).
      It rose by 21-54 % from 2004 to 2017, less than the national GDP deflator (roughly
      55-60 % by NBS national accounts), so `real_gdp` overstates real growth by about one
      point a year; 2018 carries the 2017 index forward (the series ends in 2017).

Perpetual inventory
    ``K[t] = (1 - delta) K[t-1] + I[t] / P[t]`` from 1952, with the initial stock
    ``K[1952] = I[1952] / (g + delta)`` (steady-state capital for investment growing at
    ``g``), ``g`` the mean growth of real GFCF 1953-1978 (at least 0.02) and
    ``delta = 0.096`` (Zhang 2008; Zhang, Wu and Zhang 2004). By 2004 the 1952 guess has
    decayed by ``0.904**52 < 0.6 %``, so the method hardly matters.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sdflow.errors import DataError

DATA_DIR = Path(__file__).resolve().parents[2] / "calibration" / "data"
GDP_FILE = "china_provincial_gdp_2004_2018.csv"
GFCF_FILE = "china_provincial_gfcf_1952_2017.csv"
POPULATION_FILE = "china_provincial_population_2000_2018.csv"

DEPRECIATION_RATE = 0.096
"""Annual depreciation rate of fixed capital (Zhang 2008), 1/year."""

BASE_YEAR = 2004


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
    labour : DataFrame
        Year-end population 2000-2018 (index year, one column per member), 10,000 persons.
    real_gdp : DataFrame
        GDP 2004-2018 deflated by the investment price index (2004 = 1), 100 million yuan/year.
    nominal_gdp : DataFrame
        GDP 2004-2018 as published, 100 million yuan/year.
    """

    members: tuple
    output0: np.ndarray
    capital0: np.ndarray
    investment_share0: np.ndarray
    labour: pd.DataFrame
    real_gdp: pd.DataFrame
    nominal_gdp: pd.DataFrame


@functools.lru_cache(maxsize=4)
def _table(filename: str, value: str | tuple) -> pd.DataFrame:
    path = DATA_DIR / filename
    if not path.exists():
        raise DataError(f"data file {path} is missing; it ships with the repository in "
                        "calibration/data/")
    frame = pd.read_csv(path)
    columns = (value,) if isinstance(value, str) else value
    missing = [c for c in ("province", "year", *columns) if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: no column(s) {missing}; columns are {list(frame.columns)}")
    return frame


def _wide(filename: str, value: str, members) -> pd.DataFrame:
    frame = _table(filename, value)
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
    price_2004 = price / price.loc[BASE_YEAR]
    real_investment = gfcf / price_2004
    capital0 = np.array([perpetual_inventory(real_investment[p]) for p in members])
    deflator = price_2004.reindex(gdp.index).ffill()
    return RegionData(
        members=members,
        output0=gdp.loc[BASE_YEAR].to_numpy(),
        capital0=capital0,
        investment_share0=(gfcf.loc[BASE_YEAR] / gdp.loc[BASE_YEAR]).to_numpy(),
        labour=population,
        real_gdp=gdp / deflator,
        nominal_gdp=gdp,
    )
