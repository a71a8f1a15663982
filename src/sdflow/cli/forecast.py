"""``sdflow forecast SPEC`` and ``sdflow sensitivity SPEC``: scenario ensembles and
sensitivity analysis from a forecast specification (TOML, see `sdflow.forecasting.spec`)."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
import time
from pathlib import Path

from .arguments import ArgumentValueError, check_output_folder, positive_int, seed


def register(sub) -> None:
    p = sub.add_parser(
        "forecast", help="run scenarios with uncertainty bands",
        description="Run every chosen scenario for N sampled parameter sets (the same sets "
                    "for each scenario) and write ensemble.nc, bands.nc, fan charts and "
                    "forecast_report.md to --out.")
    p.add_argument("spec", type=Path, help="forecast specification (TOML)")
    p.add_argument("--scenarios", help="comma-separated scenario names (default: all; the "
                                       "first is the reference for differences)")
    p.add_argument("--until", type=float, help="horizon, e.g. 2060")
    p.add_argument("--n", type=positive_int, help="runs per scenario")
    p.add_argument("--seed", type=seed, help="seed of the sampling design")
    p.add_argument("--sampling", choices=["lhs", "sobol", "random"])
    p.add_argument("--chunk-size", type=positive_int,
                   help="runs per chunk (one batched simulation)")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786) or 'local'")
    p.add_argument("--workers", type=positive_int, help="workers of a local Dask cluster")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--resume", action="store_true",
                   help="keep finished chunks of an interrupted run in --out")
    p.add_argument("--format", choices=["netcdf", "zarr"], default="netcdf",
                   help="store for all draws: ensemble.nc or ensemble.zarr (needs zarr)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.set_defaults(func=forecast)

    s = sub.add_parser(
        "sensitivity", help="Sobol indices or Morris screening",
        description="Global sensitivity of chosen outputs at chosen years to the spec's "
                    "uncertain parameters (SALib); writes sensitivity.csv, bar charts and "
                    "sensitivity_report.md to --out. Runs are checkpointed in chunks: after "
                    "an interruption, run again with --resume to continue.")
    s.add_argument("spec", type=Path, help="forecast specification (TOML)")
    s.add_argument("--method", choices=["sobol", "morris"], default="sobol")
    s.add_argument("--scenario", help="scenario to analyse (default: the first)")
    s.add_argument("--outputs", help="comma-separated output variables")
    s.add_argument("--years", help="comma-separated years, e.g. 2030,2050")
    s.add_argument("--n", type=positive_int, default=512,
                   help="Sobol base sample (runs = n x (parameters + 2)) or Morris "
                        "trajectories (runs = n x (parameters + 1))")
    s.add_argument("--seed", type=seed, default=0, help="seed of the sampling design")
    s.add_argument("--chunk-size", type=positive_int,
                   help="runs per chunk, each checkpointed in --out (default: the spec's "
                        "chunk_size)")
    s.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786) or 'local'")
    s.add_argument("--workers", type=positive_int, help="workers of a local Dask cluster")
    s.add_argument("--out", type=Path, required=True, help="output directory")
    s.add_argument("--resume", action="store_true",
                   help="keep finished chunks of an interrupted run in --out")
    s.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    s.set_defaults(func=sensitivity)


class ProgressBar:
    """``[#####.....] 12/40 chunks, 6000 runs, 850 runs/s`` on stderr."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.started_runs: int | None = None
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, done: int, total: int, runs: int) -> None:
        if self.started_runs is None:  # resumed chunks do not count towards the speed
            self.started_runs = runs
            self.started = time.perf_counter()
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = (runs - self.started_runs) / elapsed if done else 0.0
        filled = int(self.width * done / max(total, 1))
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} chunks, "
                f"{runs} runs, {rate:,.0f} runs/s")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and done == total:
            self.stream.write("\n")
        self.stream.flush()


