"""Helpers the generated code calls for builtins that are more than one numpy call.

Semantics follow Vensim's documentation and PySD's implementation (pysd 3.14
``py_backend/functions.py``), including its 1e-6 tolerance for "zero" and for time
comparisons.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from .allocation import allocate_by_priority  # noqa: F401 - rt.allocate_by_priority

SMALL = 1e-6  # what Vensim considers zero


def xidz(numerator, denominator, fallback):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(denominator) < SMALL, fallback, np.divide(numerator, denominator))


def zidz(numerator, denominator):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(denominator) < SMALL, 0.0, np.divide(numerator, denominator))


def step(t, dt, height, step_time):
    return height * (t + dt / 2 > step_time)


def pulse(t, dt, start, width):
    width = np.where(width > 0, width, dt)
    return 1.0 * ((start - SMALL <= t) & (t < start + width))


def pulse_train(t, dt, start, width, interval, end):
    width = np.where(width > 0, width, dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.mod(t - start + SMALL, interval) < width
    return 1.0 * ((start <= t) & (t < end) & inside)


def ramp(t, slope, start, end=None):
    final = t if end is None else np.minimum(end, t)
    return (t + SMALL > start) * slope * (final - start)


def interp_extrapolate(x, xp, fp):
    """Linear interpolation, continuing the end segments beyond the table."""
    y = np.interp(x, xp, fp)
    if len(xp) < 2:
        return y
    lo_slope = (fp[1] - fp[0]) / (xp[1] - xp[0]) if xp[1] != xp[0] else 0.0
    hi_slope = (fp[-1] - fp[-2]) / (xp[-1] - xp[-2]) if xp[-1] != xp[-2] else 0.0
    return np.where(x < xp[0], fp[0] + (x - xp[0]) * lo_slope,
                    np.where(x > xp[-1], fp[-1] + (x - xp[-1]) * hi_slope, y))


def interp_rows(t, times, values):
    """Values of a (time, *dims) table at time ``t``, shaped (1, *dims), ends held."""
    flat = values.reshape(len(times), -1)
    out = np.array([np.interp(t, times, flat[:, j]) for j in range(flat.shape[1])])
    return out.reshape((1,) + values.shape[1:])


def spread(value, shape):
    """``value`` broadcast to a node's full ``shape``, keeping its batch axis (else 1)."""
    value = np.asarray(value, dtype=float)
    batch = value.shape[0] if value.ndim == len(shape) + 1 else 1
    return np.broadcast_to(value, (batch,) + tuple(shape))


def sum_over(values, axis):
    """``np.sum(values, axis=axis)``, several times faster on short axes of float arrays.

    Along fewer than 8 elements numpy adds them one after another starting from 0.0 (its
    pairwise summation starts at 8), so whole-slice additions in the same order give the
    same bits; numpy's reduction over a short axis is slow per element.
    """
    if not isinstance(values, np.ndarray):
        return np.sum(values, axis=axis)
    if values.dtype != np.float64 or values.shape[axis] >= 8 or values.size < 512:
        # small: one call is cheaper; np.add.reduce is what np.sum calls for an ndarray,
        # without its Python wrapper (a microsecond a call, most of a small sum)
        return np.add.reduce(values, axis=axis)
    index = [slice(None)] * values.ndim
    index[axis] = 0
    total = values[tuple(index)] + 0.0  # a new array; also -0.0 becomes 0.0, as in numpy
    for i in range(1, values.shape[axis]):
        index[axis] = i
        total += values[tuple(index)]
    return total


def pipeline_steps(delay_time, dt, n):
    """Slots of a DELAY FIXED pipeline per run: round(delay / dt), at least 1 (as Vensim)."""
    steps = np.rint(np.maximum(np.broadcast_to(np.asarray(delay_time, float), (n,)) / dt, 1.0)
                    + SMALL).astype(int)
    return steps


def pipeline_new(initial, steps, n, shape):
    """A ring buffer (n, max steps, *shape) filled with the initial value."""
    value = np.broadcast_to(np.asarray(initial, float).reshape(
        (-1,) + shape if np.ndim(initial) else (1,) + shape), (n,) + shape)
    buffer = np.empty((n, int(steps.max())) + shape)
    buffer[:] = value[:, None]
    return {"buffer": buffer, "steps": steps, "rows": np.arange(n)}


def pipeline_read(pipe, k):
    """Output at step ``k``: the input written ``steps`` steps ago (or the initial value)."""
    size = pipe["buffer"].shape[1]
    return pipe["buffer"][pipe["rows"], (k - pipe["steps"]) % size]


def pipeline_write(pipe, k, value):
    buffer = pipe["buffer"]
    buffer[:, k % buffer.shape[1]] = value


# -- scalar versions, for the single-run fast path ------------------------------------

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


def ramp_scalar(t, slope, start, end=None):
    if t + SMALL <= start:
        return 0.0
    return slope * ((t if end is None else min(end, t)) - start)


def interp_scalar(x, xp, fp, extrapolate=False):
    """np.interp for one float, with bisect (cheaper than numpy on scalars)."""
    if x <= xp[0]:
        if extrapolate and len(xp) > 1 and x < xp[0] and xp[1] != xp[0]:
            return fp[0] + (x - xp[0]) * (fp[1] - fp[0]) / (xp[1] - xp[0])
        return fp[0]
    if x >= xp[-1]:
        if extrapolate and len(xp) > 1 and x > xp[-1] and xp[-1] != xp[-2]:
            return fp[-1] + (x - xp[-1]) * (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
        return fp[-1]
    i = bisect.bisect_right(xp, x)
    x0, x1 = xp[i - 1], xp[i]
    return fp[i - 1] + (x - x0) * (fp[i] - fp[i - 1]) / (x1 - x0)


def modulo_scalar(x, base):
    return math.fmod(x, base)


def reindex(values, axis, index, new_axis):
    """``values`` taken at ``index`` along ``axis`` (0 where the index is negative).

    With ``new_axis`` the axis is inserted first (the values do not vary along it).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 0:
        values = values.reshape(1)
    if new_axis:
        values = np.expand_dims(values, axis)
    positions = np.asarray(index)
    taken = np.take(values, np.maximum(positions, 0), axis=axis)
    if positions.min() >= 0:
        return taken
    shape = [1] * taken.ndim
    shape[axis] = len(positions)
    return np.where((positions >= 0).reshape(shape), taken, 0.0)
