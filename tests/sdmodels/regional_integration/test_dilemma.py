"""The cooperation dilemma (sdmodels/regional_integration/dilemma.py and choices.py), shown
by running the model with fixed protection strategies at the default constants.

No number here is taken from elsewhere: the tests check the ordering that defines a
prisoner's dilemma (Rapoport and Chammah 1965): defection is each player's best reply to
either move of the other (a dominant strategy), yet mutual defection pays both less than
mutual cooperation; and that a member's unilateral defection pays it while the area's
total output falls.
"""

import numpy as np
import pytest

from sdmodels.regional_integration import (PRESETS, build, is_prisoners_dilemma,
                                           payoff_matrix)
from sdmodels.regional_integration.dilemma import COOPERATE, DEFECT, strategy_runs


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
