"""Bass diffusion of a new product (Bass 1969, Management Science 15(5):215-227).

Adopters grow by innovation (``p``, adoption from outside influence) and imitation
(``q``, word of mouth from earlier adopters) out of a fixed market ``N``. Loops: R1
word of mouth (adopters -> adoption -> adopters, +), B1 market saturation (potential ->
adoption -> potential, -). The continuous model has the closed form
``A(t) = N (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``.
"""

from __future__ import annotations

import sdflow as sf


def build(innovation: float = 0.03, imitation: float = 0.38, market_size: float = 1e6,
          stop: float = 20.0, dt: float = 0.0625) -> sf.Model:
    """The Bass diffusion model.

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> run = bass.build().simulate()
    >>> 0.9e6 < float(run["adopters"][-1]) < 1e6
    True
    """
    m = sf.Model("bass diffusion", start=0, stop=stop, dt=dt, time_units="year")
    p = m.const("innovation", innovation, units="1/year",
                doc="coefficient of innovation (adoption from outside influence)")
    q = m.const("imitation", imitation, units="1/year",
                doc="coefficient of imitation (word of mouth)")
    n = m.const("market size", market_size, units="person", doc="total potential market")
    adopters = m.stock("adopters", initial=0, units="person")
    potential = m.stock("potential adopters", initial=n, units="person")
    m.flow("adoption", (p + q * adopters / n) * potential, source=potential, sink=adopters,
           units="person/year", doc="new adopters per year")
    return m
