"""Distributions for uncertain parameters, sampled once per run by ``simulate(n=...)``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Distribution:
    """A named scipy.stats distribution with its parameters, validated when made.

    Made by `uniform`, `normal`, `lognormal` and `triangular`; pass it to
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


def uniform(low: float, high: float) -> Distribution:
    """Uniform between ``low`` and ``high``.

    Examples
    --------
    >>> import sdflow as sf
    >>> sf.uniform(0.2, 0.6).ppf(0.5)
    array(0.4)
    """
    if not high > low:
        raise ValueError(f"uniform({low}, {high}): high must be greater than low")
    return Distribution("uniform", stats.uniform(loc=low, scale=high - low))


def normal(mean: float, sd: float) -> Distribution:
    """Normal with mean ``mean`` and standard deviation ``sd``.

    Examples
    --------
    >>> import sdflow as sf
    >>> sf.normal(1.0, 0.5).ppf([0.5, 0.975]).round(3).tolist()
    [1.0, 1.98]
        """
    if not sd > 0:
        raise ValueError(f"normal({mean}, {sd}): sd must be positive")
    return Distribution("normal", stats.norm(loc=mean, scale=sd))


def lognormal(mu: float, sigma: float) -> Distribution:
    """Log-normal: ``exp(X)`` with ``X ~ normal(mu, sigma)`` (median ``exp(mu)``).

    Examples
    --------
    >>> import numpy as np, sdflow as sf
    >>> float(sf.lognormal(np.log(2.0), 0.5).ppf(0.5))
    2.0
        """
    if not sigma > 0:
        raise ValueError(f"lognormal({mu}, {sigma}): sigma must be positive")
    return Distribution("lognormal", stats.lognorm(s=sigma, scale=np.exp(mu)))


def triangular(low: float, mode: float, high: float) -> Distribution:
    """Triangular on ``[low, high]`` peaking at ``mode``.

    Examples
    --------
    >>> import sdflow as sf
    >>> sf.triangular(0.0, 1.0, 2.0).ppf([0.0, 0.5, 1.0]).tolist()
    [0.0, 1.0, 2.0]
        """
    if not low <= mode <= high or not high > low:
        raise ValueError(f"triangular({low}, {mode}, {high}): need low <= mode <= high, low < high")
    return Distribution("triangular",
                        stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low))
