"""Run the SDXorg test-models suite through sdflow and PySD; write docs/conformance.md.

Usage::

    python benchmarks/conformance.py DIR [--out docs/conformance.md] [--only NAME]

DIR holds ``tests/<feature>/`` and ``samples/<model>/`` folders, each with a model
(``.mdl`` and/or ``.xmile``) and its canonical output (``output.tab`` or ``output.csv``):
a checkout of the SDXorg test-models suite. Every model file is
copied to a scratch folder first (PySD writes its translation beside the model), run by
both engines, and compared with the canonical output (relative 1e-4, absolute 1e-6 near
zero). Times are wall-clock seconds of import + first run and of one more run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from sdflow.dsl.model import name_key
from sdflow.io import read_model
from sdflow.io.conformance import compare, read_canonical, sdflow_columns, split_column
from sdflow.solve.results import atomic_write

REPO = Path(__file__).resolve().parents[1]


def canonical_file(folder: Path) -> Path | None:
    for name in ("output.tab", "output.csv"):
        if (folder / name).exists():
            return folder / name
    return None


def column_key(column: str) -> tuple:
    name, elements = split_column(column)
    return name_key(name), tuple(name_key(e) for e in elements)


def run_sdflow(path: Path, canonical):
    t0 = time.perf_counter()
    model = read_model(path)
    results = model.simulate()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.simulate()
    again = time.perf_counter() - t0
    times = results.dataset["time"].values
    return times, sdflow_columns(model, results, canonical.columns), first, again


def run_pysd(path: Path, canonical):
    import pysd
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = (pysd.read_vensim if path.suffix == ".mdl" else pysd.read_xmile)(str(path))
        output = model.run()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.run()
        again = time.perf_counter() - t0
    by_key = {column_key(str(c)): c for c in output.columns}
    series = {}
    for column in canonical.columns:
        match = by_key.get(column_key(column))
        if match is not None:
            series[column] = output[match].to_numpy(dtype=float)
    return output.index.to_numpy(dtype=float), series, first, again


def check(engine, path: Path, canonical) -> dict:
    try:
        times, series, first, again = engine(path, canonical)
    except Exception as exc:  # record and go on: one broken model must not stop the table
        message = " ".join(str(exc).replace(str(path.parent) + "/", "").split())
        if not isinstance(exc, Exception) or "sdflow" not in type(exc).__module__:
            message = f"{type(exc).__name__}: {message}"
        return {"ok": False, "note": message[:300], "first": None, "again": None,
                "series": {}, "trace": traceback.format_exc()}
    return {"ok": None, "times": times, "series": series, "first": first, "again": again}


def evaluate(folder: Path, model_file: Path, canonical) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / folder.name
        shutil.copytree(folder, copy)
        target = copy / model_file.name
        ours = check(run_sdflow, target, canonical)
        peer = check(run_pysd, target, canonical)
    # compare the columns naming model variables: those either engine knows
    known = [c for c in canonical.columns if c in ours["series"] or c in peer["series"]]
    reference = canonical[known]
    for result in (ours, peer):
        if result["ok"] is None:
            problems = compare(result["times"], result["series"], reference) if known \
                else ["no column of the canonical output names a model variable"]
            result["ok"] = not problems
            result["note"] = "; ".join(problems[:2]) + (
                f" (+{len(problems) - 2} more)" if len(problems) > 2 else "")
    return {"ours": ours, "peer": peer, "columns": len(known)}


def model_files(root: Path, only: str | None):
    for group in ("tests", "samples"):
        for folder in sorted((root / group).glob("*")):
            if not folder.is_dir() or (only and only not in folder.name):
                continue
            canonical = canonical_file(folder)
            if canonical is None:
                continue
            for model_file in sorted(folder.glob("*.mdl")) + sorted(folder.glob("*.xmile")):
                yield f"{group}/{folder.name}", folder, model_file, canonical


def ms(value) -> str:
    return "-" if value is None else f"{1e3 * value:.3g}"


def median(rows: list, engine: str) -> float:
    both = [r[engine]["again"] for r in rows if r["ours"]["ok"] and r["peer"]["ok"]]
    return statistics.median(both) if both else None


def scope(root: Path) -> dict:
    """What the folder holds: feature and sample folders, model files by kind."""
    counts = {"features": sum(1 for f in (root / "tests").glob("*") if f.is_dir()),
              "samples": sum(1 for f in (root / "samples").glob("*") if f.is_dir())}
    for suffix in ("mdl", "xmile", "stmx"):
        counts[suffix] = sum(1 for group in ("tests", "samples")
                             for _ in (root / group).glob(f"*/*.{suffix}"))
    return counts


def feature_table(rows: list) -> list[str]:
    """One line per suite folder (the suite groups its models by feature)."""
    by_folder: dict[str, list] = {}
    for r in rows:
        by_folder.setdefault(r["label"], []).append(r)
    lines = ["| feature (suite folder) | files run | sdflow passes | PySD passes |",
             "|---|---|---|---|"]
    for label, group in by_folder.items():
        kinds = ", ".join(sorted({r["file"] for r in group}))
        lines.append(f"| {label} | {len(group)} ({kinds}) "
                     f"| {sum(bool(r['ours']['ok']) for r in group)} "
                     f"| {sum(bool(r['peer']['ok']) for r in group)} |")
    return lines


def table(rows: list, counts: dict) -> str:
    ours_pass = sum(r["ours"]["ok"] for r in rows)
    peer_pass = sum(r["peer"]["ok"] for r in rows)
    both = sum(r["ours"]["ok"] and r["peer"]["ok"] for r in rows)
    peer_only = [r for r in rows if r["peer"]["ok"] and not r["ours"]["ok"]]
    ours_only = [r for r in rows if r["ours"]["ok"] and not r["peer"]["ok"]]
    lines = [
        "# Conformance with the SDXorg test-models suite",
        "",
        "Each model of the suite (Vensim `.mdl` and XMILE `.xmile` versions) is imported and",
        "run by sdflow and by PySD 3.14.3 and compared with the suite's canonical output",
        "(every column naming a model variable, relative tolerance 1e-4, absolute 1e-6 near",
        "zero). Times are wall-clock milliseconds on a 2-core machine: import + first run,",
        "and one more run of the already imported model. Regenerate with",
        "`python benchmarks/conformance.py DIR`.",
        "",
        "## Scope: what was measured",
        "",
        f"The folder measured holds part of the SDXorg test-models suite: {counts['features']}",
        "of the suite's 153 feature tests (its `tests/` folders) and "
        f"{counts['samples']} of its samples,",
        f"{counts['mdl'] + counts['xmile'] + counts['stmx']} model files: "
        f"{counts['mdl']} Vensim `.mdl`, {counts['xmile']} XMILE `.xmile` "
        f"and {counts['stmx']} Stella `.stmx`.",
        "The table runs every `.mdl` and `.xmile` file of a folder that has a canonical",
        f"output ({len(rows)} files); the `.stmx` files are not run. Results on the other",
        "half of the suite, and on models outside it, are not measured here.",
        "",
        "## Results",
        "",
        f"- models: {len(rows)}; sdflow passes {ours_pass}, PySD passes {peer_pass}, "
        f"both pass {both}",
        f"- PySD passes and sdflow fails: {len(peer_only)}"
        + (f" ({', '.join(r['label'] for r in peer_only)})" if peer_only else ""),
        f"- sdflow passes and PySD fails: {len(ours_only)}"
        + (f" ({', '.join(r['label'] for r in ours_only)})" if ours_only else ""),
        "",
        f"- median time of a run of an imported model, models both engines pass: sdflow "
        f"{ms(median(rows, 'ours'))} ms, PySD {ms(median(rows, 'peer'))} ms",
        "",
        "Vensim re-reads INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER during a run, so",
        "they may change with TIME (tests/control_vars halves the time step at time 4).",
        "sdflow folds settings that are expressions of constants to numbers; settings that",
        "depend on TIME and constants are walked into a time grid before the run",
        "(`Model.vary_time_settings`), and settings that read the state are refused with an",
        "error naming the setting. Unit text is kept on imported models",
        "when it passes sdflow's unit check, and dropped with a warning otherwise; units",
        "never change the numbers, so they do not affect this table.",
        "",
        "## Per feature",
        "",
        *feature_table(rows),
        "",
        "## Per model file",
        "",
        "| model | file | sdflow | PySD | sdflow ms (import+run / run) "
        "| PySD ms (import+run / run) | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ours, peer = r["ours"], r["peer"]
        note = ""
        if not ours["ok"]:
            note = "sdflow: " + ours["note"]
        if not peer["ok"]:
            note += ("; " if note else "") + "PySD: " + peer["note"]
        note = note.replace("|", "/").replace("\n", " ")[:260]
        lines.append(
            f"| {r['label']} | {r['file']} | {'pass' if ours['ok'] else 'FAIL'} "
            f"| {'pass' if peer['ok'] else 'FAIL'} "
            f"| {ms(ours['first'])} / {ms(ours['again'])} "
            f"| {ms(peer['first'])} / {ms(peer['again'])} | {note} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path,
                        help="a checkout of the SDXorg test-models suite (tests/, samples/)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "conformance.md")
    parser.add_argument("--only", help="run only folders whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print tracebacks")
    args = parser.parse_args(argv)
    import pysd  # noqa: F401 - imported once here, so no model's time includes it
    from sdflow.io import builder  # noqa: F401
    rows = []
    for label, folder, model_file, canonical_path in model_files(args.dir, args.only):
        canonical = read_canonical(canonical_path)
        result = evaluate(folder, model_file, canonical)
        result.update(label=label, file=model_file.suffix.lstrip("."))
        rows.append(result)
        print(f"{label:55s} {result['file']:6s} sdflow {'pass' if result['ours']['ok'] else 'FAIL'}"
              f"  pysd {'pass' if result['peer']['ok'] else 'FAIL'}  "
              f"{'' if result['ours']['ok'] else result['ours']['note'][:150]}", flush=True)
        if args.verbose and "trace" in result["ours"]:
            print(result["ours"]["trace"])
    if not args.only:
        text = table(rows, scope(args.dir))
        atomic_write(args.out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        print(f"wrote {args.out}")
    ours = sum(r["ours"]["ok"] for r in rows)
    peer = sum(r["peer"]["ok"] for r in rows)
    print(f"sdflow {ours}/{len(rows)}, PySD {peer}/{len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
