"""Run the SDXorg test-models suite through sdflow, PySD and Simlin; write docs/conformance.md.

Usage::

    python benchmarks/conformance.py DIR [--out docs/conformance.md] [--only NAME]
        [--repeats 5] [--batch 100]
    python benchmarks/conformance.py DIR --round-trip [--only NAME]

DIR holds ``tests/<feature>/`` and ``samples/<model>/`` folders, each with a model
(``.mdl``, ``.xmile`` and/or ``.stmx``) and its canonical output (``output.tab`` or
``output.csv``): a checkout of (part of) the SDXorg test-models suite. Every model file is
copied to a scratch folder first (PySD writes its translation beside the model), run by
the three engines, and compared with the canonical output (relative 1e-4, absolute 1e-6
near zero). Times: import + first run, then the engines take turns for ``--repeats``
rounds of one more run and of a batch of ``--batch`` runs (medians).
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

from sdflow.errors import IncompleteModelError
from sdflow.names import name_key
from sdflow.io import read_model
from sdflow.io.conformance import (compare, read_canonical, sdflow_columns, split_column,
                                   suite_data_files, suite_output)
from sdflow.files import atomic_write

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
    model = read_model(path, data_files=suite_data_files(path))
    results = model.simulate()
    first = time.perf_counter() - t0
    times = results.dataset["time"].values
    return (times, sdflow_columns(model, results, canonical.columns), first,
            model.simulate, lambda n: model.simulate(n=n))


def run_pysd(path: Path, canonical):
    import pysd
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data_files = suite_data_files(path)
        if data_files:  # the run's data files, as Vensim's run was given them
            model = pysd.read_vensim(str(path),
                                     data_files=[str(path.parent / f) for f in data_files])
        else:
            model = (pysd.read_vensim if path.suffix == ".mdl" else pysd.read_xmile)(str(path))
        output = model.run()
        first = time.perf_counter() - t0
    by_key = {column_key(str(c)): c for c in output.columns}
    series = {}
    for column in canonical.columns:
        match = by_key.get(column_key(column))
        if match is not None:
            series[column] = output[match].to_numpy(dtype=float)

    def rerun():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.run()

    return output.index.to_numpy(dtype=float), series, first, rerun, None


def simlin_key(column: str) -> tuple:
    # Simlin names its columns in lower case with underscores ("heat_loss_to_room[a]")
    name, elements = split_column(column)
    return (name_key(name.replace("_", " ")),
            tuple(name_key(e.replace("_", " ")) for e in elements))


def run_simlin(path: Path, canonical):
    import simlin
    t0 = time.perf_counter()
    model = simlin.load(str(path))
    output = model.run(analyze_loops=False).results
    first = time.perf_counter() - t0
    by_key = {simlin_key(str(c)): c for c in output.columns}
    if simlin_key("dt") in by_key:  # Simlin calls TIME STEP dt
        by_key.setdefault(simlin_key("time step"), by_key[simlin_key("dt")])
    series = {}
    for column in canonical.columns:
        match = by_key.get(simlin_key(column))
        if match is not None:
            series[column] = output[match].to_numpy(dtype=float)

    def rerun():
        model.run(analyze_loops=False)

    def batch(n):  # Simlin runs one simulation per call
        for _ in range(n):
            model.run(analyze_loops=False)

    return output.index.to_numpy(dtype=float), series, first, rerun, batch


CONTROL_SETTINGS = {"initial time", "final time", "time step", "saveper"}
ENGINES = {"ours": run_sdflow, "peer": run_pysd, "simlin": run_simlin}
NAMES = {"ours": "sdflow", "peer": "PySD", "simlin": "Simlin"}


def check(engine, path: Path, canonical) -> dict:
    try:
        times, series, first, rerun, batch = engine(path, canonical)
    except Exception as exc:  # record and go on: one broken model must not stop the table
        message = " ".join(str(exc).replace(str(path.parent) + "/", "").split())
        if not isinstance(exc, Exception) or "sdflow" not in type(exc).__module__:
            message = f"{type(exc).__name__}: {message}"
        return {"ok": False, "read": False, "note": message[:300], "first": None,
                "again": None, "batch": None, "series": {},
                "trace": traceback.format_exc(),
                "incomplete": isinstance(exc, IncompleteModelError)}
    return {"ok": None, "read": True, "times": times, "series": series, "first": first,
            "rerun": rerun, "run_batch": batch, "again": None, "batch": None}


def time_runs(results: dict, repeats: int, batch_size: int) -> None:
    """Median seconds of one more run and of a batch, the engines taking turns.

    Interleaving puts every engine under the same load from other jobs on the machine.
    """
    ran = {k: r for k, r in results.items() if r["read"]}
    singles = {k: [] for k in ran}
    batches = {k: [] for k, r in ran.items() if r["run_batch"] is not None}
    for _ in range(repeats):
        for key, result in ran.items():
            try:
                t0 = time.perf_counter()
                result["rerun"]()
                singles[key].append(time.perf_counter() - t0)
                if key in batches:
                    t0 = time.perf_counter()
                    result["run_batch"](batch_size)
                    batches[key].append((time.perf_counter() - t0) / batch_size)
            except Exception:  # a run that fails again is reported by its first run
                continue
    for key, result in ran.items():
        result["again"] = statistics.median(singles[key]) if singles[key] else None
        result["batch"] = statistics.median(batches[key]) if batches.get(key) else None
        del result["rerun"], result["run_batch"]


def round_trip(path: Path, scratch: Path) -> str:
    """sdflow's import written by `write_xmile` and read back: "pass", "refused" (a clear
    refusal to export), "differs" or "-" when the model does not import."""
    import numpy as np

    from sdflow.io import UnsupportedFeatureError, read_xmile, write_xmile
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = read_model(path, data_files=suite_data_files(path))
            before = model.simulate().dataset
    except Exception:  # noqa: BLE001 - the conformance columns report import failures
        return "-"
    written = scratch / "round_trip.xmile"
    try:
        write_xmile(model, written)
    except UnsupportedFeatureError:
        return "refused"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            after = read_xmile(written).simulate().dataset
        same = all(name in after and after[name].shape == before[name].shape
                   and np.allclose(after[name].values, before[name].values, rtol=1e-4,
                                   atol=1e-6, equal_nan=True)
                   for name in before.data_vars)
    except Exception:  # noqa: BLE001 - a file that does not read back is a failure
        same = False
    return "pass" if same else "differs"


def evaluate(folder: Path, model_file: Path, canonical, repeats: int = 5,
             batch_size: int = 100) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / folder.name
        shutil.copytree(folder, copy)
        target = copy / model_file.name
        results = {key: check(engine, target, canonical) for key, engine in ENGINES.items()}
        time_runs(results, repeats, batch_size)
        trip = round_trip(target, Path(scratch))
    # compare the columns naming model variables: those any engine knows
    known = [c for c in canonical.columns if any(c in r["series"] for r in results.values())]
    for key, result in results.items():
        if result["ok"] is None:
            # Simlin does not report SAVEPER, a setting rather than a model variable
            compared = [c for c in known if key != "simlin" or c in result["series"]
                        or name_key(c) not in CONTROL_SETTINGS]
            problems = compare(result["times"], result["series"], canonical[compared]) \
                if known else ["no column of the canonical output names a model variable"]
            result["ok"] = not problems
            result["note"] = "; ".join(problems[:2]) + (
                f" (+{len(problems) - 2} more)" if len(problems) > 2 else "")
    return {**results, "columns": len(known), "round_trip": trip}


def model_files(root: Path, only: str | None):
    for group in ("tests", "samples"):
        for folder in sorted((root / group).glob("*")):
            if not folder.is_dir() or (only and only not in folder.name):
                continue
            if canonical_file(folder) is None:
                continue
            for model_file in sorted(folder.glob("*.mdl")) + sorted(folder.glob("*.xmile")) \
                    + sorted(folder.glob("*.stmx")):
                canonical = suite_output(model_file)
                if canonical is not None:
                    yield f"{group}/{folder.name}", folder, model_file, canonical


def ms(value) -> str:
    return "-" if value is None else f"{1e3 * value:.3g}"


def median(rows: list, engine: str, field: str = "again") -> float | None:
    """Median over the models every engine passes (so each median covers the same set)."""
    values = [r[engine][field] for r in rows
              if all(r[k]["ok"] for k in ENGINES) and r[engine][field] is not None]
    return statistics.median(values) if values else None


def scope(root: Path) -> dict:
    """What the folder holds: feature and sample folders, model files by kind."""
    counts = {"features": sum(1 for f in (root / "tests").glob("*") if f.is_dir()),
              "samples": sum(1 for f in (root / "samples").glob("*") if f.is_dir())}
    for suffix in ("mdl", "xmile", "stmx"):
        counts[suffix] = sum(1 for group in ("tests", "samples")
                             for _ in (root / group).glob(f"*/*.{suffix}"))
    return counts


def passes(rows: list, key: str) -> int:
    return sum(bool(r[key]["ok"]) for r in rows)


def feature_table(rows: list) -> list[str]:
    """One line per suite folder (the suite groups its models by feature)."""
    by_folder: dict[str, list] = {}
    for r in rows:
        by_folder.setdefault(r["label"], []).append(r)
    lines = ["| feature (suite folder) | files run | sdflow passes | PySD passes "
             "| Simlin passes |", "|---|---|---|---|---|"]
    for label, group in by_folder.items():
        kinds = ", ".join(sorted({r["file"] for r in group}))
        lines.append(f"| {label} | {len(group)} ({kinds}) | {passes(group, 'ours')} "
                     f"| {passes(group, 'peer')} | {passes(group, 'simlin')} |")
    return lines


def incomplete(row: dict) -> bool:
    """sdflow refused the file as incomplete (`IncompleteModelError`): a broken export."""
    return bool(row["ours"].get("incomplete"))


def unparsed(row: dict) -> bool:
    """PySD's parser, sdflow's front end, stops at the file (or at an equation of it)."""
    return not row["ours"]["ok"] and (incomplete(row) or "cannot parse" in row["ours"]["note"])


def front_end_summary(rows: list) -> list[str]:
    """What each front end reads, per file kind, and what sdflow or Simlin would pass."""
    lines = ["| files | count | read by PySD's parser (sdflow's front end) | sdflow passes "
             "| Simlin reads | Simlin passes | sdflow or Simlin passes |",
             "|---|---|---|---|---|---|---|"]
    for kind in ("mdl", "xmile", "stmx", "all"):
        group = [r for r in rows if kind in ("all", r["file"])]
        parsed = sum(not unparsed(r) for r in group)
        either = sum(bool(r["ours"]["ok"] or r["simlin"]["ok"]) for r in group)
        lines.append(f"| {kind} | {len(group)} | {parsed} | {passes(group, 'ours')} "
                     f"| {sum(r['simlin']['read'] for r in group)} "
                     f"| {passes(group, 'simlin')} | {either} |")
    return lines


def table(rows: list, counts: dict, repeats: int, batch_size: int) -> str:
    pass_count = {k: passes(rows, k) for k in ENGINES}
    every = sum(all(r[k]["ok"] for k in ENGINES) for r in rows)
    peer_only = [r for r in rows if r["peer"]["ok"] and not r["ours"]["ok"]]
    ours_only = [r for r in rows if r["ours"]["ok"] and not r["peer"]["ok"]]
    simlin_only = [r for r in rows if r["simlin"]["ok"] and not r["ours"]["ok"]]
    broken = [r for r in rows if incomplete(r)]
    gaps = [r for r in rows if not r["ours"]["ok"] and not incomplete(r)]
    engines_run_broken = [r for r in broken if r["peer"]["ok"] or r["simlin"]["ok"]]

    def labels(group):
        return f" ({', '.join(r['label'] + ' ' + r['file'] for r in group)})" if group else ""

    def ratio(engine, field="again"):
        a, b = median(rows, engine, field), median(rows, "ours", field)
        return f"{a / b:.3g}x" if a and b else "-"

    lines = [
        "# Conformance with the SDXorg test-models suite",
        "",
        "Each model file of the folder (Vensim `.mdl`, XMILE `.xmile`, Stella `.stmx`) is",
        "imported and run by sdflow, by PySD 3.14.3 and by Simlin (pysimlin 0.8.5) and",
        "compared with the suite's canonical output (every column naming a model variable,",
        "relative tolerance 1e-4, absolute 1e-6 near zero). Regenerate with",
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
        f"The table runs every model file of a folder that has a canonical output "
        f"({len(rows)} files).",
        "Results on the rest of the suite, and on models outside it, are not measured here.",
        "",
        "## Results",
        "",
        f"- model files: {len(rows)}; sdflow passes {pass_count['ours']}, PySD passes "
        f"{pass_count['peer']}, Simlin passes {pass_count['simlin']}; all three pass {every}",
        f"- PySD passes and sdflow fails: {len(peer_only)}{labels(peer_only)}",
        f"- sdflow passes and PySD fails: {len(ours_only)}{labels(ours_only)}",
        f"- Simlin passes and sdflow fails: {len(simlin_only)}{labels(simlin_only)}",
        f"- broken exports (sdflow: IncompleteModelError): {len(broken)}; PySD or Simlin "
        f"passes {len(engines_run_broken)} of them{labels(engines_run_broken)}",
        f"- the real gaps, files sdflow fails that are not broken exports: "
        f"{len(gaps)}{labels(gaps)}",
        "",
        "The broken exports are XMILE and Stella versions of Vensim tests, written by a",
        "converter (xmutil) that left them incomplete: the macro tests call `EXPRESSION",
        "MACRO(...)` with no `<macro>` element defining it (their `.mdl` versions define the",
        "macro and pass), and the subscript tests have equations `???`, the converter's",
        "placeholder for what it could not convert. sdflow refuses them with",
        "`IncompleteModelError`, naming the file, the variable and the cause. They stay in",
        "the totals above, as failures of each engine that does not run them, but are not",
        "gaps of an engine: the fix is a complete export.",
        "",
        "Two folders need more than the model file. tests/data_from_other_model's test model",
        "has data variables without a source, which Vensim reads from the data files its",
        "run is given: sdflow and PySD are given `data.tab` (the output of the folder's",
        "model_to_generate_data.mdl, which is compared with that file), as the suite's",
        "runners do (`read_vensim(path, data_files=...)`). tests/get_time_value's",
        "test_get_time_value.mdl asks GET TIME VALUE for every calendar measure (measures 1",
        "to 10: year, month, day of week... of the model's base date, which sdflow does not",
        "read and refuses by name) and has no output of its own (the folder's output.tab is",
        "test_get_time_value_simple.mdl's); GET TIME VALUE relative to the initial time is",
        "checked by `tests/io/test_function_coverage.py` against Vensim's documentation.",
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
        "Functions no model run here uses are checked by the tests instead (the suite's",
        "feature tests for them are not in this folder, or lack an output): Vensim's RANDOM",
        "functions (RANDOM 0 1, UNIFORM, NORMAL, EXPONENTIAL, POISSON, TRIANGULAR, BETA,",
        "BINOMIAL, GAMMA, WEIBULL and NEGATIVE BINOMIAL: their distributions, truncation and",
        "per-run streams; Vensim's own random numbers are not reproduced; RANDOM LOOKUP and",
        "RANDOM PINK NOISE are refused by name), VECTOR LOOKUP, a SAVEPER that is not a",
        "multiple of TIME STEP (the step nearest each multiple is saved) and GET DIRECT",
        "DATA/LOOKUPS/CONSTANTS from CSV files (`tests/compile/test_noise.py`,",
        "`tests/io/test_vensim_random.py`,",
        "`tests/solve/test_saveper.py`, `tests/io/test_external_files.py`, against PySD where",
        "PySD computes the same numbers and against Vensim's documentation otherwise).",
        "",
        "## XMILE round trip",
        "",
        "Every model sdflow imports is written by `write_xmile`, read back by `read_xmile`",
        "and run again (every saved variable compared, same tolerance; the tests also run",
        "PySD and Simlin on the written file, `tests/io/test_round_trip.py`):",
        "",
        *(f"- {outcome}: {sum(r['round_trip'] == outcome for r in rows)}"
          for outcome in ("pass", "refused", "differs")),
        "",
        "\"refused\" is `UnsupportedFeatureError` naming a construct without an XMILE form",
        "(a random draw XMILE's statistical builtins do not state). ALLOCATE BY PRIORITY is",
        "written as Stella's `ALLOCATE(supply, dim, request[dim!], priority[dim!], width, 1)`",
        "with the rectangular priority profile, which is Vensim's ALLOCATE BY PRIORITY (PySD's",
        "ALLOCATE AVAILABLE with that profile and its ALLOCATE BY PRIORITY agree to 5e-9,",
        "`tests/io/test_xmile_writer.py`); `read_xmile` reads it and Simlin's own form",
        "`allocate_by_priority(...)`. Neither PySD nor Simlin runs the written ALLOCATE",
        "(PySD: not implemented function 'allocate'; Simlin does not compile it). Time",
        "settings that change with TIME are written as their values at the initial time in",
        "`<sim_specs>`, which PySD and Simlin run (tests/control_vars: steps of 1 to TIME 10,",
        "where Vensim steps by 0.5 from TIME 4 and runs to 50), and as their equations in",
        "sdflow's namespace (`<sdflow:time_settings>`, `sdflow.io.xmile_time_settings`),",
        "which `read_xmile` re-reads at every step as Vensim does. Names are",
        "written with XMILE's escapes (a line break as `\\n`, a backslash as `\\\\`); random",
        "draws as XMILE's RANDOM, NORMAL, EXPRND and POISSON where these state the same",
        "distribution, other draws are refused by name (no model here draws). Equations",
        "that differ per element, subranges and subscript mappings are written as XMILE",
        "non-apply-to-all",
        "arrays (one `<element>` with its own `<eqn>` per element); Vensim's PULSE, PULSE",
        "TRAIN and RAMP with an end as IF THEN ELSE on TIME (XMILE's PULSE is another",
        "function); ACTIVE INITIAL as the values it gives while the model initialises (the",
        "initial values of stocks and smooths that read it). The test also runs PySD and",
        "Simlin on each written file under 100 kB that they read, but where they differ",
        "from Vensim on the original file too or run other time settings (control_vars)",
        "(`SDFLOW_CONFORMANCE_DIR=DIR pytest",
        "tests/io/test_round_trip.py`). Without that variable, written files over 100 kB",
        "(vector_select's 800 kB, whose equations PySD's grammar, which `read_xmile` uses,",
        "parses in a minute or more) are written but not read back.",
        "",
        "## Front ends",
        "",
        "sdflow reads model files through PySD's parsers (its abstract model). Simlin parses",
        "them itself. Per file kind, what each front end reads and what passes:",
        "",
        *front_end_summary(rows),
        "",
        f"Simlin passes {len(simlin_only)} file(s) sdflow does not{labels(simlin_only)}, "
        f"and fails {sum(bool(r['ours']['ok'] and not r['simlin']['ok']) for r in rows)} "
        "that sdflow passes. Files PySD's parser gives up on (the broken exports are",
        "marked so):",
        *(f"- {r['label']} {r['file']}{' (broken export)' if incomplete(r) else ''}: Simlin "
          + ("passes" if r["simlin"]["ok"] else "reads it but fails" if r["simlin"]["read"]
             else "cannot read it either")
          for r in rows if unparsed(r)),
        "",
        "So reading through Simlin as a fallback could widen what runs by at most the",
        "files above that Simlin passes. Reading Simlin's own XMILE of each file was",
        "measured (next section) and is not adopted: PySD's parser stays sdflow's only",
        "front end.",
        "",
        "## Speed of imported models",
        "",
        f"Wall-clock times on a 2-core machine shared with other jobs: the engines take turns "
        f"({repeats} rounds,",
        f"medians), one more run of the already imported model, and per run of a batch of "
        f"{batch_size}",
        "(sdflow: one batched call `simulate(n=...)`; Simlin: one call per run; PySD is not",
        "timed in batches). Medians over the models all three engines pass:",
        "",
        "| engine | single run (ms) | vs sdflow | per run in a batch (ms) | vs sdflow |",
        "|---|---|---|---|---|",
        *(f"| {NAMES[k]} | {ms(median(rows, k))} | {ratio(k)} "
          f"| {ms(median(rows, k, 'batch'))} | {ratio(k, 'batch')} |" for k in ENGINES),
        "",
        "## Per feature",
        "",
        *feature_table(rows),
        "",
        "## Per model file",
        "",
        "ms: import + first run / one more run (median) / per run in a batch.",
        "",
        "| model | file | sdflow | PySD | Simlin | sdflow ms | PySD ms | Simlin ms "
        "| round trip | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        notes = [f"{NAMES[k]}: {r[k]['note']}" for k in ENGINES if not r[k]["ok"]]
        note = "; ".join(notes).replace("|", "/").replace("\n", " ")[:300]
        cells = [f"{ms(r[k]['first'])} / {ms(r[k]['again'])}"
                 + (f" / {ms(r[k]['batch'])}" if r[k]["batch"] is not None else "")
                 for k in ENGINES]
        lines.append(
            f"| {r['label']} | {r['file']} | "
            + " | ".join("pass" if r[k]["ok"] else "FAIL" for k in ENGINES)
            + f" | {' | '.join(cells)} | {r['round_trip']} | {note} |")
    return "\n".join(lines) + "\n"


def print_round_trips(root: Path, only: str | None) -> int:
    """`round_trip` of every model file: each outcome but "pass", then the counts."""
    counts: dict[str, int] = {}
    for label, folder, model_file, _ in model_files(root, only):
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / folder.name
            shutil.copytree(folder, copy)
            outcome = round_trip(copy / model_file.name, Path(scratch))
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome != "pass":
            print(f"{label:55s} {model_file.name:45s} {outcome}", flush=True)
    print(", ".join(f"{outcome}: {counts.get(outcome, 0)}"
                    for outcome in ("pass", "refused", "differs", "-"))
          + " ('-': does not import)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path,
                        help="a checkout of the SDXorg test-models suite (tests/, samples/)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "conformance.md")
    parser.add_argument("--only", help="run only folders whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print tracebacks")
    parser.add_argument("--repeats", type=int, default=5, help="timing rounds per model")
    parser.add_argument("--batch", type=int, default=100, help="runs in a timed batch")
    parser.add_argument("--round-trip", action="store_true",
                        help="only write each model sdflow imports as XMILE, read it back "
                             "and print the outcomes (the counts of the round-trip section; "
                             "the document is not rewritten)")
    args = parser.parse_args(argv)
    if args.round_trip:
        return print_round_trips(args.dir, args.only)
    import pysd  # noqa: F401 - imported once here, so no model's time includes it
    import simlin  # noqa: F401
    from sdflow.io import builder  # noqa: F401
    rows = []
    for label, folder, model_file, canonical_path in model_files(args.dir, args.only):
        canonical = read_canonical(canonical_path)
        result = evaluate(folder, model_file, canonical, args.repeats, args.batch)
        result.update(label=label, file=model_file.suffix.lstrip("."), path=model_file.name)
        rows.append(result)
        print(f"{label:55s} {result['file']:6s} "
              + "  ".join(f"{NAMES[k]} {'pass' if result[k]['ok'] else 'FAIL'}"
                          for k in ENGINES)
              + f"  {'' if result['ours']['ok'] else result['ours']['note'][:150]}",
              flush=True)
        if args.verbose and "trace" in result["ours"]:
            print(result["ours"]["trace"])
    if not args.only:
        text = table(rows, scope(args.dir), args.repeats, args.batch)
        # the Simlin front-end section is measured by simlin_front_end.py: keep it
        from simlin_front_end import existing_section, splice_section
        kept = existing_section(args.out.read_text(encoding="utf-8")) \
            if args.out.exists() else None
        if kept is not None:
            text = splice_section(text, kept)
        atomic_write(args.out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        print(f"wrote {args.out}")
    print(", ".join(f"{NAMES[k]} {passes(rows, k)}/{len(rows)}" for k in ENGINES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
