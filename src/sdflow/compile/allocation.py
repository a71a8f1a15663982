"""Batched ALLOCATE BY PRIORITY for the generated code (``rt.allocate_by_priority``).

The algorithm is PySD's reading of Vensim's documentation (pysd 3.14
``py_backend/allocation.py``, ``_allocate_by_priority_1d``), run for all rows at once:
targets are sorted by falling priority (zero requests set aside); the supply is handed
out piecewise linearly, each served target receiving in proportion to its request; the
next target starts once the one before it has received ``min((p_i - p_next) / width, 1)``
of its request; a target stops when full. Each loop turn moves every unfinished row to
its next breakpoint, so a row of ``k`` targets needs at most ``2 k`` turns.
"""

from __future__ import annotations

import numpy as np


def allocate_by_priority(request, priority, width, supply):
    """Allocations along the last axis, for arrays broadcasting to ``(n, ..., k)``.

    ``width`` and ``supply`` have length 1 on the last axis. Rows with a negative
    request or supply, or a width that is not positive, give NaN.

    Examples
    --------
    >>> import numpy as np
    >>> out = allocate_by_priority(np.array([[10.0, 6.0, 3.0]]), np.array([[2.0, 4.0, 3.0]]),
    ...                            np.array([[3.0]]), np.array([[12.0]]))
    >>> out.round(4).tolist()
    [[3.8462, 6.0, 2.1538]]
    """
    request, priority, width, supply = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (request, priority, width, supply)))
    shape = request.shape
    k = shape[-1]
    request = request.reshape(-1, k)
    priority = priority.reshape(-1, k)
    width = width.reshape(-1, k)[:, 0]
    supply = supply.reshape(-1, k)[:, 0]
    out = np.zeros_like(request)
    bad = (request < 0).any(axis=1) | (width <= 0) | (supply < 0) | np.isnan(
        request).any(axis=1) | np.isnan(priority).any(axis=1) | np.isnan(supply + width)
    full = ~bad & (supply >= request.sum(axis=1))
    out[full] = request[full]
    work = ~bad & ~full & (supply > 0)
    if work.any():
        out[work] = _share(request[work], priority[work], width[work], supply[work])
    out[bad] = np.nan
    return out.reshape(shape)


def _share(request, priority, width, supply):
    """Rows whose supply is positive and below the total request."""
    rows, k = request.shape
    # zero requests go last (they get nothing and do not count as the "next" target)
    order = np.lexsort((-priority, request == 0), axis=-1)
    req = np.take_along_axis(request, order, axis=1)
    pri = np.take_along_axis(priority, order, axis=1)
    served = (req > 0).sum(axis=1)
    distance = np.full((rows, k), np.nan)
    if k > 1:
        gap = np.minimum((pri[:, :-1] - pri[:, 1:]) / width[:, None], 1.0) * req[:, :-1]
        distance[:, :-1] = gap
    distance[np.arange(k)[None, :] >= (served - 1)[:, None]] = np.nan  # no next target
    out = np.zeros((rows, k))
    active = np.zeros((rows, k), dtype=bool)
    active[:, 0] = True
    current = np.zeros(rows, dtype=int)
    left = supply.astype(float).copy()
    index = np.arange(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(2 * k + 2):
            going = (left > 0) & active.any(axis=1)
            if not going.any():
                break
            slopes = req * active
            slopes /= slopes.sum(axis=1, keepdims=True)
            to_top = np.where(active, (req - out) / slopes, np.nan)
            next_top = np.nanmin(np.where(going[:, None], to_top, np.inf), axis=1)
            c_slope = slopes[index, current]
            next_start = (distance[index, current] - out[index, current]) / c_slope
            step = np.fmin(np.fmin(next_top, next_start), left)
            step = np.where(going, step, 0.0)
            out += slopes * step[:, None]
            starts = going & np.isclose(step, next_start, rtol=1e-10, atol=1e-16)
            current = np.where(starts, np.minimum(current + 1, k - 1), current)
            active[index[starts], current[starts]] = True
            topped = going & (step == next_top)
            active &= ~(topped[:, None] & (out == req))
            left = left - step
    result = np.empty_like(out)
    np.put_along_axis(result, order, out, axis=1)
    return result
