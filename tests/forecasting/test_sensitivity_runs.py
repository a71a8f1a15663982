"""Sensitivity evaluations in chunks: checkpointed, resumable, on Dask, bit for bit.

The reference is the same analysis evaluated in one piece by ``problem.evaluate``: every
run of a batch is independent, so chunking must not change a single bit.
"""

import numpy as np
import pytest
from distributed import Client, LocalCluster

import sdflow as sf
from sdflow.forecasting import Scenario, Step, Uncertain
from sdflow.forecasting.distributed import chunked_evaluator
from sdflow.forecasting.sensitivity import (SensitivityProblem, SensitivityRuns,
                                            morris_screening, sobol_indices)

from .models import regions


def _problem(scenario=None, rate_high=0.06):
    """Six uncertain values: rate and output initial of three regions."""
    return SensitivityProblem(regions(), [Uncertain("rate", sf.uniform(0.02, rate_high)),
                                          Uncertain("output initial", sf.uniform(1, 3))],
                              ["output", "total output"], [2030, 2040], scenario=scenario)


def _recording(monkeypatch):
    computed = []
    run_chunk = SensitivityRuns.run_chunk
    monkeypatch.setattr(SensitivityRuns, "run_chunk",
                        lambda self, i: computed.append(i) or run_chunk(self, i))
    return computed


def test_an_interrupted_analysis_resumes_with_only_the_missing_chunks(tmp_path, monkeypatch):
    problem = _problem()
    expected = sobol_indices(problem, n=64, seed=5)  # 64 x (6 + 2) = 512 runs in one piece
    computed = _recording(monkeypatch)

    class Stop(Exception):
        pass

    def interrupt(done, total, runs):
        if done == 3:
            raise Stop

    with pytest.raises(Stop):
        sobol_indices(problem, n=64, seed=5,
                      evaluate=chunked_evaluator(problem, tmp_path, chunk_size=50,
                                                 progress=interrupt))
    assert computed == [0, 1, 2]
    assert sorted(p.name for p in (tmp_path / "chunks").glob("chunk-*.nc")) == [
        "chunk-00000.nc", "chunk-00001.nc", "chunk-00002.nc"]
    computed.clear()
    seen = []
    resumed = sobol_indices(problem, n=64, seed=5, evaluate=chunked_evaluator(
        problem, tmp_path, chunk_size=50, resume=True,
        progress=lambda done, total, runs: seen.append((done, total, runs))))
    assert computed == list(range(3, 11))
    assert seen[0] == (3, 11, 150) and seen[-1] == (11, 11, 512)
    assert resumed.equals(expected)  # bit for bit, confidence intervals included
    assert problem.outputs == list(dict.fromkeys(expected["output"]))


def test_resume_checks_the_fingerprint(tmp_path):
    problem = _problem()
    sobol_indices(problem, n=8, seed=1, evaluate=chunked_evaluator(problem, tmp_path))
    other_design = chunked_evaluator(problem, tmp_path, resume=True)
    with pytest.raises(sf.SpecError, match="other settings"):
        sobol_indices(problem, n=8, seed=2, evaluate=other_design)
    for changed in (_problem(rate_high=0.07),                       # a distribution
                    _problem(Scenario("cut", changes=[Step("rate", at=2030, to=0.0)]))):
        with pytest.raises(sf.SpecError, match="other settings"):
            sobol_indices(changed, n=8, seed=1,
                          evaluate=chunked_evaluator(changed, tmp_path, resume=True))
    with pytest.raises(sf.SpecError, match="other settings"):    # e.g. the spec file
        sobol_indices(problem, n=8, seed=1, evaluate=chunked_evaluator(
            problem, tmp_path, resume=True, note="spec sha256 0123"))
    text = (tmp_path / "chunks" / "settings.txt").read_text()
    assert text.startswith(f"sdflow {sf.__version__}\nsensitivity design (64, 6) sha256 ")
    assert "model source=" in text


def test_a_damaged_chunk_is_computed_again(tmp_path, monkeypatch):
    problem = _problem()
    expected = morris_screening(problem, trajectories=10, seed=3)
    morris_screening(problem, trajectories=10, seed=3,
                     evaluate=chunked_evaluator(problem, tmp_path, chunk_size=10))
    chunk = tmp_path / "chunks" / "chunk-00001.nc"
    chunk.write_bytes(chunk.read_bytes()[:200])
    computed, messages = _recording(monkeypatch), []
    got = morris_screening(problem, trajectories=10, seed=3, evaluate=chunked_evaluator(
        problem, tmp_path, chunk_size=10, resume=True, report=messages.append))
    assert computed == [1] and messages[0].startswith(f"{chunk} cannot be read")
    assert got.equals(expected)


def test_dask_gives_the_single_process_result_under_a_scenario():
    problem = _problem(Scenario("cut", changes=[Step("rate", at=2030, to=0.0)]))
    expected = sobol_indices(problem, n=32, seed=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        got = sobol_indices(problem, n=32, seed=2, evaluate=chunked_evaluator(
            problem, chunk_size=40, scheduler=client))
    assert got.equals(expected)
    # the scenario reaches the workers: from 2030 on nothing grows, so the outputs of
    # 2040 are those of 2030 and so are their indices
    late = got[got["output"] == "total output @ 2040"].set_index("parameter")
    early = got[got["output"] == "total output @ 2030"].set_index("parameter")
    assert late[["S1", "ST"]].equals(early[["S1", "ST"]])


def test_a_design_of_the_wrong_shape_is_refused():
    with pytest.raises(sf.SpecError, match=r"one column per uncertain parameter \(6\)"):
        SensitivityRuns(_problem(), np.zeros((5, 2)))
