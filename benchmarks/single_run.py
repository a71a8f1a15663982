"""Single-run speed, sdflow against PySD: time per run and per step per variable.

Models: the scalar teacup and SIR models of the SDXorg test-models suite (Vensim files read
from SAMPLES; the same models in the DSL from ``sdmodels.reference``) and the arrayed
regional trade benchmark model (``models/``: 6 regions, region x partner trade and trust).
For each: sdflow's default path (plain Python floats for models without dimensions, numpy
otherwise), its batched numpy path at n=1, the engine loop alone (no xarray results), PySD's
``run()``, and, if numba is installed, sdflow's numba backend (``backend="numba"``, JIT
time printed apart) and a numba-compiled version of the scalar loop alone. Every engine
saves every variable at every step. Times are medians of repeats; the engines take
turns (one PySD run, then several sdflow runs, and again) so that load from other
processes falls on all of them alike.

    python benchmarks/single_run.py SAMPLES [--repeats 30] [--pysd-repeats 3]

SAMPLES holds ``teacup/teacup.mdl`` and ``SIR/SIR.mdl``.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from common import (MODELS, load_pysd, machine, max_relative_difference, pysd_names,
                    seconds, table)
from timing import interleaved, once


def engine_loop(model, backend: str):
    """A callable running only the time loop (what ``simulate`` does before building the
    xarray results), for the model's default parameters."""
    from sdflow.solve.simulate import _Run
    from sdflow.solve.solvers import Euler
    graph = model.graph()
    compiled = model.compile((), scalar=backend == "scalar")
    P = compiled.parameter_matrix({}, 1)

    def run():
        _Run(compiled, P, 1, graph.start, graph.stop, graph.dt, graph.dt, "raise"
             ).fixed(Euler())
    return run


def bench_model(label, model, mdl: Path, repeats: int, pysd_repeats: int, rows: list):
    graph = model.graph()
    steps = int(round((graph.stop - graph.start) / graph.dt)) + 1  # time points computed
    dataset = model.simulate().dataset
    variables = [v for v in dataset.data_vars if "time" in dataset[v].dims]
    elements = sum(int(dataset[v].size // dataset.sizes["time"]) for v in variables)
    scalar = not any(n.dims for n in graph.nodes.values())

    peer = load_pysd(mdl)
    worst, _ = max_relative_difference(dataset, peer.run(), pysd_names(peer, dataset))
    default = "sdflow, default path (" + ("scalar floats" if scalar else "numpy") + ")"
    calls = {default: model.simulate}
    if scalar:
        calls["sdflow, batched numpy at n=1"] = lambda: model.simulate(backend="batched")
    calls["sdflow, engine loop only (no xarray)"] = engine_loop(
        model, "scalar" if scalar else "batched")
    if scalar and importlib.util.find_spec("numba") is not None:
        # the first call compiles (JIT), once per model and process; timed apart
        jit, _ = once(lambda: model.simulate(backend="numba"))
        calls[f"sdflow, numba backend (+{jit:.2f} s JIT once)"] = \
            lambda: model.simulate(backend="numba")
    calls["PySD run()"] = peer.run
    # PySD takes turns with sdflow: one PySD run per round, several sdflow runs
    rounds = min(repeats, pysd_repeats)
    per_round = {name: max(1, repeats // rounds) for name in calls}
    per_round["PySD run()"] = 1
    for name, fn in calls.items():
        if name != "PySD run()":  # PySD is warm from the comparison run above
            fn()
    timed = interleaved(calls, rounds, per_round, warmup=False)
    measured = [(name, timing.median, timing.spread()) for name, timing in timed.items()]
    pysd_time = measured.pop()[1]
    try:
        import numba_trial
        trial = numba_trial.measure(model, repeats) if scalar else None
    except Exception as exc:  # an experiment: report, do not stop the benchmark
        print(f"numba trial failed on {label}: {exc}")
        trial = None
    if trial:
        measured.append((f"numba {trial['numba']} loop only (+{trial['compile']:.2f} s JIT "
                         f"once; max |diff| {trial['max_abs_diff']:.1e})", trial["run"], ""))
    measured.append(("PySD run()", pysd_time, timed["PySD run()"].spread()))
    per = steps * len(variables)
    for name, seconds_per_run, spread in measured:
        rows.append((label, name, seconds(seconds_per_run), spread,
                     seconds(seconds_per_run / per), f"{pysd_time / seconds_per_run:,.1f}x"))
    return (f"{label}: {len(variables)} variables ({elements} elements), {steps} time "
            f"points; max relative difference sdflow vs PySD {worst:.1e}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path,
                        help="the samples folder of the SDXorg test-models suite")
    parser.add_argument("--repeats", type=int, default=30,
                        help="timed runs per sdflow measurement (median)")
    parser.add_argument("--pysd-repeats", type=int, default=3,
                        help="timed PySD runs of the arrayed model (scalar models: --repeats)")
    args = parser.parse_args(argv)
    for sample in ("teacup/teacup.mdl", "SIR/SIR.mdl"):
        if not (args.samples / sample).exists():
            parser.error(f"{args.samples / sample} does not exist: pass the folder of the "
                         "SDXorg sample models (holding teacup/ and SIR/) as SAMPLES")
    import regional_trade
    from sdmodels.reference import sir, teacup
    models = [("teacup", teacup.build(), args.samples / "teacup" / "teacup.mdl", False),
              ("SIR", sir.build(), args.samples / "SIR" / "SIR.mdl", False),
              ("regional trade", regional_trade.build(), MODELS / "regional_trade.mdl", True)]
    rows, notes = [], []
    for label, model, mdl, arrayed in models:
        notes.append(bench_model(label, model, mdl, args.repeats,
                                 args.pysd_repeats if arrayed else args.repeats, rows))
    print(machine())
    print("\n".join(notes))
    print(table(rows, ("model", "engine / path", "per run (median)", "range",
                       "per step per variable", "PySD / this")))


if __name__ == "__main__":
    main()
