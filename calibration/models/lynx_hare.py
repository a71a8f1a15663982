"""Lotka-Volterra hares and lynx with estimable initial populations, for calibration.

The same equations as ``sdmodels.reference.lotka_volterra`` (hares ``u``, lynx ``v``:
``du/dt = (alpha - beta v) u``, ``dv/dt = (-gamma + delta u) v``), with the 1900 populations
as named constants so that a calibration can estimate them, as Carpenter's (2018) Stan
case study does (its ``z_init``).
"""

from __future__ import annotations

import sdflow as sf


def build(start: float = 1900.0, stop: float = 1920.0, dt: float = 0.0625) -> sf.Model:
    """The hare-lynx model, populations in thousands of pelts, time in years.

    Examples
    --------
    >>> run = build().simulate(method="rk4")
    >>> round(float(run["hares"][0]), 1)
    34.0
    """
    m = sf.Model("lynx hare", start=start, stop=stop, dt=dt, time_units="year")
    alpha = m.const("hare birth rate", 0.55, units="1/year")
    beta = m.const("predation rate", 0.028, units="1/(thousand_lynx*year)")
    gamma = m.const("lynx death rate", 0.80, units="1/year")
    delta = m.const("lynx birth rate", 0.024, units="1/(thousand_hare*year)")
    hares = m.stock("hares", initial=m.const("initial hares", 34.0, units="thousand_hare"),
                    units="thousand_hare")
    lynx = m.stock("lynx", initial=m.const("initial lynx", 5.9, units="thousand_lynx"),
                   units="thousand_lynx")
    m.flow("hare births", alpha * hares, sink=hares, units="thousand_hare/year")
    m.flow("hare predation", beta * hares * lynx, source=hares, units="thousand_hare/year")
    m.flow("lynx births", delta * hares * lynx, sink=lynx, units="thousand_lynx/year")
    m.flow("lynx deaths", gamma * lynx, source=lynx, units="thousand_lynx/year")
    return m
