"""Priors of estimated parameters: six families, checked when made, with scipy log-densities.

Each family is declared once in `PRIORS`: its spec keys (in the order `Prior` takes them),
the scipy.stats distribution they make, and the support a parameter's bounds must lie in.

============  =====================  ==========================================  ==========
``dist``      keys                   density                                     support
============  =====================  ==========================================  ==========
uniform       ``lower``, ``upper``   flat on ``[lower, upper]``                  the range
normal        ``mean``, ``sd``       ``N(mean, sd^2)``                           all reals
lognormal     ``median``, ``sigma``  ``log x ~ N(log median, sigma^2)``          ``x > 0``
half_normal   ``sd``                 ``|N(0, sd^2)|``                            ``x >= 0``
beta          ``alpha``, ``beta``    ``x^(alpha-1) (1-x)^(beta-1) / B``          ``[0, 1]``
gamma         ``shape``, ``rate``    ``rate^shape x^(shape-1) e^(-rate x) / G``  ``x >= 0``
============  =====================  ==========================================  ==========

Log-densities are normalised (scipy's ``logpdf``; for the normal and log-normal its
arithmetic written out, the same bits without its per-call overhead) and vectorised
over candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
from scipy import stats

from ..errors import SpecError
from ..toml_schema import is_number


@dataclass(frozen=True)
class Family:
    """One prior family: spec ``keys``, a maker of the frozen scipy distribution, the
    ``support`` (lower, upper) and a check of the numbers (a message, or None if fine)."""

    keys: tuple[str, ...]
    distribution: Callable[..., object]
    support: tuple[float, float]
    problem: Callable[..., str | None]


def _positive(*names):
    def problem(*values):
        for name, value in zip(names, values):
            if name and value <= 0:
                return f"prior.{name}: {value} must be > 0"
        return None
    return problem


PRIORS: dict[str, Family] = {
    "uniform": Family(("lower", "upper"), lambda a, b: stats.uniform(loc=a, scale=b - a),
                      (-math.inf, math.inf),
                      lambda a, b: None if a < b else
                      f"prior.upper: {b} must be above the lower end {a}"),
    "normal": Family(("mean", "sd"), lambda a, b: stats.norm(loc=a, scale=b),
                     (-math.inf, math.inf), _positive(None, "sd")),
    "lognormal": Family(("median", "sigma"), lambda a, b: stats.lognorm(s=b, scale=a),
                        (0.0, math.inf), lambda a, b: (
                            f"prior.median: {a} must be > 0 (a log-normal variable is "
                            "positive)" if a <= 0 else _positive(None, "sigma")(a, b))),
    "half_normal": Family(("sd",), lambda a: stats.halfnorm(scale=a), (0.0, math.inf),
                          _positive("sd")),
    "beta": Family(("alpha", "beta"), lambda a, b: stats.beta(a, b), (0.0, 1.0),
                   _positive("alpha", "beta")),
    "gamma": Family(("shape", "rate"), lambda a, b: stats.gamma(a, scale=1.0 / b),
                    (0.0, math.inf), _positive("shape", "rate")),
}


@dataclass(frozen=True)
class Prior:
    """A prior of one parameter: ``Prior(dist, a, b)`` with the numbers in the order of
    the family's keys (see the table in `sdflow.calibrate.priors`; ``half_normal`` takes
    ``a`` only).

    Raises `SpecError` naming the key (``prior.sd``) when a number is out of range.

    Examples
    --------
    >>> round(float(Prior("normal", 0.2, 0.1).logpdf(0.3)), 4)     # log N(0.3; 0.2, 0.1)
    0.8836
    >>> Prior("uniform", 0.0, 2.0).logpdf([0.5, 3.0]).round(4).tolist()
    [-0.6931, -inf]
    >>> round(float(Prior("gamma", 2.0, 4.0).logpdf(0.5)), 4)       # 16 x e^-4x at 0.5
    0.0794
    >>> Prior("beta", 2.0, -1.0)
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: prior.beta: -1.0 must be > 0
    """

    dist: str
    a: float
    b: float | None = None

    def __post_init__(self):
        if self.dist not in PRIORS:
            raise SpecError(f"prior.dist: {self.dist!r} must be one of {sorted(PRIORS)}")
        family = PRIORS[self.dist]
        numbers = self.numbers
        for key, value in zip(family.keys, (self.a, self.b)):
            if not is_number(value):
                raise SpecError(f"prior.{key}: expected a number, got {value!r}")
        if len(family.keys) == 1 and self.b is not None:
            raise SpecError(f"prior: '{self.dist}' takes one number ({family.keys[0]}), "
                            f"got a second one ({self.b!r})")
        message = family.problem(*numbers)
        if message:
            raise SpecError(message)

    @property
    def numbers(self) -> tuple[float, ...]:
        """The family's numbers, in the order of its keys."""
        return (self.a, self.b)[:len(PRIORS[self.dist].keys)]

    @property
    def support(self) -> tuple[float, float]:
        """Where the density is positive (bounds of a parameter must lie inside)."""
        if self.dist == "uniform":
            return (self.a, self.b)
        return PRIORS[self.dist].support

    def distribution(self):
        """The frozen ``scipy.stats`` distribution."""
        return PRIORS[self.dist].distribution(*self.numbers)

    @cached_property
    def _frozen(self):
        # made once: freezing a scipy distribution costs more than a batch of logpdfs,
        # and a sampler asks for the density at every step
        return self.distribution()

    def logpdf(self, x):
        """Normalised log density, ``-inf`` outside the support (arrays welcome)."""
        x = np.asarray(x, float)
        closed = _CLOSED_FORMS.get(self.dist)
        if closed is not None:
            return closed(x, *self.numbers)
        return self._frozen.logpdf(x)


