"""Likelihoods for counts and a hook for user-written ones, on batched predictions.

Besides the four payoffs of `sdflow.calibrate.objectives.Payoff`, ``[payoff] kind`` can be

``poisson``
    ``y ~ Poisson(mu)``: ``mu`` is the simulated value, ``y`` the observed count.
``negative_binomial``
    ``y ~ NegBinomial2(mu, phi)``, mean ``mu`` and variance ``mu + mu^2 / phi`` (Stan's
    ``neg_binomial_2``; scipy's ``nbinom(n=phi, p=phi / (phi + mu))``). One dispersion
    ``phi`` per series: fixed with ``dispersion = 5.0``, or estimated with the parameters
    within ``dispersion_bounds = [low, high]`` (default ``[1e-3, 1e4]``). An estimated
    ``phi`` is concentrated out, as the scales of ``gaussian`` are: every candidate's
    payoff is its likelihood at its own best ``phi`` (found by a golden-section search on
    ``log phi``, all candidates at once), so the optimum is the joint maximum likelihood
    and ``phi``'s estimate is reported with the error scales.
``custom``
    A log-likelihood written by the user: ``function = "file.py:loglik"`` (or
    ``"package.module:loglik"``, loaded like the model factory), or a callable passed as
    ``payoff_options={"function": f}`` in Python. The contract: ``f(simulated,
    observed)`` gets one array per series, ``simulated[s]`` shaped ``(runs, times,
    columns)`` and ``observed[s]`` shaped ``(times, columns)`` (NaN where a value is
    missing), and returns the log-likelihood of every run, shape ``(runs,)``. A run it
    cannot score gets ``-inf`` or NaN. See `CustomPayoff` for an example.

Count payoffs fit by least squares on signed deviance residuals
``sign(y - mu) sqrt(2 (l(y | y) - l(y | mu)))``, whose half sum of squares is the negative
log-likelihood up to a constant; simulated means below ``MIN_MEAN`` are raised to it (a
count model predicting no cases where some were seen is penalised, not undefined).
Observation weights do not apply to likelihoods. A custom payoff has no residuals: its
least-squares stage is L-BFGS-B on the negative log-likelihood (see
`sdflow.calibrate.optimisers.least_squares_fit`).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy import special

from ..errors import DataError, SpecError
from .objectives import PENALTY, Payoff
from ..toml_schema import NUMBER_PAIR, POSITIVE, STRING, Kind

COUNT_KINDS = ("poisson", "negative_binomial")
#: ``[payoff]`` keys besides ``kind``, and the kinds that take each.
PAYOFF_OPTIONS = {"dispersion": POSITIVE, "dispersion_bounds": NUMBER_PAIR,
                  "function": STRING | Kind("a callable", callable)}
_TAKES = {"dispersion": ("negative_binomial",), "dispersion_bounds": ("negative_binomial",),
          "function": ("custom",)}
DEFAULT_DISPERSION_BOUNDS = (1e-3, 1e4)
#: Smallest mean a count likelihood is evaluated at.
MIN_MEAN = 1e-8
#: Payoff of a run that cannot be scored: as large as a run of PENALTY residuals.
FAILED = 0.5 * PENALTY ** 2


def check_payoff_options(kind: str, options: dict) -> None:
    """Refuse ``[payoff]`` keys the kind does not take, or values out of range.

    Examples
    --------
    >>> check_payoff_options("negative_binomial", {"dispersion": 5.0})
    >>> check_payoff_options("poisson", {"dispersion": 5.0})
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: payoff.dispersion: only payoff kind 'negative_binomial' takes a dispersion; drop it for 'poisson'
    """
    for key, value in options.items():
        if key not in PAYOFF_OPTIONS:
            raise SpecError(f"payoff.{key}: unknown key (known keys: kind, "
                            f"{', '.join(sorted(PAYOFF_OPTIONS))})")
        PAYOFF_OPTIONS[key].check(value, f"payoff.{key}")
        if kind not in _TAKES[key]:
            what = "a dispersion" if key.startswith("dispersion") else "a function"
            raise SpecError(f"payoff.{key}: only payoff kind "
                            f"{' or '.join(repr(k) for k in _TAKES[key])} takes {what}; "
                            f"drop it for '{kind}'")
    if "dispersion" in options and "dispersion_bounds" in options:
        raise SpecError("payoff.dispersion_bounds: give either a fixed dispersion or bounds "
                        "to estimate it within, not both")
    if "dispersion_bounds" in options:
        low, high = options["dispersion_bounds"]
        if not 0 < low < high:
            raise SpecError(f"payoff.dispersion_bounds: {list(options['dispersion_bounds'])} "
                            "must satisfy 0 < low < high")
    if kind == "custom" and "function" not in options:
        raise SpecError("payoff.function: a custom payoff needs its log-likelihood, e.g. "
                        "function = \"../models/my_likelihood.py:loglik\"")


def make_payoff(kind: str, observed: list[np.ndarray], weights: list[float],
                options: dict | None = None, names: list[str] | None = None):
    """The payoff object of ``kind`` (a `Payoff`, `CountPayoff` or `CustomPayoff`).

    ``options`` are the ``[payoff]`` keys besides ``kind`` (a custom ``function`` already
    resolved to a callable); ``names`` name the series in error messages.

    Examples
    --------
    >>> payoff = make_payoff("poisson", [np.array([[2.0], [3.0]])], [1.0])
    >>> type(payoff).__name__, payoff.n
    ('CountPayoff', 2)
    """
    options = dict(options or {})
    if kind in COUNT_KINDS:
        return CountPayoff(kind, observed, names=names, **options)
    if kind == "custom":
        return CustomPayoff(options["function"], observed)
    return Payoff(kind, observed, weights)


_BIGGEST = np.finfo(float).max


def _ordered(x: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(x, nan=-np.inf)`` (NaN below everything, infinities the largest
    floats), which the golden-section search compares: the same numbers from four
    ufunc calls, where ``nan_to_num`` spends more time than the likelihood it ranks.

    Examples
    --------
    >>> x = np.array([np.nan, -np.inf, -1.0, np.inf])
    >>> bool((_ordered(x) == np.nan_to_num(x, nan=-np.inf)).all())
    True
    """
    return np.where(np.isnan(x), -np.inf, np.minimum(np.maximum(x, -_BIGGEST), _BIGGEST))


