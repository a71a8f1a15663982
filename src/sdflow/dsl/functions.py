"""Builtin functions with Vensim's documented semantics.

Elementwise math, conditionals, reductions over named dimensions, and the time functions
STEP, PULSE, PULSE TRAIN and RAMP. They only build expression nodes; the compiler decides
how to compute them.
"""

from __future__ import annotations

from ..expr.builtins import DISCRETE_FUNCTIONS  # noqa: F401 - its former home
from ..expr.nodes import Call, Expr, Noise, Reduce, as_condition, as_expr
from .dimensions import Dimension


def if_then_else(condition, value_if_true, value_if_false) -> Expr:
    """Vensim's IF THEN ELSE: ``value_if_true`` where ``condition`` holds, else the other.

    Parameters
    ----------
    condition : Expr or number
        A comparison (``< <= > >=``, `eq`, `ne`) or a number (non-zero holds). Never a
        Python ``bool``: ``x == 1`` on a model variable is Python's identity test, always
        ``False``, so a bool raises `ExpressionTruthError`; write ``sf.eq(x, 1)``, or ``1``
        / ``0`` for a condition that always / never holds.
    value_if_true, value_if_false : Expr or number

    Returns
    -------
    Expr

    Raises
    ------
    ExpressionTruthError
        If ``condition`` is a Python or numpy bool.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> x = m.aux("x", sf.if_then_else(m.time > 5, 1, 0))
    >>> at_one = m.aux("at one", sf.if_then_else(sf.eq(m.time, 1), 10, 20))
    >>> m.simulate()["at one"].values[:3].tolist()
    [20.0, 10.0, 20.0]
    >>> sf.if_then_else(m.time == 1, 10, 20)
    Traceback (most recent call last):
    ...
    sdflow.errors.ExpressionTruthError: sf.if_then_else: the condition is ... False, ...
    """
    return Call("if_then_else", as_condition(condition, "sf.if_then_else"), value_if_true,
                value_if_false)


def eq(a, b) -> Expr:
    """``a = b`` as a model condition (``==`` is not overloaded on purpose).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.if_then_else(sf.eq(m.time, 0), 1, 0))
    >>> float(m.simulate()["y"][0])  # time is 0 at the start
    1.0
    """
    return Call("eq", a, b)


def ne(a, b) -> Expr:
    """``a <> b`` as a model condition.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.if_then_else(sf.ne(m.time, 0), 1, 0))
    >>> float(m.simulate()["y"][0])
    0.0
    """
    return Call("ne", a, b)


def _reduce_or_elementwise(op: str, args, over: Dimension | None) -> Expr:
    if over is not None:
        if len(args) != 1:
            raise TypeError(f"sf.{op}(x, over=dim) reduces one expression over a dimension")
        return Reduce(op, args[0], over)
    if len(args) < 2:
        raise TypeError(f"sf.{op} needs two or more arguments, or one and over=dimension")
    result = as_expr(args[0])
    for arg in args[1:]:
        result = Call(op, result, arg)
    return result


def min(*args, over: Dimension | None = None) -> Expr:  # noqa: A001 - mirrors Vensim's MIN
    """Smallest of two or more values (Vensim MIN), or over a dimension with ``over=``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> x = m.const("x", [3.0, 1.0], dims=[r])
    >>> low = m.aux("low", sf.min(x, over=r))
    >>> capped = m.aux("capped", sf.min(x, 2))
    """
    return _reduce_or_elementwise("min", args, over)


def max(*args, over: Dimension | None = None) -> Expr:  # noqa: A001 - mirrors Vensim's MAX
    """Largest of two or more values (Vensim MAX), or over a dimension with ``over=``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> x = m.const("x", [3.0, 1.0], dims=[r])
    >>> high = m.aux("high", sf.max(x, over=r))
    >>> floor = m.aux("floor", sf.max(x, 2))
    >>> run = m.simulate()
    >>> float(run["high"][0]), run["floor"][0].values.tolist()
    (3.0, [3.0, 2.0])
    """
    return _reduce_or_elementwise("max", args, over)


def sum(x, over: Dimension) -> Expr:  # noqa: A001 - mirrors Vensim's SUM
    """Sum of ``x`` over the dimension ``over``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> total = m.aux("total", sf.sum(m.const("x", [1.0, 2.0], dims=[r]), over=r))
    """
    return Reduce("sum", x, over)


def mean(x, over: Dimension) -> Expr:
    """Mean of ``x`` over the dimension ``over``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b", "c"])
    >>> y = m.aux("y", sf.mean(m.const("x", [1.0, 2.0, 4.0], dims=[r]), over=r))
    >>> round(float(m.simulate()["y"][0]), 4)
    2.3333
    """
    return Reduce("mean", x, over)


