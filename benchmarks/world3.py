"""World3-03 through sdflow, PySD and Simlin: run time and population in 2100.

Usage::

    python benchmarks/world3.py PATH/TO/wrld3-03.mdl [--runs 20] [--batch 1000]
                                [--pysd-runs 1] [--no-pysd]

The same Vensim file is imported by each engine. Single-run time is the median of
``--runs`` runs of an already imported model; batch time is ``--batch`` runs that differ
in "desired completed family size normal" (spread 3.0-4.6), divided by the number of runs
(sdflow runs them as one vectorised batch; Simlin runs them one after another with
overrides). PySD takes tens of seconds per run, so it runs ``--pysd-runs`` single runs
and its batch cost per run is its single-run cost. Everything is measured in this one
process; the ratios are what to read.
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
    try:
        results["Simlin"] = bench_simlin(args.path, args.runs, args.batch, values)
    except ImportError:
        print("Simlin not installed (pip install pysimlin): skipped")
    if not args.no_pysd:
        results["PySD"] = bench_pysd(args.path, args.pysd_runs)

    print(f"World3-03 ({args.path.name}), population in 2100, {args.batch}-run batch")
    print(f"{'engine':8} {'import+1st run s':>17} {'single run ms':>14} "
          f"{'batch ms/run':>13} {'population 2100':>16}")
    for name, r in results.items():
        print(f"{name:8} {r['setup']:17.3f} {1e3 * r['single']:14.3f} "
              f"{1e3 * r['batch']:13.4f} {r['population']:16.6e}")
    ours = results["sdflow"]
    for name, r in results.items():
        if name == "sdflow":
            continue
        print(f"vs {name}: time ratio sdflow/{name}: single run "
              f"{ours['single'] / r['single']:.3g}, batch per run "
              f"{ours['batch'] / r['batch']:.3g}; sdflow batch per run / {name} single run "
              f"{ours['batch'] / r['single']:.3g}; population 2100 differs by "
              f"{100 * abs(ours['population'] / r['population'] - 1):.4f}%")
    if "Simlin" in results:
        diff = np.max(np.abs(ours["batch finals"] / results["Simlin"]["batch finals"] - 1))
        print(f"batch: largest relative difference of population 2100 from Simlin over "
              f"{args.batch} parameter values: {diff:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
