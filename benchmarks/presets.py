"""Per-run costs of the regional integration presets: single runs, batches, peak memory.

For the Yangtze River Delta (``yrd``), Jing-Jin-Ji (``jjj``) and Pan-Pearl River Delta
(``pprd``) presets of ``sdmodels.regional_integration`` (their own model, start to stop
at their own dt), measured side by side in one process (`timing.interleaved`):

* a single run on the numpy path (``backend="batched"``, what the default ``"auto"``
  takes for a model not compiled with numba), every variable saved (what interactive use
  pays), and the same run returning only the saved arrays (``output="arrays"``, no xarray
  Dataset);
* with numba installed (unless ``--no-numba``), the same single run with the default
  backend after `sdflow.precompile` (a warm compile cache: ``"auto"`` then runs the
  numba code), with the Results and with ``output="arrays"``; the time of `precompile`
  (a compile when the cache folder, ``$SDFLOW_CACHE_DIR`` or ``~/.cache/sdflow``, holds
  no code for the preset yet, about a minute; a load from it otherwise) is printed apart;
* batches of ``--small`` (1,000) and ``--large`` (20,000) runs drawing five parameters
  the YRD calibration spec estimates, uniform within its bounds, saving ``--variables``
  (default "output") at the model's saveper: seconds per run, and the ratio of the
  per-run cost of the large batch to that of the small one;
* the peak memory of one large batch (``tracemalloc``, which sees numpy's allocations)
  against the size of its result (the saved arrays and per-run constants);
* one evaluation of the YRD calibration (``calibration/specs/yrd.toml``, its two observed
  variables over its fit period, ``CalibrationProblem.predict``): ``simulate`` building the
  Dataset and reading the arrays from it, against ``output="arrays"``, for a single
  candidate and for a least-squares Jacobian batch (1 + 2k candidates).

    python benchmarks/presets.py [--presets yrd,jjj,pprd] [--rounds 3] [--single 5]
                                 [--small 1000] [--large 20000] [--large-rounds 2]
                                 [--no-numba] [--no-calibration]

The ratio "single / per run at 1,000" compares a single run with the per-run cost of a
batch of 1,000 on the numpy path (the batches set five per-run constants and save one
variable: code of their own, not compiled ahead here, so they run on numpy).
"""

from __future__ import annotations

import argparse
import tracemalloc

import numpy as np

from common import REPO, machine, seconds, table
from timing import interleaved

#: Five of the parameters ``calibration/specs/yrd.toml`` estimates, with its bounds (base
#: productivity growth is drawn for each member).
UNCERTAIN = {"capital share": (0.3, 0.7), "base productivity growth": (0.0, 0.15),
             "productivity slowdown": (0.0, 0.2), "integration learning effect": (0.0, 0.05),
             "market scale elasticity": (0.0, 1.0)}


def uncertain():
    import sdflow as sf
    return {name: sf.uniform(low, high) for name, (low, high) in UNCERTAIN.items()}


def batch_call(model, n: int, variables: list[str], seed: int = 1):
    return lambda: model.simulate(params=uncertain(), n=n, seed=seed, variables=variables)


def result_bytes(results) -> int:
    return int(sum(results.dataset[v].nbytes for v in results.dataset.data_vars))


