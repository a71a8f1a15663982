"""Shared test helpers: canonical conformance outputs, and PySD as a peer on the same model.

Numbers the tests compare against come from elsewhere: the SDXorg test-models suite's
canonical (Vensim) outputs in ``tests/data/conformance`` and PySD 3.14 running the same small
model written in Vensim syntax.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

DATA = Path(__file__).parent / "data"

#: The conformance suite's tolerance: relative 1e-4, absolute 1e-6 where values are near 0.
RTOL, ATOL = 1e-4, 1e-6


def read_canonical(name: str) -> pd.DataFrame:
    """A canonical output of the SDXorg suite (``tests/data/conformance/<name>``), by time."""
    path = DATA / "conformance" / name
    sep = "\t" if path.suffix == ".tab" else ","
    frame = pd.read_csv(path, sep=sep, index_col=0, encoding="latin-1")
    frame.index = frame.index.astype(float)
    return frame


def assert_conforms(actual, expected, label: str = "", atol: float = ATOL) -> None:
    """Equal within the suite's tolerance (rel 1e-4, abs 1e-6 near zero).

    ``atol`` can be widened to half a unit of the last digit a canonical file prints.
    """
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, (label, actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=atol, err_msg=label)


def write_vensim(path: Path, equations: dict[str, str], start: float, stop: float,
                 dt: float, saveper: float | None = None) -> Path:
    """A minimal Vensim .mdl file with ``name = equation`` lines and the time settings."""
    lines = ["{UTF-8}"]
    for name, equation in equations.items():
        lines += [f"{name}=", f"\t{equation}", "\t~\t", "\t~\t", "\t|", ""]
    settings = [("FINAL TIME", stop), ("INITIAL TIME", start),
                ("SAVEPER", dt if saveper is None else saveper), ("TIME STEP", dt)]
    for name, value in settings:
        lines += [f"{name} = {value}", "\t~\t", "\t~\t", "\t|", ""]
    lines.append("\\\\\\---/// Sketch information - do not modify anything except names")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="session")
def pysd_run(tmp_path_factory):
    """Run equations written in Vensim syntax with PySD; returns a DataFrame by time."""
    pysd = pytest.importorskip("pysd")

    def run(equations: dict[str, str], start: float, stop: float, dt: float,
            saveper: float | None = None, columns=None) -> pd.DataFrame:
        folder = tmp_path_factory.mktemp("pysd")
        path = write_vensim(folder / "peer.mdl", equations, start, stop, dt, saveper)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = pysd.read_vensim(str(path))
            return model.run(return_columns=list(columns or equations))

    return run


@pytest.fixture
def canonical():
    """`read_canonical`: a canonical output of the SDXorg suite by file name."""
    return read_canonical


@pytest.fixture
def conforms():
    """`assert_conforms`: equality within the conformance suite's tolerance."""
    return assert_conforms


@pytest.fixture(scope="session")
def session_cache_folder(tmp_path_factory) -> Path:
    """A cache folder of the test session's own (see `private_cache_folder`)."""
    return tmp_path_factory.mktemp("sdflow-cache")


@pytest.fixture(autouse=True)
def private_cache_folder(session_cache_folder, tmp_path_factory, monkeypatch):
    """sdflow's cache folder (numba's compiled code and the markers that make
    ``backend="auto"`` run it, parsed unit definitions) is a temporary one, never the
    user's: a model compiled with numba on this machine would otherwise change which code
    path the tests run. A test (or module) that sets a temporary folder of its own keeps
    it; one that deleted the setting (some doctests do) finds it again."""
    chosen = os.environ.get("SDFLOW_CACHE_DIR", "")
    if not chosen or not Path(chosen).is_relative_to(tmp_path_factory.getbasetemp()):
        monkeypatch.setenv("SDFLOW_CACHE_DIR", str(session_cache_folder))


@pytest.fixture
def numba_runs(monkeypatch):
    """The names of the models `simulate` hands to the numba backend, in order."""
    from sdflow.compile import numba_backend
    calls = []
    real = numba_backend.run_numba

    def counting(*args, **kwargs):
        calls.append(args[0].name)
        return real(*args, **kwargs)
    monkeypatch.setattr(numba_backend, "run_numba", counting)
    return calls
