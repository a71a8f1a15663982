"""The two paths `benchmarks/calibration.py --only mcmc` times give the same log posteriors.

The sampler (`sample_posterior`, half the ensemble per batch) and the loop that scores the
same points one run at a time through ``simulate``'s single-run path must agree, or the
speed-up it prints compares different work. No timing here.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from sdflow.calibrate.spec import default_walkers

REPO = Path(__file__).resolve().parents[2]
pytest.importorskip("emcee")
# emcee estimates autocorrelation times from the 3-step chains: a warning, not a fault
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide")


def _benchmark():
    sys.path.insert(0, str(REPO / "benchmarks"))      # it imports `timing` beside it
    try:
        spec = importlib.util.spec_from_file_location("calibration_benchmark",
                                                      REPO / "benchmarks" / "calibration.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return module


@pytest.mark.parametrize("name", ["influenza", "lynx_hare"])
def test_sampler_and_single_runs_give_the_same_log_posteriors(name):
    bench = _benchmark()
    spec = bench.load_calibration_spec(REPO / "calibration" / "specs" / f"{name}.toml")
    sampler = bench.SamplerPath(spec, "batched", walkers=None, steps=3)
    sampler()
    walkers = default_walkers(len(spec.parameters))
    # emcee's first batch is the whole ensemble, then half of it per batch
    assert [len(p) for p in sampler.points] == [walkers] + [walkers // 2] * 6
    loop = bench.SingleRunLoop(spec, sampler)
    assert loop.evaluator.problem.backend == "auto"        # the scalar single-run path
    loop()
    assert len(loop.values) == walkers * 4
    assert np.isfinite(loop.values).all()
    assert bench.same_log_posteriors([sampler], loop) < 1e-12
    # the check can fail: a loop scoring other numbers is caught
    loop.values = loop.values * (1 + 1e-9)
    with pytest.raises(AssertionError, match="differs"):
        bench.same_log_posteriors([sampler], loop)
