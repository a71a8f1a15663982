"""Wald intervals from the curvature of the negative log-likelihood, for payoffs without
residuals (a custom log-likelihood): covariance ``H^-1`` with ``H`` the Hessian of the
negative log-likelihood at the estimate, by central differences, all points in one batch.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .optimisers import Evaluator


def hessian_points(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The ``1 + 2k + 2k(k-1)`` points of a central-difference Hessian at ``x``: the
    centre, ``x +- h_i``, and ``x + (+-h_i, +-h_j)`` for ``i < j``.

    Examples
    --------
    >>> hessian_points(np.zeros(2), np.ones(2)).shape
    (9, 2)
    """
    k = len(x)
    rows = [x.copy()]
    for i in range(k):
        for sign in (1, -1):
            row = x.copy()
            row[i] += sign * h[i]
            rows.append(row)
    for i in range(k):
        for j in range(i + 1, k):
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                row = x.copy()
                row[i] += si * h[i]
                row[j] += sj * h[j]
                rows.append(row)
    return np.array(rows)


def hessian_from_values(f: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The Hessian from the values at `hessian_points` (same order).

    Examples
    --------
    >>> x, h = np.array([1.0, 2.0]), np.array([1e-3, 1e-3])
    >>> p = hessian_points(x, h)
    >>> f = 3 * p[:, 0] ** 2 + p[:, 0] * p[:, 1] + 0.5 * p[:, 1] ** 2
    >>> hessian_from_values(f, h).round(6).tolist()
    [[6.0, 1.0], [1.0, 1.0]]
    """
    k = len(h)
    centre, plus, minus = f[0], f[1:2 * k + 1:2], f[2:2 * k + 2:2]
    H = np.diag((plus - 2 * centre + minus) / h ** 2)
    position = 2 * k + 1
    for i in range(k):
        for j in range(i + 1, k):
            pp, pm, mp, mm = f[position:position + 4]
            H[i, j] = H[j, i] = (pp - pm - mp + mm) / (4 * h[i] * h[j])
            position += 4
    return H


def hessian_covariance(evaluator: Evaluator, x) -> dict:
    """Covariance ``H^-1``, standard errors, correlations and 95% normal intervals at
    ``x``, in the form of `sdflow.calibrate.uncertainty.jacobian_covariance`.

    Examples
    --------
    The decay example's payoff is half a sum of squares, so ``H = J^T J`` there and both
    functions agree:

    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> from sdflow.calibrate.uncertainty import jacobian_covariance
    >>> ev = decay_evaluator(noisy=True)
    >>> x = np.array([0.2])
    >>> se_h = hessian_covariance(ev, x)["se"][0]
    >>> se_j = np.sqrt(1 / (ev.jacobian(x).T @ ev.jacobian(x)))[0, 0]
    >>> bool(abs(se_h / se_j - 1) < 0.05)
    True
    """
    x = np.asarray(x, float)
    k = len(x)
    width = evaluator.upper - evaluator.lower
    h = 1e-4 * np.maximum(np.abs(x), 1e-2 * width)
    # keep every point inside the bounds: shift the centre of the stencil if needed
    centre = np.clip(x, evaluator.lower + h, evaluator.upper - h)
    f = evaluator.nll(hessian_points(centre, h))
    H = hessian_from_values(f, h)
    cov = np.linalg.pinv(H)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(se, se)
    half = stats.norm.ppf(0.975) * se
    eigenvalues, vectors = np.linalg.eigh(H)
    scale = max(np.abs(eigenvalues).max(), 1e-300)
    weak = set()
    for value, vector in zip(eigenvalues, vectors.T):
        if value < 1e-8 * scale:
            weak |= set(np.flatnonzero(np.abs(vector) > 0.3).tolist())
    dof = max(evaluator.payoff.n - k, 1)
    return {"se": se, "cov": cov, "corr": np.nan_to_num(corr), "lower": x - half,
            "upper": x + half, "s2": 1.0, "dof": dof, "singular": sorted(weak),
            "jacobian": None}
