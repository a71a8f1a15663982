"""`write_xmile` then `read_xmile` reproduces the numbers of every model that imports.

Each model file is imported and run; the model is written as XMILE and read back by sdflow,
and by PySD and Simlin where they read the written file; every run must match the
original run within the SDXorg suite's tolerance (relative 1e-4, absolute 1e-6 near zero,
`sdflow.io.conformance`). The models: the suite's files copied into ``tests/data`` (always
run, but for written files over `PEER_MAX_BYTES`, read back only in the suite run), and
every file of a checkout of the suite named by ``SDFLOW_CONFORMANCE_DIR`` (as the
benchmarks take it as an argument).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import sdflow as sf
from sdflow.io import read_model
from sdflow.io.conformance import ATOL, RTOL, split_column, suite_data_files
from sdflow.errors import UnsupportedFeatureError
from sdflow.names import name_key

DATA = Path(__file__).parents[1] / "data"
SUITE = Path(os.environ["SDFLOW_CONFORMANCE_DIR"]) if os.environ.get("SDFLOW_CONFORMANCE_DIR") \
    else None
MODEL_SUFFIXES = (".mdl", ".xmile", ".stmx")


def repository_models() -> list[Path]:
    files = [p for p in sorted((DATA / "conformance").iterdir()) if p.suffix in MODEL_SUFFIXES]
    files += [p for p in sorted((DATA / "io").glob("*/*")) if p.suffix in MODEL_SUFFIXES]
    return files


def suite_models() -> list[Path]:
    if SUITE is None or not SUITE.is_dir():
        return []
    return [p for group in ("tests", "samples") for p in sorted((SUITE / group).glob("*/*"))
            if p.suffix in MODEL_SUFFIXES]


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def imported(path: Path, tmp_path: Path):
    """The model and its run, read from a copy of its folder; None if it does not import."""
    copy = tmp_path / "original"
    shutil.copytree(path.parent, copy)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = read_model(copy / path.name, data_files=suite_data_files(path))
            return model, model.simulate()
    except sf.ModelError:
        return None  # a clear refusal: conformance reports these, the round trip cannot


def differences(expected: dict, actual: dict, engine: str) -> list[str]:
    problems = []
    for key, values in expected.items():
        if key not in actual:
            problems.append(f"{engine}: no series {key}")
            continue
        got = actual[key]
        if got.shape != values.shape:
            problems.append(f"{engine}: {key} has shape {got.shape}, expected {values.shape}")
        elif not np.allclose(got, values, rtol=RTOL, atol=ATOL, equal_nan=True):
            gap = np.abs(got - values)
            worst = int(np.argmax(np.where(np.isnan(gap), np.inf, gap)))
            problems.append(f"{engine}: {key} differs (at index {worst}: "
                            f"{got.flat[worst]!r} vs {values.flat[worst]!r})")
    return problems


def sdflow_series(results, key=name_key) -> dict[str, np.ndarray]:
    """Every saved element as its own series, by (name key, element keys)."""
    out = {}
    for var in results.dataset.data_vars:
        data = results.dataset[var]
        dims = [d for d in data.dims if d != "time"]
        values = np.asarray(data.transpose("time", *dims).values, dtype=float)
        for index in np.ndindex(*values.shape[1:]):
            elements = tuple(key(str(data[d].values[i])) for d, i in zip(dims, index))
            out[(key(str(var)), elements)] = values[(slice(None), *index)]
    return out


def table_series(frame, key) -> dict[str, np.ndarray]:
    """A peer's output table (``name`` or ``name[a, b]`` columns) by the same keys."""
    out = {}
    for column in frame.columns:
        name, elements = split_column(str(column))
        out[(key(name), tuple(key(e) for e in elements))] = frame[column].to_numpy(float)
    return out


def simlin_key(text: str) -> str:
    return name_key(text.replace("_", " "))  # Simlin writes names with underscores