def prod(x, over: Dimension) -> Expr:
    """Product of ``x`` over the dimension ``over`` (Vensim PROD).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b", "c"])
    >>> y = m.aux("y", sf.prod(m.const("x", [1.0, 2.0, 4.0], dims=[r]), over=r))
    >>> round(float(m.simulate()["y"][0]), 4)
    8.0
    """
    return Reduce("prod", x, over)


def abs(x) -> Expr:  # noqa: A001
    """Absolute value (Vensim ABS).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.abs(-2.5))
    >>> float(m.simulate()["y"][0])
    2.5
    """
    return Call("abs", x)


def exp(x) -> Expr:
    """e to the power ``x`` (Vensim EXP).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.exp(1.0))
    >>> round(float(m.simulate()["y"][0]), 4)
    2.7183
    """
    return Call("exp", x)


def ln(x) -> Expr:
    """Natural logarithm (Vensim LN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.ln(10.0))
    >>> round(float(m.simulate()["y"][0]), 4)
    2.3026
    """
    return Call("ln", x)


def log(x, base) -> Expr:
    """Logarithm of ``x`` in ``base`` (Vensim LOG).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.log(8.0, 2))
    >>> round(float(m.simulate()["y"][0]), 4)
    3.0
    """
    return Call("log", x, base)


def sqrt(x) -> Expr:
    """Square root (Vensim SQRT).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.sqrt(2.0))
    >>> round(float(m.simulate()["y"][0]), 4)
    1.4142
    """
    return Call("sqrt", x)


def sin(x) -> Expr:
    """Sine of ``x`` in radians (Vensim SIN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.sin(0.5))
    >>> round(float(m.simulate()["y"][0]), 4)
    0.4794
    """
    return Call("sin", x)


def cos(x) -> Expr:
    """Cosine of ``x`` in radians (Vensim COS).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.cos(0.5))
    >>> round(float(m.simulate()["y"][0]), 4)
    0.8776
    """
    return Call("cos", x)


def tan(x) -> Expr:
    """Tangent of ``x`` in radians (Vensim TAN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.tan(0.5))
    >>> round(float(m.simulate()["y"][0]), 4)
    0.5463
    """
    return Call("tan", x)


def arctan(x) -> Expr:
    """Arc tangent (Vensim ARCTAN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", 4 * sf.arctan(1.0))
    >>> round(float(m.simulate()["y"][0]), 4)  # pi
    3.1416
    """
    return Call("arctan", x)


def integer(x) -> Expr:
    """Integer part of ``x``, truncated toward zero (Vensim INTEGER).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.integer(-2.7))
    >>> float(m.simulate()["y"][0])
    -2.0
    """
    return Call("integer", x)


def modulo(x, base) -> Expr:
    """Remainder of ``x / base`` with the sign of ``x``, ``MODULO(-7, 3) = -1`` (Vensim MODULO).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.modulo(-7, 3))
    >>> float(m.simulate()["y"][0])
    -1.0
    """
    return Call("modulo", x, base)


def xidz(numerator, denominator, value_if_zero) -> Expr:
    """``numerator / denominator``, or ``value_if_zero`` if ``|denominator| < 1e-6`` (Vensim XIDZ).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> d = m.const("d", 0.0)
    >>> y = m.aux("y", sf.xidz(1.0, d, 5.0))
    >>> float(m.simulate()["y"][0]), float(m.simulate(params={"d": 4.0})["y"][0])
    (5.0, 0.25)
    """
    return Call("xidz", numerator, denominator, value_if_zero)


def zidz(numerator, denominator) -> Expr:
    """``numerator / denominator``, or 0 where ``|denominator| < 1e-6`` (Vensim ZIDZ).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> d = m.const("d", 0.0)
    >>> y = m.aux("y", sf.zidz(1.0, d))
    >>> float(m.simulate()["y"][0]), float(m.simulate(params={"d": 4.0})["y"][0])
    (0.0, 0.25)
    """
    return Call("zidz", numerator, denominator)


def step(height, step_time) -> Expr:
    """0 before ``step_time``, ``height`` from then on (Vensim STEP).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=2004, stop=2050, dt=0.25, time_units="year")
    >>> policy = m.aux("policy", 0.2 + sf.step(0.3, 2026))
    """
    return Call("step", height, step_time)


def pulse(start, width) -> Expr:
    """1 from ``start`` for ``width`` (one ``dt`` if width is 0), else 0 (Vensim PULSE).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> y = m.aux("y", sf.pulse(2, 3))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """
    return Call("pulse", start, width)


def pulse_train(start, width, interval, end) -> Expr:
    """Pulses of ``width`` every ``interval`` from ``start`` until ``end`` (Vensim PULSE TRAIN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=9, dt=1)
    >>> y = m.aux("y", sf.pulse_train(1, 1, 3, 8))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    """
    return Call("pulse_train", start, width, interval, end)


