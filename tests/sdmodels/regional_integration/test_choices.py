"""Units of the local governments' payoffs (sdmodels/regional_integration/choices.py).

The unit checker sees every payoff as dimensionless, so these tests recompute the terms by
hand from the run's own values (no number from elsewhere):

* visibility enters the perceived integration stake once: the protection payoff is the
  documented formula, with the stake built from `perceived potential gain` (which already
  holds visibility) and multiplied by `foresight` only;
* the tournament is valued in the same unit in the local payoff and in the protection
  choice: a unit of standing is worth the tournament weight times the member's *current*
  fiscal revenue. Valued in 2004 revenue, its weight against the budget would shrink as
  budgets grow (3.4-6.7 times by 2014), while the choice's payoff (per unit of current
  revenue) would keep it whole: the choice would overweight it by that growth.
"""

import numpy as np
import pytest

from sdmodels.regional_integration import build


@pytest.fixture(scope="module")
def run():
    model = build("yrd", stop=2014)
    return model, model.simulate().dataset


def _const(model, name):
    return float(np.asarray(model[name].value))


def test_visibility_enters_the_perceived_stake_once(run):
    model, ds = run
    assert float(ds["visibility"].max()) < 0.9          # else the test could not tell
    others = ds["member"] != ds["partner"]
    stake = (ds["market integration"] * ds["perceived potential gain"]).where(
        others, 0).sum("partner")
    incentive = 1 + ds["tournament incentive"]
    expected = ((ds["capture opportunity"] - _const(model, "protection deadweight")
                 - _const(model, "foresight") * stake) * incentive
                + _const(model, "profit weight") * _const(model, "rent margin")
                * ds["capture opportunity"] / ds["tax share"]
                - _const(model, "sanction rate") * ds["effective monitoring"]
                * ds["visibility"] * (1 - ds["contract coverage"]))
    np.testing.assert_allclose(ds["protection payoff"].values,
                               expected.transpose(*ds["protection payoff"].dims).values,
                               rtol=1e-9, atol=1e-12)
    # the stake variable is the sum above: visibility in it, not again in the payoff
    np.testing.assert_allclose(ds["integration stake"].values,
                               stake.transpose(*ds["integration stake"].dims).values,
                               rtol=1e-9, atol=1e-12)


def test_local_payoff_values_standing_in_current_fiscal_revenue(run):
    model, ds = run
    revenue0 = ds["initial fiscal revenue"]
    money = (ds["budget"] + _const(model, "profit weight") * _const(model, "rent margin")
             * ds["net captured sales"])
    tournament = ds["local payoff"] * revenue0 - money     # the standing term, in money
    expected = ds["tournament weight"] * ds["tournament standing"] * ds["fiscal revenue"]
    growth = (ds["fiscal revenue"] / revenue0).sel(time=2014)
    assert float(growth.min()) > 2                      # budgets grew: the units differ
    assert float(abs(expected).sel(time=2014).max()) > 0  # and the standing term is not 0
    np.testing.assert_allclose(tournament.values,
                               expected.transpose(*tournament.dims).values,
                               rtol=1e-7, atol=1e-9 * float(revenue0.max()))


def test_choice_weighs_standing_as_the_local_payoff_does(run):
    """Per unit of current fiscal revenue, a unit of standing is worth the tournament
    weight in the local payoff; the choice's `tournament incentive` is that weight per
    output share gained once (standing rises by share / (perception time x reference
    growth)). The ratio must not depend on how much the budget has grown since 2004."""
    model, ds = run
    revenue0 = ds["initial fiscal revenue"]
    money = (ds["budget"] + _const(model, "profit weight") * _const(model, "rent margin")
             * ds["net captured sales"])
    standing = ds["tournament standing"]
    per_standing = (ds["local payoff"] * revenue0 - money) / ds["fiscal revenue"]
    value = per_standing.where(abs(standing) > 1e-3) / standing   # local payoff's weight
    per_share = (ds["tournament incentive"] * _const(model, "growth perception time")
                 * _const(model, "reference growth"))             # the choice's weight
    ratio = (value / per_share).dropna("time", how="all")
    assert int(ratio.count()) > 10
    np.testing.assert_allclose(ratio.values[np.isfinite(ratio.values)], 1, rtol=1e-6)
