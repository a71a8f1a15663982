"""Governance, government failure, market integration, trust and cooperation sectors.

Equations (``i`` a member, ``j`` a partner; every stock below lies in [0, 1] by
construction: inflows are proportional to the distance to 1, outflows to the level, and
fractional rates are capped at ``1/dt``):

* levers: ``L_eff = clip(L + (L policy - L) * STEP(1, policy year))``
* ``tournament pressure_i = gdp weight * (1 - evaluation reform) * (1 + tournament
  sensitivity * max(0, mean perceived growth - perceived growth_i) / reference growth)``,
  ``perceived growth = TREND(output, growth perception time, reference growth)``
* ``protectionism' = (1 - P) * protection rise rate * tournament pressure
  - P * protection fall rate * (central coordination + monitoring + mean trust)``
* ``duplicate share_i = clip(duplication propensity * tournament pressure_i *
  (1 - central coordination) * (1 - joint planning_i))``; ``duplicate capacity' =
  duplicate share * investment - duplicate capacity * (depreciation rate + 1/scrapping
  time)``, so it never exceeds capital; ``overcapacity share = duplicate capacity / capital``
* ``opportunism_i = protectionism_i * (1 - contract enforcement) * (1 - monitoring)``
* ``interaction_ij = sqrt(cooperation_ij * cooperation_ji)`` (mutual contact)
* ``market integration_ij' = (1 - I) * integration rate * interaction
  - I * segmentation rate * (P_i + P_j) / 2``
* ``perceived opportunism_j = SMOOTH(opportunism_j, perception time)``,
  ``perceived potential gain_ij = SMOOTH(visibility * potential gain_ij, perception time)``
  with ``perception time = perception delay * (1 - information sharing / 2)``,
  ``visibility = base visibility + (1 - base visibility) * information sharing`` and
  ``potential gain_ij = (1 + market access * output_j / output_i)^market scale elasticity - 1``
* ``trust_ij' = (1 - T) * (trust building rate * kept agreements + gain trust rate *
  interaction * gain signal) - T * (trust erosion rate * perceived opportunism_j +
  trust decay rate * (1 - interaction))``, ``kept agreements = interaction * (1 -
  opportunism_j)``, ``gain signal = g / (g + reference shared gain)`` of the realised gain
  ``g = perceived potential gain * integration``
* ``cooperation_ij' = (desired - cooperation) / cooperation adjustment time``,
  ``desired_ij = others_ij * trust_ij * logistic(steepness * (benefit_ij / reference shared
  gain + central cofunding weight * central coordination - local interest weight *
  tournament pressure_i * (1 - benefit sharing)))`` and ``benefit_ij = (1 - benefit
  sharing) * gain_ij + benefit sharing * (gain_ij + gain_ji) / 2`` (compensation evens
  out the gains of the pair). Zero trust gives zero desired cooperation.
"""

from __future__ import annotations

import sdflow as sf

from .context import Context, unit_interval
from .economy import MONEY, MONEY_FLOW
from .parameters import LEVERS


def build_governance(ctx: Context) -> dict:
    """The six levers, each switching from its base value to its policy value at the
    policy year; returns lever name -> effective-lever variable."""
    m, c = ctx.m, ctx.c
    switch = sf.step(1, c["policy year"])
    effective = {}
    for lever in LEVERS:
        base, policy = c[lever.name], c[f"{lever.name} policy"]
        effective[lever.name] = m.aux(f"effective {lever.name}",
                                      unit_interval(base + (policy - base) * switch),
                                      units="1", doc=lever.doc)
    return effective


def build_government_failure(ctx: Context, levers: dict) -> None:
    """Tournament pressure, local protectionism, duplicate construction."""
    m, c, member = ctx.m, ctx.c, ctx.member
    growth = m.aux("perceived growth", sf.trend(m.ref("output"), c["growth perception time"],
                                                c["reference growth"]), units="1/year",
                   dims=[member])
    gap = m.aux("growth gap", sf.max(0, sf.mean(growth, over=member) - growth)
                / c["reference growth"], units="1",
                doc="how far a member's growth lags the area mean, in reference growth rates")
    pressure = m.aux("tournament pressure", c["gdp weight in evaluation"]
                     * (1 - levers["evaluation reform"])
                     * (1 + c["tournament sensitivity"] * gap), units="1",
                     doc="GDP-tournament pressure on local officials")
    protection = m.stock("protectionism", initial=c["initial protectionism"], units="1",
                         dims=[member], doc="local protectionism and market segmentation "
                         "policy, 0 (none) to 1 (closed)")
    m.flow("protection rise", (1 - protection) * ctx.capped(
        c["protection rise rate"] * pressure), sink=protection, units="1/year")
    mean_trust = m.aux("mean trust", ctx.partner_mean(m.ref("trust")), units="1")
    m.flow("protection fall", protection * ctx.capped(c["protection fall rate"] * (
        levers["central coordination"] + levers["monitoring"] + mean_trust)),
        source=protection, units="1/year")

    planning = m.aux("joint planning", ctx.partner_mean(m.ref("cooperation")), units="1",
                     doc="mean effort in joint projects with the other members")
    dup_share = m.aux("duplicate share", unit_interval(
        c["duplication propensity"] * pressure * (1 - levers["central coordination"])
        * (1 - planning)), units="1", doc="share of investment duplicating neighbours")
    capital = m.ref("capital")
    duplicate = m.stock("duplicate capacity", initial=c["initial overcapacity share"]
                        * m["initial capital"], units=MONEY, dims=[member],
                        doc="capital in duplicate projects (overcapacity)")
    m.flow("duplicate construction", dup_share * m.ref("investment"), sink=duplicate,
           units=MONEY_FLOW)
    m.flow("duplicate retirement", duplicate * ctx.capped(
        c["depreciation rate"] + 1 / c["duplicate scrapping time"]), source=duplicate,
        units=MONEY_FLOW)
    m.aux("overcapacity share", unit_interval(sf.zidz(duplicate, capital)), units="1")
    m.aux("opportunism", protection * (1 - levers["contract enforcement"])
          * (1 - levers["monitoring"]), units="1",
          doc="breaking of joint agreements, subsidy races; deterred by enforcement and "
          "monitoring")


