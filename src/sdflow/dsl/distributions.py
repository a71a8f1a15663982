"""Distributions for uncertain parameters, sampled once per run by ``simulate(n=...)``.

Parameters are checked when a distribution is made, so a wrong bound fails where it was
written rather than deep inside a run. scipy.stats is imported by the first distribution
made, not by ``import sdflow``: it alone would double the import time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from ..errors import DistributionError


@dataclass(frozen=True)
class Distribution:
    """A named scipy.stats distribution with its parameters, validated when made.

    Made by `uniform`, `normal`, `truncnormal`, `lognormal` and `triangular`; pass it to
    ``simulate(params=..., n=...)`` or to ``forecasting.Uncertain``.

    Examples
    --------
    >>> import numpy as np, sdflow as sf
    >>> d = sf.normal(1.0, 0.5)
    >>> d.name, d.sample(np.random.default_rng(0), 3).shape
    ('normal', (3,))
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", 2 * m.const("k", 1.0))
    >>> run = m.simulate(params={"k": sf.uniform(0, 1)}, n=100, seed=1)
    >>> bool(0.0 <= float(run.dataset["y"].min()) and float(run.dataset["y"].max()) <= 2.0)
    True
        """

    name: str
    frozen: object

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Draw ``size`` independent values."""
        return np.asarray(self.frozen.rvs(size=size, random_state=rng), dtype=float)

    def ppf(self, q) -> np.ndarray:
        """Quantile function, for Latin hypercube and Sobol designs."""
        return np.asarray(self.frozen.ppf(q), dtype=float)


def _call(distribution: str, arguments: dict) -> str:
    """How the user wrote the call, for error messages: ``uniform(low=2, high=1)``."""
    return f"{distribution}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


def _checked_numbers(distribution: str, **arguments) -> list[float]:
    """The arguments as floats; a `DistributionError` names the first that is not a
    finite real number."""
    numbers = []
    for name, value in arguments.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.ndarray)) \
                or np.ndim(value) != 0 or not np.isrealobj(value):
            raise DistributionError(
                f"{_call(distribution, arguments)}: {name} must be one real number, got "
                f"{type(value).__name__} {value!r}; each distribution describes one "
                "constant (for arrayed constants it is drawn per element)")
        number = float(value)
        if math.isnan(number):
            raise DistributionError(f"{_call(distribution, arguments)}: {name} is NaN; "
                                    "give a finite number")
        if math.isinf(number):
            raise DistributionError(f"{_call(distribution, arguments)}: {name} is infinite; "
                                    "give a finite number")
        numbers.append(number)
    return numbers


def uniform(low: float, high: float) -> Distribution:
    """Uniform between ``low`` and ``high``.

    Raises
    ------
    DistributionError
        If a bound is not a finite number, or ``high`` is not greater than ``low``.

    Examples
    --------
    >>> import sdflow as sf
    >>> sf.uniform(0.2, 0.6).ppf(0.5)
    array(0.4)
    >>> sf.uniform(0.6, 0.2)
    Traceback (most recent call last):
    ...
    sdflow.errors.DistributionError: uniform(low=0.6, high=0.2): high must be greater than low; ...
    """
    low, high = _checked_numbers("uniform", low=low, high=high)
    if not high > low:
        raise DistributionError(f"uniform(low={low!r}, high={high!r}): high must be greater "
                                "than low; swap the bounds or widen the interval (for a fixed "
                                "value pass the number itself)")
    from scipy import stats
    return Distribution("uniform", stats.uniform(loc=low, scale=high - low))


def normal(mean: float, sd: float) -> Distribution:
    """Normal with mean ``mean`` and standard deviation ``sd``.

    Raises
    ------
    DistributionError
        If an argument is not a finite number, or ``sd`` is not positive.

    Examples
    --------
    >>> import sdflow as sf
    >>> sf.normal(1.0, 0.5).ppf([0.5, 0.975]).round(3).tolist()
    [1.0, 1.98]
        """
    mean, sd = _checked_numbers("normal", mean=mean, sd=sd)
    if not sd > 0:
        raise DistributionError(f"normal(mean={mean!r}, sd={sd!r}): sd must be positive (it is "
                                "the standard deviation, not the variance)")
    from scipy import stats
    return Distribution("normal", stats.norm(loc=mean, scale=sd))


