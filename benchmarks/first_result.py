"""Time to a first result: a fresh Python process imports the engine, reads ``teacup.mdl``
and runs it once, for sdflow, PySD and Simlin.

Usage::

    python benchmarks/first_result.py SUITE_DIR [--rounds 7] [--model PATH]
                                      [--itemise] [--baseline SRC]

``SUITE_DIR`` is a checkout of the SDXorg test-models suite; the script uses its
``samples/teacup/teacup.mdl`` (or ``--model``). Every measurement is a new interpreter
(``python -c``), so nothing is imported or cached in memory beforehand: this is what a
user waits for on the command line or in a new notebook. Rounds take turns between the
engines, in a rotating order, after one warm-up round that is not counted (it fills the
operating system's file cache), so load from other processes hits every engine alike.

Each child times itself with ``time.perf_counter`` from before its first import to the
final value in hand ("first result"); the parent also times the whole process ("process",
which adds interpreter start-up and shut-down). sdflow's time is broken down into
import, read (``read_vensim``: parse, build, unit and structure checks), compile
(``model.graph()`` and ``model.compile()``) and first run (``simulate``: results as an
xarray Dataset). PySD reads a copy of the model in a new scratch folder every time,
because it writes its translation beside the file and would reuse it otherwise.

``--itemise`` adds a row "sdflow itemised" (and "sdflow baseline itemised"): the same work
with every library that sdflow (or xarray, on its first object) loads imported on its own,
to show where the time goes.
``--baseline SRC`` adds another sdflow, imported from the folder ``SRC`` (the ``src``
folder of another version, e.g. ``git archive COMMIT src | tar -x -C OLD``), timed in
the same rounds: a before/after comparison under the same load.

The engines must agree on the final teacup temperature (the maximum relative difference
is printed); medians and the range over the rounds are printed, and the ratios to Simlin
are the figures to read.
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
import time
from pathlib import Path

from common import REPO, machine

#: Each child prints one JSON line: the phases it timed (seconds) and the final value.
CHILDREN = {
    "sdflow": """
import time
t0 = time.perf_counter()
import sdflow as sf
t1 = time.perf_counter()
model = sf.read_vensim(MODEL)
t2 = time.perf_counter()
model.graph()
model.compile()
t3 = time.perf_counter()
run = model.simulate()
final = float(run["Teacup Temperature"][-1])
t4 = time.perf_counter()
phases = {"import": t1 - t0, "read": t2 - t1, "compile": t3 - t2, "first run": t4 - t3}
""",
    "PySD": """
import time
t0 = time.perf_counter()
import warnings
warnings.simplefilter("ignore")
import pysd
t1 = time.perf_counter()
model = pysd.read_vensim(MODEL)
t2 = time.perf_counter()
final = float(model.run()["Teacup Temperature"].iloc[-1])
t3 = time.perf_counter()
phases = {"import": t1 - t0, "read": t2 - t1, "first run": t3 - t2}
""",
    "Simlin": """
import time
t0 = time.perf_counter()
import simlin
t1 = time.perf_counter()
model = simlin.load(MODEL)
t2 = time.perf_counter()
with model.simulate() as sim:
    sim.run_to_end()
    final = float(sim.get_series("teacup_temperature")[-1])
t3 = time.perf_counter()
phases = {"import": t1 - t0, "read": t2 - t1, "first run": t3 - t2}
""",
}
#: sdflow again, each library it (or xarray) loads imported on its own, to itemise the cost.
ITEMISED_CHILD = """
import time
t0 = time.perf_counter()
marks = [("start", t0)]
def mark(name):
    marks.append((name, time.perf_counter()))
