"""Shared pieces of the reference-model tests: the data folder and the canonical-output
comparison of the SDXorg test-models suite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sdflow.names import name_key

DATA = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture
def reference_data() -> Path:
    """Folder of the expected outputs and peer models (see its PROVENANCE.md)."""
    return DATA


def compare_with_canonical(model, csv_path: Path) -> list[str]:
    """Run ``model`` as the reference tool did (Euler, its dt) and compare every column of
    the canonical output with the suite's tolerance (relative 1e-4, absolute 1e-6 near
    zero). Returns the names of the columns compared."""
    expected = pd.read_csv(csv_path)  # the suite's files may have CR line endings
    time_column = expected.columns[0]
    run = model.simulate(method="euler")
    # Saved times are printed to 6 significant digits: tight enough to pin every step.
    np.testing.assert_allclose(run.dataset["time"].values, expected[time_column].values,
                               rtol=1e-5, atol=1e-9)
    compared = []
    for column in expected.columns[1:]:
        if column in run:
            actual = run[column].values
        else:  # constants are not saved over time; the model holds their value
            actual = np.full(len(expected), model[column].value)
        np.testing.assert_allclose(actual, expected[column].values, rtol=1e-4, atol=1e-6,
                                   err_msg=f"column '{column}' of {csv_path.name}")
        compared.append(name_key(column))
    return compared


@pytest.fixture
def matches_canonical():
    """`compare_with_canonical` as a fixture (test modules are not importable packages)."""
    return compare_with_canonical
