"""Random draws in XMILE: sdflow's draws (Vensim's RANDOM functions, `sdflow.expr.nodes.Noise`)
as XMILE 1.0's statistical builtins, and those builtins read as draws.

XMILE's builtins draw from untruncated distributions: ``RANDOM(min, max)`` (uniform),
``NORMAL(mean, sd)``, ``EXPRND(mean)`` and ``POISSON(mean)``, each with an optional seed
last. sdflow's draws are Vensim's: each is truncated to ``[minimum, maximum]`` by
restricting its inverse distribution function (`sdflow.compile.noise`). So

- a uniform draw is ``RANDOM(minimum, maximum)``, always the same distribution;
- a normal, exponential or Poisson draw is written as the XMILE builtin (shifted and
  stretched) only where its bounds cut nothing off: infinite bounds, or constant
  parameters for which each bound leaves out less than `TAIL` of the distribution
  (nothing a double-precision run could tell apart). Clipping the untruncated draw
  (``MIN(MAX(NORMAL(...), lo), hi)``) would put the cut-off probability on the bounds:
  another distribution, so a draw whose bounds cut is refused, naming the variable;
- triangular, beta, binomial, gamma, Weibull and negative binomial draws have no
  XMILE builtin (XMILE 1.0's statistical builtins are EXPRND, LOGNORMAL, NORMAL,
  POISSON and RANDOM) and are refused, naming the distribution.

Vensim's stream ID is written as the seed argument when it is not 0, and a seed is read
back as the stream ID. Readers draw from their own generators: a file read back gives
draws of the same distributions, not the same numbers.

Examples
--------
>>> from sdflow.expr.nodes import Literal, Noise
>>> xmile_draw(Noise("uniform", [2, 4]), lambda e: None)
('RANDOM', [2.0, 4.0])
>>> xmile_draw(Noise("normal", [-1e9, 1e9, 5, 2], stream=3), lambda e: e.value)
('NORMAL', [5.0, 2.0, 3.0])
"""

from __future__ import annotations

import math

from ..expr.nodes import Expr, Literal, Noise

__all__ = ["READERS", "TAIL", "NoXmileDraw", "read_draw", "xmile_draw"]

#: The largest probability a bound may cut off for an untruncated XMILE builtin to state
#: the draw: far below what any run of a model could measure.
TAIL = 1e-15
_INF = math.inf


class NoXmileDraw(ValueError):
    """A draw no XMILE builtin states exactly (the message says why)."""


def _cut(lower: float, upper: float) -> bool:
    """Whether probabilities ``lower`` (below the minimum) or ``upper`` (above the
    maximum) cut off more than `TAIL`."""
    return lower > TAIL or upper > TAIL


