"""World3-03 through sdflow, PySD and Simlin: run time and population in 2100.

Usage::

    python benchmarks/world3.py PATH/TO/wrld3-03.mdl [--rounds 5] [--runs 4] [--batch 1000]
                                [--batch-rounds 3] [--pysd-runs 1] [--no-pysd]

The same Vensim file is imported by each engine ("import+1st run": reading the file and
the first run, compile and JIT included). Then the engines take turns (`timing.interleaved`):
in each of ``--rounds`` rounds every engine makes ``--runs`` single runs of its already
imported model, and in each of ``--batch-rounds`` rounds one batch of ``--batch`` runs
that differ in "desired completed family size normal" (spread 3.0-4.6), divided by the
number of runs (sdflow runs them as one vectorised batch; Simlin one after another with
overrides). Medians and the range over the repeats are printed. PySD takes tens of
seconds per run, so it runs ``--pysd-runs`` single runs after the others and its batch
cost per run is its single-run cost.

sdflow's row "sdflow numpy" is its numpy path (plain Python floats for a single run,
numpy arrays for the batch: what the default ``backend="auto"`` takes for a model not
compiled with numba). If numba is installed, the model is compiled ahead
(`sdflow.precompile`, for the single run and for the batch's per-run parameter, saving
population) and the row "sdflow default, compiled" calls ``simulate`` with the default
backend, which then runs the numba code (its "import+1st run" is the precompile: a compile
on a cold cache folder, ``$SDFLOW_CACHE_DIR`` or ``~/.cache/sdflow``, a load on a warm
one). sdflow's optional numba backend asked for explicitly (``backend="numba"``) is a row
of its own. Its one-off costs are printed apart: the JIT compile of the single-run and of
the batch functions (a compile when sdflow's disk cache holds no code for the model, a
load from it when an earlier process compiled it), and a call of an already compiled function right
after it (the in-process cache hit). Its results are compared with sdflow's default path.
Everything is measured in this one process; the ratios are what to read.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import sdflow as sf
from sdflow.compile.cache import entries as cache_entries
from common import machine
from timing import Timing, duration, interleaved, once

PARAMETER = "desired completed family size normal"
EVERYTHING = "sdflow default, compiled, every variable"
SIMLIN_PARAMETER = "desired_completed_family_size_normal"


def prepare_sdflow(path: Path, values) -> dict:
    """Import, first run, and the calls to time (single run, batch)."""
    def setup():
        model = sf.read_vensim(path)
        return model, model.simulate(variables=["population"], backend=single_backend(model))
    seconds, (model, first) = once(setup)
    single = single_backend(model)
    model.simulate(params={PARAMETER: values[:2]}, n=2, variables=["population"],
                   backend="batched")  # compile
    return {"setup": seconds, "population": float(first["population"][-1]),
            "single": lambda: model.simulate(variables=["population"], backend=single),
            "batch": lambda: model.simulate(params={PARAMETER: values}, n=len(values),
                                            variables=["population"], backend="batched")}


def single_backend(model) -> str:
    """The numpy path "auto" takes for a single run of a model not compiled with numba:
    plain floats without dimensions and DELAY FIXED, else numpy arrays."""
    nodes = model.graph().nodes.values()
    plain = all(not n.dims for n in nodes) and not any(n.kind == "pipeline" for n in nodes)
    return "scalar" if plain else "batched"


def prepare_sdflow_compiled(path: Path, values) -> dict | None:
    """The default backend after `sdflow.precompile` (single run and batch); None when
    numba is not installed. Its results are compared with the numpy path's."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return None
    model = sf.read_vensim(path)
    begin = time.perf_counter()
    single = sf.precompile(model, variables=["population"])
    batch = sf.precompile(model, [PARAMETER], variables=["population"])
    setup = time.perf_counter() - begin
    sf.precompile(model)  # every variable saved
    first = model.simulate(variables=["population"])
    reference = model.simulate(variables=["population"], backend=single_backend(model))
    worst = float(np.max(np.abs(first["population"].values / reference["population"].values
                                - 1)))
    return {"setup": setup, "population": float(first["population"][-1]),
            "single": lambda: model.simulate(variables=["population"]),
            "batch": lambda: model.simulate(params={PARAMETER: values}, n=len(values),
                                            variables=["population"]),
            "loaded": single.from_cache and batch.from_cache, "vs numpy": worst,
            "everything": lambda: model.simulate()}


