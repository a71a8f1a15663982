"""``sdflow convert ... --to xmile`` and ``sdflow run`` on Vensim/XMILE files.

Expected numbers: the decay model's Euler recurrence x(t+1) = x(t) * (1 - 0.5), and the
teacup sample's canonical (Vensim) output from the SDXorg test-models suite.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from sdflow.cli import main

TEACUP = Path(__file__).parents[1] / "data" / "io" / "teacup"


def test_convert_then_run_the_xmile(tmp_path, capsys, decay_model_source):
    source = tmp_path / "decay_model.py"
    source.write_text(decay_model_source)
    out = tmp_path / "decay.xmile"
    assert main(["convert", f"{source}:build", "--to", "xmile", "--out", str(out)]) == 0
    assert out.exists()
    csv = tmp_path / "run.csv"
    assert main(["run", str(out), "--out", str(csv)]) == 0
    frame = pd.read_csv(csv)
    np.testing.assert_allclose(frame["x"], 100 * 0.5 ** np.arange(5))


def test_run_a_vensim_file_with_overrides(tmp_path, capsys):
    shutil.copytree(TEACUP, tmp_path / "teacup")
    assert main(["run", str(tmp_path / "teacup" / "teacup.mdl")]) == 0
    text = capsys.readouterr().out
    assert "Teacup Temperature" in text and "75.37" in text  # canonical final 75.374
    assert main(["run", str(tmp_path / "teacup" / "teacup.mdl"), "--set",
                 "Room Temperature=80"]) == 0
    assert "75.37" not in capsys.readouterr().out


def test_convert_refuses_other_suffix(tmp_path, capsys, decay_model_source):
    source = tmp_path / "decay_model.py"
    source.write_text(decay_model_source)
    assert main(["convert", f"{source}:build", "--to", "xmile", "--out",
                 str(tmp_path / "decay.txt")]) == 2
    assert ".xmile" in capsys.readouterr().err


def test_run_reports_import_errors(tmp_path, capsys):
    bad = tmp_path / "bad.mdl"
    bad.write_text("x = (3 + ~ ~|\n")
    assert main(["run", str(bad)]) == 2
    assert "bad.mdl" in capsys.readouterr().err
