"""Calibration speed: batched evaluation versus one run at a time, same optimiser.

Runs a preset calibration spec twice with identical optimiser settings and seed: once
simulating every candidate set of a step as one batch (a generation of differential
evolution, the central-difference points of a least-squares Jacobian), once simulating
them one run after another. Both paths take the same optimiser steps, so their estimates
agree (to rounding); the printed ratio is the speed-up of batching.

A third comparison measures multistart least squares against the way it ran before it
was batched: scipy from each start in turn, the residuals of a trial point (one run) and
its Jacobian (2k runs) asked for separately, every run simulated on its own. The batched
path simulates each trial point with its Jacobian as one batch and advances all starts
together (one batch per iteration for all of them). Both end at the same estimates.

Usage::

    python benchmarks/calibration.py [--spec calibration/specs/yrd.toml] [--repeat 3]
        [--generations 20] [--popsize 15] [--lsq-nfev 4] [--starts 8]
        [--only multistart]

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

from sdflow.calibrate import calibrate, load_observations, load_spec
from sdflow.calibrate import optimisers
from sdflow.calibrate.checkpoint import Checkpoint
from sdflow.calibrate.likelihoods import make_payoff
from sdflow.calibrate.optimisers import Evaluator, least_squares_fit, multistart, start_points
from sdflow.calibrate.problem import CalibrationProblem
from sdflow.calibrate.run import _one_at_a_time

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


class _SeparateJacobian:
    """The earlier least-squares evaluation: residuals of the trial point alone, the
    Jacobian only when scipy asks for it (what ``_JacobianCache`` replaced)."""

    def __init__(self, evaluator):
        self.evaluator = evaluator

    def fun(self, z):
        return self.evaluator.residuals(z)[0]

    def jac(self, z):
        return self.evaluator.jacobian(z)


def _evaluator(spec) -> Evaluator:
    model = spec.build_model()
    observed = [s.between(*spec.fit_period) for s in load_observations(spec, model)]
    problem = CalibrationProblem(model, list(zip(spec.series, observed)), spec.parameters,
                                 spec.method, spec.dt)
    payoff = make_payoff(spec.payoff, [s.values for s in observed],
                         [s.weight for s in spec.series], spec.payoff_settings(),
                         [s.name for s in spec.series])
    return Evaluator(problem, payoff)


def one_start_after_another(spec, starts: int, options):
    """Multistart as before batching: sequential starts, f and J apart, one run at a time."""
    evaluator = _evaluator(spec)
    problem = evaluator.problem
    problem.predict = _one_at_a_time(problem)
    batched_cache = optimisers._JacobianCache
    optimisers._JacobianCache = _SeparateJacobian
    try:
        started = time.perf_counter()
        fits = [least_squares_fit(evaluator, z0, options, start=i)
                for i, z0 in enumerate(start_points(problem, starts, spec.seed))]
        seconds = time.perf_counter() - started
    finally:
        optimisers._JacobianCache = batched_cache
    return seconds, fits, problem


def starts_together(spec, starts: int, options):
    evaluator = _evaluator(spec)
    evaluator.problem.compiled()
    started = time.perf_counter()
    _, fits = multistart(evaluator, starts, spec.seed, options, Checkpoint(None, "bench"))
    return time.perf_counter() - started, fits, evaluator.problem


def compare_multistart(spec, starts: int, repeat: int, options) -> float:
    starts_together(spec, 1, options)          # compile once
    fast_times, slow_times = [], []
    for _ in range(repeat):
        seconds, fast, fast_problem = starts_together(spec, starts, options)
        fast_times.append(seconds)
        seconds, slow, slow_problem = one_start_after_another(spec, starts, options)
        slow_times.append(seconds)
    b, s = statistics.median(fast_times), statistics.median(slow_times)
    differ = max(float(np.max(np.abs(np.array(f.x) - np.array(g.x)) /
                        np.maximum(np.abs(g.x), 1e-12))) for f, g in zip(fast, slow))
    print(f"multistart least squares ({starts} starts, {len(spec.parameters)} parameters, "
          f"options {options})")
    print(f"  starts together, point + Jacobian per batch: {b:8.2f} s   "
          f"{fast_problem.evaluations} runs in {fast_problem.batches} batches")
    print(f"  one start after another, one run at a time:  {s:8.2f} s   "
          f"{slow_problem.evaluations} runs")
    print(f"  speed-up {s / b:6.1f}x   largest relative difference of the estimates: "
          f"{differ:.1e}   best costs {min(f.cost for f in fast):.10g} / "
          f"{min(f.cost for f in slow):.10g}")
    return s / b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "calibration/specs/yrd.toml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--popsize", type=int, default=15)
    parser.add_argument("--lsq-nfev", type=int, default=4)
    parser.add_argument("--starts", type=int, default=8)
    parser.add_argument("--only", choices=["multistart"], default=None)
    args = parser.parse_args()
    spec = load_spec(args.spec)
    if args.only == "multistart":
        compare_multistart(spec, args.starts, args.repeat, dict(spec.optimiser_options))
        return
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
    compare_multistart(spec, args.starts, args.repeat, dict(spec.optimiser_options))


if __name__ == "__main__":
    main()