class CountPayoff:
    """Poisson or negative-binomial likelihood of observed counts, for a batch of runs.

    Parameters
    ----------
    kind : {"poisson", "negative_binomial"}
    observed : list of ndarray
        One ``(times, columns)`` array per series; NaN marks a missing value. The others
        must be whole numbers >= 0.
    dispersion : float, optional
        Fixed ``phi`` of the negative binomial.
    dispersion_bounds : (float, float), optional
        Range ``phi`` is estimated in when not fixed.
    names : list of str, optional
        Series names, for messages.

    Examples
    --------
    Poisson: log P(y=3 | mu=2) = -2 + 3 log 2 - log 6 = -1.7123 (checked by hand). The
    dispersion of 0, 8, 30 around a mean of 10 is 0.406 by scipy's bounded scalar search.

    >>> payoff = CountPayoff("poisson", [np.array([[3.0]])])
    >>> payoff.nll([np.array([[[2.0]], [[3.0]]])]).round(4).tolist()
    [1.7123, 1.4959]
    >>> nb = CountPayoff("negative_binomial", [np.array([[0.0], [8.0], [30.0]])])
    >>> nb.estimates_scales, nb.update_sigma([np.array([[[10.0], [10.0], [10.0]]])]).round(2)
    (True, array([0.41]))
    """

    has_residuals = True

    def __init__(self, kind: str, observed: list[np.ndarray], dispersion: float | None = None,
                 dispersion_bounds=None, names: list[str] | None = None):
        if kind not in COUNT_KINDS:
            raise SpecError(f"payoff.kind: '{kind}' is not a count likelihood {COUNT_KINDS}")
        self.kind = kind
        self.masks = [np.isfinite(o) for o in observed]
        self.obs = [np.asarray(o)[m] for o, m in zip(observed, self.masks)]
        names = names or [f"series[{i}]" for i in range(len(observed))]
        for name, o in zip(names, self.obs):
            bad = o[(o < 0) | (o != np.round(o))]
            if len(bad):
                raise DataError(f"series '{name}': payoff '{kind}' needs counts (whole numbers "
                                f">= 0), but it holds {bad[0]:g}; use 'gaussian' or "
                                "'lognormal' for measured amounts")
        self.counts = np.array([len(o) for o in self.obs])
        self.estimates_scales = kind == "negative_binomial" and dispersion is None
        low, high = dispersion_bounds or DEFAULT_DISPERSION_BOUNDS
        self.log_bounds = (math.log(low), math.log(high))
        start = dispersion if dispersion is not None else math.sqrt(low * high)
        #: one dispersion per series (unused by the Poisson likelihood)
        self.sigma = np.full(len(self.obs), float(start))

    @property
    def n(self) -> int:
        """Number of observed values in the payoff."""
        return int(self.counts.sum())

    def logpmf(self, y, mu, dispersion):
        """Log probability of counts ``y`` at means ``mu`` (arrays broadcast).

        The formulas of ``scipy.stats.poisson.logpmf`` and ``scipy.stats.nbinom.logpmf``
        (``nbinom(phi, phi / (phi + mu))``), term by term in their order, so the values
        are theirs to the last bit (tested); called directly because scipy's checks of
        the arguments cost far more than the arithmetic on a few hundred values, and the
        dispersion's golden-section search calls this 120 times per batch. ``y`` is
        whole and >= 0 and ``mu`` >= `MIN_MEAN` (checked and clipped here), so only an
        ``nbinom`` probability that underflows to 0 falls outside scipy's support (NaN,
        as scipy gives).
        """
        return self._logpmf(y, np.maximum(mu, MIN_MEAN), dispersion,
                            special.gammaln(y + 1))

    def _logpmf(self, y, mu, dispersion, log_y_factorial):
        """`logpmf` with ``mu`` already clipped and ``log(y!)`` given (the golden-section
        search computes them once, not at each of its steps). In C order, as scipy
        returns it: sums over a row then add in the same order."""
        if self.kind == "poisson":
            return np.ascontiguousarray(special.xlogy(y, mu) - log_y_factorial - mu)
        p = dispersion / (dispersion + mu)
        coeff = special.gammaln(dispersion + y) - log_y_factorial - special.gammaln(dispersion)
        value = coeff + dispersion * np.log(p) + special.xlog1py(y, -p)
        if not (p > 0).all():
            value = np.where(p > 0, value, np.nan)
        return np.ascontiguousarray(value)

    def _means(self, simulated):
        """Per series: simulated means ``(n, observed)`` and which runs are valid."""
        out = []
        for sim, mask in zip(simulated, self.masks):
            mu = sim[:, mask]
            out.append((np.where(np.isfinite(mu), mu, 1.0), np.isfinite(mu).all(axis=1)))
        return out

    def pointwise(self, simulated, dispersion=None) -> np.ndarray:
        """Log-likelihood of every observed value, shape ``(n, observed values)``; NaN for
        runs that failed. ``dispersion``: per series, default the current ``sigma``."""
        dispersion = self.sigma if dispersion is None else dispersion
        parts = []
        for (mu, ok), y, phi in zip(self._means(simulated), self.obs, dispersion):
            parts.append(np.where(ok[:, None], self.logpmf(y, mu, phi), np.nan))
        return np.concatenate(parts, axis=1)

    def residuals(self, simulated, sigma=None) -> np.ndarray:
        """Signed deviance residuals ``(n, observed values)`` at the current dispersion."""
        sigma = self.sigma if sigma is None else sigma
        parts = []
        for (mu, ok), y, phi in zip(self._means(simulated), self.obs, sigma):
            saturated = self.logpmf(y, y, phi)
            deviance = np.maximum(2.0 * (saturated - self.logpmf(y, mu, phi)), 0.0)
            r = np.sign(y - mu) * np.sqrt(deviance)
            parts.append(np.where(ok[:, None], r, PENALTY))
        r = np.concatenate(parts, axis=1)
        return np.where(np.isfinite(r), r, PENALTY)

    def best_dispersion(self, simulated) -> np.ndarray:
        """Maximum-likelihood ``phi`` of every run and series, shape ``(n, series)``."""
        out = []
        for (mu, ok), y in zip(self._means(simulated), self.obs):
            mu, log_y_factorial = np.maximum(mu, MIN_MEAN), special.gammaln(y + 1)
            out.append(self._golden(
                lambda phi: self._logpmf(y, mu, phi[:, None], log_y_factorial).sum(axis=1),
                len(mu)))
        return np.stack(out, axis=1)

    def _golden(self, loglik: Callable, n: int, iterations: int = 60) -> np.ndarray:
        """Golden-section search of ``log phi`` for every run at once (the likelihood of
        the negative binomial in ``phi`` is unimodal)."""
        ratio = (math.sqrt(5) - 1) / 2
        a = np.full(n, self.log_bounds[0])
        b = np.full(n, self.log_bounds[1])
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        # the values only serve to compare, so they are kept in `_ordered` form
        fc, fd = _ordered(loglik(np.exp(c))), _ordered(loglik(np.exp(d)))
        for _ in range(iterations):
            left = fc > fd
            b = np.where(left, d, b)
            a = np.where(left, a, c)
            new = np.where(left, b - ratio * (b - a), a + ratio * (b - a))
            fnew = _ordered(loglik(np.exp(new)))
            c, d, fc, fd = (np.where(left, new, d), np.where(left, c, new),
                            np.where(left, fnew, fd), np.where(left, fc, fnew))
        return np.exp((a + b) / 2)

    def loglik(self, simulated) -> np.ndarray:
        """Log-likelihood per run (at each run's best dispersion when it is estimated);
        ``-inf`` for runs that failed."""
        if self.estimates_scales:
            phi = self.best_dispersion(simulated)
            total = 0.0
            for j, ((mu, ok), y) in enumerate(zip(self._means(simulated), self.obs)):
                total = total + np.where(ok, self.logpmf(y, mu, phi[:, j:j + 1]).sum(axis=1),
                                         np.nan)
        else:
            total = self.pointwise(simulated).sum(axis=1)
        return np.where(np.isfinite(total), total, -np.inf)

    def nll(self, simulated) -> np.ndarray:
        """Negative log-likelihood per run, the objective to minimise (`FAILED` for runs
        that cannot be scored)."""
        value = -self.loglik(simulated)
        return np.where(np.isfinite(value), value, FAILED)

    def marginal_loglik(self, simulated) -> np.ndarray:
        """The log-likelihood a sampler uses (the dispersion concentrated out when it is
        estimated: a profile likelihood, not a marginal one)."""
        return self.loglik(simulated)

    def update_sigma(self, simulated_best) -> np.ndarray:
        """Set the dispersions to their maximum-likelihood values at the first run."""
        if self.estimates_scales:
            self.sigma = self.best_dispersion([s[:1] for s in simulated_best])[0]
        return self.sigma


