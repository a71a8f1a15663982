"""Euler's method."""

from __future__ import annotations


class Euler:
    """1st-order explicit method, Vensim's default: flows at t, then stocks.

    ``y(t + dt) = y(t) + dt * f(t, y(t))``. One evaluation per step; no error control.
    """

    name = "euler"
    order = 1

    def step(self, f, t, y, dt, dy, combine):
        return combine(y, [(dt, dy)])
