"""SIR model of the 1978 boarding-school influenza outbreak, as Grinsztajn et al. (2021) fit it.

Grinsztajn, Semenova, Margossian and Riou (2021), "Bayesian workflow for disease
transmission modeling in Stan" (Statistics in Medicine 40:6209-6234), section 2: 763 boys,
one infectious at day 0 (``S = 762, I = 1, R = 0``), infection ``beta I S / N`` and recovery
``gamma I`` per day; the boys confined to bed on days 1-14 are the infectious compartment
``I(t)``, observed with a negative-binomial error. ``R0 = beta / gamma``.
"""

from __future__ import annotations

import sdflow as sf


def build(population: float = 763.0, index_cases: float = 1.0, stop: float = 15.0,
          dt: float = 0.0625) -> sf.Model:
    """The SIR model, times in days, people in boys.

    Examples
    --------
    >>> run = build().simulate(method="rk4", params={"contact rate": 1.73,
    ...                                              "recovery rate": 0.54})
    >>> round(float(run["basic reproduction number"][0]), 2)
    3.2
    >>> float(run["infectious"].idxmax()), round(float(run["infectious"].max()))  # the peak
    (6.3125, 248)
    """
    m = sf.Model("influenza", start=0, stop=stop, dt=dt, time_units="day")
    beta = m.const("contact rate", 2.0, units="1/day",
                   doc="infections per infectious boy per day while all are susceptible")
    gamma = m.const("recovery rate", 0.5, units="1/day",
                    doc="1 / days a boy stays infectious (in bed)")
    n = m.const("population", population, units="boy")
    susceptible = m.stock("susceptible", initial=n - index_cases, units="boy")
    infectious = m.stock("infectious", initial=m.const("index cases", index_cases, units="boy"),
                         units="boy", doc="boys with influenza, confined to bed")
    recovered = m.stock("recovered", initial=0.0, units="boy")
    m.flow("infection", beta * infectious * susceptible / n, source=susceptible,
           sink=infectious, units="boy/day")
    m.flow("recovery", gamma * infectious, source=infectious, sink=recovered, units="boy/day")
    m.aux("basic reproduction number", beta / gamma,
          doc="R0: infections caused by one infectious boy among susceptible ones")
    return m
