"""Benchmark model: trade, trust and protection among six regions of one cluster.

The same model is written in Vensim syntax beside this file (``regional_trade.mdl``) so that
PySD can run it; ``benchmarks/check_models.py`` compares the two trajectories.

Six regions trade by a gravity model weighted by the trust each region holds in each partner
(a region x partner stock) and damped by the partner's local protection. Trade raises
output; trust follows trade dependence and falls with the partner's protection and
recession; poorer regions protect more (GDP-tournament government failure), which central
coordination suppresses; fiscal transfers close part of the income gap; a joint fund paid
in proportion to trust builds infrastructure; technology spills over along trusted links.
50 years at dt = 0.25 (200 Euler steps), 6 stocks (3 of them 2-D or arrayed) plus a smooth.
"""

from __future__ import annotations

import sdflow as sf

REGIONS = ["Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi"]
LINK = [[0, 1, 1, 0.4, 0.3, 0.3],
        [1, 0, 0.8, 0.9, 0.3, 0.3],
        [1, 0.8, 0, 0.6, 0.7, 0.5],
        [0.4, 0.9, 0.6, 0, 0.3, 0.6],
        [0.3, 0.3, 0.7, 0.3, 0, 0.8],
        [0.3, 0.3, 0.5, 0.6, 0.8, 0]]


