"""Ensemble throughput: runs per second of a regional preset to 2060.

Compares, for one Monte Carlo ensemble (Latin hypercube over the spec's uncertain
parameters, one scenario):

* one process, chunks of runs through batched ``simulate`` calls;
* the same chunks on a local Dask cluster of ``--workers`` worker processes
  (scaling efficiency = speed-up / workers; the results are checked to be identical);
* the equivalent loop of single runs (``simulate`` once per parameter set), timed on a
  sample of ``--loop-sample`` runs and extrapolated.

Usage::

    python benchmarks/forecast.py                       # 100,000 runs, YRD, to 2060
    python benchmarks/forecast.py --n 20000 --preset jjj --workers 2

Timings on a shared machine are noisy: ``--repeat 3`` reports the median.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from sdflow.forecasting import run_ensemble
from sdflow.forecasting.distributed import local_cluster
from sdflow.forecasting.plan import build_ensemble
from sdflow.forecasting.spec import load_forecast_spec

ROOT = Path(__file__).resolve().parents[1]


def timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=None,
                        help="forecast spec (default calibration/scenarios/<preset>.toml)")
    parser.add_argument("--preset", default="yrd")
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--until", type=float, default=2060)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--loop-sample", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--variables", default="regional output",
                        help="comma-separated variables kept per run")
    args = parser.parse_args()

    spec_path = args.spec or ROOT / "calibration" / "scenarios" / f"{args.preset}.toml"
    spec = load_forecast_spec(spec_path)
    spec.outputs = [v.strip() for v in args.variables.split(",")]
    ensemble = build_ensemble(spec, [args.scenario], until=args.until, n=args.n,
                              chunk_size=args.chunk_size)
    ensemble.check()  # compile once, outside the timings
    print(f"model {ensemble.model.name}, scenario '{args.scenario}', {args.n:,} runs to "
          f"{args.until:g} (dt {ensemble.model.dt:g}), {ensemble.sampler.dimensions} "
          f"uncertain parameters, chunks of {args.chunk_size:,}")

    single_time, single = timed(lambda: run_ensemble(ensemble), args.repeat)
    single_rate = args.n / single_time
    print(f"one process, batched chunks : {single_time:8.1f} s  {single_rate:10,.0f} runs/s")

    from distributed import Client
    with local_cluster(args.workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(args.workers)
        dask_time, distributed = timed(lambda: run_ensemble(ensemble, scheduler=client),
                                       args.repeat)
    dask_rate = args.n / dask_time
    speedup = dask_rate / single_rate
    print(f"Dask, {args.workers} worker processes   : {dask_time:8.1f} s  {dask_rate:10,.0f} "
          f"runs/s  speed-up {speedup:.2f}x, scaling efficiency {speedup / args.workers:.0%}")
    print(f"identical to one process    : {distributed.identical(single)}")

    # the loop a user without batching would write: one simulate call per parameter set
    prepared = ensemble.prepared()[args.scenario]
    draws = ensemble.draws(0)
    sample = min(args.loop_sample, len(next(iter(draws.values()))))
    params = [{**ensemble.params, **{k: v[j] for k, v in draws.items()}, **prepared.levers}
              for j in range(sample)]
    prepared.model.simulate(params=params[0], stop=args.until, variables=ensemble.variables)

    def loop():
        for p in params:
            prepared.model.simulate(params=p, stop=args.until, variables=ensemble.variables,
                                    saveper=ensemble.saveper)

    loop_time, _ = timed(loop, args.repeat)
    loop_rate = sample / loop_time
    print(f"loop of single runs (sampled {sample}): {loop_time * args.n / sample:8.1f} s  "
          f"{loop_rate:10,.0f} runs/s (extrapolated)")
    print(f"ratios: batched/loop {single_rate / loop_rate:.1f}x, "
          f"Dask/loop {dask_rate / loop_rate:.1f}x, Dask/batched {speedup:.2f}x")
    same = np.array_equal(distributed["regional output"].values,
                          single["regional output"].values) if "regional output" in single \
        else True
    assert same


if __name__ == "__main__":
    main()
