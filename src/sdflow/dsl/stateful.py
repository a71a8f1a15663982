"""Builtins with memory: smooths, delays, TREND, FORECAST, INITIAL.

Each returns an expression node; the model graph lowers it to hidden stocks named after the
variable that uses it (``"perceived gdp.smooth"``), so every integrator handles them.
Semantics follow Vensim's documentation; the ``...i`` variants take an explicit initial value
instead of starting in equilibrium with the input.
"""

from __future__ import annotations

import numpy as np

from ..expr.nodes import Expr, Literal, Stateful


def smooth(input, delay_time) -> Expr:  # noqa: A002 - Vensim's argument name
    """First-order exponential smooth (Vensim SMOOTH), starting at the input's value.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=0.25)
    >>> x = m.aux("x", sf.step(1, 2))
    >>> seen = m.aux("perceived x", sf.smooth(x, 3))
    """
    return Stateful("smooth", input=input, delay_time=delay_time)


def smoothi(input, delay_time, initial) -> Expr:  # noqa: A002
    """First-order smooth starting at ``initial`` (Vensim SMOOTHI).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.smoothi(x, 2, 0))
    >>> m.simulate()["y"].values.tolist()  # half the gap per step
    [0.0, 5.0, 12.5, 16.25, 18.125]
    """
    return Stateful("smooth", input=input, delay_time=delay_time, initial=initial)


def smooth3(input, delay_time) -> Expr:  # noqa: A002
    """Third-order smooth, three first-order smooths of ``delay_time / 3`` (Vensim SMOOTH3).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.smooth3(x, 6))
    >>> m.simulate()["y"].values.tolist()
    [10.0, 10.0, 10.0, 10.0, 11.25, 13.125, 15.0]
    """
    return Stateful("smooth3", input=input, delay_time=delay_time)


def smooth3i(input, delay_time, initial) -> Expr:  # noqa: A002
    """Third-order smooth starting at ``initial`` (Vensim SMOOTH3I).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.smooth3i(x, 6, 0))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 0.0, 0.0, 1.25, 4.375, 8.125, 11.5625]
    """
    return Stateful("smooth3", input=input, delay_time=delay_time, initial=initial)


def delay1(input, delay_time) -> Expr:  # noqa: A002
    """First-order material delay (Vensim DELAY1), starting with output = input.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.delay1(x, 2))
    >>> m.simulate()["y"].values.tolist()
    [10.0, 10.0, 15.0, 17.5, 18.75]
    """
    return Stateful("delay1", input=input, delay_time=delay_time)


def delay1i(input, delay_time, initial) -> Expr:  # noqa: A002
    """First-order material delay with initial output ``initial`` (Vensim DELAY1I).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.delay1i(x, 2, 0))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 5.0, 12.5, 16.25, 18.125]
    """
    return Stateful("delay1", input=input, delay_time=delay_time, initial=initial)


def delay3(input, delay_time) -> Expr:  # noqa: A002
    """Third-order material delay (Vensim DELAY3), starting with output = input.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.delay3(x, 6))
    >>> m.simulate()["y"].values.tolist()
    [10.0, 10.0, 10.0, 10.0, 11.25, 13.125, 15.0]
    """
    return Stateful("delay3", input=input, delay_time=delay_time)


def delay3i(input, delay_time, initial) -> Expr:  # noqa: A002
    """Third-order material delay with initial output ``initial`` (Vensim DELAY3I).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.delay3i(x, 6, 0))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 0.0, 0.0, 1.25, 4.375, 8.125, 11.5625]
    """
    return Stateful("delay3", input=input, delay_time=delay_time, initial=initial)


def _whole_order(order, builtin: str) -> Literal:
    """The order of an n-th order builtin as a literal; it sets how many stages it has."""
    from ..errors import DelayOrderError
    if isinstance(order, bool) or not isinstance(order, (int, float, np.integer, np.floating)) \
            or not np.isfinite(order) or order < 1 or order != int(order):
        raise DelayOrderError(
            f"{builtin}: order={order!r} must be a whole number of at least 1 (the number of "
            f"stages); for an order computed from constants, compute it in Python first")
    return Literal(float(int(order)))


