"""What every sector builder needs: the model, its dimensions, constants and helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

import sdflow as sf


@dataclass
class Context:
    """The model under construction, shared by the sector builders.

    ``c`` maps constant names to the model's constants. ``others`` is the member x partner
    mask (1 off the diagonal, 0 on it), so pairwise sums skip a member's pair with itself.
    ``max_rate`` (``1/dt``) caps fractional rates so that first-order flows never take more
    than a stock holds in one Euler step, whatever the parameter values.
    """

    m: sf.Model
    member: sf.Dimension
    partner: sf.Dimension
    counterpart: sf.Dimension
    c: dict = field(default_factory=dict)
    others: sf.Const | None = None
    max_rate: sf.Const | None = None

    def transpose(self, x):
        """``x[member, partner]`` seen from the partner: ``x[partner, member]``."""
        return (x.rename(member=self.counterpart).rename(partner=self.member)
                .rename(counterpart=self.partner))

    def as_partner(self, x):
        """A per-member expression indexed by partner instead."""
        return x.rename(member=self.partner)

    def partner_mean(self, x):
        """Mean of a member x partner expression over the *other* members."""
        return sf.sum(self.others * x, over=self.partner) / (len(self.member) - 1)

    def capped(self, rate):
        """A fractional rate limited to ``1/dt`` (see the class docstring)."""
        return sf.min(rate, self.max_rate)


def unit_interval(x):
    """``x`` clipped to [0, 1]."""
    return sf.min(1, sf.max(0, x))
