"""``sdflow run MODULE:ATTR``: simulate a model and print or save the results."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .arguments import ArgumentValueError, check_output_file


def register(sub) -> None:
    p = sub.add_parser("run", help="simulate a model",
                       description="Simulate a model and print its final values, or save "
                                   "all results to netCDF (.nc) or CSV (.csv).")
    p.add_argument("model", help="MODULE:ATTR, e.g. sdmodels.reference.bass:build "
                                 "(a Model or a factory returning one), file.py:ATTR, or a "
                                 "Vensim (.mdl) or XMILE (.xmile) model file")
    p.add_argument("--start", type=float, help="start time")
    p.add_argument("--stop", type=float, help="stop time")
    p.add_argument("--dt", type=float, help="integration time step")
    p.add_argument("--saveper", type=float, help="saving interval, at least dt (the step "
                   "nearest each multiple is saved)")
    p.add_argument("--method", default="euler", choices=["euler", "heun", "rk4", "rk45"])
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant (repeatable); VALUE is a number or "
                        "comma-separated numbers for an arrayed constant")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument for the model factory (repeatable)")
    p.add_argument("--variables", help="comma-separated variables to save")
    p.add_argument("--out", type=Path, help="write results to FILE.nc or FILE.csv")
    p.set_defaults(func=run)


def parse_assignments(items: list[str], flag: str, numeric: bool = True) -> dict:
    """``["a=1", "b=2,3"]`` -> ``{"a": 1.0, "b": [2.0, 3.0]}`` with clear errors."""
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise ArgumentValueError(f"{flag} {item!r}: write NAME=VALUE")
        text = text.strip()
        if not numeric:
            values[name.strip()] = _guess(text)
            continue
        try:
            parts = [float(x) for x in text.split(",")]
        except ValueError:
            raise ArgumentValueError(f"{flag} {item!r}: '{text}' is not a number (or "
                                     "comma-separated numbers)") from None
        values[name.strip()] = parts[0] if len(parts) == 1 else parts
    return values


def _guess(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def run(args: argparse.Namespace) -> int:
    from ..forecasting.targets import load_model
    model = load_model(args.model, parse_assignments(args.option, "--option", numeric=False))
    params = parse_assignments(args.set, "--set")
    if args.out is not None:
        check_output_file(args.out)
        if args.out.suffix not in (".nc", ".csv"):
            raise ArgumentValueError(f"--out {args.out}: the file must end in .nc or .csv")
    variables = [v.strip() for v in args.variables.split(",")] if args.variables else None
    results = model.simulate(params=params, method=args.method, start=args.start,
                             stop=args.stop, dt=args.dt, saveper=args.saveper,
                             variables=variables)
    if args.out is not None:
        (results.to_netcdf if args.out.suffix == ".nc" else results.to_csv)(args.out)
        print(f"wrote {args.out}")
    print(summary(results, variables))
    return 0


def summary(results, variables=None) -> str:
    """Start and end values of the stocks (or of ``variables``), one line per element.

    Variables over two or more dimensions are shown as their mean over the last one. When
    the last two dimensions list the same elements (a pair of a dimension with itself, like
    ``member`` x ``partner``), the mean leaves out the diagonal: a member with itself is no
    pair, and pairwise quantities (trade, trust, integration between members) mean nothing
    there.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("pairs", start=0, stop=1, dt=1)
    >>> member = m.dim("member", ["a", "b", "c"])
    >>> partner = m.dim("partner", ["a", "b", "c"])
    >>> trust = m.stock("trust", initial=[[9, 1, 2], [3, 9, 5], [4, 6, 9]],
    ...                 dims=[member, partner])
    >>> print(summary(m.simulate()).splitlines()[2].rstrip())  # (1 + 2) / 2, not 12 / 3
    trust[a] (mean over partner, diagonal left out)               1.5          1.5
    """
    ds = results.dataset
    t0, t1 = ds["time"].values[0], ds["time"].values[-1]
    units = ds.attrs.get("time_units", "")
    if variables is None:
        variables = [v for v in ds.data_vars if ds[v].attrs.get("kind") == "stock"] or [
            v for v in ds.data_vars if "time" in ds[v].dims]
    lines = [f"model '{ds.attrs.get('model')}', {len(ds['time'])} saved times "
             f"from {t0:g} to {t1:g} {units}".rstrip(),
             f"{'variable':<52} {'at start':>12} {'at end':>12}  units"]
    for name in variables:
        var = results[name]
        if "time" not in var.dims:
            continue
        if "run" in var.dims:
            var = var.median("run")
        label, note = str(name), ""
        extra = [d for d in var.dims if d != "time"]
        if len(extra) >= 2:
            note = f" (mean over {extra[-1]})"
            pairs = _pairs_of_distinct_elements(var, extra[-2], extra[-1])
            if pairs is not None:
                note = f" (mean over {extra[-1]}, diagonal left out)"
                var = var.where(pairs)
            var = var.mean(extra[-1])
            extra = extra[:-1]
        first, last = var.isel(time=0), var.isel(time=-1)
        unit = var.attrs.get("units", "") or results[name].attrs.get("units", "")
        if not extra:
            row = label + note
            lines.append(f"{row[:52]:<52} {float(first):12.6g} {float(last):12.6g}  {unit}")
            continue
        for element in var[extra[0]].values:
            row = f"{label}[{element}]{note}"
            lines.append(f"{row[:52]:<52} {float(first.sel({extra[0]: element})):12.6g} "
                         f"{float(last.sel({extra[0]: element})):12.6g}  {unit}")
    return "\n".join(lines)


def _pairs_of_distinct_elements(var, row: str, column: str):
    """True where ``row`` and ``column`` name different elements, if the two dimensions
    list the same elements in the same order (and more than one); otherwise None."""
    rows, columns = var[row].values, var[column].values
    if len(rows) < 2 or len(rows) != len(columns) or not (rows == columns).all():
        return None
    return var[row] != var[column]
