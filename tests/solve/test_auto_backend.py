"""``backend="auto"`` runs a model's numba code once it is compiled on this machine
(`sdflow.compile.numba_warm`), and `sdflow.precompile` compiles it ahead.

Expected numbers: a decay model x' = -k x, whose Euler recurrence x_n = x_0 (1 - k dt)^n is
exact in closed form, and sdflow's scalar and batched numpy paths (checked against
analytic solutions, the conformance suite and PySD elsewhere), which the numba code must
reproduce: to the last bit without dimensions (the same expressions in the same order),
to a relative 1e-12 with them (numpy sums along a dimension in an order of its own; see
``tests/compile/test_numba_backend.py``). Every model is small, so numba compiles each in
a second or two; compiled code and markers go to a temporary cache folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sdflow as sf
from sdflow.compile import numba_backend
from sdflow.compile.cache import entries
from sdflow.errors import UnsupportedBackendError

needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="numba is not installed (optional)")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def module_cache_folder(tmp_path_factory):
    """One cache folder for the module: code compiled by one test is warm for the next."""
    patch = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("sdflow-cache")
    patch.setenv("SDFLOW_CACHE_DIR", str(folder))
    yield folder
    patch.undo()


def decay(name: str = "decay", k: float = 0.2) -> sf.Model:
    m = sf.Model(name, start=0, stop=5, dt=0.25)
    rate = m.const("k", k)
    x = m.stock("x", initial=100.0)
    m.flow("out", rate * x, source=x)
    return m


def euler_decay(k, steps: int = 20, dt: float = 0.25):
    return 100.0 * (1 - np.asarray(k, float)[..., None] * dt) ** np.arange(steps + 1)


def blowup(name: str = "blowup") -> sf.Model:
    """1 / (when - t) is infinite at t = when (a multiple of dt).

    Its initial value differs from the model of tests/compile/test_numba_backend.py: numba's
    generated modules are kept per process by their source, so code another test module
    compiled into its own cache folder would be found here, not in this module's folder,
    and leave no marker."""
    m = sf.Model(name, start=0, stop=4, dt=0.5)
    when = m.const("when", 2.0)
    x = m.stock("x", initial=3.0)
    m.flow("grow", 1 / (when - m.time), sink=x)
    return m


def arrayed(name: str = "arrayed") -> sf.Model:
    m = sf.Model(name, start=0, stop=3, dt=0.25)
    region = m.dim("region", ["a", "b", "c"])
    growth = m.const("growth", [0.05, 0.02, -0.01], dims=[region])
    x = m.stock("x", initial=[1.0, 2.0, 3.0], dims=[region])
    total = m.aux("total", sf.sum(x, over=region))
    m.flow("grow", growth * x + 0.01 * total, sink=x, dims=[region])
    return m


def test_cold_model_runs_on_numpy_without_writing_numba_code(numba_runs, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("numba code was generated for a model never compiled")
    monkeypatch.setattr(numba_backend, "compile_numba", refuse)
    m = decay("cold")
    run = m.simulate()
    np.testing.assert_allclose(run["x"].values, euler_decay(0.2), rtol=1e-13)
    assert numba_runs == []
    assert not any(key[0] == "numba" for key in entries(m.graph()))


@needs_numba
def test_compiled_ahead_then_auto_runs_numba_with_the_same_numbers(numba_runs):
    m = decay("ahead")
    expected = m.simulate(params={"k": [0.1, 0.3]}).dataset  # cold: numpy
    assert numba_runs == []
    compiled = sf.precompile(m, ["k"])
    assert compiled.jit_seconds > 0 and compiled.warm_key is not None
    got = m.simulate(params={"k": [0.1, 0.3]}).dataset
    assert numba_runs == ["ahead"]
    np.testing.assert_array_equal(got["x"].values, expected["x"].values)
    np.testing.assert_allclose(got["x"].transpose("run", "time").values,
                               euler_decay([0.1, 0.3]), rtol=1e-13)
    # a single run with a per-run constant is the same code
    one = m.simulate(params={"k": 0.3})
    assert numba_runs == ["ahead", "ahead"]
    np.testing.assert_array_equal(one["x"].values,
                                  m.simulate(params={"k": 0.3}, backend="scalar")["x"].values)


@needs_numba
def test_marker_makes_a_new_graph_warm_but_only_for_what_was_compiled(numba_runs):
    sf.precompile(decay("marked"), method="rk4", variables=["x"])
    fresh = decay("marked")  # the same model built again: a new graph, nothing in memory
    got = fresh.simulate(method="rk4", variables=["x"])
    assert numba_runs == ["marked"]
    np.testing.assert_array_equal(
        got["x"].values, fresh.simulate(method="rk4", variables=["x"], backend="scalar")["x"])
    # another method, other saved variables, another per-run constant, other constants
    fresh.simulate(method="euler", variables=["x"])
    fresh.simulate(method="rk4")
    fresh.simulate(method="rk4", variables=["x"], params={"k": 0.1})
    decay("marked", k=0.25).simulate(method="rk4", variables=["x"])
    assert numba_runs == ["marked"]


@needs_numba
def test_decision_is_kept_in_memory_and_a_deleted_marker_makes_a_model_cold(
        numba_runs, module_cache_folder, monkeypatch):
    compiled = sf.precompile(decay("forgotten"), method="heun")
    marker = module_cache_folder / "numba" / "warm" / compiled.warm_key
    assert marker.is_file()
    kept = decay("forgotten")
    kept.simulate(method="heun")  # decided now: warm
    marker.unlink()
    kept.simulate(method="heun")  # the decision is remembered, the disk not asked again
    assert numba_runs == ["forgotten", "forgotten"]
    decay("forgotten").simulate(method="heun")  # a new graph asks the disk: cold
    assert numba_runs == ["forgotten", "forgotten"]


@needs_numba
def test_non_finite_value_falls_back_to_the_numpy_path_which_names_it(numba_runs):
    sf.precompile(blowup("warm blowup"), ["when"])
    m = blowup("warm blowup")
    with pytest.raises(sf.SimulationError, match="grow") as caught:
        m.simulate(params={"when": 2.0})
    assert caught.value.time == 2 and numba_runs == ["warm blowup"]
    params = {"when": [2.25, 2.0, 3.75]}  # only the second reaches t = when
    got = m.simulate(params=params, on_error="mark").dataset
    expected = m.simulate(params=params, on_error="mark", backend="batched").dataset
    assert list(got["failed"].values) == [False, True, False]
    np.testing.assert_array_equal(got["x"].values, expected["x"].values)


@needs_numba
def test_model_with_dimensions_matches_the_batched_path(numba_runs):
    sf.precompile(arrayed(), ["growth"])
    m = arrayed()
    growth = np.array([[0.05, 0.02, -0.01], [0.0, 0.1, 0.03]])
    got = m.simulate(params={"growth": growth}).dataset
    assert numba_runs == ["arrayed"]
    expected = m.simulate(params={"growth": growth}, backend="batched").dataset
    for name in ("x", "total", "grow"):
        np.testing.assert_allclose(got[name].values, expected[name].values, rtol=1e-12,
                                   atol=0, err_msg=name)


@needs_numba
def test_refused_models_and_methods_stay_on_numpy(numba_runs):
    delayed = sf.Model("delayed", start=0, stop=1, dt=0.5)
    delayed.aux("late", sf.delay_fixed(delayed.time, 0.5, 0))
    with pytest.raises(UnsupportedBackendError, match="DELAY FIXED"):
        sf.precompile(delayed)
    with pytest.raises(sf.OptionError, match="fixed-step"):
        sf.precompile(decay(), method="rk45")
    varying = decay("varying")
    varying.vary_time_settings(dt=sf.if_then_else(varying.time < 2, 0.25, 0.5))
    with pytest.raises(UnsupportedBackendError, match=r"time settings \['dt'\] change"):
        sf.precompile(varying)
    with pytest.raises(sf.ParameterError, match="'kk' is not a constant.*'k'"):
        sf.precompile(decay(), ["kk"])
    with pytest.raises(sf.UnknownNameError, match="'y'"):
        sf.precompile(decay(), variables=["y"])
    assert float(delayed.simulate()["late"][-1]) == 0.5
    sf.precompile(decay("adaptive"))  # euler; rk45 runs are never numba's
    decay("adaptive").simulate(method="rk45")
    assert numba_runs == []


@needs_numba
def test_without_numba_auto_never_asks(numba_runs, monkeypatch):
    sf.precompile(decay("uninstalled"))
    monkeypatch.setitem(sys.modules, "numba", None)  # importing numba now fails
    decay("uninstalled").simulate()
    assert numba_runs == []


def test_precompile_without_numba_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # importing numba now fails
    with pytest.raises(sf.MissingBackendError, match="pip install numba"):
        sf.precompile(decay())
    with pytest.raises(sf.MissingBackendError, match="pip install numba"):
        decay().compile(backend="numba")


@needs_numba
def test_model_compile_with_numba_is_precompile(numba_runs):
    m = decay("compiled")
    compiled = m.compile(["k"], backend="numba", method="rk4", outputs=["x"])
    assert compiled.params == ("k",) and compiled.outputs == ("x",)
    m.simulate(params={"k": 0.1}, method="rk4", variables=["x"])
    assert numba_runs == ["compiled"]
    with pytest.raises(sf.OptionError, match="backend='gpu'.*'numpy'.*'numba'"):
        m.compile(backend="gpu")


@needs_numba
def test_a_later_process_runs_what_precompile_compiled(module_cache_folder):
    """The marker and the code on disk outlive the process: a new one runs the model's
    numba code, loaded from the cache (numba's hit counters say so)."""
    probe = ("import json, sys\n"
             "sys.path.insert(0, sys.argv[1])\n"
             "from sdflow.compile.cache import entries\n"
             "from test_auto_backend import decay\n"
             "m = decay('next process')\n"
             "run = m.simulate()\n"
             "numba = [c for key, c in entries(m.graph()).items() if key[0] == 'numba']\n"
             "print(json.dumps({'numba': [c.from_cache for c in numba],\n"
             "                  'last': float(run['x'].values[-1])}))\n")
    sf.precompile(decay("next process"))
    env = dict(os.environ, SDFLOW_CACHE_DIR=str(module_cache_folder),
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    out = subprocess.run([sys.executable, "-c", probe, str(Path(__file__).parent)], env=env,
                         capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    found = json.loads(out)
    assert found["numba"] == [True]  # ran with numba, from code loaded off the disk
    assert found["last"] == pytest.approx(euler_decay(0.2)[-1], rel=1e-13)
