"""Simlin's XMILE as a second front end, as measured by `benchmarks/simlin_front_end.py`.

The script opens each model with Simlin (pysimlin), writes Simlin's XMILE and reads that
with sdflow's `read_xmile`; its findings are a section of docs/conformance.md, which
`benchmarks/conformance.py` keeps when it rewrites the file. Expected outcomes are those
of the measurement with pysimlin 0.8.5 (docs/conformance.md): the route reproduces the
direct import where PySD's parser reads Simlin's XMILE, and does not run the files that
PySD's parser stops at, because `read_xmile` reads Simlin's XMILE with the same parser, nor
the incomplete exports of the suite (a macro call without its macro, equations ``???``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUITE = Path(os.environ["SDFLOW_CONFORMANCE_DIR"]) if os.environ.get("SDFLOW_CONFORMANCE_DIR") \
    else None


def _load_script():
    spec = importlib.util.spec_from_file_location("simlin_front_end",
                                                  REPO / "benchmarks" / "simlin_front_end.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


script = _load_script()

DOC = "# Title\n\n## Results\n\ntext\n\n## Speed of imported models\n\nspeed\n"


def test_section_is_added_before_the_speed_section_then_replaced_in_place():
    first = script.splice_section(DOC, f"{script.SECTION}\n\nfirst finding\n")
    assert first.index(script.SECTION) < first.index("## Speed") \
        and first.index("## Results") < first.index(script.SECTION)
    assert script.existing_section(first) == f"{script.SECTION}\n\nfirst finding\n"
    second = script.splice_section(first, f"{script.SECTION}\n\nsecond finding\n")
    assert "first finding" not in second and "second finding" in second
    assert second.count(script.SECTION) == 1 and "speed" in second and "text" in second


def test_a_regenerated_table_keeps_the_measured_section():
    # what benchmarks/conformance.py does with the file it rewrites
    old = script.splice_section(DOC, f"{script.SECTION}\n\nmeasured\n")
    regenerated = DOC.replace("text", "new numbers")
    kept = script.splice_section(regenerated, script.existing_section(old))
    assert "measured" in kept and "new numbers" in kept
    assert script.existing_section(DOC) is None


def test_docs_record_the_measurement():
    text = (REPO / "docs" / "conformance.md").read_text(encoding="utf-8")
    section = script.existing_section(text)
    assert section is not None and script.COMMAND in section


def test_repository_teacup_reads_through_simlin_with_the_same_numbers(tmp_path):
    pytest.importorskip("simlin")
    folder = tmp_path / "teacup"
    folder.mkdir()
    source = REPO / "tests" / "data" / "conformance"
    (folder / "teacup.xmile").write_bytes((source / "teacup.xmile").read_bytes())
    (folder / "output.csv").write_bytes((source / "teacup_output.csv").read_bytes())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    row = script.measure(folder / "teacup.xmile", scratch)
    assert row["direct"] == "imports" and row["simlin"] == "opens, runs"
    assert row["route"] == "runs" and row["same"] == "same" and row["canonical"] == "pass"


@pytest.mark.skipif(SUITE is None or not SUITE.is_dir(),
                    reason="set SDFLOW_CONFORMANCE_DIR to a checkout of the SDXorg "
                           "test-models suite")
@pytest.mark.parametrize("relative", [
    "tests/macro_stock/test_macro_stock.xmile",
    "tests/subscript_multiples/test_multiple_subscripts.stmx",
])
def test_incomplete_exports_stay_unread_through_simlin(relative, tmp_path):
    # a macro call without its <macro>, an equation '???': the file itself is incomplete
    pytest.importorskip("simlin")
    row = script.measure(SUITE / relative, tmp_path)
    assert row["direct"].startswith("IncompleteModelError")
    assert row["simlin"].startswith("opens, does not run")  # Simlin reads the file ...
    assert row["route"].startswith("IncompleteModelError")  # ... and keeps the gap


@pytest.mark.skipif(SUITE is None or not SUITE.is_dir(),
                    reason="set SDFLOW_CONFORMANCE_DIR to a checkout of the SDXorg "
                           "test-models suite")
def test_simlins_allocate_by_priority_reads_to_the_canonical_output(tmp_path):
    # Simlin writes Vensim's ALLOCATE BY PRIORITY as allocate_by_priority(request,
    # priority, SIZE(dim), width, supply), which read_xmile reads: the route runs and
    # passes the suite's output (Simlin's own run of the file does not)
    pytest.importorskip("simlin")
    row = script.measure(SUITE / "tests/allocate_by_priority/test_allocate_by_priority.mdl",
                         tmp_path)
    assert row["simlin"].startswith("opens") and row["route"] == "runs"
    assert row["canonical"] == "pass"
