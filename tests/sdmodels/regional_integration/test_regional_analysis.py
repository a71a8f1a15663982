"""scripts/regional_analysis.py runs end to end and writes readable outputs (short horizon,
default constants)."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "regional_analysis.py"


def test_script_writes_figures_and_tables(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path),
                             "--stop", "2030", "--defaults"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    for name in ["base_vs_gdp.png", "policy_yrd.png", "policy_jjj.png", "policy_pprd.png"]:
        assert (tmp_path / name).stat().st_size > 20_000, name
    policy = pd.read_csv(tmp_path / "policy_2030.csv")
    base = policy[policy.scenario.str.startswith("base")]
    assert (base["output vs base %"] == 0).all()
    none = policy[policy.scenario == "no governance"]
    assert (none["output vs base %"] < 0).all() and (none["lever cost share"] == 0).all()
    gains = pd.read_csv(tmp_path / "gains_2030.csv")
    assert len(gains) == len(policy) // 3 * (4 + 3 + 9)
    knockout = pd.read_csv(tmp_path / "loop_knockout.csv")
    assert len(knockout) == 3 * 3 * 2
    games = pd.read_csv(tmp_path / "payoff_matrix.csv")
    assert len(games) == 3 * 4
    # the pairs carry their preset's own constants (Jing-Jin-Ji's pooled ones), as the
    # area runs do; at the defaults every pair plays a prisoner's dilemma at every horizon
    assert games.groupby("preset")["prisoner's dilemma"].all().all()
    horizons = pd.read_csv(tmp_path / "games_by_horizon.csv")
    assert len(horizons) == 3 * 10
    assert (horizons["game"] == "prisoner's dilemma").all()
    members = 4 + 3 + 9
    assert len(pd.read_csv(tmp_path / "unilateral_defection.csv")) == members * 10
    perceived = pd.read_csv(tmp_path / "perceived_protection_payoff.csv")
    assert len(perceived) == members * 15 and perceived["time"].max() == 2018
    assert not (tmp_path / "dilemma_swaps.csv").exists()   # nothing calibrated to swap
