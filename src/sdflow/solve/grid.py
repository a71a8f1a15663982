"""`TimeGrid`: the steps of a run, uniform or not, as the one time loop reads them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np


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
        not drift), saving every ``saveper / dt``-th.

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


@lru_cache(maxsize=32)
def _uniform(start: float, stop: float, dt: float, saveper: float) -> TimeGrid:
    steps = int(round((stop - start) / dt))
    every = int(round(saveper / dt))
    k = np.arange(steps + 1)
    return TimeGrid(start + dt * k, np.full(steps + 1, dt), k % every == 0)
