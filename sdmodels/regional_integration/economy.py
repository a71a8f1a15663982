"""Economy and market-failure sectors: capital, productivity, output, investment, public goods.

Equations (per member ``i``; ``j`` runs over the other members):

* ``capital' = investment - depreciation``; ``depreciation = depreciation rate * capital``
* ``productivity' = productivity * (base productivity growth * exp(-productivity slowdown *
  (t - 2004)) + integration learning effect * member integration + technology diffusion
  rate * catch-up potential)`` (productivity index, 1 in 2004), ``catch-up potential_i =
  mean_j integration_ij * max(0, ln(output per person_j / output per person_i))``
* ``output = initial output * productivity * (capital / capital0)^alpha *
  (labour / labour0)^(1 - alpha) * market size effect * public goods effect``
* ``market ratio_i = 1 + market access * sum_j integration_ij * perceived output_j /
  perceived output_i``; ``market size effect = (market ratio / market ratio at start)^
  market scale elasticity``
* ``return on capital = alpha * output / capital * (1 - overcapacity return penalty *
  overcapacity share)``; ``expected return = SMOOTH(return on capital, expectation time)``
* ``investment share = max share * z / (1 + z)`` with odds ``z = z0 * (expected return /
  initial return)^e_r * exp(e_I (member integration - initial) + e_T (tournament pressure -
  initial))``, ``z0`` such that the share starts at its 2004 value
* ``regional public goods' = contributions + central funding - public goods depreciation``;
  ``contribution share_i = efficient share * (benefit share_i + (1 - benefit share_i) *
  internalisation_i)``: a member internalises only its own share of the spillovers unless
  joint planning or benefit sharing make it internalise the rest (free-riding otherwise).
"""

from __future__ import annotations

import sdflow as sf

from .context import Context

MONEY = "100 million yuan"
MONEY_FLOW = "100 million yuan/year"
PEOPLE = "10000 person"


def build_economy(ctx: Context, data, labour_end: float) -> None:
    """Capital, productivity, labour, output and investment of every member."""
    m, c, member = ctx.m, ctx.c, ctx.member
    alpha = c["capital share"]
    capital0 = m.const("initial capital", data.capital0, units=MONEY, dims=[member],
                       doc="capital at the start of 2004, perpetual inventory, 2004 prices")
    output0 = m.const("initial output", data.output0, units=MONEY_FLOW, dims=[member],
                      doc="GDP in 2004 (2004 prices)")
    share0 = m.const("initial investment share", data.investment_share0, units="1",
                     dims=[member], doc="GFCF / GDP in 2004")
    population = m.data("population", data.labour, units=PEOPLE, dims=[member],
                        doc="year-end resident population (data)")
    end = m.const("last labour data year", labour_end, units="year")
    labour = m.aux("labour", population * sf.exp(
        c["labour growth after data"] * sf.max(0, m.time - end)), units=PEOPLE,
        doc="population series, continued at 'labour growth after data' after it ends")
    labour0 = m.const("initial labour", data.labour.loc[int(m.start)].to_numpy(),
                      units=PEOPLE, dims=[member], doc="population at the start of the run")

    # Numbers (not `capital0`) as initial value give the stock its own constant,
    # "capital initial", so runs can start from other capital with the same technology.
    capital = m.stock("capital", initial=data.capital0, units=MONEY, dims=[member],
                      doc="fixed capital in 2004 prices")
    productivity = m.stock("productivity", initial=1, units="1", dims=[member],
                           doc="total factor productivity index (2004 = 1)")
    output = m.aux("output", output0 * productivity * (capital / capital0) ** alpha
                   * (labour / labour0) ** (1 - alpha) * m.ref("market size effect")
                   * m.ref("public goods effect"), units=MONEY_FLOW, dims=[member],
                   doc="gross regional product in 2004 prices")
    perceived = m.aux("perceived output", sf.smoothi(output, c["output perception time"],
                                                     output0), units=MONEY_FLOW)
    partner_output = ctx.as_partner(perceived)
    ratio = m.aux("market ratio", 1 + c["market access"] * sf.sum(
        ctx.others * m.ref("market integration") * partner_output, over=ctx.partner)
        / perceived, units="1", doc="effective market size / own output")
    m.aux("market size effect", (ratio / sf.initial(ratio)) ** c["market scale elasticity"],
          units="1")
    m.aux("member integration", sf.sum(ctx.others * m.ref("market integration")
                                       * partner_output, over=ctx.partner)
          / sf.sum(ctx.others * partner_output, over=ctx.partner), units="1",
          doc="output-weighted integration of a member with its partners, in [0, 1]")

    per_person = m.aux("output per person", output / labour, units=f"{MONEY_FLOW}/({PEOPLE})")
    m.aux("catch-up potential", ctx.partner_mean(m.ref("market integration") * sf.max(
        0, sf.ln(ctx.as_partner(per_person) / per_person))), units="1",
        doc="integration-weighted log gap to more productive partners (technology "
        "diffusion needs open markets)")
    m.flow("productivity growth", productivity * (
        c["base productivity growth"]
        * sf.exp(-c["productivity slowdown"] * (m.time - m.start))
        + c["integration learning effect"] * m.ref("member integration")
        + c["technology diffusion rate"] * m.ref("catch-up potential")),
        sink=productivity, units="1/year")

    ret = m.aux("return on capital", alpha * output / capital * (
        1 - c["overcapacity return penalty"] * m.ref("overcapacity share")), units="1/year")
    expected = m.aux("expected return", sf.smooth(ret, c["return expectation time"]),
                     units="1/year")
    integration = m.ref("member integration")
    pressure = m.ref("tournament pressure")
    smax = c["maximum investment share"]
    odds = m.aux("investment odds", share0 / (smax - share0)
                 * (sf.max(expected, 0) / sf.initial(ret)) ** c["return elasticity of investment"]
                 * sf.exp(c["integration effect on investment"]
                          * (integration - sf.initial(integration))
                          + c["tournament effect on investment"]
                          * (pressure - sf.initial(pressure))), units="1")
    share = m.aux("investment share", smax * odds / (1 + odds), units="1")
    m.flow("investment", share * output, sink=capital, units=MONEY_FLOW)
    m.flow("depreciation", capital * ctx.capped(c["depreciation rate"]), source=capital,
           units=MONEY_FLOW)


