"""Memory of a batch: the estimate against what a run really allocates, and the refusal.

The expected sizes are arithmetic (runs x saved times x saved values x 8 bytes); the
measured ones come from ``tracemalloc``, which sees numpy's allocations.
"""

from __future__ import annotations

import tracemalloc

import pytest

import sdflow as sf
from sdflow.compile.compiled import default_outputs
from sdflow.solve import memory


def members() -> sf.Model:
    """Four members growing their capital, and the regional total (9 saved values)."""
    m = sf.Model("growth", start=2004, stop=2060, dt=0.25, time_units="year")
    member = m.dim("member", ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"])
    rate = m.const("growth rate", [0.06, 0.07, 0.07, 0.08], dims=[member], units="1/year")
    capital = m.stock("capital", initial=[3.0, 9.0, 6.0, 3.5], dims=[member], units="yuan")
    m.flow("investment", rate * capital, sink=capital, units="yuan/year")
    m.aux("total capital", sf.sum(capital, over=member), units="yuan")
    return m


def test_ten_million_runs_are_refused_before_anything_is_allocated(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: 16 * 2**30)
    tracemalloc.start()
    try:
        with pytest.raises(sf.ResourceError) as info:
            members().simulate(n=10_000_000, params={"growth rate": sf.uniform(0.05, 0.09)},
                               seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = info.value
    assert isinstance(error, MemoryError) and isinstance(error, sf.SimulationError)
    # 10 million runs x 225 saved times (2004..2060 by 0.25) x 9 values x 8 bytes
    assert error.needed >= 10_000_000 * 225 * 9 * 8
    assert error.available == 16 * 2**30
    text = str(error)
    assert "simulate(n=10000000) of model 'growth' would need about 15" in text
    assert "10000000 runs x 225 saved times x 9 values x 8 bytes" in text
    assert "16.0 GB of memory available" in text
    for advice in ("variables=", "saveper=", "fewer runs", "several calls of at most"):
        assert advice in text
    assert peak < 50 * 2**20  # refused before the 10 million draws were sampled


def test_saving_less_brings_a_batch_under_the_limit(monkeypatch):
    m = members()
    n, outputs = 100_000, default_outputs(m.graph())
    everything = memory.estimate_memory(m.graph(), n, 225, outputs, "euler").total
    monkeypatch.setattr(memory, "available_memory", lambda: int(everything))
    with pytest.raises(sf.ResourceError):
        m.simulate(n=n)  # needs more than 80% of what is available
    runs = m.simulate(n=n, variables=["total capital"], saveper=14)
    assert runs["total capital"].shape == (5, n)


@pytest.mark.parametrize("method", ["euler", "rk4", "rk45"])
def test_the_estimate_matches_what_a_batch_allocates(method):
    m = members()
    m.simulate(n=2, method=method)  # compile outside the measurement
    n = 5000
    tracemalloc.start()
    try:
        m.simulate(n=n, params={"growth rate": sf.uniform(0.05, 0.09)}, seed=1,
                   method=method)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = memory.estimate_memory(m.graph(), n, 225, default_outputs(m.graph()), method,
                                      n_params=1)
    assert estimate.saved == n * 225 * 9 * 8
    # saved arrays are filled in place: the peak is the results once, not twice as when
    # rows were collected and stacked at the end
    assert 0.8 * estimate.total < peak < 1.25 * estimate.total


def test_unknown_available_memory_never_refuses(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: None)
    big = memory.MemoryEstimate(runs=10**9, saved_times=10**3, saved_values=10, step_bytes=0)
    memory.check_memory(big, "m")  # nothing to compare with: the run is tried


def test_blocks_of_runs_bound_the_working_arrays():
    m = members()
    estimate = memory.estimate_memory(m.graph(), 1_000_000, 225, default_outputs(m.graph()),
                                      "euler")
    assert estimate.block == memory.runs_per_block(estimate.step_bytes) < 1_000_000
    assert estimate.working == estimate.step_bytes * estimate.block
    assert estimate.working <= max(memory.BLOCK_BYTES, memory.MIN_BLOCK * estimate.step_bytes)
    adaptive = memory.estimate_memory(m.graph(), 1_000_000, 225, default_outputs(m.graph()),
                                      "rk45")
    assert adaptive.block is None  # one system of all runs: no blocks
    assert adaptive.working == adaptive.step_bytes * 1_000_000
