"""Twins of the scalar helpers in `sdflow.compile.runtime` that numba can compile.

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

SMALL = 1e-6  # what Vensim considers zero (as in `sdflow.compile.runtime`)

__all__ = ["xidz_scalar", "zidz_scalar", "step_scalar", "pulse_scalar", "pulse_train_scalar",
           "ramp_scalar", "interp_scalar", "modulo_scalar", "trunc"]


def xidz_scalar(numerator, denominator, fallback):
    return fallback if abs(denominator) < SMALL else numerator / denominator


def zidz_scalar(numerator, denominator):
    return 0.0 if abs(denominator) < SMALL else numerator / denominator


def step_scalar(t, dt, height, step_time):
    return height if t + dt / 2 > step_time else 0.0


def pulse_scalar(t, dt, start, width):
    width = width if width > 0 else dt
    return 1.0 if start - SMALL <= t < start + width else 0.0


def pulse_train_scalar(t, dt, start, width, interval, end):
    width = width if width > 0 else dt
    if start <= t < end:
        return 1.0 if (t - start + SMALL) % interval < width else 0.0
    return 0.0


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
