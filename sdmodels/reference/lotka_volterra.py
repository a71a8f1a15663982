"""Lotka-Volterra predator and prey: snowshoe hares and Canadian lynx.

Hares ``x`` breed at ``alpha x`` and are eaten at ``beta x y``; lynx ``y`` are born at
``delta x y`` and die at ``gamma y`` (Lotka 1925; Volterra 1926). The populations cycle
around the equilibrium ``(gamma/delta, alpha/beta)`` without damping, because the
continuous model conserves ``V = delta x - gamma ln x + beta y - alpha ln y``; small
cycles last ``2 pi / sqrt(alpha gamma)`` years.

The defaults are close to the fit of this model to the Hudson's Bay Company pelt counts
of 1900-1920 (thousands of pelts) in Carpenter's Stan case study "Predator-Prey
Population Dynamics: the Lotka-Volterra model in Stan" (2018): rates alpha 0.55,
beta 0.028, gamma 0.80 and delta 0.024 per year (its rounded posterior means), starting
from 33 thousand hares and 6.2 thousand lynx in 1900 (near its estimated initial state).

Loops
-----
R1 hare breeding (+): hares -> hare births -> hares.
B1 predation (-): hares -> hare predation -> hares. More hares, more are eaten.
R2 lynx breeding (+): lynx -> lynx births -> lynx. Well-fed lynx breed.
B2 lynx mortality (-): lynx -> lynx deaths -> lynx.
B3 predator-prey cycle (-): hares -> lynx births -> lynx -> hare predation -> hares.
Plentiful hares raise the lynx population, which then eats the hares down; this loop,
delayed by the two stocks, drives the oscillation.
"""

from __future__ import annotations

import sdflow as sf


def build(hare_birth_rate: float = 0.55, predation_rate: float = 0.028,
          lynx_death_rate: float = 0.80, lynx_birth_rate: float = 0.024,
          initial_hares: float = 33.0, initial_lynx: float = 6.2, start: float = 1900.0,
          stop: float = 1920.0, dt: float = 0.015625) -> sf.Model:
    """The Lotka-Volterra model (times in years, populations in thousands of animals).

    Parameters
    ----------
    hare_birth_rate : float
        ``alpha``: hares born per hare per year without predators.
    predation_rate : float
        ``beta``: fraction of the hares eaten per year per thousand lynx.
    lynx_death_rate : float
        ``gamma``: fraction of the lynx dying per year.
    lynx_birth_rate : float
        ``delta``: lynx born per lynx per year per thousand hares.
    initial_hares, initial_lynx : float
        Populations (thousands) at ``start``.
    start, stop, dt : float
        Time settings (years).

    Examples
    --------
    >>> from sdmodels.reference import lotka_volterra
    >>> run = lotka_volterra.build().simulate(method="rk4")
    >>> round(float(run["hares"].max()), 1), round(float(run["hares"].min()), 1)
    (67.7, 13.2)
    """
    m = sf.Model("lotka volterra", start=start, stop=stop, dt=dt, time_units="year")
    alpha = m.const("hare birth rate", hare_birth_rate, units="1/year",
                    doc="alpha: hares born per hare per year (no predators)")
    beta = m.const("predation rate", predation_rate, units="1/(thousand_lynx*year)",
                   doc="beta: fraction of hares eaten per year per thousand lynx")
    gamma = m.const("lynx death rate", lynx_death_rate, units="1/year",
                    doc="gamma: fraction of lynx dying per year")
    delta = m.const("lynx birth rate", lynx_birth_rate, units="1/(thousand_hare*year)",
                    doc="delta: lynx born per lynx per year per thousand hares")
    hares = m.stock("hares", initial=initial_hares, units="thousand_hare",
                    doc="snowshoe hare population (prey)")
    lynx = m.stock("lynx", initial=initial_lynx, units="thousand_lynx",
                   doc="Canadian lynx population (predator)")
    m.flow("hare births", alpha * hares, sink=hares, units="thousand_hare/year",
           doc="hares born per year")
    m.flow("hare predation", beta * hares * lynx, source=hares, units="thousand_hare/year",
           doc="hares eaten by lynx per year")
    m.flow("lynx births", delta * hares * lynx, sink=lynx, units="thousand_lynx/year",
           doc="lynx born per year, more when hares are plentiful")
    m.flow("lynx deaths", gamma * lynx, source=lynx, units="thousand_lynx/year",
           doc="lynx dying per year")
    return m
