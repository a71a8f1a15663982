"""Timing for the benchmark scripts: calls take turns in rounds; medians and spread.

On a shared machine the load from other processes changes from one second to the next.
Timing engine A ten times and then engine B ten times lets that drift land on one of
them; taking turns (A, B, A, B, ...) spreads it over both, so the ratio of their medians
holds even when the absolute times do not. The spread (lowest and highest of the
repeats) says how much to trust a median. Each repeat also records the process's CPU
time (``time.process_time``): on a machine where other jobs hold the cores, wall-clock
time counts the waiting too, and CPU time is the steadier measure of the work done.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of the repeats of one call (``time.perf_counter``) and the
    process's CPU seconds in each (``time.process_time``)."""

    seconds: tuple[float, ...]
    cpu: tuple[float, ...] = ()

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        return min(self.seconds)

    @property
    def high(self) -> float:
        return max(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    def per(self, count: float) -> Timing:
        """The same repeats divided by ``count`` (e.g. seconds per run of a batch)."""
        return Timing(tuple(s / count for s in self.seconds),
                      tuple(s / count for s in self.cpu))

    def spread(self) -> str:
        """``low-high`` with a readable unit, e.g. ``1.10-1.40 ms``."""
        return f"{duration(self.low)} - {duration(self.high)} ({len(self.seconds)} repeats)"


def interleaved(calls: dict, rounds: int, per_round: dict | None = None,
                warmup: bool = True) -> dict[str, Timing]:
    """Time each named call in ``rounds`` rounds that take turns between the calls.

    ``per_round[name]`` (default 1) calls of ``calls[name]`` are timed in each round, so a
    cheap call can be repeated more often than an expensive one without running all of
    its repeats at one moment. With ``warmup`` every call runs once untimed first
    (imports, compilation, caches).
    """
    per_round = per_round or {}
    if warmup:
        for fn in calls.values():
            fn()
    wall = {name: [] for name in calls}
    cpu = {name: [] for name in calls}
    for _ in range(rounds):
        for name, fn in calls.items():
            for _ in range(per_round.get(name, 1)):
                start, start_cpu = time.perf_counter(), time.process_time()
                fn()
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
    return {name: Timing(tuple(wall[name]), tuple(cpu[name])) for name in calls}


def once(fn) -> tuple[float, object]:
    """Seconds of one call of ``fn`` and what it returned (for one-off costs: JIT, first
    compile)."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def duration(s: float) -> str:
    """A duration with a readable unit."""
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    if s >= 1e-6:
        return f"{s * 1e6:.2f} us"
    return f"{s * 1e9:.1f} ns"