def build(start: float = 2024, stop: float = 2074, dt: float = 0.25) -> sf.Model:
    """The regional trade benchmark model (72 variables, 6 regions, region x partner).

    Examples
    --------
    >>> m = build(stop=2025)
    >>> len(m.variables) > 30
    True
    """
    m = sf.Model("regional trade", start=start, stop=stop, dt=dt, time_units="year")
    region = m.dim("region", REGIONS)
    partner = m.dim("partner", REGIONS)
    R, RP = [region], [region, partner]

    capital_share = m.const("capital share", 0.35)
    depreciation_rate = m.const("depreciation rate", 0.05)
    trade_intensity = m.const("trade intensity", 0.5)
    trade_gain = m.const("trade gain", 0.3)
    protection_cost = m.const("protection cost", 0.2)
    trust_time = m.const("trust adjustment time", 4)
    protection_time = m.const("protection adjustment time", 3)
    coordination = m.const("coordination strength", 0.3)
    transfer_rate = m.const("fiscal transfer rate", 0.1)
    diffusion_rate = m.const("diffusion rate", 0.05)
    base_growth = m.const("base tfp growth", 0.01)
    contribution_rate = m.const("joint contribution rate", 0.02)
    disbursement_time = m.const("fund disbursement time", 5)
    infra_depreciation = m.const("infrastructure depreciation", 0.04)
    infra_effect = m.const("infrastructure effect", 0.2)
    perception_time = m.const("perception time", 2)
    initial_trust = m.const("initial trust", 0.5)
    initial_protection = m.const("initial protection", 0.2)
    savings_rate = m.const("savings rate", [0.35, 0.42, 0.4, 0.38, 0.36, 0.37], dims=R)
    labour = m.const("labour", [25, 85, 65, 61, 41, 45], dims=R)
    initial_capital = m.const("initial capital", [40, 90, 70, 35, 40, 30], dims=R)
    initial_tfp = m.const("initial tfp", [1.4, 1.1, 1.15, 0.8, 0.95, 0.75], dims=R)
    initial_infra = m.const("initial infrastructure", [4, 8, 7, 3, 4, 2.5], dims=R)
    link = m.const("link", LINK, dims=RP)

    protection_effect = m.lookup("effect of relative income on protection",
                                 x=[0, 0.5, 0.8, 1, 1.2, 1.5, 2],
                                 y=[0.6, 0.5, 0.35, 0.25, 0.18, 0.12, 0.1])
    trust_effect = m.lookup("effect of trade dependence on trust",
                            x=[0, 0.02, 0.05, 0.1, 0.2], y=[0.2, 0.4, 0.6, 0.8, 0.9])

    capital = m.stock("capital", initial=initial_capital, dims=R)
    tfp = m.stock("tfp", initial=initial_tfp, dims=R)
    infrastructure = m.stock("infrastructure", initial=initial_infra, dims=R)
    protection = m.stock("protection", initial=initial_protection, dims=R)
    trust = m.stock("trust", initial=initial_trust, dims=RP)
    fund = m.stock("joint fund", initial=0)

    def as_partner(x):
        return x.rename(region=partner)

    potential = m.aux("potential output",
                      tfp * capital ** capital_share * labour ** (1 - capital_share)
                      * (1 + infra_effect * infrastructure / capital), dims=R)
    total_potential = m.aux("total potential output", sf.sum(potential, over=region))
    trade_potential = m.aux("trade potential", trade_intensity * potential
                            * as_partner(potential) / total_potential * link, dims=RP)
    trade = m.aux("trade flow", trade_potential * trust * (1 - as_partner(protection)), dims=RP)
    exports = m.aux("exports", sf.sum(trade, over=partner), dims=R)
    export_share = m.aux("export share", exports / potential, dims=R)
    gdp = m.aux("gdp", potential * (1 + trade_gain * export_share)
                * (1 - protection_cost * protection), dims=R)
    total_gdp = m.aux("total gdp", sf.sum(gdp, over=region))
    total_labour = m.aux("total labour", sf.sum(labour, over=region))
    labour_share = m.aux("labour share", labour / total_labour, dims=R)
    gdp_per_worker = m.aux("gdp per worker", gdp / labour, dims=R)
    average_gdp_per_worker = m.aux("average gdp per worker", total_gdp / total_labour)
    relative_income = m.aux("relative income", gdp_per_worker / average_gdp_per_worker, dims=R)
    indicated_protection = m.aux("indicated protection",
                                 protection_effect(relative_income) * (1 - coordination), dims=R)
    transfer = m.aux("fiscal transfer", transfer_rate
                     * (average_gdp_per_worker - gdp_per_worker) * labour, dims=R)
    disposable = m.aux("disposable income", gdp + transfer, dims=R)
    perceived_gdp = m.aux("perceived gdp", sf.smooth(gdp, perception_time), dims=R)
    gdp_growth = m.aux("gdp growth", (gdp - perceived_gdp) / (perceived_gdp * perception_time),
                       dims=R)
    dependence = m.aux("trade dependence", trade / potential, dims=RP)
    target_trust = m.aux("target trust", trust_effect(dependence)
                         * (1 - as_partner(protection))
                         * (1 + sf.min(0, as_partner(gdp_growth))), dims=RP)
    tfp_gap = m.aux("tfp gap", sf.max(0, as_partner(tfp) - tfp) * trust * link, dims=RP)
    spillover = m.aux("spillover", sf.sum(tfp_gap, over=partner) / tfp, dims=R)
    trust_held = m.aux("trust held", sf.sum(trust * link, over=partner)
                       / sf.sum(link, over=partner), dims=R)
    average_trust = m.aux("average trust", sf.sum(trust_held, over=region) / 6)
    cluster_exports = m.aux("cluster exports", sf.sum(exports, over=region))
    m.aux("integration index", cluster_exports / total_gdp)
    m.aux("income dispersion", sf.max(relative_income, over=region)
          - sf.min(relative_income, over=region))

    m.flow("investment", savings_rate * disposable, sink=capital, dims=R)
    m.flow("depreciation", capital * depreciation_rate, source=capital, dims=R)
    m.flow("tfp growth", tfp * (base_growth + diffusion_rate * spillover), sink=tfp, dims=R)
    contributions = m.flow("contributions", contribution_rate * total_gdp * average_trust,
                           sink=fund)
    disbursement = m.flow("disbursement", fund / disbursement_time, source=fund)
    m.flow("infrastructure building", disbursement * labour_share, sink=infrastructure, dims=R)
    m.flow("infrastructure decay", infrastructure * infra_depreciation, source=infrastructure,
           dims=R)
    m.flow("protection change", (indicated_protection - protection) / protection_time,
           sink=protection, dims=R)
    m.flow("trust change", (target_trust - trust) / trust_time, sink=trust, dims=RP)
    del contributions
    return m
