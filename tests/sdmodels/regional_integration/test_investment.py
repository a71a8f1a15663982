"""Investment share: its ceiling and the 2009-2010 stimulus push (economy.py).

Expected numbers are recomputed here from the provincial CSV files the model ships with
(data_files/: GFCF and GDP at current prices, all 31 provinces) and from the odds equation
of the investment share; the parameters' ``source`` fields in parameters.toml state the
same derivation.
"""

import numpy as np
import pandas as pd
import pytest

from sdmodels.regional_integration import PRESETS, build
from sdmodels.regional_integration.data import DATA_DIR, GDP_FILE
from sdmodels.regional_integration.parameters import PARAMETERS

GFCF_FILE = "china_provincial_gfcf_1952_2017.csv"
PACKAGE = 40000.0  # the November 2008 package: 4 trillion yuan = 40000 x 100 million


def _shares():
    gfcf = pd.read_csv(DATA_DIR / GFCF_FILE)
    gdp = pd.read_csv(DATA_DIR / GDP_FILE)
    both = gfcf.merge(gdp, on=["province", "year"])
    both["share"] = both["gfcf_100m_yuan"] / both["gdp_100m_yuan"]
    return both


def _default(name):
    return next(p for p in PARAMETERS if p.name == name)


def _log_odds(share, smax):
    return np.log(share / (smax - share))


def test_maximum_share_is_above_every_members_investment_share():
    # the ceiling must let the model reach the data (Tianjin invested 1.07 x its GDP in 2014)
    shares = _shares()
    members = sorted({m for preset in PRESETS.values() for m in preset.members})
    highest = shares[shares["province"].isin(members)]["share"].max()
    assert highest == pytest.approx(1.0655, abs=1e-4)
    smax = _default("maximum investment share")
    assert smax.value > highest and smax.range[0] > highest
    # the forecasts' range reaches above every province's share (Qinghai 2015)
    assert smax.range[1] > shares["share"].max() == pytest.approx(1.6428, abs=1e-4)


def test_stimulus_push_is_the_national_deviation_from_the_pre_crisis_trend():
    shares = _shares()
    total = shares.groupby("year")[["gfcf_100m_yuan", "gdp_100m_yuan"]].sum()
    assert (shares.groupby("year")["province"].count().loc[2004:2017] == 31).all()
    national = total["gfcf_100m_yuan"] / total["gdp_100m_yuan"]
    smax = _default("maximum investment share").value
    odds = _log_odds(national, smax)
    pre = odds.loc[2004:2008]
    trend = np.polyval(np.polyfit(pre.index, pre.to_numpy(), 1), [2009, 2010])
    deviation = odds.loc[2009:2010].to_numpy() - trend
    push = _default("stimulus investment push")
    assert push.value == pytest.approx(deviation.mean(), abs=5e-4)
    # the range's upper end: the whole package as extra investment over 2009-2010
    extra = PACKAGE / total["gdp_100m_yuan"].loc[2009:2010].sum()
    trend_share = smax / (1 + np.exp(-trend))
    whole = _log_odds(trend_share + extra, smax) - _log_odds(trend_share, smax)
    assert push.range == (0.0, pytest.approx(whole.mean(), abs=5e-4))


def test_stimulus_shifts_the_investment_log_odds_only_in_2009_and_2010():
    # with every other driver held (same run up to 2009), the odds differ by exp(push)
    model = build("jjj", stop=2012)
    base = model.simulate(params={"stimulus investment push": 0.0})
    pushed = model.simulate(params={"stimulus investment push": 0.1})
    before = base["investment odds"].sel(time=slice(2004, 2008))
    np.testing.assert_array_equal(pushed["investment odds"].sel(time=slice(2004, 2008)),
                                  before)
    ratio = (pushed["investment odds"] / base["investment odds"]).sel(time=2009.0)
    np.testing.assert_allclose(ratio, np.exp(0.1), rtol=1e-12)
    # more investment in 2009-2010; afterwards the push is gone (ratio back near 1, the
    # larger capital stock lowering returns a little)
    assert (pushed["investment share"].sel(time=2010.0)
            > base["investment share"].sel(time=2010.0)).all()
    after = (pushed["investment odds"] / base["investment odds"]).sel(time=2012.0)
    assert (after < 1.0).all() and (after > 0.95).all()
