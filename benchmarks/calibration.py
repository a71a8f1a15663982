"""Calibration speed: batched evaluation versus one run at a time, same optimiser.

Runs a preset calibration spec twice with identical optimiser settings and seed: once
simulating every candidate set of a step as one batch (a generation of differential
evolution, the central-difference points of a least-squares Jacobian), once simulating
them one run after another. Both paths take the same optimiser steps, so their estimates
agree (to rounding); the printed ratio is the speed-up of batching.

Usage::

    python benchmarks/calibration.py [--spec calibration/specs/yrd.toml] [--repeat 3]
        [--generations 20] [--popsize 15] [--lsq-nfev 4]

The differential-evolution part is capped at a few generations and least squares at a
few Jacobians so the one-at-a-time runs stay short; the per-run cost does not depend on
how long either optimiser would go on.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

import numpy as np

from sdflow.calibrate import calibrate, load_spec

ROOT = Path(__file__).resolve().parents[1]


def timed(spec, batched: bool) -> tuple[float, object]:
    started = time.perf_counter()
    result = calibrate(spec, batched=batched, mcmc=False)
    return time.perf_counter() - started, result


def compare(spec, repeat: int, label: str) -> float:
    calibrate(spec, mcmc=False)             # compile once, as a calibration would
    batched, single = [], []
    for _ in range(repeat):
        seconds, fast = timed(spec, True)
        batched.append(seconds)
        seconds, slow = timed(spec, False)
        single.append(seconds)
    # Batch size can change the last bits of BLAS sums; ill-conditioned fits may carry
    # such differences into late digits of the estimates, nothing more.
    scale = np.maximum(np.abs(fast.x), 1e-3 * (np.array([p.bounds[1] - p.bounds[0]
                                                         for p in spec.parameters])))
    differ = float(np.max(np.abs(fast.x - slow.x) / scale))
    b, s = statistics.median(batched), statistics.median(single)
    print(f"{label}: {fast.evaluations} runs in {fast.batches} batches "
          f"({fast.evaluations / fast.batches:.0f} per batch)")
    print(f"  batched        {b:8.2f} s   ({b / fast.evaluations * 1e3:.2f} ms per run)")
    print(f"  one at a time  {s:8.2f} s   ({s / slow.evaluations * 1e3:.2f} ms per run)")
    print(f"  speed-up       {s / b:8.1f}x   largest relative difference of the estimates: "
          f"{differ:.1e}")
    return s / b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "calibration/specs/yrd.toml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--popsize", type=int, default=15)
    parser.add_argument("--lsq-nfev", type=int, default=4)
    args = parser.parse_args()
    spec = load_spec(args.spec)
    base = dataclasses.replace(spec, profile=False, mcmc=None, starts=1)
    k = len(spec.parameters)
    de = dataclasses.replace(base, optimiser="differential_evolution", optimiser_options={
        "popsize": args.popsize, "maxiter": args.generations, "tol": 0, "polish": False})
    lsq = dataclasses.replace(base, optimiser="least_squares",
                              optimiser_options={"max_nfev": args.lsq_nfev})
    print(f"spec {args.spec.name}: {k} parameters, median of {args.repeat} repeats")
    compare(de, args.repeat, f"differential evolution ({args.popsize * k} candidates "
                             f"per generation, {args.generations} generations)")
    compare(lsq, args.repeat, f"least squares ({2 * k} runs per Jacobian, "
                              f"{args.lsq_nfev} iterations)")


if __name__ == "__main__":
    main()
