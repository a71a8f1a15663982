"""How sure the estimates are: Jacobian intervals, profile likelihood, correlations, and
parameters the data cannot identify.

* Jacobian (Wald) intervals: covariance ``s^2 (J^T J)^-1`` of the scaled residuals at the
  estimate, ``s^2 = SSE / (N - k)``; 95% interval ``x +- t_{N-k} se``.
* Profile likelihood: each parameter is fixed on a grid and the others re-fitted; the 95%
  interval is where twice the rise of the concentrated negative log-likelihood stays below
  ``chi2_1(0.95) = 3.84``. Unlike the Wald interval it follows curved, bounded likelihoods.
* Flags: an estimate on a bound, a near-singular ``J^T J`` direction, a profile that
  stays flat to a bound, a standard error larger than half the search range, or
  ``|correlation| > 0.95``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .checkpoint import Checkpoint
from .optimisers import Evaluator, least_squares_fit

CHI2_95 = stats.chi2.ppf(0.95, 1)


def jacobian_covariance(evaluator: Evaluator, x) -> dict:
    """Covariance, standard errors, correlations and Wald 95% intervals at ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> J = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 2.0]])
    >>> cov = np.linalg.pinv(J.T @ J)      # what the function computes (with s^2 = 1)
    >>> np.sqrt(np.diag(cov)).round(3).tolist()
    [0.816, 0.408]
    """
    x = np.asarray(x, float)
    J = evaluator.jacobian(x)
    r = evaluator.residuals(x)[0]
    n, k = J.shape
    dof = max(n - k, 1)
    s2 = float(r @ r) / dof
    jtj = J.T @ J
    cov = s2 * np.linalg.pinv(jtj)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    corr = correlations(cov, se)
    half = stats.t.ppf(0.975, dof) * se
    # Scale-free rank check: columns normalised to unit length.
    norms = np.linalg.norm(J, axis=0)
    Jn = J / np.where(norms > 0, norms, 1)
    eigenvalues, vectors = np.linalg.eigh(Jn.T @ Jn)
    weak = set()
    for value, vector in zip(eigenvalues, vectors.T):
        if value < 1e-8 * max(eigenvalues.max(), 1e-300):
            weak |= set(np.flatnonzero(np.abs(vector) > 0.3).tolist())
    weak |= set(np.flatnonzero(norms == 0).tolist())
    return {"se": se, "cov": cov, "corr": corr, "lower": x - half,
            "upper": x + half, "s2": s2, "dof": dof, "singular": sorted(weak), "jacobian": J}


def correlations(cov, se):
    """Correlation matrix of ``cov`` with standard errors ``se``; 0 where a standard error
    is 0 (a near-singular fit can leave a parameter rounding-size variance of either sign,
    clipped to 0, next to non-zero covariances: dividing would give +-inf).

    Examples
    --------
    >>> import numpy as np
    >>> cov = np.array([[4.0, 1e-20], [1e-20, -1e-30]])
    >>> correlations(cov, np.sqrt(np.clip(np.diag(cov), 0, None))).tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    scale = np.outer(se, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale > 0, cov / np.where(scale > 0, scale, 1.0), 0.0)


