"""Payoffs: how far simulated observations are from the data, for a batch of candidates.

Four kinds, each defined through scaled residuals ``r`` (one per observed value):

``wsse``
    ``r = sqrt(w) (sim - obs) / m`` where ``m`` is the mean absolute observed value of
    the series, so a series' weight does not depend on its units.
``log_sse``
    ``r = sqrt(w) (log sim - log obs)``: relative errors, for growing series.
``gaussian``, ``lognormal``
    Likelihoods with one unknown error scale per series: ``r = (sim - obs) / sigma_s``
    (or on logs). The scales are estimated with the parameters (concentrated out:
    ``sigma_s^2 = SSE_s / n_s``), so the negative log-likelihood is
    ``sum_s n_s / 2 log(SSE_s / n_s)``.

For uncertainty every kind has a log-likelihood with its scale(s) integrated out under the
Jeffreys prior ``p(sigma) ~ 1 / sigma``: ``-sum_g n_g / 2 log SSE_g``, with one group per
series for the likelihood kinds and a single group for the SSE kinds.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError

#: Residual used for observations a failed or invalid run cannot predict: large but finite,
#: so optimisers step away from the region instead of crashing.
PENALTY = 1e6


class Payoff:
    """A payoff over a list of observed series.

    Examples
    --------
    >>> obs = [np.array([[1.0], [2.0], [np.nan]])]
    >>> payoff = Payoff("wsse", obs, weights=[1.0])
    >>> sim = [np.array([[[1.0], [2.0], [5.0]], [[2.0], [2.0], [0.0]]])]
    >>> payoff.residuals(sim).round(3).tolist()    # mean |obs| is 1.5; the NaN is left out
    [[0.0, 0.0], [0.667, 0.0]]
    >>> payoff.nll(sim).round(4).tolist()
    [0.0, 0.2222]
    """

    #: least squares can fit it (see `sdflow.calibrate.likelihoods` for payoffs without)
    has_residuals = True

    def __init__(self, kind: str, observed: list[np.ndarray], weights: list[float]):
        self.kind = kind
        #: error scales are estimated with the parameters
        self.estimates_scales = kind in ("gaussian", "lognormal")
        self.logs = kind in ("log_sse", "lognormal")
        self.masks = [np.isfinite(o) for o in observed]
        self.obs = [o[m] for o, m in zip(observed, self.masks)]
        if self.logs:
            for o in self.obs:
                if (o <= 0).any():
                    raise DataError(f"payoff '{kind}' takes logs, but a series has values "
                                    "<= 0; use 'wsse' or 'gaussian'")
            self.obs = [np.log(o) for o in self.obs]
        norms = [np.mean(np.abs(o)) if kind == "wsse" and len(o) else 1.0 for o in self.obs]
        self.factors = [np.sqrt(w) / (m if m > 0 else 1.0) for w, m in zip(weights, norms)]
        self.counts = np.array([len(o) for o in self.obs])
        self.sigma = np.ones(len(self.obs))     # per-series scales for likelihood kinds

    @property
    def n(self) -> int:
        """Number of observed values in the payoff."""
        return int(self.counts.sum())

    def raw(self, simulated: list[np.ndarray]) -> list[np.ndarray]:
        """Unscaled errors (sim - obs, or of logs) per series, shape (n, observed)."""
        out = []
        for sim, obs, mask in zip(simulated, self.obs, self.masks):
            values = sim[:, mask]
            if self.logs:
                with np.errstate(divide="ignore", invalid="ignore"):
                    values = np.where(values > 0, np.log(np.where(values > 0, values, 1)),
                                      np.nan)
            out.append(values - obs)
        return out

    def residuals(self, simulated: list[np.ndarray], sigma: np.ndarray | None = None
                  ) -> np.ndarray:
        """Scaled residuals, shape (n, observed values); ``sigma`` divides each series for
        the likelihood kinds (default: the current ``self.sigma``)."""
        sigma = self.sigma if sigma is None else sigma
        parts = []
        for i, errors in enumerate(self.raw(simulated)):
            scale = self.factors[i] if self.kind in ("wsse", "log_sse") else 1.0 / sigma[i]
            parts.append(errors * scale)
        r = np.concatenate(parts, axis=1)
        return np.where(np.isfinite(r), r, PENALTY)

    def group_sse(self, simulated: list[np.ndarray]) -> np.ndarray:
        """SSE per likelihood group, shape (n, groups)."""
        r = self.residuals(simulated, sigma=np.ones(len(self.obs)))
        if self.kind in ("wsse", "log_sse"):
            return (r ** 2).sum(axis=1, keepdims=True)
        edges = np.cumsum(self.counts)[:-1]
        return np.stack([(p ** 2).sum(axis=1) for p in np.split(r, edges, axis=1)], axis=1)

    def group_counts(self) -> np.ndarray:
        return np.array([self.n]) if self.kind in ("wsse", "log_sse") else self.counts

    def nll(self, simulated: list[np.ndarray]) -> np.ndarray:
        """The objective to minimise, one value per candidate: half the SSE for the SSE
        kinds, the concentrated negative log-likelihood for the likelihood kinds."""
        sse = self.group_sse(simulated)
        if self.kind in ("wsse", "log_sse"):
            return 0.5 * sse[:, 0]
        counts = self.counts
        return (0.5 * counts * np.log(np.maximum(sse, 1e-300) / counts)).sum(axis=1)

    def marginal_loglik(self, simulated: list[np.ndarray]) -> np.ndarray:
        """Log-likelihood with the error scales integrated out (Jeffreys prior)."""
        sse = self.group_sse(simulated)
        bad = ~np.isfinite(sse).all(axis=1) | (sse >= PENALTY ** 2).any(axis=1)
        value = -(0.5 * self.group_counts() * np.log(np.maximum(sse, 1e-300))).sum(axis=1)
        return np.where(bad, -np.inf, value)

    def update_sigma(self, simulated_best: list[np.ndarray]) -> np.ndarray:
        """Set the per-series scales to their maximum-likelihood values at one candidate."""
        if self.kind in ("gaussian", "lognormal"):
            errors = self.raw([s[:1] for s in simulated_best])
            self.sigma = np.array([max(np.sqrt(np.nanmean(e ** 2)), 1e-12) for e in errors])
        return self.sigma
