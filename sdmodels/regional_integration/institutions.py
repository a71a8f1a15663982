"""Governance, perception, reputation, trust, cooperation and market integration.

Equations (``i`` a member, ``j`` a partner; every stock below lies in [0, 1] by
construction: inflows are proportional to the distance to 1, outflows to the level, and
fractional rates are capped at ``1/dt``):

* levers: ``L_eff = clip(L + (L policy - L) * STEP(1, policy year))``; each costs
  ``<lever> cost * L_eff`` of every member's output, joint projects ``cooperation cost *
  joint planning``
* central mandate (data): ``1 - (1 - mandate step)^n(t)``, ``n(t)`` the number of the
  area's central milestones up to ``t`` (State Council, Politburo, national strategy,
  framework agreement; see `data.milestone_times`)
* incomplete contracts: ``contract coverage = 1 - (1 - contract enforcement) * (1 - mandate
  coverage * central mandate)``; ``opportunism_i = protectionism_i * (1 - coverage)``
* imperfect monitoring: ``visibility = 1 - (1 - base visibility) (1 - information sharing)
  (1 - monitoring)``; ``seen opportunism_j = SMOOTH(visibility * opportunism_j + (1 -
  visibility) * presumed opportunism, perception time)`` (a delayed and biased view),
  ``perception time = perception delay * (1 - information sharing / 2)``
* ``reputation_i' = (1 - opportunism seen by partners_i - reputation_i) / reputation memory``
* ``potential gain_ij = (1 + market access ~Y_j / ~Y_i)^market scale elasticity - 1``,
  ``perceived potential gain = SMOOTH(visibility * potential gain, perception time)``
* ``trust_ij' = (1 - T) (trust building rate * kept agreements_ij * reputation_j + gain
  trust rate * interaction * gain signal) - T (trust erosion rate * seen opportunism_j +
  trust decay rate * (1 - interaction))``, ``kept agreements = interaction * (1 - seen
  opportunism_j)``, ``gain signal = g / (g + reference shared gain)`` of the realised gain
* ``cooperation_ij' = (desired - cooperation) / cooperation adjustment time``, ``desired_ij
  = (coverage + (1 - coverage) * trust_ij) * logistic(steepness * net_ij)``: contracts and
  mandates carry cooperation where trust is missing; ``net_ij = (perceived benefit_ij -
  cooperation cost - local interest weight * max(0, protection payoff_i)) / reference shared
  gain + central cofunding weight * clip(central coordination + central mandate)``, with
  benefit sharing evening out the perceived gains of the pair
* ``market integration_ij' = (1 - I) (integration rate * interaction + mandate integration
  rate * central mandate) - I * segmentation rate * (P_i + P_j) / 2``,
  ``interaction_ij = sqrt(cooperation_ij * cooperation_ji)``
* measurement: ``price segmentation_i = segmentation scale * (1 - member integration_i) *
  relative-price shock(t)^price shock elasticity``, the model's counterpart of the
  relative-price segmentation index. The index is a variance over goods of relative-price
  changes, so it swings with nationwide shocks to the inflation rates of goods (2004,
  2007-2010, 2011) whatever the area's integration; the shock (data, 2004 = 1) is the mean
  index of the province pairs outside the area (`data.price_shock`), so integration is
  identified from how the area's index moves against the rest of the country's. After the
  data the shock keeps its last value.
"""

from __future__ import annotations

import sdflow as sf

from .context import Context, logistic, unit_interval
from .parameters import LEVERS


def build_governance(ctx: Context, milestones: tuple) -> dict:
    """The levers (each switching to its policy value at the policy year), their costs, the
    central mandate and contract coverage; returns lever name -> effective lever."""
    m, c = ctx.m, ctx.c
    switch = sf.step(1, c["policy year"])
    effective = {}
    for lever in LEVERS:
        base, policy = c[lever.name], c[f"{lever.name} policy"]
        effective[lever.name] = m.aux(f"effective {lever.name}",
                                      unit_interval(base + (policy - base) * switch),
                                      units="1", doc=lever.doc)
    m.aux("lever cost share", sum(c[f"{lever.name} cost"] * effective[lever.name]
                                  for lever in LEVERS), units="1",
          doc="share of output spent on the governance levers")
    count = 0
    for k, year in enumerate(milestones):
        count = count + sf.step(1, m.const(f"central milestone {k + 1}", year, units="year",
                                           doc="date of a central mandate (milestones data)"))
    m.aux("central milestones", count, units="1",
          doc="number of the area's central mandates so far")
    mandate = m.aux("central mandate", 1 - (1 - c["mandate step"]) ** m.ref(
        "central milestones"), units="1", doc="strength of central mandates, 0 to 1")
    m.aux("contract coverage", 1 - (1 - effective["contract enforcement"])
          * (1 - c["mandate coverage"] * mandate), units="1",
          doc="share of the cooperation domain binding agreements and mandates cover")
    return effective


