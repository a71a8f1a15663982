"""Signatures of `sdflow.dsl.functions`, for static analysers and editors.

Generated from the registry `sdflow.expr.builtins` by
``sdflow.dsl.functions.write_stub()``: do not edit; rerun it after changing the registry.
"""

from ..expr.nodes import Expr
from .dimensions import Dimension

__all__ = [
    "if_then_else",
    "eq",
    "ne",
    "min",
    "max",
    "abs",
    "exp",
    "ln",
    "log",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "arctan",
    "integer",
    "modulo",
    "xidz",
    "zidz",
    "step",
    "pulse",
    "pulse_train",
    "ramp",
    "sum",
    "mean",
    "prod",
]


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


def min(*args, over: Dimension | None = None) -> Expr:
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


def max(*args, over: Dimension | None = None) -> Expr:
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


def abs(x) -> Expr:
    """Absolute value (Vensim ABS).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.abs(-2.5))
    >>> float(m.simulate()["y"][0])
    2.5
    """


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


def step(height, step_time) -> Expr:
    """0 before ``step_time``, ``height`` from then on (Vensim STEP).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=2004, stop=2050, dt=0.25, time_units="year")
    >>> policy = m.aux("policy", 0.2 + sf.step(0.3, 2026))
    """


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


def sum(x, over: Dimension) -> Expr:
    """Sum of ``x`` over the dimension ``over``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> total = m.aux("total", sf.sum(m.const("x", [1.0, 2.0], dims=[r]), over=r))
    """


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
