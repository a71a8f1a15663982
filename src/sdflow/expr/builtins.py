"""The builtin functions, each declared once: the one table every stage reads.

A `Builtin` holds everything about an elementwise function that the pipeline needs: its
DSL name and parameters (the public wrapper ``sf.<name>`` is generated from them, with the
docstring below, by `sdflow.dsl.functions`), the unit rule the unit check applies
(`sdflow.ir.units`), how the compiler prints it for numpy arrays, for Python floats and,
where it differs, for numba (`sdflow.compile.expressions`), its Vensim name (read by
`sdflow.io.expressions`), and its XMILE form (written by `sdflow.io.xmile_equations`). A
`Reduction` does the same for sums, means, products and extremes over a dimension. Adding
a builtin is one entry here plus, when it computes something new, its helper in
`sdflow.compile.runtime`; tests/expr/test_builtins.py checks that every stage reaches
every entry. The records and their printing forms (a function name, or a template for
`render`) are described in `sdflow.expr.builtin_spec`.

Examples
--------
>>> BUILTINS["exp"].numpy, BUILTINS["exp"].vensim, BUILTINS["exp"].units
('np.exp', 'EXP', 'dimensionless')
>>> render(BUILTINS["log"].scalar, ["x", "2.0"])
'math.log(x) / math.log(2.0)'
>>> sorted(DISCRETE_FUNCTIONS)
['pulse', 'pulse_train', 'ramp', 'step']
"""

from __future__ import annotations

from types import MappingProxyType

from .builtin_spec import Builtin, Reduction, render, vensim_key

__all__ = ["BUILTINS", "Builtin", "DISCRETE_FUNCTIONS", "REDUCTIONS", "Reduction", "render",
           "vensim_key"]

_BUILTINS: dict = {}
_REDUCTIONS: dict = {}


def _builtin(name: str, params: tuple, **fields) -> None:
    if name in _BUILTINS:
        raise ValueError(f"the builtin {name!r} is declared twice")
    _BUILTINS[name] = Builtin(name, params, **fields)


def _reduction(name: str, **fields) -> None:
    if name in _REDUCTIONS:
        raise ValueError(f"the reduction {name!r} is declared twice")
    _REDUCTIONS[name] = Reduction(name, **fields)


# -- elementwise functions ------------------------------------------------------------------
# (docstrings are the public wrappers' and run as their doctests)

_builtin(
    "if_then_else", ("condition", "value_if_true", "value_if_false"),
    units="branches", numpy="np.where", scalar="({1} if {0} else {2})",
    vensim="IF THEN ELSE", xmile="(IF {0} THEN {1} ELSE {2})", conditions=(0,),
    slope="branches",
    doc="""Vensim's IF THEN ELSE: ``value_if_true`` where ``condition`` holds, else the other.

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
    """)

_builtin(
    "eq", ("a", "b"),
    units="comparison", numpy="1.0 * ({0!w} == {1!w})", scalar="({0!w} == {1!w})",
    vensim="=", xmile="({0} = {1})", operator=True,
    doc="""``a = b`` as a model condition (``==`` is not overloaded on purpose).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.if_then_else(sf.eq(m.time, 0), 1, 0))
    >>> float(m.simulate()["y"][0])  # time is 0 at the start
    1.0
    """)

_builtin(
    "ne", ("a", "b"),
    units="comparison", numpy="1.0 * ({0!w} != {1!w})", scalar="({0!w} != {1!w})",
    vensim="<>", xmile="({0} <> {1})", operator=True,
    doc="""``a <> b`` as a model condition.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.if_then_else(sf.ne(m.time, 0), 1, 0))
    >>> float(m.simulate()["y"][0])
    0.0
    """)

_builtin(
    "min", ("*args",),
    units="agree", numpy="np.minimum", scalar="min", vensim="MIN", xmile="MIN",
    fold=True, slope="increasing",
    doc="""Smallest of two or more values (Vensim MIN), or over a dimension with ``over=``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> x = m.const("x", [3.0, 1.0], dims=[r])
    >>> low = m.aux("low", sf.min(x, over=r))
    >>> capped = m.aux("capped", sf.min(x, 2))
    """)

_builtin(
    "max", ("*args",),
    units="agree", numpy="np.maximum", scalar="max", vensim="MAX", xmile="MAX",
    fold=True, slope="increasing",
    doc="""Largest of two or more values (Vensim MAX), or over a dimension with ``over=``.

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
    """)

_builtin(
    "abs", ("x",),
    units="same", numpy="np.abs", scalar="abs", vensim="ABS", xmile="ABS",
    slope="abs",
    doc="""Absolute value (Vensim ABS).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.abs(-2.5))
    >>> float(m.simulate()["y"][0])
    2.5
    """)

