"""Local payoffs and the choices local governments make to raise them.

Each local government pursues its own payoff (per member ``i``; payoffs in units of its
2004 budget revenue ``F0_i``):

* ``budget_i = fiscal revenue_i + net transfer_i - sanctions_i``
* ``local payoff_i = (budget_i + profit weight * rent margin * net captured sales_i
  + gdp weight in evaluation * (1 - evaluation reform) * tournament standing_i * fiscal
  revenue_i) / F0_i``, with ``tournament standing_i = (perceived growth_i - mean perceived
  growth) / reference growth``: a unit of standing is worth the tournament weight times the
  member's *current* fiscal revenue, so the weight of the tournament against the budget
  does not change as budgets grow (valued in 2004 revenue, it would fade by the budget's
  growth, 3.4-6.7 times by 2014, while the choices below weigh it in current revenue)

Choices adjust toward what raises the *perceived* payoff (bounded rationality):

* protectionism is a logit choice between defecting and cooperating, ``desired
  protectionism_i = logistic(protection steepness * protection payoff_i)``, and moves there
  in ``protection adjustment time``; the perceived payoff of protection (defecting minus
  cooperating, per unit of protectionism, in units of the member's current fiscal revenue
  ``tax share_i * output_i``, partners' choices taken as given) is ``(K_i - protection
  deadweight - foresight * integration stake_i) * (1 + tournament incentive) + profit
  weight * rent margin * K_i / tax share_i - sanction rate * monitoring * visibility * (1 -
  contract coverage)``, with ``K_i = sum_j capture potential_ij`` (partners' sales a member
  could divert), ``integration stake_i = sum_j integration_ij * perceived potential
  gain_ij`` (the perceived gain already counts visibility, delayed by the perception time,
  so visibility enters the stake once) and ``tournament incentive = gdp weight * (1 -
  evaluation reform) / (growth perception time * reference growth)``. Every term is the
  change of the local payoff (divided by current fiscal revenue / F0) that a one-off
  change of output share brings: as fiscal revenue (1), as tournament standing
  (``tournament incentive``, worth that many units of current revenue), as rents.
  Diverting partners' sales raises one's own payoff at once; the loss of integration it
  causes falls on all, later, and is seen only in part: the dilemma.
* duplicate construction: ``duplicate share_i = duplication propensity *
  logistic(duplication steepness * (tournament pressure_i - (1 - duplicate utilisation) -
  central coordination - joint planning_i))``: duplicate plants count in local GDP (the
  tournament) while their low utilisation lowers returns; central approval and joint
  planning make them harder. Its terms are weights and shares of a project, with no money
  term, so no budget unit enters it.

``protection override`` and ``imposed protectionism`` (per member) replace the choice by a
fixed strategy: they build the payoff matrix and the dilemma tests.
"""

from __future__ import annotations

import sdflow as sf

from .context import Context, logistic, unit_interval
from .economy import MONEY_FLOW


def build_tournament(ctx: Context, levers: dict) -> None:
    """Perceived growth, growth gap, tournament pressure and standing."""
    m, c, member = ctx.m, ctx.c, ctx.member
    output = m.ref("output")
    horizon = c["growth perception time"]
    reference = m.aux("growth reference output", sf.smoothi(
        output, horizon, m["initial output"] / (1 + c["reference growth"] * horizon)),
        units=MONEY_FLOW, doc="output averaged over the growth perception time (TREND)")
    growth = m.aux("perceived growth", sf.zidz(output - reference, reference * horizon),
                   units="1/year", dims=[member],
                   doc="growth seen by evaluators, as Vensim's TREND (zero without output)")
    mean_growth = sf.mean(growth, over=member)
    gap = m.aux("growth gap", sf.max(0, mean_growth - growth) / c["reference growth"],
                units="1", doc="how far a member's growth lags the area mean")
    weight = m.aux("tournament weight", c["gdp weight in evaluation"]
                   * (1 - levers["evaluation reform"]), units="1",
                   doc="weight of GDP standing in officials' evaluation after reform")
    m.aux("tournament pressure", weight * (1 + c["tournament sensitivity"] * gap), units="1",
          doc="GDP-tournament pressure on local officials")
    m.aux("tournament standing", (growth - mean_growth) / c["reference growth"], units="1",
          doc="growth relative to the area mean, in reference growth rates")


