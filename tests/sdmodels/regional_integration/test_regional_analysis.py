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
    dilemma = games.groupby("preset")["prisoner's dilemma"].all()
    assert dilemma["yrd"] and dilemma["pprd"]
    # Beijing-Hebei at the defaults: Hebei's gain from defecting alone is within 0.001 of
    # zero (its sign moved with the ceiling of the investment share, 0.8 -> 1.2), so only
    # the robust part of the dilemma is checked: Beijing gains by defecting, and mutual
    # defection leaves both worse off than mutual cooperation.
    pair = games[games.preset == "jjj"].set_index(["row", "column"])
    cc, dc = pair.loc[("cooperate", "cooperate")], pair.loc[("defect", "cooperate")]
    dd = pair.loc[("defect", "defect")]
    assert dc["row payoff"] > cc["row payoff"]
    assert dd["row payoff"] < cc["row payoff"] and dd["column payoff"] < cc["column payoff"]
    assert abs(pair.loc[("cooperate", "defect"), "column payoff"] - cc["column payoff"]) < 1e-3
