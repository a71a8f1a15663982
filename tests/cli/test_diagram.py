"""``sdflow diagram``: the file it writes and its one-line errors."""

from __future__ import annotations

import pytest

from sdflow.analyse.diagrams import dot_available
from sdflow.cli import main

SIR = "sdmodels.reference.sir:build"


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot program is not installed "
                    "(apt-get install graphviz): diagrams not rendered")
def test_writes_svg_with_tooltips(tmp_path, capsys):
    out = tmp_path / "sir.svg"
    assert main(["diagram", SIR, "--kind", "causal_loop", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text and "recovering (flow) = infectious / duration" in text
    assert capsys.readouterr().out == f"wrote {out}\n"


def test_writes_graphviz_source_of_a_subset_without_dot(tmp_path):
    out = tmp_path / "sir.gv"
    assert main(["diagram", SIR, "--around", "recovered", "--no-constants",
                 "--out", str(out)]) == 0
    source = out.read_text(encoding="utf-8")
    assert source.startswith("digraph sir {") and "label=recovered " in source
    assert "susceptible" not in source  # two links away from "recovered"


@pytest.mark.parametrize("arguments, message", [
    (["--out", "sir.txt"], "--out sir.txt: give a file ending in .svg, .png, .pdf"),
    (["--loops", "R1,R9", "--out", "sir.svg"], "loops=['R9']: the model has no loop "
                                                "of that id; its loops are B1, R1, B2"),
])
def test_bad_arguments_are_one_line_usage_errors(arguments, message, capsys, tmp_path,
                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["diagram", SIR, *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sdflow diagram: error: ") and message in err
    assert not list(tmp_path.iterdir())  # nothing written
