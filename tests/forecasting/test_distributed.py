"""Dask execution: same numbers as one process, survives a dead worker, resumes."""

import os
import signal

import numpy as np
import pytest
from distributed import Client, LocalCluster

import sdflow as sf
from sdflow.forecasting import Ensemble, Ramp, Scenario, Uncertain, run_ensemble
from sdflow.forecasting.distributed import local_cluster
from sdflow.forecasting.store import ChunkStore

from .models import regions


def _ensemble(n=600, chunk_size=100, dt=None):
    model = regions()
    if dt is not None:
        model.dt = dt
    scenarios = [Scenario("baseline"),
                 Scenario("faster", changes=[Ramp("rate", start=2025, end=2030, scale=1.5)])]
    return Ensemble(model, scenarios, [Uncertain("rate", sf.normal(0.04, 0.01)),
                                       Uncertain("output initial", sf.uniform(1, 3))],
                    n=n, chunk_size=chunk_size, seed=42, sampling="sobol",
                    variables=["output", "total output"], saveper=1)


def test_dask_threads_equal_a_single_process_bit_for_bit():
    expected = run_ensemble(_ensemble())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        got = run_ensemble(_ensemble(), scheduler=client)
    assert got.identical(expected)
    assert got.sizes["run"] == 600 and got["scenario"].values.tolist() == ["baseline",
                                                                           "faster"]


def test_a_killed_worker_process_still_gives_the_complete_result():
    ensemble = _ensemble(n=1600, chunk_size=200, dt=0.125)  # chunks of ~0.1 s each
    expected = run_ensemble(ensemble)
    with local_cluster(2) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        killed = []

        def kill_one(done, total, runs):
            if done >= 1 and not killed:  # a chunk has finished: the rest are under way
                os.kill(victim, signal.SIGKILL)
                killed.append(done)

        got = run_ensemble(ensemble, scheduler=client, progress=kill_one)
    assert killed and killed[0] < ensemble.chunks
    assert got.identical(expected)


def test_resume_computes_only_missing_chunks(tmp_path):
    ensemble = _ensemble()
    expected = run_ensemble(ensemble)

    class Stop(Exception):
        pass

    def interrupt(done, total, runs):
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        run_ensemble(ensemble, out_dir=tmp_path, progress=interrupt)
    store = ChunkStore(tmp_path, ensemble.describe(), resume=True)
    assert store.finished() == [0, 1]
    seen = []
    got = run_ensemble(ensemble, out_dir=tmp_path, resume=True,
                       progress=lambda done, total, runs: seen.append(done))
    assert seen == [2, 3, 4, 5, 6]  # starts from the two finished chunks
    assert got.identical(expected)
    lazy = run_ensemble(ensemble, out_dir=tmp_path, resume=True, lazy=True)
    assert lazy["output"].chunks is not None
    np.testing.assert_array_equal(lazy["output"].values, expected["output"].values)


def test_resume_computes_a_truncated_chunk_again(tmp_path, monkeypatch):
    ensemble = _ensemble(n=300)
    expected = run_ensemble(ensemble, out_dir=tmp_path)
    store = ChunkStore(tmp_path, ensemble.describe(), resume=True)
    path = store.path(1)
    path.write_bytes(path.read_bytes()[:1000])  # a copy cut short
    computed, messages = [], []
    run_chunk = Ensemble.run_chunk
    monkeypatch.setattr(Ensemble, "run_chunk",
                        lambda self, i, size=None: computed.append(i) or run_chunk(self, i))
    got = run_ensemble(ensemble, out_dir=tmp_path, resume=True, report=messages.append)
    assert computed == [1]
    assert len(messages) == 1 and messages[0].startswith(f"{path} cannot be read")
    assert got.identical(expected)


def test_resume_refuses_chunks_of_other_settings(tmp_path):
    run_ensemble(_ensemble(n=200), out_dir=tmp_path)
    with pytest.raises(sf.SpecError, match="other settings"):
        run_ensemble(_ensemble(n=300), out_dir=tmp_path, resume=True)
    with pytest.raises(sf.SpecError, match="resume needs an output directory"):
        run_ensemble(_ensemble(n=300), resume=True)


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(sf.SpecError, match="cannot reach the Dask scheduler"):
        run_ensemble(_ensemble(n=10, chunk_size=10), scheduler="tcp://127.0.0.1:9",
                     connect_timeout=1)
