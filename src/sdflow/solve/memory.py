"""How much memory a call to `simulate` needs, and a refusal before it runs out.

A batch keeps every saved variable of every run at every saved time, so memory grows with
runs x saved times x saved values. ``simulate(n=10_000_000)`` on a small regional model
would need terabytes; rather than fail deep inside numpy with a bare ``MemoryError`` (or
make the machine swap), the run is refused up front with the estimate and what to change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ResourceError
from ..ir.graph import ModelGraph

#: Bytes of one value (float64).
VALUE_BYTES = 8
#: Share of the available memory a run may plan to use: the estimate leaves out Python's
#: own overhead and temporaries of the generated code.
MEMORY_FRACTION = 0.8
#: Batches estimated below this many bytes are never refused (and the system is not asked
#: how much memory it has: simulate is called in loops by calibration).
ALWAYS_FITS = 64 * 2**20
#: Bytes of the arrays of one step that a block of runs aims at (`runs_per_block`).
BLOCK_BYTES = 8 * 2**20
#: Fewest runs in a block: below this, Python's cost per step outweighs the cache.
MIN_BLOCK = 256
#: Vectors of the state size each method keeps at once (state, derivative stages, the
#: combination being built, the next state).
STATE_COPIES = {"euler": 4, "heun": 6, "rk4": 9, "rk45": 12}


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a batch of runs needs: the saved results and the arrays of one step.

    Fixed-step batches step ``block`` runs at a time (`runs_per_block`), so their working
    arrays are those of one block; ``block=None`` steps all runs together (the adaptive
    method, which integrates all runs as one system).

    Examples
    --------
    >>> e = MemoryEstimate(runs=1000, saved_times=101, saved_values=12, step_bytes=2000)
    >>> e.saved, e.working
    (9696000, 2000000)
    >>> MemoryEstimate(1000, 101, 12, step_bytes=2000, block=256).working
    512000
    """

    runs: int
    saved_times: int
    saved_values: int        # elements of the saved variables, per run and time
    step_bytes: int          # bytes of the arrays of one step, per run
    block: int | None = None  # runs stepped together, if fewer than all

    @property
    def saved(self) -> int:
        """Bytes of the saved results: runs x saved times x saved values x 8."""
        return self.runs * self.saved_times * self.saved_values * VALUE_BYTES

    @property
    def working(self) -> int:
        """Bytes of the arrays of one step of the runs stepped together."""
        return self.step_bytes * min(self.runs, self.block or self.runs)

    @property
    def total(self) -> int:
        return self.saved + self.working


def estimate_memory(graph: ModelGraph, runs: int, saved_times: int, outputs, method: str,
                    n_params: int = 0) -> MemoryEstimate:
    """Estimate the memory of ``runs`` runs of ``graph`` saving ``outputs`` (node keys) at
    ``saved_times`` times with ``method``.

    Working arrays count every auxiliary, flow and data value and a few copies of the state
    per run (`STATE_COPIES`), and the parameter matrix; the adaptive method also keeps the
    states at every saved time.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("growth", start=0, stop=10, dt=1)
    >>> region = m.dim("region", ["a", "b", "c", "d"])
    >>> capital = m.stock("capital", initial=1.0, dims=[region])
    >>> _ = m.flow("investment", 0.1 * capital, sink=capital, dims=[region])
    >>> e = estimate_memory(m.graph(), runs=10_000_000, saved_times=11,
    ...                     outputs=("capital", "investment"), method="euler")
    >>> e.saved_values, format_bytes(e.saved)  # 10 million x 11 x 8 values x 8 bytes
    (8, '6.6 GB')
    >>> e.step_bytes, e.block, format_bytes(e.working)  # 52,428 runs stepped at a time
    (160, 52428, '8.0 MB')
    """
    sizes, states, computed = _sizes(graph)
    # summed once per graph and outputs: `simulate` estimates every call, a model saves
    # hundreds of variables by default
    by_outputs = graph.memo.setdefault(f"{__name__}.saved_values", {})
    outputs = tuple(outputs)
    saved_values = by_outputs.get(outputs)
    if saved_values is None:
        if len(by_outputs) >= 16:  # a few choices of outputs are usual; keep it small
            by_outputs.pop(next(iter(by_outputs)))
        saved_values = by_outputs[outputs] = sum(sizes[key] for key in outputs)
    per_run = computed + STATE_COPIES.get(method, 9) * states + n_params
    if method == "rk45":  # solve_ivp's dense output at the saved times, then our copy
        per_run += 2 * states * saved_times
    step_bytes = per_run * VALUE_BYTES
    return MemoryEstimate(runs=runs, saved_times=saved_times, saved_values=saved_values,
                          step_bytes=step_bytes,
                          block=None if method == "rk45" else runs_per_block(step_bytes))