#: (peer, model file) -> why the peer's numbers differ from sdflow's on the written file
PEER_SEMANTICS = {
    ("Simlin", "delay_fixed/test_delay_fixed.mdl"):
        "Vensim's DELAY FIXED (sdflow and PySD) is written as XMILE's DELAY, which Simlin "
        "runs as Stella does, without rounding the delay time to whole steps",
    ("Simlin", "subscripted_round/test_subscripted_round.mdl"):
        "Simlin's INT rounds negative numbers down (-0.5 to -1), Vensim's (sdflow and PySD) "
        "toward zero; Simlin fails the suite's output for the original file the same way",
    ("PySD", "control_vars/test_control_vars.mdl"):
        "its time settings change with TIME: PySD runs the numbers of <sim_specs> (their "
        "values at the initial time, steps of 1 to TIME 10); their equations are in "
        "sdflow's XMILE extension, which only read_xmile reads",
    ("Simlin", "control_vars/test_control_vars.mdl"):
        "its time settings change with TIME: Simlin runs the numbers of <sim_specs>, as "
        "PySD does",
    ("PySD", "arguments/test_arguments.mdl"):
        "PySD's SMOOTH N of a DELAY3 ('Outer Multiple Middle Multiple Inner Multiple') "
        "differs from Vensim's output on the original file too (docs/conformance.md)",
}


#: written files larger than this are not given to the peers, whose equation parsers take
#: minutes on them (vector_select's 800 kB of per-element VECTOR SELECT sums), and are
#: read back only in the suite run (``SDFLOW_CONFORMANCE_DIR`` set): sdflow's XMILE reader
#: parses equations with PySD's grammar, a minute or more for that file, which would
#: make up most of the default test run
PEER_MAX_BYTES = 100_000


def peer_problems(written: Path, results, model_label: str) -> list[str]:
    """PySD and Simlin on the written file: where they read and run it, the same numbers."""
    problems = []
    if written.stat().st_size > PEER_MAX_BYTES:
        return problems
    peers = {"PySD": (lambda: _pysd_table(written), name_key),
             "Simlin": (lambda: _simlin_table(written), simlin_key)}
    for engine, (run, key) in peers.items():
        if (engine, model_label) in PEER_SEMANTICS:
            continue
        try:
            frame = run()
        except Exception:  # noqa: BLE001 - a peer that cannot read the file is not ours
            continue
        # PySD saves every dt whatever the file's save interval: compare at our times
        saved = results.dataset["time"].values
        frame = frame[np.isclose(frame.index.to_numpy(float)[:, None], saved).any(axis=1)]
        ours = sdflow_series(results, key)
        theirs = {k: v for k, v in table_series(frame, key).items() if k in ours}
        problems += differences({k: ours[k] for k in theirs}, theirs, engine)
    return problems


def _pysd_table(path: Path):
    pysd = pytest.importorskip("pysd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pysd.read_xmile(str(path)).run()


def _simlin_table(path: Path):
    simlin = pytest.importorskip("simlin")
    return simlin.load(str(path)).run(analyze_loops=False).results


def round_trip_problems(path: Path, tmp_path: Path, peers: bool = True) -> list[str] | None:
    first = imported(path, tmp_path)
    if first is None:
        return None
    model, results = first
    written = tmp_path / "written.xmile"
    try:
        sf.write_xmile(model, written)
    except UnsupportedFeatureError as exc:
        # a clear refusal naming the construct, never a file that reads back wrong
        pytest.xfail(f"write_xmile refuses {label(path)}: {exc}")
    if SUITE is None and written.stat().st_size > PEER_MAX_BYTES:
        pytest.skip(f"{label(path)} is written ({written.stat().st_size} bytes) but read "
                    "back only when SDFLOW_CONFORMANCE_DIR is set (PySD's equation grammar "
                    "takes a minute or more on it)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = sf.read_xmile(written).simulate()
    problems = differences(sdflow_series(results), sdflow_series(again), "sdflow")
    return problems + (peer_problems(written, results, label(path)) if peers else [])


def check(path: Path, tmp_path: Path) -> None:
    problems = round_trip_problems(path, tmp_path)
    if problems is None:
        pytest.skip(f"{label(path)} does not import (a refusal the conformance table reports)")
    assert problems == [], "\n".join(problems[:10])


@pytest.mark.parametrize("path", repository_models(), ids=label)
def test_repository_models_round_trip(path, tmp_path):
    check(path, tmp_path)


@pytest.mark.skipif(not suite_models(), reason="no conformance suite folder: set "
                    "SDFLOW_CONFORMANCE_DIR to a checkout of the SDXorg test-models suite")
@pytest.mark.parametrize("path", suite_models() or [None], ids=lambda p: label(p) if p else "")
def test_suite_models_round_trip(path, tmp_path):
    check(path, tmp_path)
