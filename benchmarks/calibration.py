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

``--only mcmc`` measures the MCMC sampler (`sample_posterior`, emcee with the proposals of
half the ensemble simulated as one batch, as ``calibrate`` runs it) in log-posterior
evaluations per second, against a plain loop that evaluates the same log posterior at
the same points one run at a time through the single-run path (``simulate`` with its
default backend: plain Python floats for a model without dimensions), what emcee or
scipy calls without vectorisation. The two give the same log posteriors (checked); the
chain starts at the spec's initial values (the cost of a run does not depend on where).
With numba installed the sampler is also timed on the numba backend (``[model] backend
= "numba"``); its JIT compilation is timed apart.

Usage::

    python benchmarks/calibration.py [--spec calibration/specs/yrd.toml] [--repeat 3]
        [--generations 20] [--popsize 15] [--lsq-nfev 4] [--starts 8]
        [--only multistart]
    python benchmarks/calibration.py --only mcmc --spec SPEC [--repeat 5]
        [--walkers W] [--steps 40] [--backends batched,numba]

The differential-evolution part is capped at a few generations and least squares at a
few Jacobians so the one-at-a-time runs stay short; the per-run cost does not depend on
how long either optimiser would go on.
"""

from __future__ import annotations

import argparse
import importlib.util
import dataclasses
import statistics
import time
import warnings
from pathlib import Path

import numpy as np

from sdflow.calibrate import calibrate, load_observations, load_calibration_spec
from sdflow.calibrate import mcmc, optimisers
from sdflow.calibrate.checkpoint import Checkpoint
from sdflow.calibrate.likelihoods import make_payoff
from sdflow.calibrate.optimisers import Evaluator, least_squares_fit, multistart, start_points
from sdflow.calibrate.problem import CalibrationProblem
from sdflow.calibrate.run import _one_at_a_time

from timing import interleaved, once

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


def _evaluator(spec, backend: str = "batched") -> Evaluator:
    model = spec.build_model()
    observed = [s.between(*spec.fit_period) for s in load_observations(spec, model)]
    problem = CalibrationProblem(model, list(zip(spec.series, observed)), spec.parameters,
                                 spec.method, spec.dt, backend)
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


class _Stopwatch:
    """A callable that adds the seconds spent in ``fn`` to ``seconds``."""

    def __init__(self, fn):
        self.fn, self.seconds = fn, 0.0

    def __call__(self, *args):
        started = time.perf_counter()
        try:
            return self.fn(*args)
        finally:
            self.seconds += time.perf_counter() - started


class SamplerPath:
    """`sample_posterior` as ``calibrate`` runs it, on one evaluator; records every batch
    of points emcee evaluates, with their log posteriors, and where the time went."""

    def __init__(self, spec, backend: str, walkers: int | None, steps: int):
        self.evaluator = _evaluator(spec, backend)
        self.priors = [p.prior for p in spec.parameters]
        self.seed = spec.seed
        problem = self.evaluator.problem
        self.x0 = problem.initial()
        self.scale = 1e-2 * (problem.upper - problem.lower)
        self.settings = {"steps": steps, "burn": 0, "chunk": steps}
        if walkers:
            self.settings["walkers"] = walkers
        self.points: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.split: dict[str, float] = {}
        self.runs = 0

    def __call__(self) -> dict:
        problem = self.evaluator.problem
        simulate = problem.predict = _Stopwatch(CalibrationProblem.predict.__get__(problem))
        made = mcmc.log_posterior
        points, values, inside = [], [], []

        def recording(evaluator, priors):
            f = made(evaluator, priors)

            def g(thetas):
                started = time.perf_counter()
                out = f(thetas)
                inside.append(time.perf_counter() - started)
                points.append(np.array(thetas, copy=True))
                values.append(out.copy())
                return out
            return g

        mcmc.log_posterior = recording
        before = problem.evaluations
        try:
            started = time.perf_counter()
            post = mcmc.sample_posterior(self.evaluator, self.priors, self.x0, self.scale,
                                         self.settings, self.seed, Checkpoint(None, "bench"),
                                         None)
            total = time.perf_counter() - started
        finally:
            mcmc.log_posterior = made
        self.points, self.values = points, values
        self.runs = problem.evaluations - before
        self.split = {"simulation": simulate.seconds,
                      "likelihood and priors": sum(inside) - simulate.seconds,
                      "emcee and summary": total - sum(inside)}
        return post


class SingleRunLoop:
    """The same log posterior at the same points, one point per call, each run through
    ``simulate``'s single-run path (its default backend)."""

    def __init__(self, spec, sampler: SamplerPath):
        self.evaluator = _evaluator(spec, "auto")
        self.sampler = sampler
        self.values = np.empty(0)
        self.split: dict[str, float] = {}

    def __call__(self) -> np.ndarray:
        problem = self.evaluator.problem
        simulate = problem.predict = _Stopwatch(CalibrationProblem.predict.__get__(problem))
        f = mcmc.log_posterior(self.evaluator, self.sampler.priors)
        started = time.perf_counter()
        self.values = np.array([f(theta[None, :])[0] for batch in self.sampler.points
                                for theta in batch])
        total = time.perf_counter() - started
        self.split = {"simulation": simulate.seconds,
                      "likelihood and priors": total - simulate.seconds}
        return self.values


