"""The numba backend against the numpy path on every conformance model with dimensions.

Usage::

    python benchmarks/numba_conformance.py DIR [--only NAME] [--skip NAME,NAME] [--auto]

DIR holds ``tests/<feature>/`` and ``samples/<model>/`` folders of the SDXorg test-models
suite (as `conformance.py` reads it). Every ``.mdl``/``.xmile`` model that sdflow imports
and that has a variable with dimensions is copied to a scratch folder and run twice, with
``backend="numba"`` and ``backend="batched"`` (defaults of the model: its own method,
dt, saveper), and the largest relative difference over every saved variable is printed
(absolute where the numpy value is 0), or the error the numba backend raised (a refusal
names the construct and the variable). Nothing is asserted; the tests check a selection
of these models (``tests/compile/test_numba_backend.py``).

With ``--auto`` each model is compiled ahead (`sdflow.precompile`, into the cache folder:
set ``SDFLOW_CACHE_DIR`` to a scratch folder) and run with the default backend, which must
then run the numba code (it is said when it did not) and give the numpy path's numbers.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from sdflow.compile.cache import entries
from sdflow.io import read_model


def largest_difference(numba, numpy) -> float:
    worst = 0.0
    for name, expected in numpy.values.items():
        got = numba.values[name]
        scale = np.where(expected == 0, 1.0, np.abs(expected))
        with np.errstate(invalid="ignore"):
            difference = np.abs(got - expected) / scale
        same_nan = np.isnan(got) & np.isnan(expected)
        worst = max(worst, float(np.max(np.where(same_nan, 0.0, difference), initial=0.0)))
    return worst


def check(path: Path, auto: bool = False) -> tuple[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = read_model(path)
            graph = model.graph()
        except Exception as exc:  # noqa: BLE001 - a model sdflow does not import is skipped
            return "not imported", type(exc).__name__
        if not any(node.dims for node in graph.nodes.values()):
            return "no dimensions", ""
        try:
            numpy = model.simulate(backend="batched", output="arrays")
        except Exception as exc:  # noqa: BLE001
            return "numpy fails", f"{type(exc).__name__}: {str(exc)[:80]}"
        begin = time.perf_counter()
        try:
            if auto:
                import sdflow as sf
                sf.precompile(model)
                numba = model.simulate(output="arrays")  # the default backend
                if not any(key[0] == "numba" for key in entries(graph)):
                    return "auto did not run numba", ""
            else:
                numba = model.simulate(backend="numba", output="arrays")
        except Exception as exc:  # noqa: BLE001
            return "numba refuses", f"{type(exc).__name__}: {str(exc)[:100]}"
        seconds = time.perf_counter() - begin
        return "compared", f"largest relative difference {largest_difference(numba, numpy):.1e} " \
                           f"(first run {seconds:.1f} s)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--only", default=None, help="models whose path contains this")
    parser.add_argument("--skip", default="", help="comma-separated folder names to skip "
                        "(vector_select writes out nested sums for minutes)")
    parser.add_argument("--auto", action="store_true",
                        help="compile ahead, then run with the default backend")
    args = parser.parse_args(argv)
    skip = {name for name in args.skip.split(",") if name}
    files = sorted(p for p in args.folder.glob("*/*/*")
                   if p.suffix in (".mdl", ".xmile") and p.parent.name not in skip
                   and (args.only is None or args.only in str(p)))
    counts: dict[str, int] = {}
    scratch = Path(tempfile.mkdtemp(prefix="sdflow-numba-conformance-"))
    for path in files:
        copy = scratch / path.parent.name
        if not copy.exists():
            shutil.copytree(path.parent, copy)
        status, detail = check(copy / path.name, args.auto)
        counts[status] = counts.get(status, 0) + 1
        if status != "no dimensions" and status != "not imported":
            print(f"{path.parent.name}/{path.name}: {status} {detail}", flush=True)
    print(", ".join(f"{status}: {count}" for status, count in sorted(counts.items())))


if __name__ == "__main__":
    main()