def xmile_draw(e: Noise, constant) -> tuple[str, list]:
    """``(XMILE function, argument expressions)`` for the draw ``e``, or `NoXmileDraw`.

    ``constant(expr)`` gives an expression's number when it is a constant, else None.
    Exponential and Poisson draws come back as the builtin of their unshifted part (and
    for Poisson unstretched): the caller adds the shift and stretch `affine` gives,
    ``shift + EXPRND(stretch)`` and ``shift + stretch * POISSON(mean)`` (see
    `EquationPrinter`). EXPRND's mean is the stretch: a stretch that is not positive
    gives the shift in sdflow, read back alike.
    """
    values = [constant(a) for a in e.args]
    seed = [Literal(e.stream)] if e.stream else []
    if e.dist == "uniform":
        return "RANDOM", [*e.args, *seed]
    if e.dist not in ("normal", "exponential", "poisson"):
        name = e.dist.replace("_", " ")
        raise NoXmileDraw(f"the random draw {name} has no XMILE form (XMILE has no "
                          f"{name} distribution)")
    lo, hi = values[0], values[1]
    if e.dist == "normal":
        mean, std = values[2], values[3]
        if not (lo == -_INF and hi == _INF):
            if None in (lo, hi, mean, std) or std <= 0:
                raise NoXmileDraw(_not_shown(e))
            from scipy import special
            below = float(special.ndtr((lo - mean) / std))
            above = float(special.ndtr(-(hi - mean) / std))
            if _cut(below, above):
                raise NoXmileDraw(_cuts(e, below, above))
        return "NORMAL", [e.args[2], e.args[3], *seed]
    shift, stretch = values[-2], values[-1]
    if e.dist == "exponential":
        if not (lo is not None and lo <= (shift if shift is not None else -_INF)
                and hi == _INF):
            if None in (lo, hi, shift, stretch):
                raise NoXmileDraw(_not_shown(e))
            below = 1.0 if lo > shift else 0.0
            above = math.exp(-(hi - shift) / stretch) if stretch > 0 else 0.0
            if _cut(below, above):
                raise NoXmileDraw(_cuts(e, below, above))
        return "EXPRND", [e.args[-1], *seed]
    mean = values[2]
    if stretch is None or stretch <= 0:
        # sdflow's draw is then its shift, the stretched POISSON another number
        raise NoXmileDraw(f"the random draw {e.dist} has a stretch that is not a positive "
                          "number or constant, which XMILE's POISSON cannot state; make it "
                          "a positive number to export it")
    if not (lo is not None and lo <= (shift if shift is not None else -_INF) and hi == _INF):
        if None in (lo, hi, mean, shift):
            raise NoXmileDraw(_not_shown(e))
        from scipy import special
        below = 1.0 if lo > shift else 0.0
        above = float(special.pdtrc(math.floor((hi - shift) / stretch), mean))
        if _cut(below, above):
            raise NoXmileDraw(_cuts(e, below, above))
    return "POISSON", [e.args[2], *seed]


def affine(e: Noise) -> tuple[Expr, Expr | None] | None:
    """``(shift, stretch)`` the caller adds to `xmile_draw`'s builtin: for a Poisson
    draw ``shift + stretch * POISSON(mean)``, for an exponential one ``shift +
    EXPRND(stretch)`` (the stretch None: it is EXPRND's mean); else None."""
    if e.dist == "poisson":
        return e.args[-2], e.args[-1]
    return (e.args[-2], None) if e.dist == "exponential" else None


def _not_shown(e: Noise) -> str:
    return (f"the random draw {e.dist} is truncated to bounds that are not infinite, and "
            "its parameters are not constants, so whether the bounds cut the distribution "
            "cannot be checked (XMILE's builtin is not truncated); make the bounds and "
            "parameters numbers or constants to export it")


def _cuts(e: Noise, below: float, above: float) -> str:
    return (f"the random draw {e.dist} is truncated to its bounds, which cut off "
            f"{below:.3g} below and {above:.3g} above: XMILE's builtin is not truncated, "
            "and clipping it would put that probability on the bounds; widen the bounds "
            f"until each cuts off less than {TAIL:g} to export it")


def read_draw(function: str, args: list, seed: float) -> Noise:
    """The draw of XMILE's ``function`` (upper case) with argument expressions ``args``
    (the seed, a number, apart): untruncated, in Vensim's parameter order.

    Examples
    --------
    >>> read_draw("EXPRND", [Literal(4.0)], 0.0)
    random_exponential(0.0, inf, 0.0, 4.0, stream=0)
    """
    lo, hi = Literal(-_INF), Literal(_INF)
    zero, one = Literal(0.0), Literal(1.0)
    if function == "RANDOM":
        return Noise("uniform", args, seed)
    if function == "NORMAL":
        return Noise("normal", [lo, hi, *args], seed)
    if function == "EXPRND":
        return Noise("exponential", [zero, hi, zero, args[0]], seed)
    return Noise("poisson", [zero, hi, args[0], zero, one], seed)


#: XMILE's random builtins: pysd's name -> (function, number of arguments without the
#: optional seed)
READERS = {"random": ("RANDOM", 2), "normal": ("NORMAL", 2), "exprnd": ("EXPRND", 1),
           "poisson": ("POISSON", 1)}
