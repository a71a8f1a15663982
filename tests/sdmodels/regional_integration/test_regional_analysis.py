"""scripts/regional_analysis.py runs end to end and writes readable outputs (short horizon)."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "regional_analysis.py"


def test_script_writes_figures_and_tables(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path),
                             "--stop", "2030"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for name in ["base_vs_gdp.png", "policy_yrd.png", "policy_jjj.png", "policy_pprd.png"]:
        assert (tmp_path / name).stat().st_size > 20_000, name
    policy = pd.read_csv(tmp_path / "policy_2030.csv")
    base = policy[policy.scenario.str.startswith("base")]
    assert (base["output vs base %"] == 0).all()
    none = policy[policy.scenario == "no governance"]
    assert (none["output vs base %"] < 0).all() and (none["protectionism"] > 0.9).all()
    knockout = pd.read_csv(tmp_path / "loop_knockout.csv")
    assert len(knockout) == 3 * 10
