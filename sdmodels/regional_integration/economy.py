"""Economy and market-failure sectors: capital, duplicate capacity, productivity, output,
investment, the fiscal base, and regional public goods.

Equations (per member ``i``; ``j`` runs over the other members; ``~Y`` is perceived output,
``SMOOTH(output, output perception time)``):

* ``capital' = investment - depreciation``; ``duplicate capacity' = duplicate share *
  investment - duplicate capacity * (depreciation rate + 1 / scrapping time)``, starting at
  ``initial overcapacity share * capital`` (so it never exceeds capital);
  ``effective capital = capital - (1 - duplicate utilisation) * duplicate capacity``
* ``productivity' = productivity * ((base productivity growth + integration learning effect
  * member integration) * exp(-productivity slowdown * (t - 2004)) + technology diffusion
  rate * catch-up potential)``: learning from partners is catch-up learning that fades as
  the productivity gap closes, like the rest of the convergence growth; a bounded index
  that raised growth permanently would add a growth rate to every year to 2060
* ``potential output = initial output * productivity * (effective capital / reference
  effective capital)^alpha * (labour / labour0)^(1 - alpha) * market size effect *
  public goods effect``
* ``output = potential output * efficiency / reference efficiency``, ``efficiency = (1 -
  protection deadweight * protectionism) * (1 + net capture share) * (1 - governance cost
  share)`` (the reference is the efficiency of the 2004 state, which the data describe):
  protection diverts partners' sales to local firms (``captured sales_ij = capture share *
  trade intensity * (1 - contract coverage) * integration_ij * protectionism_i * ~Y_i ~Y_j /
  sum ~Y``), a transfer between members, and costs its own deadweight; governance levers
  and joint projects cost output
* ``market ratio_i = 1 + market access * sum_j integration_ij ~Y_j / ~Y_i``; ``market size
  effect = (market ratio / market ratio at start)^market scale elasticity``
* ``return on capital = alpha * output / capital``; ``investment share = max share * z /
  (1 + z)`` with odds ``z = z0 (expected return / initial return)^e_r exp(e_I (member
  integration - initial) + e_T (tournament pressure - initial) + stimulus push *
  PULSE(2009, 2))``: the stimulus is the State Council's investment package of November
  2008 (4 trillion yuan, spent 2009-2010), a national shift of the investment odds that
  no member's returns, integration or tournament explain
* fiscal revenue ``= tax share * output``, ``tax share = tax share_2004 * (1 + (long-run tax
  ratio - 1) (1 - exp(-tax share convergence rate (t - 2004))))``
* ``regional public goods' = contributions + central funding - depreciation``, with
  free-riding: ``contribution share_i = efficient share * (benefit share_i + (1 - benefit
  share_i) * internalisation)``.
"""

from __future__ import annotations

import sdflow as sf

from .context import Context, unit_interval
from .parameters import LEVERS

MONEY = "100 million yuan"
MONEY_FLOW = "100 million yuan/year"
PEOPLE = "10000 person"
# The State Council's package of November 2008 was spent in 2009 and 2010.
STIMULUS_START = 2009.0
STIMULUS_YEARS = 2.0