def prepare_sdflow_numba(path: Path, values) -> dict | None:
    """sdflow's optional numba backend; None when numba is not installed. The JIT time of
    each compiled function (single run, batch) is measured apart from the run times, and
    every variable of a single run is compared with sdflow's default path."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return None

    def jitted():
        return sum(c.jit_seconds for key, c in cache_entries(model.graph()).items()
                   if key[0] == "numba")
    model = sf.read_vensim(path)
    everything = model.simulate(backend="numba").dataset  # JIT for every output
    setup, first = once(lambda: model.simulate(variables=["population"], backend="numba"))
    jit = jitted()
    hit, _ = once(lambda: model.simulate(variables=["population"], backend="numba"))
    reference = model.simulate(backend=single_backend(model)).dataset
    worst = max(float(np.max(np.abs(everything[v].values - reference[v].values)
                             / np.maximum(np.abs(reference[v].values), 1e-300)))
                for v in reference.data_vars if "time" in reference[v].dims)
    model.simulate(params={PARAMETER: values[:2]}, n=2, variables=["population"],
                   backend="numba")  # compile (per-run parameter: another function)
    return {"setup": setup, "population": float(first["population"][-1]),
            "single": lambda: model.simulate(variables=["population"], backend="numba"),
            "batch": lambda: model.simulate(params={PARAMETER: values}, n=len(values),
                                            variables=["population"], backend="numba"),
            "jit": jit, "jit batch": jitted() - jit, "cache hit": hit, "vs default": worst}


def prepare_simlin(path: Path, values) -> dict:
    import simlin

    def run(overrides=None):
        with model.simulate(overrides=overrides) as sim:
            sim.run_to_end()
            return sim.get_series("population")

    t0 = time.perf_counter()
    model = simlin.load(path)
    population = float(run()[-1])
    setup = time.perf_counter() - t0
    return {"setup": setup, "population": population, "single": run,
            "batch": lambda: np.array([float(run({SIMLIN_PARAMETER: float(v)})[-1])
                                       for v in values])}


def finals(result) -> np.ndarray:
    """Population in 2100 of every run of a batch (sdflow Results or Simlin's array)."""
    if isinstance(result, np.ndarray):
        return result
    return result["population"].isel(time=-1).values


def bench_pysd(path: Path, runs: int) -> dict:
    import pysd
    with tempfile.TemporaryDirectory() as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copy = Path(scratch) / path.name
        shutil.copy(path, copy)  # PySD writes its translation beside the model
        t0 = time.perf_counter()
        model = pysd.read_vensim(str(copy))
        setup = time.perf_counter() - t0
        times, cpu, population = [], [], None
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            out = model.run(return_columns=["population"])
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            population = float(out["population"].iloc[-1])
    return {"setup": setup, "times": Timing(tuple(times), tuple(cpu)),
            "population": population}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="wrld3-03.mdl")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of single runs")
    parser.add_argument("--runs", type=int, default=4,
                        help="single runs of each engine per round")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--batch-rounds", type=int, default=3, help="rounds of batches")
    parser.add_argument("--pysd-runs", type=int, default=1)
    parser.add_argument("--no-pysd", action="store_true")
    args = parser.parse_args(argv)
    values = np.linspace(3.0, 4.6, args.batch)

    print(machine())
    engines = {"sdflow numpy": prepare_sdflow(args.path, values)}
    compiled = prepare_sdflow_compiled(args.path, values)
    numba_run = prepare_sdflow_numba(args.path, values)
    if numba_run is None:
        print("numba not installed (pip install numba): sdflow compiled and numba rows "
              "skipped")
    else:
        engines["sdflow default, compiled"] = compiled
        engines["sdflow numba"] = numba_run
    try:
        engines["Simlin"] = prepare_simlin(args.path, values)
    except ImportError:
        print("Simlin not installed (pip install pysimlin): skipped")

    single_calls = {name: e["single"] for name, e in engines.items()}
    if compiled is not None:  # every variable saved, as `Results`: the default output
        single_calls[EVERYTHING] = compiled["everything"]
    single = interleaved(single_calls, args.rounds, dict.fromkeys(single_calls, args.runs))
    batch_finals = {name: finals(e["batch"]()) for name, e in engines.items()}  # warm-up
    batch = interleaved({name: e["batch"] for name, e in engines.items()}, args.batch_rounds,
                        warmup=False)
    results = {name: {"setup": e["setup"], "population": e["population"],
                      "single": single[name], "batch": batch[name].per(args.batch),
                      "batch finals": batch_finals[name]} for name, e in engines.items()}
    if not args.no_pysd:
        pysd = bench_pysd(args.path, args.pysd_runs)
        results["PySD"] = {"setup": pysd["setup"], "population": pysd["population"],
                           "single": pysd["times"], "batch": pysd["times"]}

    print(f"World3-03 ({args.path.name}), population in 2100, {args.batch}-run batch; "
          f"medians of {args.rounds} x {args.runs} single runs and {args.batch_rounds} "
          "batches, engines taking turns")
    rows = [("engine", "import+1st run", "single run", "range", "CPU", "batch per run",
             "range", "CPU", "population 2100")]
    for name, r in results.items():
        rows.append((name, duration(r["setup"]), duration(r["single"].median),
                     f"{duration(r['single'].low)} - {duration(r['single'].high)}",
                     duration(r["single"].cpu_median), duration(r["batch"].median),
                     f"{duration(r['batch'].low)} - {duration(r['batch'].high)}",
                     duration(r["batch"].cpu_median), f"{r['population']:.6e}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))))
    if "sdflow numba" in engines:
        r = engines["sdflow numba"]
        print(f"sdflow numba one-off costs: JIT {r['jit']:.2f} s (single-run functions: "
              f"every output, then population) + {r['jit batch']:.2f} s (batch function, not in batch per "
              f"run; a compile on a cold disk cache, a load on a warm one); an already compiled call "
              f"right after: {duration(r['cache hit'])}. Every variable of a single run "
              f"differs from the default path by at most {r['vs default']:.1e} (relative); "
              f"batch finals by at most "
              f"{np.max(np.abs(results['sdflow numba']['batch finals'] / results['sdflow numpy']['batch finals'] - 1)):.1e}")
    for mine in [name for name in results if name.startswith("sdflow")]:
        ours = results[mine]
        for name, r in results.items():
            if name.startswith("sdflow"):
                continue
            for clock, median in (("wall", lambda t: t.median),
                                  ("CPU", lambda t: t.cpu_median)):
                print(f"vs {name} ({clock}): time ratio {mine}/{name}: single run "
                      f"{median(ours['single']) / median(r['single']):.3g}, batch per run "
                      f"{median(ours['batch']) / median(r['batch']):.3g}; {mine} batch per "
                      f"run / {name} single run "
                      f"{median(ours['batch']) / median(r['single']):.3g}")
            print(f"vs {name}: population 2100 differs by "
                  f"{100 * abs(ours['population'] / r['population'] - 1):.4f}%")
    if compiled is not None:
        print(f"sdflow default, compiled: precompile {compiled['setup']:.2f} s (code "
              f"{'loaded from' if compiled['loaded'] else 'compiled into'} the cache "
              f"folder); population differs from the numpy path by at most "
              f"{compiled['vs numpy']:.1e} (relative)")
        everything, simlin = single[EVERYTHING], results.get("Simlin")
        print(f"{EVERYTHING} (the default output, a Results of every variable): single run "
              f"{duration(everything.median)} wall, {duration(everything.cpu_median)} CPU"
              + (f"; / Simlin's single run (population): "
                 f"{everything.median / simlin['single'].median:.3g} wall, "
                 f"{everything.cpu_median / simlin['single'].cpu_median:.3g} CPU"
                 if simlin else ""))
    if "Simlin" in results:
        ours = results["sdflow numpy"]
        diff = np.max(np.abs(ours["batch finals"] / results["Simlin"]["batch finals"] - 1))
        print(f"batch: largest relative difference of population 2100 from Simlin over "
              f"{args.batch} parameter values: {diff:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