_LOG_SQRT_2PI = np.log(np.sqrt(2 * np.pi))   # scipy.stats' _norm_pdf_logC


def _normal_logpdf(x, mean, sd):
    """``scipy.stats.norm(mean, sd).logpdf(x)`` as scipy computes it, operation for
    operation (NaN stays NaN, infinities give -inf), without its argument handling,
    which costs a sampler more than the arithmetic."""
    z = (x - mean) / sd
    out = -z ** 2 / 2.0 - _LOG_SQRT_2PI - np.log(sd)
    return out[()] if out.ndim == 0 else out


def _lognormal_logpdf(x, median, sigma):
    """``scipy.stats.lognorm(s=sigma, scale=median).logpdf(x)`` as scipy computes it:
    -inf where ``x <= 0`` or infinite (outside its open support), NaN for NaN."""
    z = (x - 0.0) / median
    inside = (0.0 < z) & (z < np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (-np.log(z) ** 2 / (2 * sigma ** 2) - np.log(sigma * z * np.sqrt(2 * np.pi))
                 - np.log(median))
    out = np.where(inside, value, np.where(np.isnan(z), np.nan, -np.inf))
    return out[()] if out.ndim == 0 else out


#: families whose log density is written out (the others call scipy.stats)
_CLOSED_FORMS = {"normal": _normal_logpdf, "lognormal": _lognormal_logpdf}


def prior_from_table(table: dict, where: str) -> Prior:
    """A `Prior` from a spec table ``{dist = "...", <keys>...}``; errors name ``where``.

    Examples
    --------
    >>> prior_from_table({"dist": "half_normal", "sd": 0.5}, "parameters[0].prior")
    Prior(dist='half_normal', a=0.5, b=None)
    >>> prior_from_table({"dist": "gamma", "shape": 2}, "parameters[0].prior")
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: parameters[0].prior.rate: is required (a number)
    """
    from ..toml_schema import NUMBER, STRING, check_table, one_of
    one_of(*PRIORS).check(table.get("dist") if isinstance(table, dict) else None,
                          f"{where}.dist")
    keys = PRIORS[table["dist"]].keys
    check_table(table, {"dist": STRING, **{k: NUMBER for k in keys}}, where, required=keys)
    try:
        return Prior(table["dist"], *(float(table[k]) for k in keys))
    except SpecError as exc:    # Prior names its own keys: "prior.sd: ..."
        raise SpecError(f"{where.rsplit('.', 1)[0]}.{exc}") from None


def check_prior_bounds(prior: Prior, bounds: tuple[float, float], where: str) -> None:
    """Refuse bounds reaching outside the prior's support (a beta prior on [0, 2]).

    Examples
    --------
    >>> check_prior_bounds(Prior("beta", 2.0, 2.0), (0.1, 1.5), "parameters[1]")
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: parameters[1].bounds: [0.1, 1.5] reach outside the support [0, 1] of its beta prior; narrow the bounds to lie within it
    """
    low, high = prior.support
    if prior.dist != "uniform" and (bounds[0] < low or bounds[1] > high):
        raise SpecError(f"{where}.bounds: {list(bounds)} reach outside the support "
                        f"[{low:g}, {high:g}] of its {prior.dist} prior; narrow the bounds to "
                        "lie within it")