def truncnormal(mean: float, sd: float, low: float, high: float) -> Distribution:
    """Normal with mean ``mean`` and standard deviation ``sd``, cut to ``[low, high]``.

    For a constant estimated elsewhere with a standard error that has physical limits (a
    share in [0, 1], a rate that cannot be negative): draws keep the normal's shape inside
    the limits and never leave them, where clipping a normal would pile the draws beyond a
    limit on the limit itself. ``mean`` and ``sd`` are those of the normal before the cut
    (the cut shifts the mean when ``mean`` is near a limit).

    Raises
    ------
    DistributionError
        If an argument is not a finite number, ``sd`` is not positive, ``high`` is not
        greater than ``low``, or ``mean`` lies outside ``[low, high]``.

    Examples
    --------
    Half-normal: an effect estimated at 0 with standard error 0.013 that cannot be negative.

    >>> import sdflow as sf
    >>> d = sf.truncnormal(0.0, 0.013, 0.0, 0.1)
    >>> d.ppf([0.0, 0.5, 1.0]).round(5).tolist()   # median 0.013 * 0.6745 (half-normal)
    [0.0, 0.00877, 0.1]
    >>> sf.truncnormal(0.4, 0.1, 0.5, 1.0)
    Traceback (most recent call last):
    ...
    sdflow.errors.DistributionError: truncnormal(mean=0.4, ...): mean must lie between low and high; ...
    """
    mean, sd, low, high = _checked_numbers("truncnormal", mean=mean, sd=sd, low=low,
                                           high=high)
    call = f"truncnormal(mean={mean!r}, sd={sd!r}, low={low!r}, high={high!r})"
    if not sd > 0:
        raise DistributionError(f"{call}: sd must be positive (the standard deviation of the "
                                "normal before the cut, not its variance)")
    if not high > low:
        raise DistributionError(f"{call}: high must be greater than low; the arguments are "
                                "(mean, sd, low, high) in this order")
    if not low <= mean <= high:
        # A mean outside the limits is almost always swapped arguments or a wrong range;
        # far outside, the cut keeps a sliver of one tail that quantiles cannot resolve.
        raise DistributionError(f"{call}: mean must lie between low and high; the arguments "
                                "are (mean, sd, low, high) in this order, and low and high "
                                "are the limits the constant can take")
    from scipy import stats
    return Distribution("truncnormal", stats.truncnorm(a=(low - mean) / sd,
                                                       b=(high - mean) / sd,
                                                       loc=mean, scale=sd))


def lognormal(mu: float, sigma: float) -> Distribution:
    """Log-normal: ``exp(X)`` with ``X ~ normal(mu, sigma)`` (median ``exp(mu)``).

    ``mu`` is the logarithm of the median: for a median of 2 pass ``np.log(2)``.

    Raises
    ------
    DistributionError
        If an argument is not a finite number (``mu = -inf`` would be a median of 0), or
        ``sigma`` is not positive.

    Examples
    --------
    >>> import numpy as np, sdflow as sf
    >>> float(sf.lognormal(np.log(2.0), 0.5).ppf(0.5))
    2.0
        """
    mu, sigma = _checked_numbers("lognormal", mu=mu, sigma=sigma)
    if not sigma > 0:
        raise DistributionError(f"lognormal(mu={mu!r}, sigma={sigma!r}): sigma must be "
                                "positive (the standard deviation of the logarithm)")
    from scipy import stats
    return Distribution("lognormal", stats.lognorm(s=sigma, scale=np.exp(mu)))


def triangular(low: float, mode: float, high: float) -> Distribution:
    """Triangular on ``[low, high]`` peaking at ``mode``.

    Raises
    ------
    DistributionError
        If an argument is not a finite number, ``high`` is not greater than ``low``, or
        ``mode`` lies outside ``[low, high]``.

    Examples
    --------
    >>> import sdflow as sf
    >>> sf.triangular(0.0, 1.0, 2.0).ppf([0.0, 0.5, 1.0]).tolist()
    [0.0, 1.0, 2.0]
        """
    low, mode, high = _checked_numbers("triangular", low=low, mode=mode, high=high)
    call = f"triangular(low={low!r}, mode={mode!r}, high={high!r})"
    if not high > low:
        raise DistributionError(f"{call}: high must be greater than low; the arguments are "
                                "(low, mode, high) in this order")
    if not low <= mode <= high:
        raise DistributionError(f"{call}: mode must lie between low and high; the arguments "
                                "are (low, mode, high) in this order")
    from scipy import stats
    return Distribution("triangular",
                        stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low))