def _sizes(graph: ModelGraph) -> tuple[dict[str, int], int, int]:
    """Values per run of each node, of the state and of the computed variables; counted
    once per graph (a graph is frozen) and kept in its ``memo``, since `simulate`
    estimates the memory of every call."""
    found = graph.memo.get(__name__)
    if found is None:
        nodes = graph.nodes
        sizes = {key: node.size for key, node in nodes.items()}
        states = sum(sizes[key] for key, node in nodes.items() if node.is_state)
        computed = sum(sizes[key] for key, node in nodes.items()
                       if node.kind in ("aux", "flow", "data"))
        found = graph.memo[__name__] = (sizes, states, computed)
    return found


def runs_per_block(step_bytes: float) -> int:
    """How many runs of a batch to step together so that the arrays of one step
    (``step_bytes`` per run) stay in the processor's cache: about `BLOCK_BYTES`, and at
    least `MIN_BLOCK` runs.

    Measured on the regional integration model (148 nodes, 4 members): 100,000 runs in
    one block took 402 s, in blocks of 20,000 173 s, of 5,000 122 s, of 1,000 73 s;
    blocks of 250 were slower again (Python's cost per step and block).

    Examples
    --------
    >>> runs_per_block(6736)  # the regional integration model
    1245
    """
    return max(MIN_BLOCK, int(BLOCK_BYTES // max(step_bytes, 1)))


def available_memory() -> int | None:
    """Bytes of memory this process can still use: the system's available memory (psutil,
    else ``os.sysconf``), less if a cgroup (container) limit is tighter; None if unknown.

    Examples
    --------
    >>> available = available_memory()
    >>> available is None or available > 0
    True
    """
    available = None
    try:
        import psutil
        available = int(psutil.virtual_memory().available)
    except Exception:  # psutil missing or unable to read this system
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            pass
    room = _cgroup_room()
    if room is not None:
        available = room if available is None else min(available, room)
    return available


def _cgroup_room() -> int | None:
    """Memory left under a cgroup v2 limit (containers), or None without one."""
    folder = Path("/sys/fs/cgroup")
    try:
        limit = (folder / "memory.max").read_text().strip()
        if limit == "max":
            return None
        used = int((folder / "memory.current").read_text().strip())
        return max(0, int(limit) - used)
    except (OSError, ValueError):
        return None


def check_memory(estimate: MemoryEstimate, model_name: str,
                 available: int | None = None) -> None:
    """Raise `ResourceError` when ``estimate`` exceeds `MEMORY_FRACTION` of the memory
    available (measured by `available_memory` unless given; estimates under `ALWAYS_FITS`
    pass without measuring).

    The message gives the estimate, the memory available and the ways to need less:
    ``variables=``, ``saveper=``, fewer runs, or the runs split over several calls (with a
    number of runs per call that fits).

    Examples
    --------
    >>> big = MemoryEstimate(runs=10_000_000, saved_times=201, saved_values=12,
    ...                      step_bytes=400)
    >>> check_memory(big, "growth", available=16 * 2**30)
    Traceback (most recent call last):
    ...
    sdflow.errors.ResourceError: simulate(n=10000000) of model 'growth' would need about \
183.4 GB (saved results 179.7 GB: 10000000 runs x 201 saved times x 12 values x 8 bytes; \
working arrays 3.7 GB), more than the 16.0 GB of memory available; save fewer variables \
(variables=[...]), save less often (a larger saveper=), make fewer runs, or split the runs \
over several calls of at most 697000 runs each
    """
    if estimate.total <= ALWAYS_FITS and available is None:
        return
    if available is None:
        available = available_memory()
    if available is None:
        return
    budget = MEMORY_FRACTION * available
    if estimate.total <= budget:
        return
    per_run = estimate.total / max(1, estimate.runs)  # working arrays shared out as well
    fits = int(budget // per_run)
    split = (f"split the runs over several calls of at most {_round_down(fits)} runs each"
             if fits >= 1 else "split the work over several calls")
    raise ResourceError(
        f"simulate(n={estimate.runs}) of model '{model_name}' would need about "
        f"{format_bytes(estimate.total)} (saved results {format_bytes(estimate.saved)}: "
        f"{estimate.runs} runs x {estimate.saved_times} saved times x "
        f"{estimate.saved_values} values x {VALUE_BYTES} bytes; working arrays "
        f"{format_bytes(estimate.working)}), more than the {format_bytes(available)} of "
        "memory available; save fewer variables (variables=[...]), save less often (a "
        f"larger saveper=), make fewer runs, or {split}",
        needed=estimate.total, available=available)


def _round_down(count: int) -> int:
    """Two or three significant digits, rounded down: a runs count to suggest."""
    if count < 1000:
        return count
    scale = 10 ** (len(str(count)) - 3)
    return count // scale * scale


def format_bytes(count: float) -> str:
    """Bytes in binary units with one decimal.

    Examples
    --------
    >>> format_bytes(512), format_bytes(3 * 2**30), format_bytes(1.8e12)
    ('512 B', '3.0 GB', '1.6 TB')
    """
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{int(count)} B"
