"""The cooperation dilemma (sdmodels/regional_integration/dilemma.py and choices.py), shown
by running the model with fixed protection strategies at the default constants, and at the
calibrated ones over short and long horizons.

No number here is taken from elsewhere: the tests check the ordering that defines a
prisoner's dilemma (Rapoport and Chammah 1965): defection is each player's best reply to
either move of the other (a dominant strategy), yet mutual defection pays both less than
mutual cooperation; and that a member's unilateral defection pays it while the area's
total output falls.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sdmodels.regional_integration import (PRESETS, build, is_prisoners_dilemma,
                                           payoff_matrix)
from sdmodels.regional_integration.dilemma import (COOPERATE, DEFECT, equilibria, game_type,
                                                   games_by_horizon,
                                                   perceived_protection_payoff,
                                                   strategy_runs, unilateral_defection)


def test_representative_pair_plays_a_prisoners_dilemma():
    game = payoff_matrix(build(members=["Jiangsu", "Zhejiang"], stop=2014))
    assert is_prisoners_dilemma(game), game
    area = game.set_index(["row", "column"])["area output"]
    assert area[("defect", "defect")] < area[("cooperate", "cooperate")]


def test_a_game_without_the_dilemma_is_told_apart():
    game = payoff_matrix(build(members=["Jiangsu", "Zhejiang"], stop=2014))
    swapped = game.assign(row=game["row"].map({"cooperate": "defect", "defect": "cooperate"}),
                          column=game["column"].map({"cooperate": "defect",
                                                     "defect": "cooperate"}))
    assert not is_prisoners_dilemma(swapped)


@pytest.mark.parametrize("key, defector", [("yrd", "Zhejiang"), ("jjj", "Hebei"),
                                           ("pprd", "Jiangxi")])
def test_unilateral_defection_pays_the_defector_while_the_area_loses(key, defector):
    members = list(PRESETS[key].members)
    everyone = np.full(len(members), COOPERATE)
    alone = everyone.copy()
    alone[members.index(defector)] = DEFECT
    runs = strategy_runs(build(key, stop=2012), [everyone, alone], until=2012)
    i = members.index(defector)
    assert runs.payoff[1, i] > runs.payoff[0, i]            # the defector gains
    assert runs.area_output[1] < runs.area_output[0]        # the area's total falls
    others = [k for k in range(len(members)) if k != i]
    assert (runs.payoff[1, others] < runs.payoff[0, others]).all()


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_all_defecting_leaves_every_member_worse_than_all_cooperating(key):
    n = len(PRESETS[key].members)
    runs = strategy_runs(build(key, stop=2018), [np.full(n, COOPERATE), np.full(n, DEFECT)],
                         until=2018)
    assert (runs.payoff[1] < runs.payoff[0]).all(), runs.payoff
    assert runs.area_output[1] < runs.area_output[0]


def test_protection_is_chosen_on_payoffs_not_a_fixed_reflex():
    # raising what a member's firms can capture (capture share) raises chosen protection;
    # raising sanctions where monitoring works lowers it
    m = build("yrd", stop=2010)
    run = m.simulate(params={"capture share": np.array([0.2, 0.8])}, n=2)
    p = run["protectionism"].sel(time=2010.0).transpose("run", "member").values
    assert (p[1] > p[0]).all()
    run = build("yrd", stop=2010, monitoring=0.8, monitoring_policy=0.8).simulate(
        params={"sanction rate": np.array([0.0, 0.6])}, n=2)
    p = run["protectionism"].sel(time=2010.0).transpose("run", "member").values
    assert (p[1] < p[0]).all()


# --- game types, horizons, unilateral defection and perceived payoffs ----------------------
# Hand-made games with the textbook orderings (Rapoport and Guyer 1966): cells in the order
# (C, C), (C, D), (D, C), (D, D); payoffs of the row member A and the column member B.

def _game(a, b):
    return pd.DataFrame({"row": ["cooperate", "cooperate", "defect", "defect"],
                         "column": ["cooperate", "defect", "cooperate", "defect"],
                         "payoff A": a, "payoff B": b})


@pytest.mark.parametrize("a, b, kind, eq", [
    ([3, 0, 5, 1], [3, 5, 0, 1], "prisoner's dilemma", ["defect/defect"]),
    ([1, 0, 5, 3], [1, 5, 0, 3], "deadlock", ["defect/defect"]),
    ([4, 3, 2, 1], [4, 2, 3, 1], "harmony", ["cooperate/cooperate"]),
    ([4, 0, 3, 2], [4, 3, 0, 2], "stag hunt", ["cooperate/cooperate", "defect/defect"]),
    ([3, 1, 4, 0], [3, 4, 1, 0], "chicken", ["cooperate/defect", "defect/cooperate"]),
    # A cooperates whatever B does; B defects only against a defector: one equilibrium
    ([4, 3, 2, 1], [4, 2, 3, 4], "asymmetric (cooperate, match)", ["cooperate/cooperate"]),
])
def test_game_type_names_the_textbook_games(a, b, kind, eq):
    game = _game(a, b)
    assert game_type(game) == kind
    assert equilibria(game) == eq
    assert is_prisoners_dilemma(game) == (kind == "prisoner's dilemma")


def test_short_run_defection_pays_and_integration_losses_accumulate_at_the_defaults():
    model = build(members=["Jiangsu", "Zhejiang"], stop=2014)
    games = games_by_horizon(model, range(1, 11))
    assert list(games["until"]) == list(range(2005, 2015))
    first = games.iloc[0]
    # capture and tournament standing pay at once: defecting alone pays both in year one
    assert first["row T - R"] > 0 and first["column T - R"] > 0
    assert first["area output %, row defects"] < 0 and first["area output %, both defect"] < 0
    assert (games["game"] == "prisoner's dilemma").all()
    # what mutual defection costs (lost integration) grows with every year counted
    assert (np.diff(games["row R - P"]) > 0).all() and (np.diff(games["column R - P"]) > 0).all()
    # the last horizon is the 2004-2014 payoff matrix
    jiangsu = payoff_matrix(model, until=2014.0).set_index(["row", "column"])["payoff Jiangsu"]
    np.testing.assert_allclose(games.iloc[-1]["row T - R"], jiangsu[("defect", "cooperate")]
                               - jiangsu[("cooperate", "cooperate")])


def test_games_by_horizon_needs_a_two_member_run_long_enough():
    with pytest.raises(ValueError, match="stop=2010"):
        games_by_horizon(build(members=["Jiangsu", "Zhejiang"], stop=2008), [2, 6])
    with pytest.raises(ValueError, match="two members"):
        games_by_horizon(build("jjj", stop=2008), [1])


def test_unilateral_defection_pays_the_defector_at_first_while_partners_and_area_lose():
    table = unilateral_defection(build("yrd", stop=2006), horizons=[1, 2])
    first = table[table["horizon"] == 1]
    assert list(first["member"]) == list(PRESETS["yrd"].members)
    assert (first["gain"] > 0).all()
    assert (first["partners' change"] < 0).all() and (first["area output %"] < 0).all()


def test_perceived_payoff_terms_add_up_and_follow_foresight_and_monitoring():
    model = build("jjj", stop=2008, monitoring=0.0, monitoring_policy=0.0)
    run = model.simulate(params={"foresight": 0.0})
    table = perceived_protection_payoff(run, model)
    assert len(table) == 5 * 3
    assert (table["integration seen at stake"] == 0).all()   # no foresight: no stake seen
    assert (table["sanctions"] == 0).all()                   # no monitoring: no sanctions
    terms = ["capture", "rent", "deadweight", "integration seen at stake", "sanctions"]
    np.testing.assert_allclose(table[terms].sum(axis=1), table["protection payoff"])
    # counting the whole integration dividend can only lower the payoff of protection
    assert (table["payoff, stake fully seen"] < table["protection payoff"]).all()


def test_perceived_payoff_refuses_terms_that_no_longer_match_the_model():
    model = build("jjj", stop=2006)
    ds = model.simulate().dataset
    ds["protection payoff"] = ds["protection payoff"] + 0.01
    with pytest.raises(ValueError, match="choices.py"):
        perceived_protection_payoff(ds, model)


def _analysis_script():
    path = Path(__file__).resolve().parents[3] / "scripts" / "regional_analysis.py"
    spec = importlib.util.spec_from_file_location("regional_analysis", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("key, lasting", [("jjj", False), ("pprd", False), ("yrd", False)])
def test_calibrated_pairs_face_the_dilemma_in_the_short_run(key, lasting):
    # sdmodels/README.md, "The dilemma the model implies": at the committed calibrations
    # (calibration/results/<preset>/params.json) defecting pays each member of the pair
    # whatever the other does in the first year; over ten years it no longer does in any
    # area's pair (in Jing-Jin-Ji it still did while its fit put the market scale
    # elasticity and the segmentation rate at 0, so that protection cost no integration
    # gain; its refit with the damped learning term puts them at 0.43 and 0.39)
    script = _analysis_script()
    params = script.pair_params(key, script.calibrated(key))
    games = games_by_horizon(build(members=script.PAIRS[key], stop=2014), [1, 10],
                             params=params)
    assert games["game"].iloc[0] == "prisoner's dilemma"
    assert (games["game"].iloc[1] == "prisoner's dilemma") == lasting
    assert (games.iloc[1][["row R - P", "column R - P"]] > 0).all()