def peak_memory(call) -> tuple[int, int]:
    """Peak bytes allocated during ``call()`` (above what was held before) and the size of
    what it returned."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        results = call()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak, result_bytes(results)


def precompiled(models: dict) -> dict:
    """`sdflow.precompile` of each preset for the single run (default outputs, no per-run
    constants, Euler); {} without numba."""
    import importlib.util
    if importlib.util.find_spec("numba") is None:
        print("numba not installed (pip install numba): single runs with the presets "
              "compiled ahead skipped")
        return {}
    import sdflow as sf
    return {p: sf.precompile(model) for p, model in models.items()}


def check_same(models: dict, warm: dict) -> None:
    """Every saved value of the default (compiled) single run against the numpy path."""
    for p in warm:
        compiled = models[p].simulate().dataset
        numpy_run = models[p].simulate(backend="batched").dataset
        worst = max(float(np.max(np.abs(compiled[v].values - numpy_run[v].values)
                                 / np.maximum(np.abs(numpy_run[v].values), 1e-300)))
                    for v in numpy_run.data_vars if "time" in numpy_run[v].dims)
        print(f"{p}: the compiled single run differs from the numpy path by at most "
              f"{worst:.1e} (relative, over {len(numpy_run.data_vars)} variables)")


def calibration_costs(rounds: int, per_round: int) -> list[tuple]:
    """Seconds per evaluation of the YRD calibration: Dataset built vs saved arrays."""
    from sdflow.calibrate import load_calibration_spec, load_observations
    from sdflow.calibrate.problem import CalibrationProblem
    spec = load_calibration_spec(REPO / "calibration" / "specs" / "yrd.toml")
    model = spec.build_model()
    observed = [s.between(*spec.fit_period) for s in load_observations(spec, model)]
    problem = CalibrationProblem(model, list(zip(spec.series, observed)), spec.parameters,
                                 spec.method, spec.dt)
    names = [problem.graph.nodes[k].name for k in problem.variables]
    k = len(spec.parameters)
    rows = []
    for n in (1, 1 + 2 * k):
        theta = np.tile(problem.initial(), (n, 1))
        options = dict(params=problem.params(theta), n=n, method=problem.method,
                       dt=problem.dt, stop=problem.stop, saveper=problem.dt, variables=names,
                       on_error="mark", backend="batched")

        def through_dataset():
            runs = problem.model.simulate(**options)
            return [runs.dataset[name].values for name in names], runs.failed

        def arrays():
            runs = problem.model.simulate(**options, output="arrays")
            return [runs.values[name] for name in names], runs.failed

        timed = interleaved({"dataset": through_dataset, "arrays": arrays,
                             "predict": lambda: problem.predict(theta)}, rounds,
                            {name: per_round for name in ("dataset", "arrays", "predict")})
        saved = timed["dataset"].median - timed["arrays"].median
        saved_cpu = timed["dataset"].cpu_median - timed["arrays"].cpu_median
        rows.append((f"{n} candidate{'s' if n > 1 else ''}",
                     f"{seconds(timed['dataset'].median)} ({seconds(timed['dataset'].cpu_median)})",
                     f"{seconds(timed['arrays'].median)} ({seconds(timed['arrays'].cpu_median)})",
                     f"{seconds(timed['predict'].median)} ({seconds(timed['predict'].cpu_median)})",
                     f"{seconds(saved)} ({seconds(saved_cpu)})",
                     f"{100 * saved_cpu / timed['dataset'].cpu_median:.0f}%"))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="yrd,jjj,pprd")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every timing")
    parser.add_argument("--single", type=int, default=5, help="single runs per round")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--large-rounds", type=int, default=2,
                        help="rounds of the large batches (each takes seconds)")
    parser.add_argument("--variables", default="output",
                        help="comma-separated variables saved by the batches")
    parser.add_argument("--no-calibration", action="store_true")
    parser.add_argument("--no-numba", action="store_true",
                        help="leave out the single runs with the presets compiled ahead")
    args = parser.parse_args(argv)
    from sdmodels.regional_integration import build
    variables = [v.strip() for v in args.variables.split(",")]
    presets = [p.strip() for p in args.presets.split(",")]
    models = {p: build(p) for p in presets}

    print(machine())
    warm = {} if args.no_numba else precompiled(models)
    single_calls = {}
    for p in presets:
        single_calls[f"{p} results"] = lambda m=models[p]: m.simulate(backend="batched")
        single_calls[f"{p} arrays"] = lambda m=models[p]: m.simulate(backend="batched",
                                                                      output="arrays")
        if p in warm:  # the default backend, which now finds the preset compiled
            single_calls[f"{p} auto"] = models[p].simulate
            single_calls[f"{p} auto arrays"] = lambda m=models[p]: m.simulate(output="arrays")
    single = interleaved(single_calls, args.rounds, dict.fromkeys(single_calls, args.single))
    if warm:
        check_same(models, warm)
    small = interleaved({p: batch_call(models[p], args.small, variables) for p in presets},
                        args.rounds, warmup=True)
    large = interleaved({p: batch_call(models[p], args.large, variables) for p in presets},
                        args.large_rounds, warmup=False)
    rows, memory, settings, compiled_rows = [], [], [], []
    for p in presets:
        graph = models[p].graph()
        one, raw = single[f"{p} results"], single[f"{p} arrays"]
        per_small, per_large = small[p].per(args.small), large[p].per(args.large)
        for clock, median, low, high in (
                ("wall", lambda t: t.median, lambda t: t.low, lambda t: t.high),
                ("CPU", lambda t: t.cpu_median, lambda t: min(t.cpu), lambda t: max(t.cpu))):
            rows.append((p if clock == "wall" else "", clock,
                         f"{seconds(median(one))} ({seconds(low(one))}-{seconds(high(one))})",
                         seconds(median(raw)),
                         f"{seconds(median(per_small))} ({seconds(low(per_small))}-"
                         f"{seconds(high(per_small))})",
                         f"{seconds(median(per_large))} ({seconds(low(per_large))}-"
                         f"{seconds(high(per_large))})",
                         f"{median(one) / median(per_small):.0f}x",
                         f"{median(per_large) / median(per_small):.2f}x"))
            if p in warm:
                auto, auto_raw = single[f"{p} auto"], single[f"{p} auto arrays"]
                compiled_rows.append((
                    p if clock == "wall" else "", clock,
                    f"{seconds(median(auto))} ({seconds(low(auto))}-{seconds(high(auto))})",
                    seconds(median(auto_raw)), seconds(median(per_small)),
                    f"{median(auto) / median(per_small):.2f}x",
                    f"{median(auto_raw) / median(per_small):.2f}x",
                    f"{median(one) / median(auto):.0f}x"))
        settings.append(f"{p}: {graph.start:g}-{graph.stop:g} at dt {graph.dt:g}")
        peak, size = peak_memory(batch_call(models[p], args.large, variables))
        memory.append((p, f"{args.large:,}", f"{size / 2**20:,.1f} MiB",
                       f"{peak / 2**20:,.1f} MiB", f"{peak / size:.2f}x"))
    print(f"single runs: every variable saved, medians of {args.rounds} rounds x "
          f"{args.single} (range in brackets); batches: {len(UNCERTAIN)} parameters drawn "
          f"per run, saving {variables}, {args.rounds} rounds of {args.small:,} runs and "
          f"{args.large_rounds} of {args.large:,}, presets taking turns")
    print("; ".join(settings))
    print(table(rows, ("preset", "clock", "single run (numpy)", "single, arrays only",
                       f"per run at {args.small:,}", f"per run at {args.large:,}",
                       f"single / per run at {args.small:,}",
                       f"{args.large:,} / {args.small:,}")))
    if warm:
        print()
        print("single runs with the default backend after sf.precompile (warm compile "
              "cache: 'auto' runs the numba code); one-off precompile: " + "; ".join(
                  f"{p} {'loaded' if c.from_cache else 'compiled'} in {c.jit_seconds:.1f} s"
                  for p, c in warm.items()))
        print(table(compiled_rows, ("preset", "clock", "single run, auto", "auto, arrays only",
                                    f"numpy per run at {args.small:,}",
                                    f"auto single / per run at {args.small:,}",
                                    "arrays only / per run",
                                    "numpy single / auto single")))
    print()
    print(table(memory, ("preset", "runs", "result", "peak allocated", "peak / result")))
    if not args.no_calibration:
        print()
        print("one evaluation of the YRD calibration (CalibrationProblem.predict), medians of "
              f"{args.rounds} rounds x {args.single}:")
        print(table(calibration_costs(args.rounds, args.single),
                    ("evaluation (wall (CPU))", "Dataset built", "output='arrays'",
                     "predict()", "saved", "saved share of CPU")))


if __name__ == "__main__":
    main()