def profile_likelihood(evaluator: Evaluator, x, se, best_cost: float, points: int,
                       checkpoint: Checkpoint, progress=None) -> list[dict]:
    """Profile of each parameter: grid values, deviance, and the 95% interval.

    Each parameter in turn is fixed on a grid that walks out from the estimate until the
    deviance passes ``chi2_1(0.95)`` or a bound is reached; the other parameters are
    re-fitted at every grid point.

    Parameters
    ----------
    evaluator : Evaluator
        The problem and payoff of the fit.
    x : array_like, shape (k,)
        The estimate.
    se : array_like, shape (k,)
        Standard errors (from `jacobian_covariance`) setting the first grid step; a
        non-finite or zero value falls back to half the search range.
    best_cost : float
        The payoff at ``x`` (``evaluator.nll``).
    points : int
        Grid points per side before the step is doubled; each side takes at most
        ``2 * points``.
    checkpoint : Checkpoint
        Finished profiles are stored under ``"profiles"`` and reused on resume.
    progress : callable, optional
        Called with ``stage=`` before each parameter.

    Returns
    -------
    list of dict
        One per parameter: ``label``, ``values`` and ``deviance`` (the grid, sorted) and
        the interval limits ``lower``/``upper`` (None when open within the bounds).

    Examples
    --------
    >>> import numpy as np
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> ev = decay_evaluator(noisy=True)
    >>> k = np.array([0.2])
    >>> wald = jacobian_covariance(ev, k)
    >>> [p] = profile_likelihood(ev, k, wald["se"], float(ev.nll(k[None, :])[0]), 5,
    ...                          Checkpoint(None, "doc"))
    >>> round(p["lower"], 3), round(p["upper"], 3)
    (0.19, 0.211)
    """
    problem, payoff = evaluator.problem, evaluator.payoff
    x = np.asarray(x, float)
    sigma = payoff.sigma.copy()
    best = _concentrated(payoff, best_cost)
    done = checkpoint.get("profiles", {})
    profiles = []
    for j, label in enumerate(problem.labels):
        if label in done:
            profiles.append(done[label])
            continue
        if progress is not None:
            progress(stage=f"profile likelihood of {label}")
        lo, hi = problem.lower[j], problem.upper[j]
        width = 3 * se[j] if np.isfinite(se[j]) and se[j] > 0 else (hi - lo) / 2
        grid = {}
        for side in (-1, 1):
            step, warm = width / max(points // 2, 1), x.copy()
            value, rises = x[j], 0
            # each side has its own budget: a flat side walking to a far bound must not
            # leave the other side without points (and so wrongly "open")
            for taken in range(1, 2 * points + 1):
                value = value + side * step
                edge = (value <= lo) if side < 0 else (value >= hi)
                value = min(max(value, lo), hi)
                deviance, warm = _profile_point(evaluator, j, value, warm, best)
                grid[float(value)] = deviance
                rises += deviance > CHI2_95
                if rises or edge:
                    break
                if taken >= points and step < (hi - lo):
                    step *= 2  # the profile is flat: walk faster towards the bound
        grid[float(x[j])] = 0.0
        payoff.sigma = sigma.copy()
        values = np.array(sorted(grid))
        deviances = np.array([grid[v] for v in values])
        profile = {"label": label, "values": values.tolist(), "deviance": deviances.tolist(),
                   "lower": _crossing(values, deviances, x[j], -1),
                   "upper": _crossing(values, deviances, x[j], 1)}
        done[label] = profile
        checkpoint.put("profiles", done)
        profiles.append(profile)
    return profiles


def _concentrated(payoff, cost) -> float:
    """The negative log-likelihood with the scale concentrated out, from `Payoff.nll`."""
    if payoff.kind in ("wsse", "log_sse"):
        return 0.5 * payoff.n * np.log(max(2 * cost, 1e-300))
    return cost


def _profile_point(evaluator: Evaluator, j: int, value: float, warm, best):
    problem = evaluator.problem
    if len(problem.labels) == 1:
        cost = float(evaluator.nll(np.array([[value]]))[0])
        return 2 * (_concentrated(evaluator.payoff, cost) - best), warm
    inner = Evaluator(problem, evaluator.payoff, fixed={j: value},
                      progress=evaluator.progress)
    fit = least_squares_fit(inner, np.delete(warm, j), {"max_nfev": 50})
    warm = inner.full(np.array(fit.x))[0]
    return max(2 * (_concentrated(evaluator.payoff, fit.cost) - best), 0.0), warm


def _crossing(values, deviances, centre, side) -> float | None:
    """Where the deviance first reaches chi2_1(0.95) going ``side`` from the centre, or
    None when it never does within the bounds (an open interval)."""
    order = np.argsort(values)
    values, deviances = values[order], deviances[order]
    i = int(np.searchsorted(values, centre))
    indices = range(i, len(values)) if side > 0 else range(i, -1, -1)
    previous = None
    for index in indices:
        if index >= len(values):
            break
        if previous is not None and deviances[index] >= CHI2_95:
            v0, d0 = values[previous], deviances[previous]
            v1, d1 = values[index], deviances[index]
            return float(v0 + (CHI2_95 - d0) * (v1 - v0) / (d1 - d0)) if d1 != d0 else float(v1)
        previous = index
    return None


def identifiability(labels, x, lower_bounds, upper_bounds, wald: dict,
                    profiles: list[dict] | None) -> dict[str, list[str]]:
    """Reasons, per parameter, to doubt that the data pin it down (empty: none).

    Parameters
    ----------
    labels : list of str
        Parameter labels.
    x : array_like, shape (k,)
        The estimate.
    lower_bounds, upper_bounds : array_like, shape (k,)
        The search bounds.
    wald : dict
        Output of `jacobian_covariance` (``se``, ``corr``, ``singular`` are used).
    profiles : list of dict or None
        Output of `profile_likelihood`, if it was run.

    Returns
    -------
    dict of str to list of str
        Human-readable flags per label.

    Examples
    --------
    >>> wald = {"singular": [], "se": np.array([0.1, 0.2]),
    ...         "corr": np.array([[1.0, -0.98], [-0.98, 1.0]])}
    >>> flags = identifiability(["a", "b"], np.array([0.0, 0.5]), np.zeros(2), np.ones(2),
    ...                         wald, None)
    >>> [flag.split(" (")[0] for flag in flags["a"]]
    ['estimate at its lower bound', 'correlation -0.98 between a and b']
    >>> flags["b"]
    ['correlation -0.98 between a and b']
    """
    flags = {label: [] for label in labels}
    for j in wald["singular"]:
        flags[labels[j]].append("near-singular Jacobian: the fit barely depends on it, or "
                                "only through a combination with other parameters")
    for j, label in enumerate(labels):
        width = upper_bounds[j] - lower_bounds[j]
        for side, bound in (("lower", lower_bounds[j]), ("upper", upper_bounds[j])):
            if abs(x[j] - bound) <= 1e-6 * width:
                flags[label].append(f"estimate at its {side} bound (the Wald interval does "
                                    "not hold there; widen the bound if it is not physical)")
        if wald["se"][j] > 0.5 * width:
            flags[label].append("standard error exceeds half of its search range")
        for i in range(j + 1, len(labels)):
            if abs(wald["corr"][j, i]) > 0.95:
                message = f"correlation {wald['corr'][j, i]:+.2f} between {label} and {labels[i]}"
                flags[label].append(message)
                flags[labels[i]].append(message)
    for profile in profiles or []:
        open_sides = [s for s in ("lower", "upper") if profile[s] is None]
        if len(open_sides) == 2:
            flags[profile["label"]].append("profile likelihood flat to both bounds: not "
                                           "identifiable from these data")
        elif open_sides:
            flags[profile["label"]].append(f"profile likelihood open on the {open_sides[0]} "
                                           "side (no 95% limit within the bounds)")
    return flags
