"""Vensim's GET TIME VALUE(relativeto, offset, measure), where it means a model time.

Vensim's documentation (fn_get_time_value): ``relativeto`` 0 counts from the current
simulation time, 1 from the initial time, 2 from the computer's clock; ``offset`` moves
that time, in the model's time units; ``measure`` 0 returns the result in model time
units, and 1 to 10 calendar measures of it (its year, month, day of week...), which
Vensim reads against the model's base date. Measure 0 from the current or the initial
time is a model time, and is translated; the clock, and calendar measures, are refused
by name: the clock would make runs irreproducible, and sdflow keeps no calendar date
for a model's time.

Relative to the initial time, the documentation is followed: PySD's authors report
(SDXorg/pysd#332) that Vensim 7.3.4 returns the current time there instead, and the
SDXorg suite holds no Vensim output for that case (its ``test_get_time_value.mdl``, which
also asks for every calendar measure, has none), so there is no reference run to follow.
"""

from __future__ import annotations

from ..errors import UnsupportedFeatureError
from ..expr.nodes import Literal
from .expressions import Term

#: Vensim's calendar measures (measure 1 to 10), as its documentation names them
CALENDAR_MEASURES = {
    1: "years since 1 BC", 2: "quarter of year", 3: "month of year", 4: "day of month",
    5: "day of week", 6: "days since Jan 1, 1 BC", 7: "hour of day", 8: "minute of hour",
    9: "second of minute", 10: "elapsed seconds modulo 500,000"}
#: Vensim's starting points (relativeto)
STARTS = {0: "the current time", 1: "the initial time", 2: "the computer's clock"}


def _whole_number(node):
    """The whole number a literal argument states, or None (an expression, a fraction)."""
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        return None
    return int(node) if float(node).is_integer() else None


def get_time_value(tr, arguments, start: float):
    """The `Term` of ``GET TIME VALUE(relativeto, offset, measure)`` for the translator
    ``tr``; ``start`` is the run's initial time.

    ``relativeto`` and ``measure`` must be numbers written in the equation (Vensim reads
    them as options); ``offset`` may be any expression, subscripted too.
    """
    if len(arguments) != 3:
        raise tr.error(f"GET TIME VALUE takes 3 arguments (relativeto, offset, measure), "
                       f"got {len(arguments)}")
    relative_node, offset_node, measure_node = arguments
    relative, measure = _whole_number(relative_node), _whole_number(measure_node)
    if relative not in STARTS:
        raise tr.error("GET TIME VALUE: relativeto must be 0 (the current time), 1 (the "
                       "initial time) or 2 (the computer's clock), written as a number")
    if measure not in CALENDAR_MEASURES and measure != 0:
        raise tr.error("GET TIME VALUE: measure must be a whole number from 0 (model time "
                       "units) to 10, written as a number")
    if relative == 2:
        raise tr.error("uses GET TIME VALUE relative to the computer's clock (relativeto 2), "
                       "which sdflow does not support: the clock would make runs "
                       "irreproducible; write the time it should read as a constant",
                       UnsupportedFeatureError)
    if measure != 0:
        raise tr.error(
            f"uses GET TIME VALUE with measure {measure} ({CALENDAR_MEASURES[measure]}) of "
            f"{STARTS[relative]}, a calendar measure of the model's base date, which sdflow "
            "does not read; only measure 0 (model time units) is supported: compute the "
            "calendar value from Time in the equation", UnsupportedFeatureError)
    offset = tr.translate(offset_node)
    origin = tr.resolve("time", [], None, tr).expr if relative == 0 else Literal(float(start))
    return Term(origin + offset.expr, offset.dims)
