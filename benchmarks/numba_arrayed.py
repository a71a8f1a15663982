"""The numba backend on a model with dimensions: the YRD preset, numba against numpy.

For the Yangtze River Delta preset of ``sdmodels.regional_integration`` (4 members, member
x partner tables; its own start, stop and dt, Euler), measured side by side in one process
(`timing.interleaved`, medians of ``--rounds`` rounds, wall and CPU time):

* a single run with the defaults, through ``simulate(backend=...)`` returning the saved
  arrays (``output="arrays"``: no xarray Dataset, whose cost is the same for both);
* small batches (``--batches``, default 10 and 100 runs) drawing five parameters the YRD
  calibration spec estimates, saving every variable: seconds per run;
* the compiled numba function alone (``NumbaModel.__call__`` on a prepared parameter
  matrix and grid), which is what is left of a single run without ``simulate``.

The one-off costs are measured in fresh processes sharing an empty compile-cache folder
(``SDFLOW_CACHE_DIR``): the first process pays numba's compilation (the JIT), each later
one loads the machine code from the disk cache. Both are the first call's seconds
(`NumbaModel.jit_seconds`; its ``from_cache`` says which happened) and the process's CPU
seconds in it. Results of the two backends agree to a relative 1e-12 (checked here on the
single run, every variable).

With ``--baseline SRC`` it measures instead how the generated code and its one-off costs
changed: for each of ``--jit-models`` (presets, reference models such as ``teacup``, or
model files such as World3's ``wrld3-03.mdl``), fresh processes importing sdflow from this
tree and from ``SRC`` (the ``src`` folder of another commit, e.g. made with ``git archive
COMMIT src | tar -x -C BASE``) take turns for ``--jit-rounds`` rounds, each pair in
an empty cache folder of its own (the first compiles, the second loads from the cache).
It prints the generated code's lines and characters, the JIT and the cached load (medians),
the CPU time of a single run (``simulate(..., output="arrays")``) and of the compiled
function alone after the first call (median of 5 blocks of 40 calls in each process, then
the median over the processes) and the share of a single run spent outside the function,
the ratios this / baseline and the largest relative difference between the two trees'
results (every saved variable, default run).

    python benchmarks/numba_arrayed.py [--preset yrd] [--rounds 5] [--single 10]
                                       [--batches 10,100] [--processes 2]
    python benchmarks/numba_arrayed.py --baseline BASE/src
                                       [--jit-models yrd,teacup,PATH/wrld3-03.mdl]
                                       [--jit-rounds 2] [--jit-method euler]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from common import REPO, machine, seconds, table
from presets import uncertain
from timing import interleaved

#: run in a fresh process: build a model, one numba run, report the first call's cost
#: (argv: the model, a path to save the run's values to or "", the integration method)
FIRST_CALL = """
import json, sys, time
import numpy as np
begin = time.process_time()
spec, keep, method = sys.argv[1], sys.argv[2], sys.argv[3]
if spec.endswith((".mdl", ".xmile", ".stmx")):
    import sdflow as sf
    model = sf.read_vensim(spec) if spec.endswith(".mdl") else sf.read_xmile(spec)
elif spec in ("teacup", "bass", "sir", "solow", "lotka_volterra"):
    import importlib
    model = importlib.import_module("sdmodels.reference." + spec).build()
else:
    from sdmodels.regional_integration import build
    model = build(spec)
from sdflow.compile.cache import entries
cpu = time.process_time()
run = model.simulate(backend="numba", output="arrays", method=method)
cpu = time.process_time() - cpu
if keep:
    np.savez(keep, **{str(i): np.asarray(v) for i, v in enumerate(run.values.values())})
compiled = [c for key, c in entries(model.graph()).items() if key[0] == "numba"][0]
# then single runs and the compiled function alone: CPU per call, median of 5 blocks of 40
from sdflow.solve.grid import TimeGrid
graph = model.graph()
grid = TimeGrid.uniform(graph.start, graph.stop, graph.dt, graph.saveper)
P = compiled.parameter_matrix({}, 1)
calls = {"single": lambda: model.simulate(backend="numba", output="arrays", method=method),
         "function": lambda: compiled(P, grid)}
