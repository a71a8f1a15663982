"""SIR epidemic (Kermack & McKendrick 1927), as in the SDXorg test-models suite.

People move from susceptible to infectious by contact with infectious people, and from
infectious to recovered after an average illness of ``duration``; nobody dies. With
contact infectivity ``c`` and duration ``D`` the basic reproduction number is
``R0 = c D`` (1.5 by default). Along every trajectory of the continuous model
``S(t) = S(0) exp(-R0 (R(t) - R(0)) / N)``, with ``N`` the total population constant.

Loops
-----
R1 contagion (+): infectious -> succumbing -> infectious. More infectious people infect
more people.
B1 depletion (-): susceptible -> succumbing -> susceptible. Infection uses up the people
who can still catch the disease; the epidemic burns out before everyone has had it.
B2 recovery (-): infectious -> recovering -> infectious. The more people are ill, the
more recover each day.

Variable names follow the Vensim original, so results line up with the suite's
canonical output column by column.
"""

from __future__ import annotations

import sdflow as sf


def build(contact_infectivity: float = 0.3, duration: float = 5.0,
          total_population: float = 1000.0, initial_infectious: float = 5.0,
          stop: float = 100.0, dt: float = 0.03125) -> sf.Model:
    """The SIR model (times in days, people in persons).

    Parameters
    ----------
    contact_infectivity : float
        Infections per infectious person per day in a fully susceptible population
        (contacts per day times the chance that a contact infects).
    duration : float
        Days a person stays infectious.
    total_population : float
        Initial susceptible population, also the population that mixes in ``succumbing``
        (the Vensim original keeps it constant rather than summing the stocks).
    initial_infectious : float
        Infectious people at time 0.
    stop, dt : float
        Final time and time step (days); the defaults are the Vensim original's.

    Examples
    --------
    >>> from sdmodels.reference import sir
    >>> run = sir.build().simulate()
    >>> round(float(run["recovered"][-1]), 2)  # Euler, as Vensim computes it
    590.77
    """
    m = sf.Model("sir", start=0, stop=stop, dt=dt, time_units="day")
    c = m.const("contact infectivity", contact_infectivity, units="1/day",
                doc="people infected per infectious person per day, when all are susceptible")
    d = m.const("duration", duration, units="day", doc="how long a person is infectious")
    n = m.const("total population", total_population, units="person",
                doc="population that mixes; also the initial number of susceptible people")
    susceptible = m.stock("susceptible", initial=n, units="person",
                          doc="people who have not had the disease yet")
    infectious = m.stock("infectious", initial=initial_infectious, units="person",
                         doc="people who have the disease and can pass it on")
    recovered = m.stock("recovered", initial=0, units="person",
                        doc="people who have recovered (and are immune)")
    m.flow("succumbing", susceptible * infectious / n * c, source=susceptible,
           sink=infectious, units="person/day", doc="new infections per day")
    m.flow("recovering", infectious / d, source=infectious, sink=recovered,
           units="person/day", doc="recoveries per day")
    return m