def build_payoffs(ctx: Context, levers: dict) -> None:
    """Budget, transfers, sanctions and the local payoff of every member."""
    m, c, member = ctx.m, ctx.c, ctx.member
    output = m.ref("output")
    perceived = m.ref("perceived output")
    tax = m.ref("tax share")
    revenue = m.ref("fiscal revenue")
    gain_share = m.aux("realised integration gain", 1 - m.ref("market ratio")
                       ** -c["market scale elasticity"], units="1",
                       doc="share of a member's output it owes to its present integration "
                       "with partners (its market against its own output alone), in [0, 1)")
    paid = m.aux("compensation paid", levers["benefit sharing"] * c["compensation rate"]
                 * tax * gain_share * output, units=MONEY_FLOW,
                 doc="budget revenue a member pays into the benefit-sharing fund")
    fund = sf.sum(paid, over=member)
    received = m.aux("compensation received", fund * sf.zidz(perceived, sf.sum(
        perceived, over=member)), units=MONEY_FLOW,
        doc="the fund paid out in proportion to size: members gaining less than the "
        "average share get more than they pay")
    transfer = m.aux("net transfer", received - paid, units=MONEY_FLOW,
                     doc="fiscal transfer received from the fund; sums to zero over members")
    seen_by_partners = m.ref("opportunism seen by partners")
    sanctions = m.aux("sanctions", c["sanction rate"] * levers["monitoring"]
                      * seen_by_partners * revenue, units=MONEY_FLOW,
                      doc="graduated sanctions: budget withheld in proportion to the "
                      "opportunism partners see, where monitoring works")
    budget = m.aux("budget", revenue + transfer - sanctions, units=MONEY_FLOW)
    revenue0 = m.aux("initial fiscal revenue", m["initial tax share"] * m["initial output"],
                     units=MONEY_FLOW)
    # Standing is valued in current revenue, the unit of the choices' payoffs (see the
    # module docstring); valued in 2004 revenue it would fade as budgets grow.
    m.aux("local payoff", (budget + c["profit weight"] * c["rent margin"]
                           * m.ref("net captured sales") + m.ref("tournament weight")
                           * m.ref("tournament standing") * revenue) / revenue0, units="1",
          doc="what a local government pursues, in units of its 2004 budget revenue")
    m.aux("integration dividend", gain_share * output, units=MONEY_FLOW,
          doc="output a member owes to its integration with partners")


def build_protection(ctx: Context, levers: dict) -> None:
    """Protectionism as a logit choice on its perceived payoff."""
    m, c, member = ctx.m, ctx.c, ctx.member
    capture = ctx.link("capture opportunity", sf.sum(m.ref("capture potential"),
                                                     over=ctx.partner),
                       units="1", dims=[member], doc="output share a member's firms would "
                       "gain at full protection, partners' choices given")
    visibility = m.ref("visibility")
    stake = ctx.link("integration stake", sf.sum(
        ctx.others * m.ref("market integration") * m.ref("perceived potential gain"),
        over=ctx.partner), units="1", dims=[member],
        doc="output share a member sees at stake in its integration (visibility and "
        "perception delay included through perceived potential gain)")
    incentive = m.aux("tournament incentive", m.ref("tournament weight")
                      / (c["growth perception time"] * c["reference growth"]), units="1",
                      doc="payoff of a one-off output gain through tournament standing")
    payoff = ctx.link("protection payoff", (
        capture - c["protection deadweight"] - c["foresight"] * stake)
        * (1 + incentive)
        + c["profit weight"] * c["rent margin"] * capture / m.ref("tax share")
        - c["sanction rate"] * levers["monitoring"] * visibility
        * (1 - m.ref("contract coverage")), units="1", dims=[member],
        doc="perceived payoff of defecting minus cooperating, per unit of protectionism, "
        "in units of the member's current fiscal revenue")
    chosen = m.aux("chosen protectionism", logistic(c["protection steepness"] * payoff),
                   units="1", doc="logit choice between defecting and cooperating")
    override = unit_interval(c["protection override"])
    desired = m.aux("desired protectionism", (1 - override) * chosen
                    + override * unit_interval(c["imposed protectionism"]), units="1")
    protection = m.stock("protectionism", initial=c["initial protectionism"], units="1",
                         dims=[member], doc="local protectionism and market segmentation "
                         "policy, 0 (none) to 1 (closed)")
    m.flow("protection change", (desired - protection) * ctx.capped(
        1 / c["protection adjustment time"]), sink=protection, units="1/year")
    m.aux("opportunism", protection * (1 - m.ref("contract coverage")), units="1",
          doc="protection in the part of the cooperation domain contracts do not cover")


def build_duplication(ctx: Context, levers: dict) -> None:
    """The share of investment that duplicates neighbours' projects."""
    m, c = ctx.m, ctx.c
    net = m.aux("duplication payoff", m.ref("tournament pressure")
                - (1 - c["duplicate utilisation"]) - levers["central coordination"]
                - m.ref("joint planning"), units="1",
                doc="perceived net payoff of a duplicate project: tournament credit against "
                "idle capacity, central approval and joint planning")
    m.aux("duplicate share", unit_interval(c["duplication propensity"]
                                           * logistic(c["duplication steepness"] * net)),
          units="1",
          doc="share of investment duplicating neighbours")
