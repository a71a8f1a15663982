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
    logit space: it stays in natural units, as the distance ``u`` from its bound into the
    range. The draws are then those of one truncated multivariate normal in this mixed
    space (``u`` for the parameters on a bound, logit ``z`` for the others), with the
    delta-method covariance, truncated on the ``u`` coordinates only, to ``0 <= u <=
    range``: the ``u`` are drawn from their truncated joint marginal (`_truncated_box`)
    and the ``z`` from their normal conditional on those ``u`` (Schur complement), the
    cap applied to the ``z`` block as above. One parameter on its bound alone is thus a
    half-normal with the Wald sd ``sqrt(cov[i, i])`` (at most the range), cut at the other
    bound: the flat-prior posterior when the unconstrained maximum lies exactly on the
    bound, wider when it lies beyond. Its correlations with the other parameters are
    kept: a draw that moves it into the range moves the parameters correlated with it as
    the curvature says, instead of leaving them at the values that compensated for the
    bound.

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

    The same with a second parameter, 0.5 (s.e. 0.05), correlated -0.8 with it: the draws
    that move the first off its bound lower the second, by 0.8 * 0.05 / 0.02 = 2 per unit,
    so its mean falls from 0.5 by 2 times the half-normal's mean, 0.02 * sqrt(2 / pi).

    >>> cov = [[0.02 ** 2, -0.8 * 0.02 * 0.05], [-0.8 * 0.02 * 0.05, 0.05 ** 2]]
    >>> d = laplace_draws([0.0, 0.5], cov, [0.0, 0.0], [0.1, 1.0], 20000, rng)
    >>> slope = np.polyfit(d[:, 0], d[:, 1], 1)[0]
    >>> round(float(slope), 1), round(float(d[:, 1].mean()), 3)
    (-2.0, 0.468)
    """
    x = np.asarray(x, float)
    cov = np.asarray(cov, float)
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    span = np.where(np.isfinite(upper - lower), upper - lower, np.inf)
    margin = 1e-6 * np.where(np.isfinite(span), span, 1.0)
    at_lower, at_upper = x <= lower + margin, x >= upper - margin
    on_bound = at_lower | at_upper
    if not on_bound.any():
        return _logit_normal(x, cov, lower, upper, n, rng)
    b, i = np.flatnonzero(on_bound), np.flatnonzero(~on_bound)
    direction = np.where(at_lower[b], 1.0, -1.0)
    # u = direction * (theta - bound) >= 0. Its sd is the Wald sd at most the range (so a
    # scale factor keeps the correlations); with no usable sd, the range, uncorrelated.
    sd = np.sqrt(np.maximum(np.diag(cov)[b], 0.0))
    usable = np.isfinite(sd) & (sd > 0)
    sd_u = np.where(usable, np.minimum(sd, span[b]), np.where(np.isfinite(span[b]), span[b], 0.0))
    g = np.where(usable, direction * sd_u / np.where(usable, sd, 1.0), 0.0)   # du/dtheta
    cov_u = np.where(np.outer(usable, usable), _finite(cov[np.ix_(b, b)]) * np.outer(g, g), 0.0)
    cov_u[np.diag_indices_from(cov_u)] = sd_u ** 2
    u = _truncated_box(cov_u, span[b], n, rng)
    draws = np.empty((n, len(x)))
    draws[:, b] = np.where(at_lower[b], lower[b], upper[b]) + direction * u
    if i.size:
        transform = BoundedTransform(lower[i], upper[i])
        d = transform.derivative(x[i])
        cov_z = cov[np.ix_(i, i)] * np.outer(d, d)
        cov_zu = np.where(usable[None, :], _finite(cov[np.ix_(i, b)]) * np.outer(d, g), 0.0)
        # The cap as a linear map of z (M z has M cov_z M with the capped eigenvalues), so
        # (M z, u) stays a joint normal and its z block is what `_logit_normal` draws.
        shrink = _cap_map(cov_z, transform.both.all())
        coef = shrink @ cov_zu @ np.linalg.pinv(cov_u, hermitian=True)     # E[Mz | u]
        conditional = shrink @ (cov_z - cov_zu @ np.linalg.pinv(cov_u, hermitian=True)
                                @ cov_zu.T) @ shrink
        z = transform.to_unbounded(x[i]) + u @ coef.T + _normal_rows(conditional, n, rng)
        draws[:, i] = transform.to_bounded(z)
    return draws


def _finite(a: np.ndarray) -> np.ndarray:
    """``a`` with non-finite entries as 0 (masked out by the caller)."""
    return np.where(np.isfinite(a), a, 0.0)


def _cap_map(cov_z: np.ndarray, capped: bool) -> np.ndarray:
    """Symmetric ``M`` with ``M cov_z M`` the eigenvalues of ``cov_z`` capped at
    ``LOGIT_SD_CAP ** 2`` (the identity when nothing is capped or ``capped`` is False)."""
    cov_z = 0.5 * (cov_z + cov_z.T)
    if not capped:
        return np.eye(len(cov_z))
    values, vectors = np.linalg.eigh(cov_z)
    cap = LOGIT_SD_CAP ** 2
    factor = np.where(values > cap, np.sqrt(cap / np.where(values > cap, values, 1.0)), 1.0)
    return (vectors * factor) @ vectors.T


def _normal_rows(cov: np.ndarray, n: int, rng) -> np.ndarray:
    """``n`` rows of ``N(0, cov)``; works when ``cov`` is singular."""
    values, vectors = np.linalg.eigh(0.5 * (cov + cov.T))
    root = vectors * np.sqrt(np.clip(values, 0, None))
    return rng.standard_normal((n, len(cov))) @ root.T


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


#: Proposals per draw that `_truncated_box` spends on exact rejection sampling before it
#: turns to Gibbs sampling (many parameters on their bounds, strongly correlated).
REJECTION_BUDGET = 2000
#: Gibbs sweeps over every coordinate, each of the ``n`` chains started from the
#: independent truncated marginals.
GIBBS_SWEEPS = 100


def _truncated_box(cov: np.ndarray, span: np.ndarray, n: int, rng) -> np.ndarray:
    """``n`` draws of ``N(0, cov)`` truncated to ``0 <= u <= span`` (a box with the mean
    at its corner): independent coordinates by the inverse CDF; correlated ones by
    rejection of whole normal vectors (exact) while at least one in ``REJECTION_BUDGET``
    lands in the box, else by ``GIBBS_SWEEPS`` sweeps of a Gibbs sampler."""
    m = len(cov)
    sd = np.sqrt(np.diag(cov))
    if m == 1 or np.count_nonzero(cov - np.diag(np.diag(cov))) == 0:
        return _truncated_normal(np.zeros((n, m)), np.broadcast_to(sd, (n, m)), span, rng)
    kept, proposed, batch = [], 0, max(n, 4096)
    while proposed < REJECTION_BUDGET * n:
        u = _normal_rows(cov, batch, rng)
        proposed += batch
        kept.append(u[((u >= 0) & (u <= span)).all(axis=1)])
        if sum(len(k) for k in kept) >= n:
            return np.concatenate(kept)[:n]
    return _gibbs_box(cov, span, n, GIBBS_SWEEPS, rng)


def _gibbs_box(cov: np.ndarray, span: np.ndarray, n: int, sweeps: int, rng) -> np.ndarray:
    """``n`` parallel Gibbs chains for ``N(0, cov)`` truncated to ``[0, span]``: each
    coordinate in turn from its normal conditional on the others, cut to its interval."""
    m = len(cov)
    sd = np.sqrt(np.diag(cov))
    u = _truncated_normal(np.zeros((n, m)), np.broadcast_to(sd, (n, m)), span, rng)
    weights, scales = np.zeros((m, m)), np.zeros(m)
    for j in range(m):
        rest = np.arange(m) != j
        w = cov[j, rest] @ np.linalg.pinv(cov[np.ix_(rest, rest)], hermitian=True)
        weights[j, rest] = w
        scales[j] = np.sqrt(max(cov[j, j] - w @ cov[rest, j], 0.0))
    for _ in range(sweeps):
        for j in range(m):
            mean = u @ weights[j]
            u[:, j] = _truncated_normal(mean[:, None], np.full((n, 1), scales[j]),
                                        span[j:j + 1], rng)[:, 0]
    return u


def _truncated_normal(mean: np.ndarray, sd: np.ndarray, span: np.ndarray, rng) -> np.ndarray:
    """Draws of ``N(mean, sd)`` cut to ``[0, span]``, elementwise (inverse CDF, no loop);
    a zero sd gives the mean clipped to the interval."""
    mean, sd = np.asarray(mean, float), np.asarray(sd, float)
    span = np.broadcast_to(span, mean.shape)
    q = rng.uniform(0.0, 1.0, mean.shape)
    safe = np.where(sd > 0, sd, 1.0)
    low, high = (0.0 - mean) / safe, (span - mean) / safe
    with np.errstate(invalid="ignore", divide="ignore"):
        drawn = stats.truncnorm.ppf(q, low, high, loc=mean, scale=safe)
    return np.where(sd > 0, np.clip(drawn, 0.0, span), np.clip(mean, 0.0, span))


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
