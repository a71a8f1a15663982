"""Shared helpers of the benchmark scripts: machine description, PySD loading, tables.

Benchmarks are scripts run by hand; they print tables and ratios and assert nothing.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from timing import duration as seconds  # noqa: F401  (the scripts' name for it)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MODELS = HERE / "models"

for path in (str(MODELS), str(REPO)):
    if path not in sys.path:
        sys.path.insert(0, path)


def machine() -> str:
    """One paragraph naming the CPU, cores, load and library versions the figures come
    from (versions read from the installed metadata, so nothing heavy is imported)."""
    from importlib import metadata
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    versions = []
    for package in ("sdflow", "numpy", "xarray", "pint", "dask", "numba", "pysd", "pysimlin"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    return (f"machine: {cpu}, {os.cpu_count()} cores, load average {load}; "
            f"Python {platform.python_version()}, {', '.join(versions)}")


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
