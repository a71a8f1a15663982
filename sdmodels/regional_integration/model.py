"""`build`: assemble the regional integration model for a preset or a list of members."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

import sdflow as sf
from sdflow.errors import ModelError, ParameterError

from .choices import build_duplication, build_payoffs, build_protection, build_tournament
from .context import Context
from .data import BASE_YEAR, milestone_times, price_shock, region_data
from .economy import build_economy, build_fiscal, build_public_goods
from .institutions import (build_cooperation, build_governance, build_integration,
                           build_perception, build_trust)
from .parameters import LEVERS, PARAMETERS, POLICY_YEAR
from .presets import get_preset

TIME_OPTIONS = ("start", "stop", "dt", "saveper")


def option_key(name: str) -> str:
    """The keyword for a constant: ``"monitoring policy"`` -> ``"monitoring_policy"``."""
    return name.replace(" ", "_")


def _defaults() -> dict:
    values = {p.name: (p.value, p.units, p.doc, p.per_member) for p in PARAMETERS}
    for lever in LEVERS:
        values[lever.name] = (lever.value, lever.units, lever.doc, False)
        values[f"{lever.name} policy"] = (lever.value, lever.units,
                                          f"{lever.name} from the policy year on", False)
    values[POLICY_YEAR.name] = (POLICY_YEAR.value, POLICY_YEAR.units, POLICY_YEAR.doc, False)
    return values


def build(preset: str = "yrd", members: Sequence[str] | None = None, start: float = 2004,
          stop: float = 2050, dt: float = 0.25, saveper: float | None = 1.0,
          hold: Mapping | None = None, **constants) -> sf.Model:
    """A fresh regional integration model for an integration area.

    Parameters
    ----------
    preset : {"yrd", "jjj", "pprd"}
        Yangtze River Delta, Jing-Jin-Ji or Pan-Pearl River Delta (see `PRESETS`); its
        central milestones drive the central mandate, and its own constants (``presets.toml``,
        e.g. Jing-Jin-Ji's pooled productivity slowdown) replace the defaults.
    members : list of str, optional
        Provinces to use instead of the preset's (names as in the data; at least two; no
        central milestones; the relative-price shock is the mean over every pair).
    start, stop, dt, saveper : float
        Time settings in years; runs start in 2004, the year of the initial values.
    hold : mapping, optional
        Loop knock-out: names of linking variables (``"integration stake"``, ``"protection
        payoff"``, ``"tournament standing"``...) held at ``"initial"`` value or at a given
        time series (pandas Series or DataFrame with one column per member).
    **constants
        Any named constant by keyword, spaces as underscores, e.g. ``monitoring_policy=0.8``
        or ``capital_share=0.45`` (see `parameter_names`); per-member constants take one
        number or one per member. Set a lever and its ``..._policy`` together to change it
        over the whole run.

    Returns
    -------
    sdflow.Model
        A new model; calls never share state.

    Examples
    --------
    >>> from sdmodels.regional_integration import build
    >>> m = build("jjj", stop=2010, monitoring_policy=0.6)
    >>> m.dimensions["member"].elements
    ('Beijing', 'Tianjin', 'Hebei')
    >>> float(m["monitoring policy"].value)
    0.6
    """
    area = list(members) if members is not None else list(get_preset(preset).members)
    if len(area) < 2:
        raise ModelError(f"members={area}: an integration area needs at least two members")
    defaults = _defaults()
    by_key = {option_key(name): name for name in defaults}
    unknown = sorted(k for k in constants if k not in by_key)
    if unknown:
        raise ParameterError(f"build(): unknown constant(s) {unknown}; known ones are "
                             f"{sorted(by_key)}", tuple(unknown))
    values = {name: v[0] for name, v in defaults.items()}
    if members is None:
        values.update(get_preset(preset).constants)
    for key, value in constants.items():
        name = by_key[key]
        array = np.asarray(value, dtype=float)
        if array.ndim and not (defaults[name][3] and array.shape == (len(area),)):
            raise ParameterError(f"build(): {key} takes one number"
                                 + (f" or {len(area)} (one per member)"
                                    if defaults[name][3] else "") + f", not {value!r}",
                                 (name,))
        values[name] = array if array.ndim else float(array)

    if start != BASE_YEAR:
        raise ModelError(f"start={start}: the initial values (output, capital, investment "
                         f"share) are those of {BASE_YEAR}, so runs start in {BASE_YEAR}; "
                         "use simulate(...) results from a later year instead")
    data = region_data(area)
    too_high = [p for p, s in zip(area, data.investment_share0)
                if s >= values["maximum investment share"]]
    if too_high:
        raise ParameterError(f"maximum investment share {values['maximum investment share']} "
                             f"is not above the 2004 investment share of {too_high}; raise it",
                             ("maximum investment share",))
    milestones = milestone_times(get_preset(preset).milestones) if members is None else ()

    m = sf.Model(f"regional integration ({preset if members is None else 'custom'})",
                 start=start, stop=stop, dt=dt, time_units="year", saveper=saveper)
    ctx = Context(m, m.dim("member", area), m.dim("partner", area), hold=dict(hold or {}))
    for name, (_, units, doc, per_member) in defaults.items():
        ctx.c[name] = m.const(name, values[name], units=units, doc=doc,
                              dims=[ctx.member] if per_member else None)
    ctx.others = m.const("others", 1 - np.eye(len(area)), units="1",
                         dims=[ctx.member, ctx.partner],
                         doc="1 for a pair of different members, 0 for a member with itself")
    ctx.max_rate = m.const("maximum fractional rate", 1 / dt, units="1/year",
                           doc="1/dt: caps fractional rates so stocks keep their range")

    levers = build_governance(ctx, milestones)
    build_economy(ctx, data, labour_end=float(data.labour.index.max()))
    build_fiscal(ctx, data)
    build_public_goods(ctx, levers)
    build_tournament(ctx, levers)
    build_perception(ctx, levers)
    build_payoffs(ctx, levers)
    build_protection(ctx, levers)
    build_duplication(ctx, levers)
    build_integration(ctx, levers, price_shock(preset if members is None else None))
    build_trust(ctx, levers)
    build_cooperation(ctx, levers)
    missing = sorted(set(ctx.hold) - ctx.held)
    if missing:
        raise ModelError(f"hold: {missing} cannot be held; holdable links are the variables "
                         "built with Context.link (see loops.HOLDABLE)")
    return m