def build_economy(ctx: Context, data, labour_end: float) -> None:
    """Capital, duplicate capacity, productivity, labour, output and investment."""
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
    duplicate = m.stock("duplicate capacity", initial=c["initial overcapacity share"]
                        * m["capital initial"], units=MONEY, dims=[member],
                        doc="capital in duplicate projects, idle or under-used")
    idle = 1 - c["duplicate utilisation"]
    effective = m.aux("effective capital", capital - idle * duplicate, units=MONEY,
                      doc="capital that produces: duplicate capacity counts at its utilisation")
    reference = m.aux("reference effective capital", capital0 * (
        1 - idle * c["initial overcapacity share"]), units=MONEY,
        doc="effective capital of 2004 in the data (the technology's reference point)")
    m.aux("overcapacity share", sf.min(1, sf.zidz(duplicate, capital)), units="1")
    productivity = m.stock("productivity", initial=1, units="1", dims=[member],
                           doc="total factor productivity index (2004 = 1)")
    potential = m.aux("potential output", output0 * productivity
                      * sf.zidz(effective, reference) ** alpha
                      * (labour / labour0) ** (1 - alpha) * m.ref("market size effect")
                      * m.ref("public goods effect"), units=MONEY_FLOW, dims=[member],
                      doc="output without protection, capture and governance costs")
    efficiency = m.aux("efficiency", (1 - c["protection deadweight"] * m.ref("protectionism"))
                       * (1 + m.ref("net capture share"))
                       * (1 - m.ref("governance cost share")), units="1", dims=[member],
                       doc="output kept after protection's deadweight, capture and "
                       "governance costs")
    # The 2004 data are output under the 2004 state (protection, levers, joint projects):
    # the technology is scaled so that this state reproduces them.
    base_cost = sum(c[f"{lever.name} cost"] * unit_interval(c[lever.name]) for lever in LEVERS)
    reference_efficiency = m.aux("reference efficiency", (
        1 - c["protection deadweight"] * c["initial protectionism"])
        * (1 - unit_interval(base_cost + c["cooperation cost"] * c["initial cooperation"])),
        units="1", doc="efficiency in the 2004 state the data describe")
    m.aux("output", potential * efficiency / reference_efficiency, units=MONEY_FLOW,
          dims=[member], doc="gross regional product in 2004 prices")
    output = m.ref("output")
    perceived = m.aux("perceived output", sf.smoothi(output, c["output perception time"],
                                                     output0), units=MONEY_FLOW)
    partner_output = ctx.as_partner(perceived)
    integration = m.ref("market integration")
    ratio = m.aux("market ratio", 1 + c["market access"] * sf.zidz(sf.sum(
        ctx.others * integration * partner_output, over=ctx.partner), perceived), units="1",
        doc="effective market size / own output")
    m.aux("market size effect", (ratio / sf.initial(ratio)) ** c["market scale elasticity"],
          units="1")
    m.aux("member integration", sf.sum(ctx.others * integration * partner_output,
                                       over=ctx.partner)
          / sf.sum(ctx.others * partner_output, over=ctx.partner), units="1",
          doc="output-weighted integration of a member with its partners, in [0, 1]")
    _build_capture(ctx, perceived)

    per_person = m.aux("output per person", output / labour, units=f"{MONEY_FLOW}/({PEOPLE})")
    m.aux("catch-up potential", ctx.partner_mean(integration * sf.ln(sf.max(
        1, sf.zidz(ctx.as_partner(per_person), per_person)))), units="1",
        doc="integration-weighted log gap to more productive partners (technology "
        "diffusion needs open markets)")
    # The learning term fades with the same convergence as base growth: learning from
    # partners closes a gap, so it cannot add a permanent growth rate for a bounded index.
    m.flow("productivity growth", productivity * (
        (c["base productivity growth"]
         + c["integration learning effect"] * m.ref("member integration"))
        * sf.exp(-c["productivity slowdown"] * (m.time - m.start))
        + c["technology diffusion rate"] * m.ref("catch-up potential")),
        sink=productivity, units="1/year")

    ret = m.aux("return on capital", alpha * sf.zidz(output, capital), units="1/year")
    expected = m.aux("expected return", sf.smooth(ret, c["return expectation time"]),
                     units="1/year")
    member_integration = m.ref("member integration")
    pressure = m.ref("tournament pressure")
    smax = c["maximum investment share"]
    # Dates of the 2008 package, not uncertain: its size is the parameter.
    stimulus = m.aux("stimulus investment shift", c["stimulus investment push"] * sf.pulse(
        m.const("stimulus start", STIMULUS_START, units="year",
                doc="first year of the 2008 stimulus package's spending"),
        m.const("stimulus duration", STIMULUS_YEARS, units="year",
                doc="years the package's spending ran (2009-2010)")), units="1",
        doc="national shift of the investment log-odds by the 2009-2010 stimulus")
    odds = m.aux("investment odds", share0 / (smax - share0)
                 * sf.xidz(sf.max(expected, 0), sf.initial(ret), 1)
                 ** c["return elasticity of investment"]
                 * sf.exp(c["integration effect on investment"]
                          * (member_integration - sf.initial(member_integration))
                          + c["tournament effect on investment"]
                          * (pressure - sf.initial(pressure)) + stimulus), units="1")
    share = m.aux("investment share", smax * odds / (1 + odds), units="1")
    investment = m.flow("investment", share * output, sink=capital, units=MONEY_FLOW)
    m.flow("depreciation", capital * ctx.capped(c["depreciation rate"]), source=capital,
           units=MONEY_FLOW)
    m.flow("duplicate construction", m.ref("duplicate share") * investment, sink=duplicate,
           units=MONEY_FLOW)
    m.flow("duplicate retirement", duplicate * ctx.capped(
        c["depreciation rate"] + 1 / c["duplicate scrapping time"]), source=duplicate,
        units=MONEY_FLOW)


def _build_capture(ctx: Context, perceived) -> None:
    """Sales that protection diverts from partners' firms to local firms."""
    m, c = ctx.m, ctx.c
    area = sf.sum(perceived, over=ctx.member)
    potential = m.aux("capture potential", c["capture share"] * c["trade intensity"]
                      * (1 - m.ref("contract coverage")) * ctx.others
                      * m.ref("market integration") * ctx.as_partner(perceived) / area,
                      units="1", doc="share of own output a member's firms would gain from "
                      "a partner at full protectionism (uncovered, integrated trade only)")
    captured = m.aux("captured sales", potential * m.ref("protectionism") * perceived,
                     units=MONEY_FLOW, doc="partner's sales diverted to a member's firms")
    gained = sf.sum(captured, over=ctx.partner)
    lost = sf.sum(ctx.transpose(captured), over=ctx.partner)
    m.aux("net captured sales", gained - lost, units=MONEY_FLOW,
          doc="sales a member's firms gain by its protection minus those its partners' "
          "protection takes from them")
    m.aux("net capture share", sf.zidz(gained - lost, perceived), units="1")


def build_fiscal(ctx: Context, data) -> None:
    """Tax share, fiscal revenue (the tax base the payoffs defend)."""
    m, c = ctx.m, ctx.c
    tax0 = m.const("initial tax share", data.tax_share0, units="1", dims=[ctx.member],
                   doc="local budget revenue / GDP in 2004")
    share = m.aux("tax share", tax0 * (1 + (c["long-run tax ratio"] - 1) * (
        1 - sf.exp(-c["tax share convergence rate"] * (m.time - m.start)))), units="1",
        doc="share of output local budgets collect")
    m.aux("fiscal revenue", share * m.ref("output"), units=MONEY_FLOW,
          doc="local general budget revenue in 2004 prices")


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
    benefit_share = m.aux("benefit share", sf.zidz(perceived, sf.sum(perceived,
                                                                     over=ctx.member)),
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