_builtin(
    "exp", ("x",),
    units="dimensionless", numpy="np.exp", scalar="math.exp", vensim="EXP",
    xmile="EXP", slope="increasing",
    doc="""e to the power ``x`` (Vensim EXP).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.exp(1.0))
    >>> round(float(m.simulate()["y"][0]), 4)
    2.7183
    """)

_builtin(
    "ln", ("x",),
    units="dimensionless", numpy="np.log", scalar="math.log", vensim="LN",
    xmile="LN", slope="increasing",
    doc="""Natural logarithm (Vensim LN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.ln(10.0))
    >>> round(float(m.simulate()["y"][0]), 4)
    2.3026
    """)

_builtin(
    "log", ("x", "base"),
    units="dimensionless", numpy="np.log({0}) / np.log({1})",
    scalar="math.log({0}) / math.log({1})", vensim="LOG", xmile="(LN({0}) / LN({1}))",
    slope="log",
    doc="""Logarithm of ``x`` in ``base`` (Vensim LOG).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.log(8.0, 2))
    >>> round(float(m.simulate()["y"][0]), 4)
    3.0
    """)

_builtin(
    "sqrt", ("x",),
    units="sqrt", numpy="np.sqrt", scalar="math.sqrt", vensim="SQRT",
    xmile="SQRT", slope="increasing",
    doc="""Square root (Vensim SQRT).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.sqrt(2.0))
    >>> round(float(m.simulate()["y"][0]), 4)
    1.4142
    """)

_builtin(
    "sin", ("x",),
    units="dimensionless", numpy="np.sin", scalar="math.sin", vensim="SIN",
    xmile="SIN",
    doc="""Sine of ``x`` in radians (Vensim SIN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.sin(0.5))
    >>> round(float(m.simulate()["y"][0]), 4)
    0.4794
    """)

_builtin(
    "cos", ("x",),
    units="dimensionless", numpy="np.cos", scalar="math.cos", vensim="COS",
    xmile="COS",
    doc="""Cosine of ``x`` in radians (Vensim COS).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.cos(0.5))
    >>> round(float(m.simulate()["y"][0]), 4)
    0.8776
    """)

_builtin(
    "tan", ("x",),
    units="dimensionless", numpy="np.tan", scalar="math.tan", vensim="TAN",
    xmile="TAN",
    doc="""Tangent of ``x`` in radians (Vensim TAN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.tan(0.5))
    >>> round(float(m.simulate()["y"][0]), 4)
    0.5463
    """)

_builtin(
    "arctan", ("x",),
    units="dimensionless", numpy="np.arctan", scalar="math.atan",
    vensim="ARCTAN", xmile="ARCTAN", slope="increasing",
    doc="""Arc tangent (Vensim ARCTAN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", 4 * sf.arctan(1.0))
    >>> round(float(m.simulate()["y"][0]), 4)  # pi
    3.1416
    """)

_builtin(
    "integer", ("x",),
    units="same", numpy="np.trunc", scalar="math.trunc",
    # a float: math.trunc makes an int, which overflows in numba
    numba="rt.trunc", vensim="INTEGER", xmile="INT", slope="increasing",
    doc="""Integer part of ``x``, truncated toward zero (Vensim INTEGER).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.integer(-2.7))
    >>> float(m.simulate()["y"][0])
    -2.0
    """)

_builtin(
    "modulo", ("x", "base"),
    units="agree", numpy="np.fmod", scalar="rt.modulo_scalar",
    vensim="MODULO", xmile="({0} mod {1})",
    doc="""Remainder of ``x / base`` with the sign of ``x``, ``MODULO(-7, 3) = -1`` (Vensim MODULO).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", sf.modulo(-7, 3))
    >>> float(m.simulate()["y"][0])
    -1.0
    """)

_builtin(
    "xidz", ("numerator", "denominator", "value_if_zero"),
    units="quotient_or", numpy="rt.xidz",
    scalar="rt.xidz_scalar", vensim="XIDZ", xmile="SAFEDIV", slope="quotient_or",
    doc="""``numerator / denominator``, or ``value_if_zero`` if ``|denominator| < 1e-6`` (Vensim XIDZ).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> d = m.const("d", 0.0)
    >>> y = m.aux("y", sf.xidz(1.0, d, 5.0))
    >>> float(m.simulate()["y"][0]), float(m.simulate(params={"d": 4.0})["y"][0])
    (5.0, 0.25)
    """)

_builtin(
    "zidz", ("numerator", "denominator"),
    units="quotient", numpy="rt.zidz",
    scalar="rt.zidz_scalar", vensim="ZIDZ", xmile="SAFEDIV", slope="quotient",
    doc="""``numerator / denominator``, or 0 where ``|denominator| < 1e-6`` (Vensim ZIDZ).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> d = m.const("d", 0.0)
    >>> y = m.aux("y", sf.zidz(1.0, d))
    >>> float(m.simulate()["y"][0]), float(m.simulate(params={"d": 4.0})["y"][0])
    (0.0, 0.25)
    """)