def build_integration(ctx: Context) -> None:
    """Pairwise market integration, built by mutual cooperation, cut by protectionism."""
    m, c, member, partner = ctx.m, ctx.c, ctx.member, ctx.partner
    cooperation = m.ref("cooperation")
    interaction = m.aux("interaction", sf.sqrt(cooperation * ctx.transpose(cooperation)),
                        units="1", doc="mutual contact in joint projects")
    integration = m.stock("market integration", initial=c["initial integration"], units="1",
                          dims=[member, partner], doc="1 - market segmentation between a pair")
    protection = m.ref("protectionism")
    m.flow("integration gain", (1 - integration) * ctx.capped(
        c["integration rate"] * interaction), sink=integration, units="1/year")
    m.flow("segmentation", integration * ctx.capped(
        c["segmentation rate"] * (protection + ctx.as_partner(protection)) / 2),
        source=integration, units="1/year")


def build_trust(ctx: Context, levers: dict) -> None:
    """Pairwise trust: kept agreements and shared gains build it, opportunism erodes it."""
    m, c, member, partner = ctx.m, ctx.c, ctx.member, ctx.partner
    info = levers["information sharing"]
    delay = m.aux("perception time", c["perception delay"] * (1 - info / 2), units="year")
    visibility = m.aux("visibility", c["base visibility"] + (1 - c["base visibility"]) * info,
                       units="1", doc="share of shared gains local governments see")
    output = m.ref("perceived output")
    gain = m.aux("potential gain", (1 + c["market access"] * ctx.as_partner(output) / output)
                 ** c["market scale elasticity"] - 1, units="1",
                 doc="output gain (share) of full integration with a partner")
    perceived_gain = m.aux("perceived potential gain", sf.smooth(visibility * gain, delay),
                           units="1")
    opportunism = ctx.as_partner(m.ref("opportunism"))
    observed = m.aux("perceived opportunism", sf.smooth(opportunism, delay), units="1",
                     dims=[partner])
    interaction = m.ref("interaction")
    realised = m.aux("realised shared gain", perceived_gain * m.ref("market integration"),
                     units="1")
    signal = m.aux("gain signal", realised / (realised + c["reference shared gain"]),
                   units="1")
    kept = m.aux("kept agreements", interaction * (1 - opportunism), units="1")
    trust = m.stock("trust", initial=c["initial trust"], units="1", dims=[member, partner],
                    doc="trust of a member in a partner")
    m.flow("trust building", (1 - trust) * ctx.capped(
        c["trust building rate"] * kept + c["gain trust rate"] * interaction * signal),
        sink=trust, units="1/year")
    m.flow("trust erosion", trust * ctx.capped(
        c["trust erosion rate"] * observed + c["trust decay rate"] * (1 - interaction)),
        source=trust, units="1/year")


def build_cooperation(ctx: Context, levers: dict) -> None:
    """Effort in joint projects, chosen from perceived shared gains against local interest."""
    m, c, member, partner = ctx.m, ctx.c, ctx.member, ctx.partner
    sharing = levers["benefit sharing"]
    gain = m.ref("perceived potential gain")
    benefit = m.aux("perceived benefit", (1 - sharing) * gain
                    + sharing * (gain + ctx.transpose(gain)) / 2, units="1",
                    doc="perceived gain of cooperating, after benefit-sharing compensation")
    net = m.aux("net attraction", benefit / c["reference shared gain"]
                + c["central cofunding weight"] * levers["central coordination"]
                - c["local interest weight"] * m.ref("tournament pressure") * (1 - sharing),
                units="1")
    attract = m.aux("attractiveness", 1 / (1 + sf.exp(-c["cooperation steepness"] * net)),
                    units="1")
    desired = m.aux("desired cooperation", ctx.others * m.ref("trust") * attract, units="1")
    cooperation = m.stock("cooperation", initial=c["initial cooperation"] * ctx.others,
                          units="1", dims=[member, partner],
                          doc="effort of a member in joint projects with a partner")
    m.flow("cooperation change", (desired - cooperation) * ctx.capped(
        1 / c["cooperation adjustment time"]), sink=cooperation, units="1/year")