def _names(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _years(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise ArgumentValueError(f"--years {text!r}: write comma-separated years, e.g. "
                                 "2030,2050") from None


def forecast(args: argparse.Namespace) -> int:
    from ..forecasting.distributed import run_ensemble
    from ..forecasting.plan import build_ensemble
    from ..forecasting.report import write_forecast
    from ..forecasting.spec import load_spec

    check_output_folder(args.out)
    if args.format == "zarr":
        try:
            import zarr  # noqa: F401
        except ImportError:
            raise ArgumentValueError("--format zarr needs the zarr package (pip install "
                                     "zarr); or use --format netcdf") from None
    spec = load_spec(args.spec)
    ensemble = build_ensemble(spec, _names(args.scenarios), args.until, args.n, args.seed,
                              args.chunk_size, args.sampling)
    horizon = float(ensemble.until or ensemble.model.stop)
    late = [t for t in spec.thresholds if float(t.get("year", horizon)) > horizon]
    if late:
        raise ArgumentValueError(f"thresholds {late} are after the horizon {horizon:g}; "
                                 "raise --until or change the spec")
    ensemble.check()  # unknown outputs, bad values: fail before any chunk is run
    print(f"sdflow forecast: {len(ensemble.scenarios)} scenario(s) x {ensemble.n} runs in "
          f"{ensemble.chunks} chunk(s), until {ensemble.until or ensemble.model.stop:g}",
          file=sys.stderr)
    ds = run_ensemble(ensemble, out_dir=args.out, scheduler=args.scheduler,
                      workers=args.workers, resume=args.resume, progress=ProgressBar(),
                      # with dask, read back from the chunk files as needed
                      lazy=importlib.util.find_spec("dask") is not None,
                      report=lambda message: print(f"sdflow forecast: {message}",
                                                   file=sys.stderr))
    years = [y for y in spec.years if y <= horizon] or None
    descriptions = {s.name: s.description for s in ensemble.scenarios}
    notes = _settings(spec, ensemble)
    written = write_forecast(ds, args.out, years=years or (), thresholds=spec.thresholds,
                             title=f"Forecast: {spec.path.stem}", notes=notes,
                             descriptions=descriptions, figures=not args.no_figures,
                             store=args.format)
    for role, path in written.items():
        if role in ("ensemble", "bands", "report"):
            print(f"wrote {path}")
    return 0


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _settings(spec, ensemble) -> str:
    """What was run, in a few lines of Markdown for the report."""
    options = ", ".join(f"{k}={v!r}" for k, v in spec.options.items())
    lines = [f"- model: `{spec.target}`" + (f" ({options})" if options else ""),
             f"- horizon {ensemble.until or ensemble.model.stop:g}, {ensemble.method} "
             f"with dt {ensemble.model.dt:g}; {ensemble.n} runs per scenario, "
             f"{ensemble.sampling} design, seed {ensemble.seed} (the same parameter draws "
             "in every scenario)",
             "- fixed (calibrated) values: " + (f"`{_shown(spec.parameters)}`"
                                                 if spec.parameters else "model defaults")]
    if ensemble.uncertain:
        lines.append("- uncertain: " + "; ".join(u.describe() for u in ensemble.uncertain))
    if ensemble.posterior is not None:
        lines.append(f"- posterior draws: {ensemble.posterior.count} joint draws, resampled")
    if ensemble.observation_error is not None:
        lines.append("- predictive bands: each run's draw adds observation error to " + ", ".join(
            f"{e.variable} ({e.noise})" for e in ensemble.observation_error.entries))
    return "\n".join(lines)


def sensitivity(args: argparse.Namespace) -> int:
    from ..forecasting.distributed import chunked_evaluator
    from ..forecasting.plan import build_sensitivity
    from ..forecasting.report import write_sensitivity
    from ..forecasting.sensitivity import morris_screening, sobol_indices
    from ..forecasting.spec import load_spec

    check_output_folder(args.out)
    spec = load_spec(args.spec)
    problem = build_sensitivity(spec, args.scenario, _names(args.outputs), _years(args.years))
    d = problem.sampler.dimensions
    runs = args.n * (d + 2) if args.method == "sobol" else args.n * (d + 1)
    print(f"sdflow sensitivity: {args.method}, {d} parameter(s), {runs} runs", file=sys.stderr)
    started = time.perf_counter()
    digest = hashlib.sha256(args.spec.read_bytes()).hexdigest()[:16]
    evaluate = chunked_evaluator(
        problem, out_dir=args.out, chunk_size=args.chunk_size or spec.chunk_size,
        scheduler=args.scheduler, workers=args.workers, resume=args.resume,
        progress=ProgressBar(), note=f"spec {args.spec.name} sha256 {digest}",
        report=lambda message: print(f"sdflow sensitivity: {message}", file=sys.stderr))
    if args.method == "sobol":
        table = sobol_indices(problem, n=args.n, seed=args.seed, evaluate=evaluate)
    else:
        table = morris_screening(problem, trajectories=args.n, seed=args.seed,
                                 evaluate=evaluate)
    print(f"sdflow sensitivity: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    written = write_sensitivity(table, args.out, title=f"Sensitivity: {spec.path.stem}",
                                figures=not args.no_figures)
    for role, path in written.items():
        if role in ("table", "report"):
            print(f"wrote {path}")
    return 0