def build_public_goods(ctx: Context, levers: dict) -> None:
    """Regional public goods: contributions with free-riding, central funding, decay."""
    m, c = ctx.m, ctx.c
    output = m.ref("output")
    perceived = m.ref("perceived output")
    total_output = m.aux("regional output", sf.sum(output, over=ctx.member),
                         units=MONEY_FLOW)
    total0 = sf.sum(m["initial output"], over=ctx.member)
    goods = m.stock("regional public goods", initial=c["initial public goods ratio"] * total0,
                    units=MONEY, doc="cross-border infrastructure and other regional public "
                    "goods, 2004 prices")
    benefit_share = m.aux("benefit share", perceived / sf.sum(perceived, over=ctx.member),
                          units="1", doc="a member's share of the public goods' benefits")
    internal = m.aux("internalisation", 1 - (1 - levers["benefit sharing"])
                     * (1 - m.ref("joint planning")), units="1",
                     doc="share of the spillovers to others a member takes into account")
    share = m.aux("contribution share", c["efficient contribution share"] * (
        benefit_share + (1 - benefit_share) * internal), units="1")
    m.aux("free riding", 1 - share / c["efficient contribution share"], units="1",
          doc="shortfall of contributions below the efficient share")
    m.flow("contributions", sf.sum(share * output, over=ctx.member), sink=goods,
           units=MONEY_FLOW)
    m.flow("central funding", levers["central coordination"] * c["central funding share"]
           * total_output, sink=goods, units=MONEY_FLOW)
    m.flow("public goods depreciation", goods * ctx.capped(1 / c["public goods lifetime"]),
           source=goods, units=MONEY_FLOW)
    per_person = m.aux("public goods per person", goods / sf.sum(m.ref("labour"),
                                                                 over=ctx.member),
                       units=f"{MONEY}/({PEOPLE})")
    m.aux("public goods effect", (per_person / sf.initial(per_person))
          ** c["public goods elasticity"], units="1")
