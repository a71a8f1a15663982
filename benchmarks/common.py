"""Shared helpers of the benchmark scripts: machine description, timing, PySD loading.

Benchmarks are scripts run by hand; they print tables and ratios and assert nothing.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MODELS = HERE / "models"

for path in (str(MODELS), str(REPO)):
    if path not in sys.path:
        sys.path.insert(0, path)


def machine() -> str:
    """One paragraph naming the CPU, cores and library versions the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pysd
    import sdflow
    import xarray
    return (f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"numpy {np.__version__}, xarray {xarray.__version__}, pysd {pysd.__version__}, "
            f"sdflow {sdflow.__version__}")


def times(fn, repeats: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds (``time.perf_counter``) of ``repeats`` calls after ``warmup``."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def interleaved(calls: dict, per_round: dict, rounds: int, warmup: bool = True) -> dict:
    """Seconds of each named call, timed in rounds that take turns between the calls, so
    that load from other processes changing over time hits every call alike.

    ``per_round[name]`` calls of ``calls[name]`` are timed in each of ``rounds`` rounds.
    """
    if warmup:
        for fn in calls.values():
            fn()
    out = {name: [] for name in calls}
    for _ in range(rounds):
        for name, fn in calls.items():
            for _ in range(per_round.get(name, 1)):
                start = time.perf_counter()
                fn()
                out[name].append(time.perf_counter() - start)
    return out


def median(values) -> float:
    return statistics.median(values)


def load_pysd(mdl: Path):
    """Translate a Vensim file with PySD in a scratch folder (PySD writes a .py beside the
    .mdl it reads, which must not land in the repository or in the sample folder)."""
    import pysd
    scratch = Path(tempfile.mkdtemp(prefix="sdflow-bench-"))
    copy = scratch / Path(mdl).name
    shutil.copy(mdl, copy)
    return pysd.read_vensim(str(copy))


def pysd_column(name: str, labels: tuple) -> str:
    """PySD's column name of element ``labels`` of variable ``name`` (original casing)."""
    return f"{name}[{','.join(labels)}]" if labels else name


def max_relative_difference(dataset, frame, names: dict[str, str]) -> tuple[float, str]:
    """Largest |a - b| / max(|b|, 1e-9) between sdflow's ``dataset`` and PySD's ``frame``
    over every saved time and element of the variables ``names`` (sdflow -> PySD name)."""
    worst, where = 0.0, ""
    for ours, theirs in names.items():
        values = dataset[ours]
        other_dims = [d for d in values.dims if d != "time"]
        stacked = values.transpose("time", *other_dims).values.reshape(len(values.time), -1)
        labels = [()]
        for d in other_dims:
            labels = [lab + (str(e),) for lab in labels for e in values[d].values]
        for j, lab in enumerate(labels):
            column = frame[pysd_column(theirs, lab)].to_numpy(dtype=float)
            a = stacked[:, j]
            rel = np.abs(a - column) / np.maximum(np.abs(column), 1e-9)
            if rel.max() > worst:
                worst, where = float(rel.max()), pysd_column(theirs, lab)
    return worst, where


def pysd_names(pysd_model, dataset) -> dict[str, str]:
    """sdflow variable -> PySD original name, for the variables both have (by Vensim's
    name equivalence: case, underscores and spaces do not matter)."""
    def key(s):
        return " ".join(s.replace("_", " ").lower().split())
    theirs = {key(n): n for n in pysd_model.namespace}
    return {v: theirs[key(v)] for v in dataset.data_vars
            if key(v) in theirs and "time" in dataset[v].dims}


def table(rows: list[tuple], header: tuple) -> str:
    """A plain text table (first column left-aligned, the rest right-aligned)."""
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for i, r in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                               for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def seconds(s: float) -> str:
    """A duration with a readable unit."""
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    if s >= 1e-6:
        return f"{s * 1e6:.2f} us"
    return f"{s * 1e9:.1f} ns"
