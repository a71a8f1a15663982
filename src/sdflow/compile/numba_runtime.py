"""The scalar helpers of `sdflow.compile.runtime` in a form numba can compile.

The numba backend (`sdflow.compile.numba_backend`) generates the same scalar expressions
as the single-run path, with ``rt`` bound to a module of these functions compiled by
``numba.njit`` (`sdflow.compile.numba_backend.jitted_runtime`). Each does the same
floating-point operations in the same order as its scalar twin, so results agree bit for
bit; they take numpy arrays where the scalar helpers take lists. This module is plain
Python (importable without numba).
"""

from __future__ import annotations

import math

import numpy as np

# The scalar helpers that numba compiles as they are; the rest are twins below.
from .runtime import (SMALL, pulse_scalar, pulse_train_scalar, step_scalar,  # noqa: F401
                      xidz_scalar, zidz_scalar)

__all__ = ["xidz_scalar", "zidz_scalar", "step_scalar", "pulse_scalar", "pulse_train_scalar",
           "ramp_scalar", "interp_scalar", "modulo_scalar", "trunc"]


def ramp_scalar(t, slope, start, end=math.inf):
    if t + SMALL <= start:
        return 0.0
    return slope * (min(end, t) - start)


def interp_scalar(x, xp, fp, extrapolate=False):
    """`runtime.interp_scalar` on numpy arrays: ends held (or extended), bisection."""
    last = len(xp) - 1
    if x <= xp[0]:
        if extrapolate and last > 0 and x < xp[0] and xp[1] != xp[0]:
            return fp[0] + (x - xp[0]) * (fp[1] - fp[0]) / (xp[1] - xp[0])
        return fp[0]
    if x >= xp[last]:
        if extrapolate and last > 0 and x > xp[last] and xp[last] != xp[last - 1]:
            return fp[last] + (x - xp[last]) * (fp[last] - fp[last - 1]) / (
                xp[last] - xp[last - 1])
        return fp[last]
    lo, hi = 0, last + 1  # bisect.bisect_right
    while lo < hi:
        mid = (lo + hi) // 2
        if x < xp[mid]:
            hi = mid
        else:
            lo = mid + 1
    i = lo
    x0, x1 = xp[i - 1], xp[i]
    return fp[i - 1] + (x - x0) * (fp[i] - fp[i - 1]) / (x1 - x0)


def modulo_scalar(x, base):
    return np.fmod(x, base)


def trunc(x):
    """INTEGER as a float (``math.trunc`` would make an int, which overflows in numba)."""
    return np.trunc(x)
