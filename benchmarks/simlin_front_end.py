"""Simlin as a second front end: each suite model read by Simlin, written by Simlin as
XMILE, then read and run by sdflow's `read_xmile`.

Usage::

    python benchmarks/simlin_front_end.py DIR [--only NAME] [--out docs/conformance.md]

DIR is a checkout of (part of) the SDXorg test-models suite, as for
``benchmarks/conformance.py``. For every model file (``.mdl``, ``.xmile``, ``.stmx``) of
``DIR/tests/*`` and ``DIR/samples/*`` it prints one line: whether sdflow imports the
file directly, whether Simlin (pysimlin) opens it, whether sdflow reads Simlin's XMILE
and runs it, how the route's run compares with the canonical output (relative 1e-4,
absolute 1e-6 near zero) and, for files sdflow imports directly, whether the route
gives the same numbers for every variable both runs save. A summary follows. With
``--out`` the per-file results of the files sdflow does not import, and the summary, are
written as the section ``SECTION`` of that file (replaced in place, or added before the
speed section; ``benchmarks/conformance.py`` keeps it when it rewrites the file).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from sdflow.files import atomic_write
from sdflow.io import read_model, read_xmile
from sdflow.io.conformance import (ATOL, RTOL, compare, read_canonical, sdflow_columns,
                                   suite_data_files, suite_output)
from sdflow.names import name_key


SECTION = "## Simlin's XMILE as a second front end"
COMMAND = "python benchmarks/simlin_front_end.py DIR --out docs/conformance.md"


def splice_section(text: str, section: str) -> str:
    """``text`` with its `SECTION` (heading to the next ``## ``) replaced by ``section``;
    added before ``## Speed`` (or at the end) when ``text`` has none."""
    lines = text.splitlines()
    new = section.rstrip("\n").splitlines() + [""]
    if SECTION in lines:
        start = lines.index(SECTION)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        lines[start:end] = new
    else:
        at = next((i for i, line in enumerate(lines) if line.startswith("## Speed")),
                  len(lines))
        lines[at:at] = new
    return "\n".join(lines) + "\n"


def existing_section(text: str) -> str | None:
    """The `SECTION` of ``text`` (heading to the next ``## ``), or None."""
    lines = text.splitlines()
    if SECTION not in lines:
        return None
    start = lines.index(SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    return "\n".join(lines[start:end]).rstrip("\n") + "\n"


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def short(exc: Exception, scratch: Path) -> str:
    text = " ".join(str(exc).split())
    for folder in sorted({str(scratch), str(scratch.resolve())}, key=len, reverse=True):
        text = text.replace(folder + "/", "")
    return f"{type(exc).__name__}: {text}"


def simlin_xmile(path: Path, out: Path) -> None:
    """Simlin's reading of ``path`` written as XMILE to ``out``."""
    import simlin
    project = simlin.Project.open(path, autosave=False, watch=False)
    try:
        out.write_bytes(project.to_xmile())
    finally:
        project.close()


def same_numbers(direct, route) -> list[str]:
    """Variables of the direct run that the route run lacks or computes differently."""
    a, b = direct.dataset, route.dataset
    by_key = {name_key(str(v)): v for v in b.data_vars}
    problems = []
    for name in a.data_vars:
        other = by_key.get(name_key(str(name).replace("_", " "))) or by_key.get(name_key(str(name)))
        if other is None:
            problems.append(f"{name}: missing")
            continue
        x, y = a[name], b[other]
        if x.shape != y.shape or not np.allclose(x.values, y.values, rtol=RTOL, atol=ATOL,
                                                 equal_nan=True):
            problems.append(f"{name}: differs")
    return problems


def measure(path: Path, scratch: Path) -> dict:
    copy = scratch / path.parent.name
    shutil.copytree(path.parent, copy)
    target = copy / path.name
    row = {"file": path, "direct": None, "simlin": None, "route": None, "canonical": None,
           "same": None}
    canonical_path = suite_output(path)
    canonical = read_canonical(canonical_path) if canonical_path else None
    direct = None
    try:
        direct_model = quiet(read_model, target, data_files=suite_data_files(target))
        direct = quiet(direct_model.simulate)
        row["direct"] = "imports"
    except Exception as exc:  # noqa: BLE001 - every failure is a row of the table
        row["direct"] = short(exc, scratch)
    written = scratch / "simlin.xmile"
    try:
        quiet(simlin_xmile, target, written)
        row["simlin"] = "opens"
    except Exception as exc:  # noqa: BLE001
        row["simlin"] = short(exc, scratch)
        return row
    try:  # does Simlin itself run it? (the route does not need it to)
        import simlin
        quiet(lambda: simlin.load(str(target)).run(analyze_loops=False))
        row["simlin"] = "opens, runs"
    except Exception as exc:  # noqa: BLE001
        row["simlin"] = "opens, does not run: " + short(exc, scratch)
    try:
        model = quiet(read_xmile, written)
        results = quiet(model.simulate)
        row["route"] = "runs"
    except Exception as exc:  # noqa: BLE001
        row["route"] = short(exc, scratch)
        return row
    if canonical is not None:
        series = sdflow_columns(model, results, canonical.columns)
        columns = list(series)
        if direct is not None:  # columns the direct import matched must be matched too
            columns = sorted(set(columns) | set(sdflow_columns(direct_model, direct,
                                                                canonical.columns)))
        problems = compare(results.dataset["time"].values, series, canonical[columns]) \
            if columns else ["no canonical column names a variable"]
        row["canonical"] = "pass" if not problems else "FAIL " + "; ".join(problems[:2])
    if direct is not None:
        problems = same_numbers(direct, results)
        row["same"] = "same" if not problems else "LOSES " + "; ".join(problems[:3])
    return row


def label(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.name}"


PHRASES = {  # PySD's parser messages, shortened for the table
    "cannot parse the model: Rule 'expr_type' matched in its entirety, but it didn't "
    "consume all the text. The non-matching portion of the text begins with":
    "PySD's parser stops at",
    "cannot parse the model: Rule 'expr_type' didn't match at": "PySD's parser stops at",
    "Failed to parse MDL: import error: ImportError{generic:": "",
}


def cell(text, width: int = 150) -> str:
    text = "-" if text is None else str(text)
    for long, brief in PHRASES.items():
        text = text.replace(long, brief)
    text = " ".join(text.replace("|", "/").split())
    return text if len(text) <= width else text[:width - 3] + "..."


def summary(rows: list) -> list[str]:
    failed = [r for r in rows if r["direct"] != "imports"]
    ok = [r for r in rows if r["direct"] == "imports"]
    return [
        f"files: {len(rows)}; sdflow imports {len(ok)}, fails {len(failed)}",
        f"of the {len(failed)} sdflow fails on: Simlin opens "
        f"{sum(r['simlin'].startswith('opens') for r in failed)}, sdflow runs Simlin's XMILE of "
        f"{sum(r['route'] == 'runs' for r in failed)}, which pass the canonical output: "
        f"{sum(r['canonical'] == 'pass' for r in failed)}",
        f"of the {len(ok)} sdflow imports: Simlin opens "
        f"{sum(r['simlin'].startswith('opens') for r in ok)}, sdflow runs Simlin's XMILE of "
        f"{sum(r['route'] == 'runs' for r in ok)}, with the direct import's numbers "
        f"{sum(r['same'] == 'same' for r in ok)}, passing the canonical output "
        f"{sum(r['canonical'] == 'pass' for r in ok)}",
    ]


def section(rows: list) -> str:
    failed = [r for r in rows if r["direct"] != "imports"]
    lines = [SECTION, "",
             "Each model file is opened by Simlin (pysimlin 0.8.5), written by Simlin as "
             "XMILE (`Project.to_xmile`),",
             "then read and run by sdflow's `read_xmile` and compared with the canonical "
             f"output (`{COMMAND}`):", ""]
    lines += [f"- {line}" for line in summary(rows)]
    lines += ["", "The files sdflow does not import:", "",
              "| file | sdflow | Simlin | sdflow on Simlin's XMILE |", "|---|---|---|---|"]
    for r in failed:
        route = r["route"] if r["simlin"].startswith("opens") else "-"
        if r["route"] == "runs":
            route = f"runs; canonical: {r['canonical']}"
        lines.append(f"| {label(r['file'])} | {cell(r['direct'])} | {cell(r['simlin'])} "
                     f"| {cell(route)} |")
    ok = [r for r in rows if r["direct"] == "imports"]
    gained = sum(r["canonical"] == "pass" for r in failed)
    kept = sum(r["same"] == "same" for r in ok)
    verdict = ("would widen what runs" if gained and kept == len(ok) else
               "is not adopted as a fallback" if not gained else
               "would widen what runs but change the numbers of files sdflow imports today")
    lines += ["",
              f"Read through Simlin's XMILE, sdflow passes {gained} file(s) it does not import "
              f"today, and keeps the numbers of {kept} of the {len(ok)} it imports; the route "
              f"{verdict}.",
              "`read_xmile` parses Simlin's XMILE with the same PySD parser as the original "
              "file, and Simlin keeps",
              "what makes the broken exports incomplete (a call of `EXPRESSION MACRO` without "
              "its `<macro>`, the `???`",
              "equations of the subscript tests), so sdflow refuses them again after Simlin's "
              "rewrite; Simlin itself",
              "does not run them either (\"opens, does not run\"). As a main path the route "
              "would lose files: among other things",
              "Simlin writes a stock's flows by their display names "
              "(`<outflow>heat loss to room</outflow>` in",
              "teacup.mdl's XMILE), which PySD's parser rejects, and Simlin does not open "
              "Vensim files with external",
              "data (GET XLS, GET DIRECT) without a data provider."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--only")
    parser.add_argument("--out", type=Path,
                        help="write the results as a section of this markdown file")
    args = parser.parse_args(argv)
    files = [p for group in ("tests", "samples")
             for p in sorted((args.dir / group).glob("*/*"))
             if p.suffix in (".mdl", ".xmile", ".stmx")
             and (not args.only or args.only in p.parent.name)]
    rows = []
    for path in files:
        with tempfile.TemporaryDirectory() as scratch:
            row = measure(path, Path(scratch))
        rows.append(row)
        print(f"{label(path)} | direct: {row['direct']} | simlin: {row['simlin']} | "
              f"route: {row['route']} | canonical: {row['canonical']} | "
              f"vs direct: {row['same']}", flush=True)
    print()
    print("\n".join(summary(rows)))
    if args.out is not None and not args.only:
        text = splice_section(args.out.read_text(encoding="utf-8"), section(rows))
        atomic_write(args.out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
