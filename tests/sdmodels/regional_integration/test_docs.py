"""The generated parts of sdmodels/README.md (parameter and loop tables) and the equation
listing match the model: `scripts/model_tables.py --check` regenerates them and compares."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "model_tables.py"


def test_generated_tables_are_current():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