_builtin(
    "step", ("height", "step_time"),
    units="step", numpy="rt.step({t}, dt, {args})",
    scalar="rt.step_scalar({t}, dt, {args})", vensim="STEP", xmile="STEP", reads_time=True,
    doc="""0 before ``step_time``, ``height`` from then on (Vensim STEP).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=2004, stop=2050, dt=0.25, time_units="year")
    >>> policy = m.aux("policy", 0.2 + sf.step(0.3, 2026))
    """)

_builtin(
    "pulse", ("start", "width"),
    units="pulse", numpy="rt.pulse({t}, dt, {args})",
    scalar="rt.pulse_scalar({t}, dt, {args})", vensim="PULSE", reads_time=True,
    # XMILE's PULSE(magnitude, first, interval) is another function (a spike of
    # magnitude/DT): Vensim's is written as the engine computes it, on TIME
    xmile="(IF ((TIME >= ({0} - {small})) AND (TIME < ({0} + (IF ({1} > 0) THEN {1} "
          "ELSE {dt})))) THEN 1 ELSE 0)",
    doc="""1 from ``start`` for ``width`` (one ``dt`` if width is 0), else 0 (Vensim PULSE).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> y = m.aux("y", sf.pulse(2, 3))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """)

_builtin(
    "pulse_train", ("start", "width", "interval", "end"),
    units="pulse",
    numpy="rt.pulse_train({t}, dt, {args})", scalar="rt.pulse_train_scalar({t}, dt, {args})",
    vensim="PULSE TRAIN", reads_time=True,
    # XMILE has no pulse train of a width: written as the engine computes it, on TIME
    xmile="(IF ((TIME >= {0}) AND (TIME < {3}) AND ((((TIME - {0}) + {small}) mod {2}) < "
          "(IF ({1} > 0) THEN {1} ELSE {dt}))) THEN 1 ELSE 0)",
    doc="""Pulses of ``width`` every ``interval`` from ``start`` until ``end`` (Vensim PULSE TRAIN).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=9, dt=1)
    >>> y = m.aux("y", sf.pulse_train(1, 1, 3, 8))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    """)

_builtin(
    "ramp", ("slope", "start", "end=None"),
    units="ramp", numpy="rt.ramp({t}, {args})",
    scalar="rt.ramp_scalar({t}, {args})", vensim="RAMP", xmile="RAMP({0}, {1})",
    reads_time=True,
    doc="""0 before ``start``, rising by ``slope`` per time unit until ``end`` (Vensim RAMP).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=6, dt=1)
    >>> y = m.aux("y", sf.ramp(0.5, 2, 4))
    >>> m.simulate()["y"].values.tolist()
    [0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
    """)

# -- reductions over a dimension (min and max also fold their arguments, above) --------

_reduction(
    "sum", numpy="rt.sum_over", vensim="SUM", xmile="SUM({0})",
    doc="""Sum of ``x`` over the dimension ``over``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> total = m.aux("total", sf.sum(m.const("x", [1.0, 2.0], dims=[r]), over=r))
    """)

_reduction(
    "mean", numpy="np.mean", xmile="(SUM({0}) / {n})",
    doc="""Mean of ``x`` over the dimension ``over``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b", "c"])
    >>> y = m.aux("y", sf.mean(m.const("x", [1.0, 2.0, 4.0], dims=[r]), over=r))
    >>> round(float(m.simulate()["y"][0]), 4)
    2.3333
    """)

_reduction(
    "prod", numpy="np.prod", vensim="PROD", xmile="PROD({0})", increasing=False,
    doc="""Product of ``x`` over the dimension ``over`` (Vensim PROD).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b", "c"])
    >>> y = m.aux("y", sf.prod(m.const("x", [1.0, 2.0, 4.0], dims=[r]), over=r))
    >>> round(float(m.simulate()["y"][0]), 4)
    8.0
    """)

_reduction("min", numpy="np.min", vensim="VMIN", xmile="MIN({0})")
_reduction("max", numpy="np.max", vensim="VMAX", xmile="MAX({0})")

#: Every elementwise builtin by name.
BUILTINS = MappingProxyType(_BUILTINS)
#: Every reduction over a dimension by name.
REDUCTIONS = MappingProxyType(_REDUCTIONS)
#: Functions whose value jumps at given times: adaptive solvers cannot integrate across them.
DISCRETE_FUNCTIONS = frozenset(b.name for b in BUILTINS.values() if b.reads_time)