class CustomPayoff:
    """A user-written log-likelihood on batched predictions (see the module docstring).

    Examples
    --------
    A Student-t likelihood with 4 degrees of freedom and scale 0.5 on every observation:

    >>> from scipy import stats
    >>> def loglik(simulated, observed):
    ...     total = 0.0
    ...     for sim, obs in zip(simulated, observed):
    ...         keep = np.isfinite(obs)
    ...         terms = stats.t.logpdf(obs[keep], df=4, loc=sim[:, keep], scale=0.5)
    ...         total = total + terms.sum(axis=1)
    ...     return total
    >>> payoff = CustomPayoff(loglik, [np.array([[1.0], [np.nan]])])
    >>> payoff.nll([np.array([[[1.0], [5.0]], [[2.0], [0.0]]])]).round(4).tolist()
    [0.2877, 2.0206]
    """

    has_residuals = False
    estimates_scales = False
    kind = "custom"

    def __init__(self, function: Callable, observed: list[np.ndarray]):
        if not callable(function):
            raise SpecError(f"payoff.function: {function!r} is not callable; give a function "
                            "f(simulated, observed) -> log-likelihood per run")
        self.function = function
        self.observed = [np.asarray(o, float) for o in observed]
        self.counts = np.array([int(np.isfinite(o).sum()) for o in self.observed])
        self.sigma = np.ones(len(observed))

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def loglik(self, simulated) -> np.ndarray:
        """The function's log-likelihood per run, checked; ``-inf`` where not finite."""
        runs = len(simulated[0])
        name = getattr(self.function, "__name__", repr(self.function))
        value = np.asarray(self.function(simulated, self.observed), float)
        if value.shape != (runs,):
            raise SpecError(f"payoff.function: '{name}' returned shape {value.shape} for "
                            f"{runs} runs; return one log-likelihood per run, shape ({runs},)")
        return np.where(np.isfinite(value), value, -np.inf)

    def nll(self, simulated) -> np.ndarray:
        value = -self.loglik(simulated)
        return np.where(np.isfinite(value), value, FAILED)

    def marginal_loglik(self, simulated) -> np.ndarray:
        return self.loglik(simulated)

    def residuals(self, simulated, sigma=None):
        raise SpecError("payoff 'custom' gives a log-likelihood, not residuals; its fits use "
                        "the likelihood directly")

    def update_sigma(self, simulated_best) -> np.ndarray:
        return self.sigma