def same_log_posteriors(samplers: list[SamplerPath], loop: SingleRunLoop) -> float:
    """Check that every sampler evaluated the same points to the same log posteriors
    (backends agree to the bit) and that the single-run loop gives them too, to
    rounding; returns the loop's largest relative difference."""
    first = samplers[0]
    reference = np.concatenate(first.values)
    for sampler in samplers[1:]:
        assert len(sampler.points) == len(first.points) and all(
            np.array_equal(a, b) for a, b in zip(sampler.points, first.points)), \
            "the samplers took different steps"
        assert np.array_equal(np.concatenate(sampler.values), reference), \
            "the backends gave different log posteriors"
    finite = np.isfinite(reference)
    assert np.array_equal(np.isfinite(loop.values), finite), \
        "the single-run loop scored other points -inf"
    differ = float(np.max(np.abs(loop.values[finite] - reference[finite])
                          / np.maximum(np.abs(reference[finite]), 1e-300), initial=0.0))
    assert differ < 1e-12, f"one run at a time differs by {differ:.1e} relative"
    return differ


def _shares(split: dict[str, float]) -> str:
    total = sum(split.values())
    return ", ".join(f"{name} {100 * seconds / total:.0f}%" for name, seconds in split.items())


def compare_mcmc(spec, repeat: int, walkers: int | None, steps: int,
                 backends: list[str]) -> dict[str, float]:
    """Log posteriors per second: the sampler (one batch per half ensemble) on each
    backend against the single-run loop at the same points; returns the speed-ups."""
    # emcee estimates autocorrelation times from these short chains: noise, not a fault
    warnings.filterwarnings("ignore", "invalid value encountered in divide", RuntimeWarning)
    samplers = {}
    for backend in backends:
        sampler = SamplerPath(spec, backend, walkers, steps)
        seconds, _ = once(sampler)     # compiles (numba: JIT, or loads it from disk)
        print(f"first sampler run on backend {backend!r} (compiling included): "
              f"{seconds:.2f} s")
        samplers[backend] = sampler
    first = samplers[backends[0]]
    loop = SingleRunLoop(spec, first)
    calls = {f"sampler, {b}": s for b, s in samplers.items()}
    calls["one run at a time"] = loop
    timings = interleaved(calls, repeat)
    count = sum(len(p) for p in first.points)
    batch = len(first.points[-1])
    differ = same_log_posteriors(list(samplers.values()), loop)
    k = len(spec.parameters)
    print(f"MCMC on {spec.name}: {k} parameters, {batch * 2} walkers (batches of {batch}), "
          f"{steps} steps: {count} log-posterior evaluations, "
          f"{first.runs} runs (points outside the bounds are not run); "
          f"median of {repeat} interleaved rounds")
    base = timings["one run at a time"]
    out = {}
    splits = {name: path.split for name, path in calls.items()}
    for name, timing in timings.items():
        split = splits[name]
        print(f"  {name:26s} {timing.median:8.2f} s  {count / timing.median:9.0f} per s  "
              f"(CPU {timing.cpu_median:.2f} s; {_shares(split)})")
        if name != "one run at a time":
            out[name] = base.median / timing.median
            print(f"    speed-up over one run at a time: {out[name]:.1f}x (CPU "
                  f"{base.cpu_median / timing.cpu_median:.1f}x)")
    print(f"  log posteriors: sampler backends identical; one run at a time differs by "
          f"{differ:.1e} relative at most")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "calibration/specs/yrd.toml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--popsize", type=int, default=15)
    parser.add_argument("--lsq-nfev", type=int, default=4)
    parser.add_argument("--starts", type=int, default=8)
    parser.add_argument("--only", choices=["multistart", "mcmc"], default=None)
    parser.add_argument("--walkers", type=int, default=None,
                        help="MCMC walkers (default: the sampler's, 4 per parameter)")
    parser.add_argument("--steps", type=int, default=40, help="MCMC steps")
    parser.add_argument("--backends", default="batched,numba",
                        help="sampler backends to time (numba only if installed)")
    args = parser.parse_args()
    spec = load_calibration_spec(args.spec)
    if args.only == "mcmc":
        backends = args.backends.split(",")
        if "numba" in backends and importlib.util.find_spec("numba") is None:
            print("numba is not installed: timing the batched numpy backend only")
            backends.remove("numba")
        compare_mcmc(spec, args.repeat, args.walkers, args.steps, backends)
        return
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
