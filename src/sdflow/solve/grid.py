"""`TimeGrid`: the steps of a run, uniform or not, as the one time loop reads them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..time_settings import STEP_TOLERANCE


@dataclass(frozen=True, eq=False)
class TimeGrid:
    """Every step's time, its step size, and whether it is saved.

    The time loop (`sdflow.solve.simulate`), the fused scalar loop and the numba backend
    all step over a grid, so a run whose time step changes with TIME
    (`sdflow.solve.time_grid`) takes the same loop as one with a fixed step.

    Examples
    --------
    >>> grid = TimeGrid.uniform(0.0, 1.0, 0.25, 0.5)
    >>> grid.times.tolist(), grid.saved_times.tolist()
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.5, 1.0])
    >>> TimeGrid.uniform(0.0, 1.0, 0.1, 0.3).saved_times.round(12).tolist()  # nearest steps
    [0.0, 0.3, 0.6, 0.9]
    >>> TimeGrid.uniform(0.0, 1.0, 0.1, 0.25).saved_times.round(12).tolist()  # ties: later
    [0.0, 0.3, 0.5, 0.8, 1.0]
    """

    times: np.ndarray
    dts: np.ndarray
    save: np.ndarray

    def __post_init__(self):
        for array in (self.times, self.dts, self.save):
            array.flags.writeable = False  # shared between runs (see `uniform`)

    @classmethod
    def uniform(cls, start: float, stop: float, dt: float, saveper: float) -> TimeGrid:
        """Steps ``start + k * dt`` (times computed from ``k``, not summed, so they do
        not drift), saving every ``saveper / dt``-th; when ``saveper`` is not a multiple of
        ``dt``, the step nearest to each ``start + j * saveper`` (the later of two equally
        near), as Vensim saves (`saved_steps`).

        Grids are kept for reuse: single runs of small models repeat the same settings
        and would otherwise spend a good part of their time making the grid again.
        """
        return _uniform(float(start), float(stop), float(dt), float(saveper))

    @cached_property
    def saved_times(self) -> np.ndarray:
        return self.times[self.save]

    @cached_property
    def lists(self) -> tuple[list, list, list]:
        """Times, step sizes and save flags as Python lists (read fastest by Python
        loops, one element at a time)."""
        return self.times.tolist(), self.dts.tolist(), self.save.tolist()


def _multiple(saveper: float, dt: float) -> int | None:
    """``saveper / dt`` if it is a whole number (up to rounding), else None."""
    every = int(round(saveper / dt))
    return every if every >= 1 and abs(saveper / dt - every) <= STEP_TOLERANCE * every \
        else None


def saved_steps(start: float, stop: float, dt: float, saveper: float) -> np.ndarray:
    """Indices of the saved steps: every ``saveper / dt``-th, or the steps nearest to
    ``start + j * saveper`` (``j = 0, 1, ...`` up to ``stop``), the later on a tie.

    Examples
    --------
    >>> saved_steps(0.0, 1.0, 0.1, 0.25).tolist()
    [0, 3, 5, 8, 10]
    """
    steps = int(round((stop - start) / dt))
    every = _multiple(saveper, dt)
    if every is not None:
        return np.arange(0, steps + 1, every)
    count = int(np.floor((stop - start) / saveper * (1 + STEP_TOLERANCE))) + 1
    nearest = np.floor(np.arange(count) * (saveper / dt) + 0.5 + STEP_TOLERANCE)
    return np.unique(np.minimum(nearest.astype(np.int64), steps))


def saved_count(start: float, stop: float, dt: float, saveper: float) -> int:
    """How many steps `saved_steps` saves, without listing them (a memory estimate may
    precede a grid too long to make)."""
    every = _multiple(saveper, dt)
    if every is not None:
        return int(round((stop - start) / dt)) // every + 1
    return int(np.floor((stop - start) / saveper * (1 + STEP_TOLERANCE))) + 1


@lru_cache(maxsize=32)
def _uniform(start: float, stop: float, dt: float, saveper: float) -> TimeGrid:
    steps = int(round((stop - start) / dt))
    k = np.arange(steps + 1)
    every = _multiple(saveper, dt)
    if every is not None:
        save = k % every == 0
    else:
        save = np.zeros(steps + 1, dtype=bool)
        save[saved_steps(start, stop, dt, saveper)] = True
    return TimeGrid(start + dt * k, np.full(steps + 1, dt), save)
