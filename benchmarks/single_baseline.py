"""Single runs of this version against another version of sdflow, in alternating processes.

Each round starts one fresh process per version (this checkout's ``src``, then the folder
``--baseline SRC``, e.g. ``git archive COMMIT src | tar -x -C OLD``); each process builds
the regional presets (YRD, JJJ, Pan-PRD), reads teacup (and World3 with ``--world3``),
runs each once untimed, then times single runs with every variable saved (CPU time,
``time.process_time``; median of its repeats). The versions take turns, so load from other
processes falls on both alike; the table gives the median over rounds and the ratio.

    python benchmarks/single_baseline.py SUITE --baseline OLD/src [--rounds 3]
                                         [--world3 PATH/wrld3-03.mdl]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from common import REPO, machine, table
from first_result import child_env
from timing import duration

CHILD = """
import json, statistics, time
import sdflow as sf
import sdmodels.regional_integration as ri
models = {p: ri.build(p) for p in ("yrd", "jjj", "pprd")}
models["teacup"] = sf.read_vensim(TEACUP)
if WORLD3:
    models["World3"] = sf.read_vensim(WORLD3)
for m in models.values():
    m.simulate()
out = {}
for name, m in models.items():
    repeats = 200 if name == "teacup" else (20 if name == "World3" else 7)
    times = []
    for _ in range(repeats):
        start = time.process_time()
        m.simulate()
        times.append(time.process_time() - start)
    out[name] = statistics.median(times)
print(json.dumps(out))
"""


def measure(src: Path, teacup: Path, world3: Path | None) -> dict:
    code = f"TEACUP = {str(teacup)!r}\nWORLD3 = {str(world3) if world3 else ''!r}\n" + CHILD
    done = subprocess.run([sys.executable, "-c", code], env=child_env(src), check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", type=Path, help="the SDXorg test-models suite")
    parser.add_argument("--baseline", type=Path, required=True,
                        help="the src folder of the version to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--world3", type=Path, default=None, help="wrld3-03.mdl")
    args = parser.parse_args(argv)
    teacup = args.suite / "samples" / "teacup" / "teacup.mdl"
    runs: dict[str, list[dict]] = {"this": [], "baseline": []}
    for _ in range(args.rounds):
        runs["this"].append(measure(REPO / "src", teacup, args.world3))
        runs["baseline"].append(measure(args.baseline, teacup, args.world3))
    rows = []
    for name in runs["this"][0]:
        now = statistics.median(r[name] for r in runs["this"])
        before = statistics.median(r[name] for r in runs["baseline"])
        rows.append((name, duration(before), duration(now), f"{before / now:.2f}x"))
    print(machine())
    print(f"single runs, every variable saved: CPU-time medians of {args.rounds} rounds of "
          "alternating processes")
    print(table(rows, ("model", "baseline", "this version", "baseline / this")))


if __name__ == "__main__":
    main()
