"""The Vensim teacup: a cup of tea cooling towards room temperature.

Newton's law of cooling as one stock and one flow, the first model of the SDXorg
test-models suite. Heat leaves the cup at ``(T - T_room) / tau``, so the gap to the room
closes by a factor ``e`` every characteristic time ``tau``:
``T(t) = T_room + (T0 - T_room) e^{-t/tau}``.

Loops
-----
B1 cooling (-): teacup temperature -> heat loss to room -> teacup temperature. The hotter
the cup, the faster it loses heat; the loss shrinks as the cup nears room temperature.

Variable names follow the Vensim original (``Teacup Temperature``, ``Heat Loss to
Room``...), so results line up with the suite's canonical output column by column.
"""

from __future__ import annotations

import sdflow as sf


def build(initial_temperature: float = 180.0, room_temperature: float = 70.0,
          characteristic_time: float = 10.0, stop: float = 30.0,
          dt: float = 0.125) -> sf.Model:
    """The teacup model (times in minutes, temperatures in degrees Fahrenheit).

    Parameters
    ----------
    initial_temperature : float
        Temperature of the tea at time 0 (degF).
    room_temperature : float
        Temperature the tea cools towards (degF).
    characteristic_time : float
        Minutes for the tea to close ``1 - 1/e`` (63%) of the gap to the room.
    stop, dt : float
        Final time and time step (minutes); the defaults are the Vensim original's.

    Examples
    --------
    >>> from sdmodels.reference import teacup
    >>> run = teacup.build().simulate()
    >>> round(float(run["teacup temperature"][-1]), 3)  # Euler, as Vensim computes it
    75.374
    """
    m = sf.Model("teacup", start=0, stop=stop, dt=dt, time_units="minute")
    tau = m.const("characteristic time", characteristic_time, units="minute",
                  doc="time for the tea to cool 1/e of the way to room temperature")
    room = m.const("room temperature", room_temperature, units="degF",
                   doc="temperature of the surrounding room")
    tea = m.stock("teacup temperature", initial=initial_temperature, units="degF",
                  doc="temperature of the tea (valid for liquid tea only)")
    m.flow("heat loss to room", (tea - room) / tau, source=tea, units="degF/minute",
           doc="rate at which the tea's temperature falls as heat flows into the room")
    return m
