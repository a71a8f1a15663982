"""Bounded parameters in an unbounded space: logit between two bounds, log above one.

Samplers and Laplace draws work in ``z``, where every real vector is allowed, and map
back to ``theta``, which then lies within the bounds by construction:

* both bounds finite: ``z = logit((theta - lower) / (upper - lower))``;
* only the lower bound finite: ``z = log(theta - lower)``; only the upper:
  ``z = -log(upper - theta)``;
* neither: ``z = theta``.

A density over ``theta`` becomes one over ``z`` by adding ``log |d theta / d z|``
(`BoundedTransform.log_jacobian`).
"""

from __future__ import annotations

import numpy as np


class BoundedTransform:
    """Maps between bounded ``theta`` and unbounded ``z``, one column per parameter.

    Parameters
    ----------
    lower, upper : array_like, shape (k,)
        Bounds; ``-inf``/``inf`` for an open side.

    Examples
    --------
    >>> t = BoundedTransform([0.0, 0.0], [1.0, np.inf])
    >>> z = t.to_unbounded(np.array([[0.5, 1.0]]))
    >>> z.tolist()
    [[0.0, 0.0]]
    >>> t.to_bounded(np.array([[40.0, -40.0]])).round(6).tolist()   # stays inside
    [[1.0, 0.0]]
    >>> t.log_jacobian(z).round(4).tolist()      # log(1/4) + log(1)
    [-1.3863]
    """

    def __init__(self, lower, upper):
        self.lower = np.asarray(lower, float)
        self.upper = np.asarray(upper, float)
        low, high = np.isfinite(self.lower), np.isfinite(self.upper)
        self.both, self.above, self.below = low & high, low & ~high, ~low & high
        self.width = np.where(self.both, self.upper - self.lower, 1.0)

    def to_unbounded(self, theta) -> np.ndarray:
        """``z`` of ``theta`` (shape (..., k)); values on a bound give infinities."""
        theta = np.asarray(theta, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (theta - self.lower) / self.width
            logit = np.log(u) - np.log1p(-u)
            return np.where(self.both, logit, np.where(
                self.above, np.log(theta - self.lower), np.where(
                    self.below, -np.log(self.upper - theta), theta)))

    def to_bounded(self, z) -> np.ndarray:
        """``theta`` of ``z`` (shape (..., k)), within the bounds."""
        z = np.asarray(z, float)
        with np.errstate(over="ignore"):
            inside = self.lower + self.width * _expit(z)
            return np.where(self.both, np.clip(inside, self.lower, self.upper), np.where(
                self.above, self.lower + np.exp(z), np.where(
                    self.below, self.upper - np.exp(-z), z)))

    def derivative(self, theta) -> np.ndarray:
        """``d z / d theta`` at ``theta``, elementwise (for mapping covariances)."""
        theta = np.asarray(theta, float)
        with np.errstate(divide="ignore"):
            return np.where(self.both, self.width / ((theta - self.lower) * (
                self.upper - theta)), np.where(self.above, 1 / (theta - self.lower), np.where(
                    self.below, 1 / (self.upper - theta), 1.0)))

    def log_jacobian(self, z) -> np.ndarray:
        """``sum log |d theta / d z|`` over the last axis."""
        z = np.asarray(z, float)
        terms = np.where(self.both, np.log(self.width) - np.logaddexp(0, -z)
                         - np.logaddexp(0, z), np.where(self.above, z, np.where(
                             self.below, -z, 0.0)))
        return terms.sum(axis=-1)


def _expit(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))),
                    np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
