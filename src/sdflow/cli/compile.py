"""``sdflow compile MODEL``: compile a model with numba ahead, so that later runs use it."""

from __future__ import annotations

import argparse
import sys

from ..files import cache_dir
from .run import parse_assignments


def register(sub) -> None:
    p = sub.add_parser(
        "compile", help="compile a model with numba, so that later runs use the compiled code",
        description="Compile a model with the optional numba package (seconds to a minute, "
                    "once per machine) and keep its machine code in sdflow's cache folder "
                    "($SDFLOW_CACHE_DIR, else ~/.cache/sdflow). Afterwards runs of the model "
                    "with the default backend ('auto': `sdflow run`, `model.simulate()`) and "
                    "the same method, per-run constants and saved variables run the "
                    "compiled code, in every process. Needs pip install numba.")
    p.add_argument("model", help="MODULE:ATTR, e.g. sdmodels.reference.bass:build "
                                 "(a Model or a factory returning one), file.py:ATTR, or a "
                                 "Vensim (.mdl) or XMILE (.xmile) model file")
    p.add_argument("--method", default="euler", choices=["euler", "heun", "rk4"],
                   help="the fixed-step method of the later runs (default: euler)")
    p.add_argument("--params", default="", metavar="NAME,NAME",
                   help="comma-separated constants the later runs set (simulate(params=...) "
                        "or `sdflow run --set`); the others are folded into the code")
    p.add_argument("--variables", help="comma-separated variables the later runs save "
                                       "(default: all, as `sdflow run` does)")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument for the model factory (repeatable)")
    p.set_defaults(func=compile_command)


def compile_command(args: argparse.Namespace) -> int:
    from ..forecasting.targets import load_model
    from ..solve.ahead import precompile
    model = load_model(args.model, parse_assignments(args.option, "--option", numeric=False))
    params = [p.strip() for p in args.params.split(",") if p.strip()]
    variables = [v.strip() for v in args.variables.split(",")] if args.variables else None
    compiled = precompile(model, params, method=args.method, variables=variables)
    name = compiled.graph.name
    how = (f"loaded from the cache in {compiled.jit_seconds:.2f} s (compiled earlier)"
           if compiled.from_cache else f"compiled in {compiled.jit_seconds:.1f} s")
    if compiled.warm_key is None:
        print(f"model '{name}': numba code {how}, but it could not be kept in a cache "
              f"folder ({cache_dir()}), so later processes do not find it; set "
              "SDFLOW_CACHE_DIR to a writable folder and compile again", file=sys.stderr)
        return 1
    per_run = f", per-run constants {params}" if params else ""
    print(f"model '{name}': numba code for method {args.method}{per_run} {how}; kept in "
          f"{cache_dir() / 'numba'}. Runs with the default backend now use it.")
    return 0
