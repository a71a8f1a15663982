"""``sdflow calibrate SPEC.toml [--resume]``: fit a model to data and write its report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="calibrate a model against observed series",
                       description="Fit the parameters of a calibration spec (TOML) and write "
                                   "the fit report, parameter file and plots. Finished work "
                                   "is checkpointed: after an interruption, run again with "
                                   "--resume to continue.")
    p.add_argument("spec", type=Path, help="calibration spec, e.g. calibration/specs/yrd.toml")
    p.add_argument("--out", type=Path, help="report folder (default: "
                                            "calibration/results/<spec name> next to specs/)")
    p.add_argument("--resume", action="store_true",
                   help="continue from the checkpoint in the report folder")
    p.add_argument("--no-mcmc", action="store_true",
                   help="skip the posterior sampler ([mcmc] or [smc])")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    p.set_defaults(func=run)


class ProgressLine:
    """One self-overwriting status line on stderr: stage, runs simulated, elapsed time."""

    def __init__(self, name: str, stream=None, interval: float = 0.2):
        self.name, self.stream, self.interval = name, stream or sys.stderr, interval
        self.stage, self.evaluations, self.best = "loading", 0, None
        self.started = self.shown = time.monotonic()

    def __call__(self, stage=None, evaluations=None, best=None, **_):
        if stage is not None and stage != self.stage:
            self.stage = stage
            self.shown = 0.0           # show every new stage at once
        if evaluations is not None:
            self.evaluations = evaluations
        if best is not None:
            self.best = best
        now = time.monotonic()
        if now - self.shown >= self.interval:
            self.shown = now
            best = f"  best {self.best:.6g}" if self.best is not None else ""
            self.stream.write(f"\r[{self.name}] {self.stage}: {self.evaluations} runs"
                              f"{best}  {now - self.started:6.1f}s\x1b[K")
            self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from ..calibrate import calibrate, load_spec

    spec = load_spec(args.spec)
    out = args.out or args.spec.resolve().parent.parent / "results" / spec.name
    progress = None if args.quiet else ProgressLine(spec.name)
    try:
        result = calibrate(spec, out_dir=out, resume=args.resume, progress=progress,
                           mcmc=not args.no_mcmc)
    finally:
        if progress is not None:
            progress.close()
    width = max(len(label) for label in result.labels)
    for label, value in result.estimates.items():
        lo, hi = result.intervals[label].get("profile", result.intervals[label]["wald"])
        lo = "open" if lo is None else f"{lo:.4g}"
        hi = "open" if hi is None else f"{hi:.4g}"
        print(f"{label:<{width}}  {value:12.6g}   95% [{lo}, {hi}]")
    print(f"wrote {out / 'report.md'} and {out / 'params.json'} ({result.evaluations} runs "
          f"in {result.batches} batches)")
    return 0