import numpy, pandas, xarray
mark("numpy, pandas, xarray")
import sdflow as sf
mark("sdflow's own modules")
import pysd.translators.vensim.vensim_file, pysd.builders.python.subscripts
mark("pysd's translator")
import pint
mark("pint (module)")
from sdflow.ir.units import registry
registry()
mark("pint registry")
model = sf.read_vensim(MODEL)
mark("read_vensim (rest)")
xarray.Variable(("x",), numpy.zeros(1))
mark("first xarray object")  # imported dask.array before sdflow.solve.duck_arrays
run = model.simulate()
final = float(run["Teacup Temperature"][-1])
mark("first run (rest)")
phases = {name: t - marks[i][1] for i, (name, t) in enumerate(marks[1:])}
"""
REPORT = """
import json
print(json.dumps({"phases": phases, "total": time.perf_counter() - t0, "final": final}))
"""


#: Rows added by --baseline and --itemise: sdflow from another folder, sdflow step by step.
BASELINE, ITEMISED = "baseline", "itemised"


def child_env(src: Path = REPO / "src") -> dict:
    """sdflow from ``src`` (this checkout's by default) first on the path."""
    path = os.pathsep.join([str(src), str(REPO), os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path, MPLBACKEND="Agg")


def measure(engine: str, model: Path, baseline: Path | None = None) -> dict:
    """One fresh process of ``engine`` reading and running ``model``."""
    env = child_env(baseline) if BASELINE in engine else child_env()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / model.name
        shutil.copy(model, copy)  # PySD writes its translation beside the model
        body = ITEMISED_CHILD if ITEMISED in engine else CHILDREN.get(engine, CHILDREN["sdflow"])
        code = f"MODEL = {str(copy)!r}\n" + body + REPORT
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=scratch,
                              capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process"] = wall
    return out


def available(engine: str) -> bool:
    module = {"sdflow": "sdflow", "PySD": "pysd", "Simlin": "simlin"}[engine]
    done = subprocess.run([sys.executable, "-c", f"import {module}"], env=child_env(),
                          capture_output=True)
    return done.returncode == 0


def find_teacup(suite: Path) -> Path:
    for candidate in (suite / "samples" / "teacup" / "teacup.mdl", suite / "teacup" / "teacup.mdl"):
        if candidate.exists():
            return candidate
    found = sorted(suite.rglob("teacup.mdl"))
    if not found:
        raise SystemExit(f"no teacup.mdl under {suite}; pass the test-models suite's folder "
                         "or --model PATH")
    return found[0]


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suite", type=Path, help="the SDXorg test-models suite's folder")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--model", type=Path, help="another teacup.mdl")
    parser.add_argument("--baseline", type=Path, help="src folder of another sdflow to time")
    parser.add_argument("--itemise", action="store_true",
                        help="also time sdflow with each library imported on its own")
    args = parser.parse_args(argv)
    model = args.model or find_teacup(args.suite)
    engines = [e for e in CHILDREN if available(e)]
    variants = [f"sdflow {BASELINE}"] if args.baseline is not None else []
    if args.itemise:
        variants = [f"sdflow {ITEMISED}"] + [f"{v} {ITEMISED}" for v in variants] + variants
    engines[1:1] = variants
    for missing in set(CHILDREN) - set(engines):
        print(f"{missing} is not installed: skipped")
    print(machine())
    print(f"model: {model}; {args.rounds} rounds of fresh processes, engines in turn\n")

    for engine in engines:  # warm-up round: not counted
        measure(engine, model, args.baseline)
    results = {e: [] for e in engines}
    for r in range(args.rounds):
        order = engines[r % len(engines):] + engines[:r % len(engines)]
        for engine in order:
            results[engine].append(measure(engine, model, args.baseline))

    totals = {e: [m["total"] for m in results[e]] for e in engines}
    reference = statistics.median(totals["Simlin"]) if "Simlin" in totals else None
    rows = [("engine", "first result (median)", "range", "process (median)",
             "/ Simlin")]
    for engine in engines:
        median = statistics.median(totals[engine])
        process = statistics.median(m["process"] for m in results[engine])
        ratio = f"{median / reference:.2f}x" if reference else "-"
        rows.append((engine, f"{median:.2f} s", spread(totals[engine]) + " s",
                     f"{process:.2f} s", ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))

    for engine in engines:
        print(f"\n{engine}, by phase (medians):")
        names = results[engine][0]["phases"]
        width = max(len(name) for name in names)
        for name in names:
            value = statistics.median(m["phases"][name] for m in results[engine])
            print(f"  {name.ljust(width)}  {value:.3f} s")

    finals = {e: results[e][0]["final"] for e in engines}
    worst = max(abs(a - b) / abs(b) for a in finals.values() for b in finals.values())
    print("\nfinal teacup temperature: " + ", ".join(f"{e} {v:.6g}" for e, v in finals.items())
          + f" (max relative difference {worst:.1e})")
    if hasattr(os, "getloadavg"):
        print("load average at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
