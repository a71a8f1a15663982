"""Parameter draws that forecasts can read, and the observation error that goes with them.

A calibration ends with draws of its parameters, from the posterior when a sampler ran,
else from a bounded Laplace approximation (`laplace_draws`): normal in the unbounded space
of `bounded` around the estimate, with the Jacobian covariance mapped through the
transform, so every draw lies within the spec's bounds.

Each draw also gets the scale of each series' observation error, drawn from its
conditional posterior given the draw's simulated values (`error_scales`): with the
payoff's error scale integrated out under ``p(sigma) ~ 1/sigma``, ``sigma^2 | theta`` is
``SSE / chi2_n``. Predictive bands add that error to simulated values (`add_error`):
normal for ``wsse`` and ``gaussian``, log-normal (multiplicative) for ``log_sse`` and
``lognormal``.

``draws.csv`` has one row per draw: ``draw``, ``chain``, one column per parameter label
(``name`` or ``name[element]``, what `sdflow forecast` reads as posterior draws) and one
``observation sd: SERIES`` column per series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .bounded import BoundedTransform

#: How each payoff's observation error is distributed around the simulated value.
OBSERVATION_NOISE = {"wsse": "normal", "gaussian": "normal", "log_sse": "lognormal",
                     "lognormal": "lognormal"}
SD_COLUMN = "observation sd: "
#: Largest sd of a Laplace draw along any direction of logit space: that of the logit of a
#: uniform variable (the logistic distribution, pi / sqrt(3)). A logit-normal with a larger
#: sd piles its mass against both bounds, claiming values the data never favoured; capped,
#: a parameter the data barely constrain spreads over its bounds instead.
LOGIT_SD_CAP = float(np.pi / np.sqrt(3))


def laplace_draws(x, cov, lower, upper, n: int, rng) -> np.ndarray:
    """``n`` draws of a bounded, transformed Laplace approximation at ``x``.

    ``z = T(theta)`` (logit between finite bounds, see `BoundedTransform`) is drawn from
    ``N(T(x), D cov D)`` with ``D = diag(dz/dtheta)`` at ``x`` (the delta method) and
    mapped back, so every draw respects the bounds. The variance along each principal
    direction of ``D cov D`` is capped at ``LOGIT_SD_CAP ** 2``: a direction the Jacobian
    barely constrains spreads over the range instead of piling against both bounds, while
    well-determined combinations of parameters keep their small variance (when every
    parameter has two bounds, as in calibration specs).

    An estimate on a bound (within 1e-6 of the range) has no normal approximation in
    logit space: it is drawn from a half-normal that starts at that bound and points
    inside, with the Wald sd ``sqrt(cov[i, i])`` in natural units (at most the range),
    cut at the other bound. That is the flat-prior posterior when the unconstrained
    maximum lies exactly on the bound, and wider than it when the maximum lies beyond:
    the draws never claim more certainty than the curvature gives. Its correlations with
    the other parameters are not kept (sample the posterior, ``[smc]``, for them).

    Parameters
    ----------
    x : array_like, shape (k,)
        The estimate.
    cov : array_like, shape (k, k)
        Its covariance (e.g. the Jacobian covariance of `jacobian_covariance`).
    lower, upper : array_like, shape (k,)
        The bounds.
    n : int
        Number of draws.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, k)

    Examples
    --------
    A growth rate estimated at 0.01 with s.e. 0.02 and bounds [0, 0.1]: a normal
    approximation puts 31% of its draws below 0; these draws never leave the bounds.

    >>> rng = np.random.default_rng(0)
    >>> d = laplace_draws([0.01], [[0.02 ** 2]], [0.0], [0.1], 10000, rng)
    >>> bool(d.min() > 0 and d.max() < 0.1), round(float(np.median(d)), 3)
    (True, 0.01)

    Estimated on its lower bound 0 with s.e. 0.02: the median of a half-normal is 0.674 sd.

    >>> d = laplace_draws([0.0], [[0.02 ** 2]], [0.0], [0.1], 10000, rng)
    >>> bool(d.min() >= 0), round(float(np.median(d)) / 0.02, 1)
    (True, 0.7)
    """
    x = np.asarray(x, float)
    cov = np.asarray(cov, float)
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    span = np.where(np.isfinite(upper - lower), upper - lower, np.inf)
    margin = 1e-6 * np.where(np.isfinite(span), span, 1.0)
    at_lower, at_upper = x <= lower + margin, x >= upper - margin
    on_bound = at_lower | at_upper
    draws = np.empty((n, len(x)))
    inside = ~on_bound
    if inside.any():
        draws[:, inside] = _logit_normal(x[inside], cov[np.ix_(inside, inside)],
                                         lower[inside], upper[inside], n, rng)
    for i in np.flatnonzero(on_bound):
        draws[:, i] = _half_normal_from_bound(
            lower[i] if at_lower[i] else upper[i], 1.0 if at_lower[i] else -1.0,
            float(np.sqrt(max(cov[i, i], 0.0))), span[i], n, rng)
    return draws


def _logit_normal(x, cov, lower, upper, n: int, rng) -> np.ndarray:
    """Draws of ``N(T(x), D cov D)`` in logit space, capped as `laplace_draws` says."""
    transform = BoundedTransform(lower, upper)
    d = transform.derivative(x)
    cov_z = cov * np.outer(d, d)
    cov_z = 0.5 * (cov_z + cov_z.T)
    values, vectors = np.linalg.eigh(cov_z)
    values = np.clip(values, 0, LOGIT_SD_CAP ** 2 if transform.both.all() else np.inf)
    root = vectors * np.sqrt(values)                          # works when cov is singular
    z = transform.to_unbounded(x) + rng.standard_normal((n, len(x))) @ root.T
    return transform.to_bounded(z)


def _half_normal_from_bound(bound: float, direction: float, sd: float, span: float,
                            n: int, rng) -> np.ndarray:
    """``bound + direction * |N(0, sd)|``, sd at most ``span``, cut at ``span`` away."""
    sd = min(sd, span) if np.isfinite(sd) and sd > 0 else (span if np.isfinite(span) else 0.0)
    if sd == 0.0:
        return np.full(n, bound)
    # Inverse CDF of the half-normal truncated to [0, span]: no rejection loop.
    top = 2 * stats.norm.cdf(span / sd) - 1 if np.isfinite(span) else 1.0
    u = rng.uniform(0.0, top, n)
    return bound + direction * sd * stats.norm.ppf(0.5 + u / 2)


def error_scales(payoff, simulated: list[np.ndarray], rng) -> np.ndarray | None:
    """Observation error sd of every series for each simulated draw, or None when the
    payoff has no error scale (see `OBSERVATION_NOISE`).

    Parameters
    ----------
    payoff : Payoff
        The fit's payoff.
    simulated : list of ndarray
        Its `CalibrationProblem.predict` output for the draws (n, times, columns).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, series) or None
        In the units of the observed values (of their logs for log-normal error).

    Examples
    --------
    >>> from sdflow.calibrate.objectives import Payoff
    >>> obs = [np.array([[1.0], [2.0], [3.0], [4.0]])]
    >>> payoff = Payoff("gaussian", obs, [1.0])
    >>> sim = [obs[0][None] + np.array([0.1, -0.1, 0.1, -0.1])[None, :, None]]
    >>> sd = error_scales(payoff, sim, np.random.default_rng(0))
    >>> sd.shape, bool(0.03 < sd[0, 0] < 0.5)
    ((1, 1), True)
    """
    if payoff.kind not in OBSERVATION_NOISE:
        return None
    sse = payoff.group_sse(simulated)                       # (n, groups)
    counts = payoff.group_counts()
    sigma = np.sqrt(sse / rng.chisquare(counts, size=sse.shape))
    if sse.shape[1] == 1:      # one scale on scaled residuals: undo each series' factor
        return sigma[:, :1] / np.array(payoff.factors)[None, :]
    return sigma


def add_error(simulated: np.ndarray, sd: np.ndarray, noise: str, rng) -> np.ndarray:
    """Simulated values (n, ...) with observation error of sd ``sd`` (n,) added.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = add_error(np.full((20000, 1), 10.0), np.full(20000, 0.1), "lognormal", rng)
    >>> round(float(np.median(y)), 1), round(float(np.log(y).std()), 2)
    (10.0, 0.1)
    """
    sd = np.asarray(sd, float).reshape((-1,) + (1,) * (simulated.ndim - 1))
    eps = rng.standard_normal(simulated.shape)
    if noise == "lognormal":
        with np.errstate(invalid="ignore"):
            return np.where(simulated > 0, simulated * np.exp(sd * eps), np.nan)
    return simulated + sd * eps


def observation_error(spec, elements: list[tuple[str, ...]]) -> dict | None:
    """What forecasts need to add each series' observation error to a model variable:
    per series ``variable``, ``elements``, ``measure``, ``period`` and ``noise``.

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_spec
    >>> observation_error(decay_spec(), [()])
    {'x': {'variable': 'x', 'elements': [], 'measure': 'level', 'period': 1.0, 'noise': 'normal'}}
    """
    noise = OBSERVATION_NOISE.get(spec.payoff)
    if noise is None:
        return None
    return {s.name: {"variable": s.variable, "elements": list(e), "measure": s.measure,
                     "period": float(s.period), "noise": noise}
            for s, e in zip(spec.series, elements)}


def write_draws(path: str | Path, labels: list[str], theta: np.ndarray,
                sd: np.ndarray | None, series: list[str], chain=None) -> Path:
    """Write ``draws.csv`` (see the module docstring) and return its path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "draws.csv"
    >>> _ = write_draws(path, ["k"], np.array([[0.3], [0.31]]), np.array([[0.1], [0.2]]),
    ...                 ["x"])
    >>> print(path.read_text().strip())
    draw,chain,k,observation sd: x
    0,0,0.3,0.1
    1,0,0.31,0.2
    """
    from ..files import atomic_write

    theta = np.asarray(theta, float)
    frame = pd.DataFrame({"draw": np.arange(len(theta)),
                          "chain": np.zeros(len(theta), int) if chain is None else chain})
    for j, label in enumerate(labels):
        frame[label] = theta[:, j]
    if sd is not None:
        for j, name in enumerate(series):
            frame[SD_COLUMN + name] = sd[:, j]
    path = Path(path)
    text = frame.to_csv(index=False)   # shortest repr: floats read back exactly
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path