def delay_n(input, delay_time, initial, order) -> Expr:  # noqa: A002
    """Material delay of ``order`` first-order stages, initial output ``initial``
    (Vensim DELAY N).

    Each stage holds ``delay_time / order``; order 1 and 3 are `delay1i` and `delay3i`.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.delay_n(x, 4, 10, order=2))
    >>> m.simulate()["y"].values.tolist()  # two stages of 20 widgets each hold 2 time units
    [10.0, 10.0, 10.0, 12.5, 15.0]
    """
    return Stateful("delay_n", input=input, delay_time=delay_time, initial=initial,
                    order=_whole_order(order, "delay_n"))


def smooth_n(input, delay_time, initial, order) -> Expr:  # noqa: A002
    """Smooth of ``order`` first-order stages in a chain, starting at ``initial``
    (Vensim SMOOTH N).

    Each stage averages over ``delay_time / order``; order 1 and 3 are `smoothi` and
    `smooth3i`.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=3, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.smooth_n(x, 4, 10, order=2))
    >>> m.simulate()["y"].values.tolist()  # each stage closes half its gap per step
    [10.0, 10.0, 10.0, 12.5]
    """
    return Stateful("smooth_n", input=input, delay_time=delay_time, initial=initial,
                    order=_whole_order(order, "smooth_n"))


def delay_fixed(input, delay_time, initial) -> Expr:  # noqa: A002
    """The input exactly ``delay_time`` ago, ``initial`` before that (Vensim DELAY FIXED).

    A pipeline of ``round(delay_time / dt)`` slots (at least one), the delay time read at
    the start of the run, as in Vensim. Not an approximation by stocks.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.delay_fixed(x, 2, 0))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 0.0, 10.0, 20.0, 20.0]
    """
    return Stateful("delay_fixed", input=input, delay_time=delay_time, initial=initial)


def trend(input, average_time, initial_trend) -> Expr:  # noqa: A002
    """Fractional rate of change of ``input`` (Vensim TREND).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=30, dt=0.125)
    >>> x = m.aux("x", 100 * sf.exp(0.05 * m.time))        # grows 5% a year
    >>> g = m.aux("g", sf.trend(x, 2, 0.05))
    >>> round(float(m.simulate()["g"][-1]), 3)
    0.05
    """
    return Stateful("trend", input=input, average_time=average_time,
                    initial_trend=initial_trend)


def forecast(input, average_time, horizon, initial_trend=None) -> Expr:  # noqa: A002
    """``input`` extrapolated ``horizon`` ahead along its trend (Vensim FORECAST).

    ``initial_trend`` (XMILE FORCST's fourth argument, 0 when not given) is the trend at
    the start: the average starts at ``input / (1 + initial_trend * average_time)``, as
    in `trend`.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=30, dt=0.125)
    >>> x = m.aux("x", 100 * sf.exp(0.05 * m.time))        # grows 5% a year
    >>> f = m.aux("f", sf.forecast(x, 2, 10))
    >>> run = m.simulate()
    >>> round(float(run["f"][-1] / run["x"][-1]), 2)          # linear: 1 + 0.05 * 10
    1.5
    """
    return Stateful("forecast", input=input, average_time=average_time, horizon=horizon,
                    initial_trend=initial_trend)


def initial(input) -> Expr:  # noqa: A002
    """The value ``input`` had at the start of the run (Vensim INITIAL).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=2, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.initial(x))
    >>> m.simulate()["y"].values.tolist()
    [10.0, 10.0, 10.0]
    """
    return Stateful("initial", input=input)


def active_initial(input, initial) -> Expr:  # noqa: A002
    """``input`` during the run, ``initial`` while initial values are computed (Vensim
    ACTIVE INITIAL); breaks loops that only exist at the start of a run."""
    return Stateful("active_initial", input=input, initial=initial)