blocks = {name: [] for name in calls}
for _ in range(5):
    for name, call in calls.items():
        begin = time.process_time()
        for _ in range(40):
            call()
        blocks[name].append((time.process_time() - begin) / 40)
print(json.dumps({"jit": compiled.jit_seconds, "cpu": cpu, "cached": compiled.from_cache,
                  "lines": len(compiled.source.splitlines()),
                  "chars": len(compiled.source),
                  **{name: sorted(b)[2] for name, b in blocks.items()}}))
"""


def one_off_costs(model: str, processes: int, src=REPO / "src", keep: str = "",
                  method: str = "euler") -> list[dict]:
    """The first numba run of ``model`` (a preset, a reference model's name or a model
    file) in ``processes`` fresh processes in a row, with a compile-cache folder of their
    own, importing sdflow from ``src``; the first process saves its run's values to
    ``keep`` (an .npz path) if given."""
    folder = tempfile.mkdtemp(prefix="sdflow-numba-bench-")
    env = dict(os.environ, SDFLOW_CACHE_DIR=folder,
               PYTHONPATH=os.pathsep.join([str(src), str(REPO)]))
    found = []
    for i in range(processes):
        done = subprocess.run([sys.executable, "-c", FIRST_CALL, model, keep if i == 0 else "",
                               method],
                              env=env, capture_output=True, text=True, check=True)
        found.append(json.loads(done.stdout.splitlines()[-1]))
    shutil.rmtree(folder, ignore_errors=True)
    return found


def compare_jit(models: list[str], baseline: str, rounds: int, method: str = "euler") -> None:
    """Generated code size, JIT and cached load of each model, this source tree against
    the one at ``baseline`` (a ``src`` folder of another commit), fresh processes taking
    turns; and the largest relative difference between their results."""
    trees = {"this": REPO / "src", "baseline": Path(baseline)}
    rows, scratch = [], Path(tempfile.mkdtemp(prefix="sdflow-numba-values-"))
    for model in models:
        runs = {name: [] for name in trees}
        for r in range(rounds):
            for name, src in trees.items():
                keep = str(scratch / f"{name}.npz") if r == 0 else ""
                runs[name].append(one_off_costs(model, 2, src, keep, method))
        values = [np.load(scratch / f"{name}.npz") for name in trees]
        worst = max((float(np.max(np.abs(values[0][k] - values[1][k])
                                  / np.maximum(np.abs(values[1][k]), 1e-300)))
                     for k in values[1].files), default=0.0)
        med = {name: {"jit": statistics.median(run[0]["jit"] for run in found),
                      "cpu": statistics.median(run[0]["cpu"] for run in found),
                      "load": statistics.median(run[1]["jit"] for run in found),
                      "single": statistics.median(r["single"] for run in found for r in run),
                      "function": statistics.median(r["function"] for run in found
                                                    for r in run),
                      "lines": found[0][0]["lines"], "chars": found[0][0]["chars"]}
               for name, found in runs.items()}
        this, base = med["this"], med["baseline"]
        for name, m in med.items():
            rows.append((model, name, m["lines"], m["chars"], seconds(m["jit"]),
                         seconds(m["cpu"]), seconds(m["load"]), seconds(m["single"]),
                         seconds(m["function"]),
                         f"{1 - m['function'] / m['single']:.0%}", ""))
        rows.append((model, "this / baseline", f"{this['lines'] / base['lines']:.2f}",
                     f"{this['chars'] / base['chars']:.2f}",
                     f"{this['jit'] / base['jit']:.2f}", f"{this['cpu'] / base['cpu']:.2f}",
                     f"{this['load'] / base['load']:.2f}",
                     f"{this['single'] / base['single']:.2f}",
                     f"{this['function'] / base['function']:.2f}", "", f"{worst:.1e}"))
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"Generated numba code and its one-off costs (method {method!r}), this tree "
          f"against {baseline} "
          f"(medians of {rounds} rounds taking turns; each a fresh cache folder: the first "
          "process compiles, the second loads)")
    print(table(rows, ("model", "tree", "lines", "characters", "JIT", "CPU of the run",
                       "cached load", "single run (CPU)", "function (CPU)",
                       "outside function", "largest rel. difference")))


def largest_difference(model) -> float:
    """Largest relative difference between the backends over every saved variable."""
    numba = model.simulate(backend="numba", output="arrays").values
    numpy = model.simulate(backend="batched", output="arrays").values
    worst = 0.0
    for name, expected in numpy.items():
        got = numba[name]
        scale = np.maximum(np.abs(expected), 1e-300)
        worst = max(worst, float(np.max(np.abs(got - expected) / scale)))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="yrd")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every timing")
    parser.add_argument("--single", type=int, default=10, help="single runs per round")
    parser.add_argument("--batches", default="10,100", help="comma-separated batch sizes")
    parser.add_argument("--processes", type=int, default=2,
                        help="fresh processes for the one-off costs (the first compiles)")
    parser.add_argument("--baseline", help="src folder of another commit: compare the "
                        "generated code and its one-off costs with it, nothing else")
    parser.add_argument("--jit-models", default="yrd,teacup",
                        help="comma-separated models for --baseline")
    parser.add_argument("--jit-rounds", type=int, default=2,
                        help="rounds of fresh processes for --baseline")
    parser.add_argument("--jit-method", default="euler",
                        help="integration method for --baseline (euler, heun, rk4)")
    args = parser.parse_args(argv)
    print(machine())
    print()
    if args.baseline:
        compare_jit(args.jit_models.split(","), args.baseline, args.jit_rounds,
                    args.jit_method)
        return

    firsts = one_off_costs(args.preset, args.processes)
    rows = [(f"process {i + 1}", "cache" if f["cached"] else "JIT", seconds(f["jit"]),
             seconds(f["cpu"])) for i, f in enumerate(firsts)]
    print(f"First numba run of {args.preset!r} in a fresh process "
          f"({firsts[0]['lines']} lines of generated code)")
    print(table(rows, ("process", "compiled by", "first call", "CPU of the run")))
    if len(firsts) > 1 and firsts[1]["cached"]:
        print(f"cached load / JIT: {firsts[1]['jit'] / firsts[0]['jit']:.4f}")
    print()

    from sdmodels.regional_integration import build
    from sdflow.compile.cache import entries
    from sdflow.solve.grid import TimeGrid
    model = build(args.preset)
    print(f"largest relative difference numba vs numpy (every variable, single run): "
          f"{largest_difference(model):.2e}")
    graph = model.graph()
    compiled = [c for key, c in entries(graph).items() if key[0] == "numba"][0]
    grid = TimeGrid.uniform(graph.start, graph.stop, graph.dt, graph.saveper)
    P = compiled.parameter_matrix({}, 1)

    calls = {"numba": lambda: model.simulate(backend="numba", output="arrays"),
             "numpy": lambda: model.simulate(backend="batched", output="arrays"),
             "numba function": lambda: compiled(P, grid)}
    single = interleaved(calls, args.rounds, dict.fromkeys(calls, args.single))
    rows = [(name, seconds(t.median), seconds(t.cpu_median), t.spread())
            for name, t in single.items()]
    print()
    print("Single run (simulate(..., output='arrays'))")
    print(table(rows, ("backend", "median", "CPU median", "spread")))
    print(f"numpy / numba: {single['numpy'].median / single['numba'].median:.1f}x "
          f"(CPU {single['numpy'].cpu_median / single['numba'].cpu_median:.1f}x); "
          f"simulate's share of a numba run: "
          f"{1 - single['numba function'].median / single['numba'].median:.0%}")

    rows = []
    for n in [int(b) for b in args.batches.split(",")]:
        def batch(backend, n=n):
            return lambda: model.simulate(params=uncertain(), n=n, seed=1, backend=backend,
                                          output="arrays")
        timed = interleaved({"numba": batch("numba"), "numpy": batch("batched")}, args.rounds)
        per_numba, per_numpy = timed["numba"].per(n), timed["numpy"].per(n)
        rows.append((f"{n} runs", seconds(per_numba.median), seconds(per_numpy.median),
                     f"{per_numpy.median / per_numba.median:.1f}x",
                     f"{per_numpy.cpu_median / per_numba.cpu_median:.1f}x"))
    print()
    print("Batches (five uncertain parameters, every variable saved): seconds per run")
    print(table(rows, ("batch", "numba", "numpy", "numpy / numba", "(CPU)")))


if __name__ == "__main__":
    main()