def build_perception(ctx: Context, levers: dict) -> None:
    """What members see of each other: delayed, incomplete, biased; reputation."""
    m, c, member, partner = ctx.m, ctx.c, ctx.member, ctx.partner
    info, monitoring = levers["information sharing"], levers["monitoring"]
    delay = m.aux("perception time", c["perception delay"] * (1 - info / 2), units="year")
    visibility = m.aux("visibility", 1 - (1 - c["base visibility"]) * (1 - info)
                       * (1 - monitoring), units="1",
                       doc="weight of partners' true behaviour and gains in what is seen")
    opportunism = ctx.as_partner(m.ref("opportunism"))
    seen = m.aux("seen opportunism", sf.smooth(
        visibility * opportunism + (1 - visibility) * c["presumed opportunism"], delay),
        units="1", dims=[partner], doc="partners' opportunism as members see it")
    seen_by_partners = m.aux("opportunism seen by partners", seen.rename(partner=member),
                             units="1", doc="how a member's opportunism is seen")
    reputation = m.stock("reputation", initial=c["initial reputation"], units="1",
                         dims=[member], doc="remembered record of kept agreements")
    m.flow("reputation change", (1 - seen_by_partners - reputation) * ctx.capped(
        1 / c["reputation memory"]), sink=reputation, units="1/year")
    output = m.ref("perceived output")
    gain = m.aux("potential gain", (1 + c["market access"] * sf.zidz(
        ctx.as_partner(output), output)) ** c["market scale elasticity"] - 1, units="1",
        doc="output gain (share) of full integration with a partner")
    m.aux("perceived potential gain", sf.smooth(visibility * gain, delay), units="1")


def build_integration(ctx: Context, levers: dict, price_shock) -> None:
    """Pairwise market integration: built by mutual cooperation and mandates, cut by
    protectionism; the measured segmentation index, scaled by ``price_shock`` (pandas Series
    by year, 2004 = 1, `data.price_shock`)."""
    m, c, member, partner = ctx.m, ctx.c, ctx.member, ctx.partner
    cooperation = m.ref("cooperation")
    interaction = m.aux("interaction", sf.sqrt(cooperation * ctx.transpose(cooperation)),
                        units="1", doc="mutual contact in joint projects")
    integration = m.stock("market integration", initial=c["initial integration"], units="1",
                          dims=[member, partner], doc="1 - market segmentation between a pair")
    protection = m.ref("protectionism")
    m.flow("integration gain", (1 - integration) * ctx.capped(
        c["integration rate"] * interaction
        + c["mandate integration rate"] * m.ref("central mandate")),
        sink=integration, units="1/year")
    m.flow("segmentation", integration * ctx.capped(
        c["segmentation rate"] * (protection + ctx.as_partner(protection)) / 2),
        source=integration, units="1/year")
    shock = m.data("relative-price shock", price_shock, units="1",
                   doc="mean segmentation index of the pairs outside the area, 2004 = 1 (data; "
                       "the last value after the data)")
    m.aux("price segmentation", c["segmentation scale"] * (1 - m.ref("member integration"))
          * shock ** c["price shock elasticity"], units="1",
          doc="the model's counterpart of the relative-price segmentation index")


def build_trust(ctx: Context, levers: dict) -> None:
    """Pairwise trust: kept agreements with reputable partners and shared gains build it,
    seen opportunism erodes it."""
    m, c, member, partner = ctx.m, ctx.c, ctx.member, ctx.partner
    seen = m.ref("seen opportunism")
    interaction = m.ref("interaction")
    realised = m.aux("realised shared gain", m.ref("perceived potential gain")
                     * m.ref("market integration"), units="1")
    signal = m.aux("gain signal", realised / (realised + c["reference shared gain"]),
                   units="1")
    kept = m.aux("kept agreements", interaction * (1 - seen), units="1")
    trust = m.stock("trust", initial=c["initial trust"], units="1", dims=[member, partner],
                    doc="trust of a member in a partner")
    m.flow("trust building", (1 - trust) * ctx.capped(
        c["trust building rate"] * kept * ctx.as_partner(m.ref("reputation"))
        + c["gain trust rate"] * interaction * signal), sink=trust, units="1/year")
    m.flow("trust erosion", trust * ctx.capped(
        c["trust erosion rate"] * seen + c["trust decay rate"] * (1 - interaction)),
        source=trust, units="1/year")
    m.aux("mean trust", ctx.partner_mean(trust), units="1")


def build_cooperation(ctx: Context, levers: dict) -> None:
    """Effort in joint projects: a logit choice on perceived gains against the temptation
    to defect, carried by trust or by contracts and mandates."""
    m, c = ctx.m, ctx.c
    sharing = levers["benefit sharing"]
    gain = m.ref("perceived potential gain")
    benefit = m.aux("perceived benefit", (1 - sharing) * gain
                    + sharing * (gain + ctx.transpose(gain)) / 2, units="1",
                    doc="perceived gain of cooperating, after benefit-sharing compensation")
    temptation = sf.max(0, m.ref("protection payoff"))
    support = unit_interval(levers["central coordination"] + m.ref("central mandate"))
    net = m.aux("net attraction", (benefit - c["cooperation cost"]
                                   - c["local interest weight"] * temptation)
                / c["reference shared gain"] + c["central cofunding weight"] * support,
                units="1")
    attract = m.aux("attractiveness", logistic(c["cooperation steepness"] * net), units="1")
    coverage = m.ref("contract coverage")
    basis = m.aux("cooperation basis", coverage + (1 - coverage) * m.ref("trust"), units="1",
                  doc="what carries cooperation: contracts and mandates, or trust")
    desired = m.aux("desired cooperation", ctx.others * basis * attract, units="1")
    cooperation = m.stock("cooperation", initial=c["initial cooperation"] * ctx.others,
                          units="1", dims=[ctx.member, ctx.partner],
                          doc="effort of a member in joint projects with a partner")
    m.flow("cooperation change", (desired - cooperation) * ctx.capped(
        1 / c["cooperation adjustment time"]), sink=cooperation, units="1/year")
    planning = m.aux("joint planning", ctx.partner_mean(cooperation), units="1",
                     doc="mean effort in joint projects with the other members")
    m.aux("governance cost share", unit_interval(m.ref("lever cost share")
                                                 + c["cooperation cost"] * planning),
          units="1", doc="share of output spent on governance and joint projects")
