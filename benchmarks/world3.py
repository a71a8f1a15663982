"""World3-03 through sdflow, PySD and Simlin: run time and population in 2100.

Usage::

    python benchmarks/world3.py PATH/TO/wrld3-03.mdl [--runs 20] [--batch 1000]
                                [--pysd-runs 1] [--no-pysd]

The same Vensim file is imported by each engine. Single-run time is the median of
``--runs`` runs of an already imported model; batch time is ``--batch`` runs that differ
in "desired completed family size normal" (spread 3.0-4.6), divided by the number of runs
(sdflow runs them as one vectorised batch; Simlin runs them one after another with
overrides). PySD takes tens of seconds per run, so it runs ``--pysd-runs`` single runs
and its batch cost per run is its single-run cost. If numba is installed, sdflow's
optional numba backend (``backend="numba"``) is a row of its own; its JIT compile time is
printed apart (it is paid once per model and set of per-run parameters) and its results
are compared with sdflow's default path. Everything is measured in this one process; the
ratios are what to read.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import sdflow as sf
from sdflow.compile.cache import entries as cache_entries

PARAMETER = "desired completed family size normal"
SIMLIN_PARAMETER = "desired_completed_family_size_normal"


def median_time(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_sdflow(path: Path, runs: int, batch: int, values) -> dict:
    t0 = time.perf_counter()
    model = sf.read_vensim(path)
    first = model.simulate(variables=["population"])
    setup = time.perf_counter() - t0
    population = float(first["population"][-1])
    single = median_time(lambda: model.simulate(variables=["population"]), runs)
    model.simulate(params={PARAMETER: values[:2]}, n=2, variables=["population"])  # compile
    t0 = time.perf_counter()
    out = model.simulate(params={PARAMETER: values}, n=batch, variables=["population"])
    per_run = (time.perf_counter() - t0) / batch
    finals = out["population"].isel(time=-1).values
    return {"setup": setup, "single": single, "batch": per_run, "population": population,
            "batch finals": finals}


def bench_sdflow_numba(path: Path, runs: int, batch: int, values) -> dict | None:
    """sdflow's optional numba backend; None when numba is not installed. The JIT time of
    each compiled function (single run, batch) is reported apart from the run times, and
    every variable of a single run is compared with sdflow's default path."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return None
    t0 = time.perf_counter()
    model = sf.read_vensim(path)
    everything = model.simulate(backend="numba").dataset  # JIT for every output
    first = model.simulate(variables=["population"], backend="numba")  # JIT again
    setup = time.perf_counter() - t0
    jit = sum(c.jit_seconds for key, c in cache_entries(model.graph()).items()
              if key[0] == "numba")
    reference = model.simulate().dataset
    worst = max(float(np.max(np.abs(everything[v].values - reference[v].values)
                             / np.maximum(np.abs(reference[v].values), 1e-300)))
                for v in reference.data_vars if "time" in reference[v].dims)
    single = median_time(lambda: model.simulate(variables=["population"], backend="numba"),
                         runs)
    model.simulate(params={PARAMETER: values[:2]}, n=2, variables=["population"],
                   backend="numba")  # compile (per-run parameter: another function)
    t0 = time.perf_counter()
    out = model.simulate(params={PARAMETER: values}, n=batch, variables=["population"],
                         backend="numba")
    per_run = (time.perf_counter() - t0) / batch
    jit_all = sum(c.jit_seconds for key, c in cache_entries(model.graph()).items()
              if key[0] == "numba")
    return {"setup": setup, "single": single, "batch": per_run,
            "population": float(first["population"][-1]),
            "batch finals": out["population"].isel(time=-1).values,
            "jit": jit, "jit batch": jit_all - jit, "vs default": worst}


def bench_simlin(path: Path, runs: int, batch: int, values) -> dict:
    import simlin
    t0 = time.perf_counter()
    model = simlin.load(path)

    def run(overrides=None):
        with model.simulate(overrides=overrides) as sim:
            sim.run_to_end()
            return sim.get_series("population")

    population = float(run()[-1])
    setup = time.perf_counter() - t0
    single = median_time(run, runs)
    t0 = time.perf_counter()
    finals = [float(run({SIMLIN_PARAMETER: float(v)})[-1]) for v in values]
    per_run = (time.perf_counter() - t0) / batch
    return {"setup": setup, "single": single, "batch": per_run, "population": population,
            "batch finals": np.array(finals)}


def bench_pysd(path: Path, runs: int) -> dict:
    import pysd
    with tempfile.TemporaryDirectory() as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copy = Path(scratch) / path.name
        shutil.copy(path, copy)  # PySD writes its translation beside the model
        t0 = time.perf_counter()
        model = pysd.read_vensim(str(copy))
        setup = time.perf_counter() - t0
        times, population = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            out = model.run(return_columns=["population"])
            times.append(time.perf_counter() - t0)
            population = float(out["population"].iloc[-1])
    single = statistics.median(times)
    return {"setup": setup, "single": single, "batch": single, "population": population}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="wrld3-03.mdl")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pysd-runs", type=int, default=1)
    parser.add_argument("--no-pysd", action="store_true")
    args = parser.parse_args(argv)
    values = np.linspace(3.0, 4.6, args.batch)

    results = {"sdflow": bench_sdflow(args.path, args.runs, args.batch, values)}
    numba_run = bench_sdflow_numba(args.path, args.runs, args.batch, values)
    if numba_run is None:
        print("numba not installed (pip install numba): sdflow numba backend skipped")
    else:
        results["sdflow numba"] = numba_run
    try:
        results["Simlin"] = bench_simlin(args.path, args.runs, args.batch, values)
    except ImportError:
        print("Simlin not installed (pip install pysimlin): skipped")
    if not args.no_pysd:
        results["PySD"] = bench_pysd(args.path, args.pysd_runs)

    print(f"World3-03 ({args.path.name}), population in 2100, {args.batch}-run batch")
    print(f"{'engine':12} {'import+1st run s':>17} {'single run ms':>14} "
          f"{'batch ms/run':>13} {'population 2100':>16}")
    for name, r in results.items():
        print(f"{name:12} {r['setup']:17.3f} {1e3 * r['single']:14.3f} "
              f"{1e3 * r['batch']:13.4f} {r['population']:16.6e}")
    if "sdflow numba" in results:
        r = results["sdflow numba"]
        print(f"sdflow numba: JIT {r['jit']:.2f} s (single-run functions, in import+1st run) "
              f"+ {r['jit batch']:.2f} s (batch function, not in batch ms/run); every "
              f"variable of a single run differs from the default path by at most "
              f"{r['vs default']:.1e} (relative); batch finals by at most "
              f"{np.max(np.abs(r['batch finals'] / results['sdflow']['batch finals'] - 1)):.1e}")
    for mine in [name for name in results if name.startswith("sdflow")]:
        ours = results[mine]
        for name, r in results.items():
            if name.startswith("sdflow"):
                continue
            print(f"vs {name}: time ratio {mine}/{name}: single run "
                  f"{ours['single'] / r['single']:.3g}, batch per run "
                  f"{ours['batch'] / r['batch']:.3g}; {mine} batch per run / {name} single "
                  f"run {ours['batch'] / r['single']:.3g}; population 2100 differs by "
                  f"{100 * abs(ours['population'] / r['population'] - 1):.4f}%")
    if "Simlin" in results:
        ours = results["sdflow"]
        diff = np.max(np.abs(ours["batch finals"] / results["Simlin"]["batch finals"] - 1))
        print(f"batch: largest relative difference of population 2100 from Simlin over "
              f"{args.batch} parameter values: {diff:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
