"""What every sector builder needs: the model, its dimensions, constants and helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

import sdflow as sf
from sdflow.errors import ModelError


@dataclass
class Context:
    """The model under construction, shared by the sector builders.

    ``c`` maps constant names to the model's constants. ``others`` is the member x partner
    mask (1 off the diagonal, 0 on it), so pairwise sums skip a member's pair with itself.
    ``max_rate`` (``1/dt``) caps fractional rates so that first-order flows never take more
    than a stock holds in one Euler step, whatever the parameter values. ``hold`` maps
    names of variables to hold (loop knock-out) to ``"initial"`` or a time series.
    """

    m: sf.Model
    member: sf.Dimension
    partner: sf.Dimension
    c: dict = field(default_factory=dict)
    others: sf.Const | None = None
    max_rate: sf.Const | None = None
    hold: dict = field(default_factory=dict)
    held: set = field(default_factory=set)

    def transpose(self, x):
        """``x[member, partner]`` seen from the partner: ``x[partner, member]``."""
        return x.rename(member=self.partner, partner=self.member)

    def as_partner(self, x):
        """A per-member expression indexed by partner instead."""
        return x.rename(member=self.partner)

    def partner_mean(self, x):
        """Mean of a member x partner expression over the *other* members."""
        return sf.sum(self.others * x, over=self.partner) / (len(self.member) - 1)

    def capped(self, rate):
        """A fractional rate limited to ``1/dt`` (see the class docstring)."""
        return sf.min(rate, self.max_rate)

    def link(self, name: str, expr, **options):
        """An auxiliary that a loop knock-out can hold: ``m.aux(name, expr)``, or its
        initial value (``hold[name] == "initial"``), or a given time series (a pandas
        Series, or a DataFrame with one column per member)."""
        if name not in self.hold:
            return self.m.aux(name, expr, **options)
        self.held.add(name)
        value = self.hold[name]
        if isinstance(value, str):
            if value != "initial":
                raise ModelError(f"hold[{name!r}] = {value!r}: use 'initial' or a time series")
            return self.m.aux(name, sf.initial(expr), **options)
        dims = options.get("dims")
        return self.m.data(name, value, units=options.get("units"), dims=dims,
                           doc=f"{options.get('doc', '')} (held: loop knock-out)")


def unit_interval(x):
    """``x`` clipped to [0, 1]."""
    return sf.min(1, sf.max(0, x))


def logistic(x):
    """The logistic function ``1 / (1 + exp(-x))``, in (0, 1)."""
    return 1 / (1 + sf.exp(-x))