def ramp(slope, start, end=None) -> Expr:
    """0 before ``start``, rising by ``slope`` per time unit until ``end`` (Vensim RAMP).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> y = m.aux("y", sf.ramp(0.5, 2, 4))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
    """
    if end is None:
        return Call("ramp", slope, start)
    return Call("ramp", slope, start, end)


# -- random draws (Vensim's RANDOM functions) --------------------------------------------
# A new number at every time step of every run, from the run's stream: simulate(seed=...)
# picks the streams (each run of a batch has its own; same seed, same numbers), ``stream``
# is Vensim's stream ID (draws with different IDs are independent). ``dims`` are the
# dimensions the draws vary over; by default those the variable is declared with.

def _noise(dist: str, args, stream, dims) -> Expr:
    if isinstance(stream, Expr) or not isinstance(stream, (int, float)) \
            or isinstance(stream, bool):
        raise TypeError(f"random_{dist}: stream={stream!r} must be a number (a stream ID, "
                        "e.g. 0 or 7), not a model expression")
    return Noise(dist, args, float(stream), None if dims is None else tuple(dims))


def random_uniform(minimum, maximum, stream: float = 0, dims=None) -> Expr:
    """A number uniform between ``minimum`` and ``maximum``, drawn at every time step
    (Vensim RANDOM UNIFORM).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=100, dt=1)
    >>> u = m.aux("u", sf.random_uniform(2, 4))
    >>> runs = m.simulate(n=200, seed=1)
    >>> bool(runs["u"].min() >= 2), bool(runs["u"].max() <= 4)
    (True, True)
    >>> round(float(runs["u"].mean()), 1)
    3.0
    """
    return _noise("uniform", (minimum, maximum), stream, dims)


def random_normal(minimum, maximum, mean, std, stream: float = 0, dims=None) -> Expr:
    """A normal number of ``mean`` and ``std``, truncated to ``[minimum, maximum]``, drawn
    at every time step (Vensim RANDOM NORMAL).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=100, dt=1)
    >>> region = m.dim("region", ["north", "south"])
    >>> shock = m.aux("shock", sf.random_normal(-1, 1, 0, 2), dims=[region])
    >>> run = m.simulate(seed=3)
    >>> bool(run["shock"].min() >= -1), bool(run["shock"].max() <= 1)
    (True, True)
    """
    return _noise("normal", (minimum, maximum, mean, std), stream, dims)


def random_exponential(minimum, maximum, shift=0.0, stretch=1.0, stream: float = 0,
                       dims=None) -> Expr:
    """``shift + stretch * e`` for ``e`` exponential of mean 1, truncated to
    ``[minimum, maximum]`` (Vensim RANDOM EXPONENTIAL).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> wait = m.aux("wait", sf.random_exponential(0, 100, shift=1, stretch=2))
    """
    return _noise("exponential", (minimum, maximum, shift, stretch), stream, dims)


def random_poisson(minimum, maximum, mean, shift=0.0, stretch=1.0, stream: float = 0,
                   dims=None) -> Expr:
    """``shift + stretch * k`` for ``k`` Poisson of ``mean``, truncated to
    ``[minimum, maximum]`` (Vensim RANDOM POISSON).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> arrivals = m.aux("arrivals", sf.random_poisson(0, 50, 4))
    >>> values = m.simulate(n=5, seed=2)["arrivals"].values
    >>> bool((values == values.round()).all())
    True
    """
    return _noise("poisson", (minimum, maximum, mean, shift, stretch), stream, dims)


def random_triangular(minimum, maximum, start, peak, end, stream: float = 0,
                      dims=None) -> Expr:
    """A triangular number between ``start`` and ``end`` peaking at ``peak``, truncated to
    ``[minimum, maximum]`` (Vensim RANDOM TRIANGULAR).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> delay = m.aux("delay", sf.random_triangular(0, 10, 1, 2, 5))
    """
    return _noise("triangular", (minimum, maximum, start, peak, end), stream, dims)


def random_beta(minimum, maximum, alpha, beta, shift=0.0, stretch=1.0, stream: float = 0,
                dims=None) -> Expr:
    """``shift + stretch * b`` for ``b`` beta-distributed on [0, 1] with parameters
    ``alpha`` and ``beta``, truncated to ``[minimum, maximum]`` (Vensim RANDOM BETA).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> share = m.aux("share", sf.random_beta(0, 1, 2, 5))
    """
    return _noise("beta", (minimum, maximum, alpha, beta, shift, stretch), stream, dims)


def random_binomial(minimum, maximum, probability, trials, shift=0.0, stretch=1.0,
                    stream: float = 0, dims=None) -> Expr:
    """``shift + stretch * k`` for ``k`` successes in ``trials`` trials of ``probability``,
    truncated to ``[minimum, maximum]`` (Vensim RANDOM BINOMIAL).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> hits = m.aux("hits", sf.random_binomial(0, 20, 0.3, 20))
    """
    return _noise("binomial", (minimum, maximum, probability, trials, shift, stretch), stream,
                  dims)
