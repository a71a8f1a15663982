"""The optional numba backend (`sdflow.compile.numba_backend`).

Expected numbers: sdflow's scalar (single-run, plain Python floats) path, which the numba
backend must reproduce to the last bit or nearly (same expressions, same order of
operations); that path is itself checked against analytic solutions, the conformance
suite's canonical outputs and PySD elsewhere. Models with dimensions are checked against
sdflow's batched numpy path (checked the same ways) to a relative 1e-12: numba adds the
elements of a sum left to right, numpy in an order of its own (pairwise from 8 elements,
row by row along the batch), so the last bits of a sum may differ and grow a little over
a run; nothing else differs. Random expression trees come from the
property test of the expression writer. numba JIT-compiles each model in a fraction of a
second to seconds, so every model here is compiled once per module.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sdflow as sf
from sdflow.errors import UnsupportedBackendError

needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="numba is not installed (optional)")

@pytest.fixture(autouse=True, scope="module")
def private_compile_cache(tmp_path_factory):
    """Compiled code goes to a folder of this module's, not the user's cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("SDFLOW_CACHE_DIR", str(tmp_path_factory.mktemp("sdflow-cache")))
    yield
    patch.undo()


REFERENCE = ["bass", "lotka_volterra", "sir", "solow", "teacup"]
SLOPES = np.array([0.3, 0.45, 0.6])


def assert_same(got, expected, rtol=1e-12):
    """Every time-varying variable equal to ``rtol`` (relative), NaN where NaN."""
    names = [v for v in expected.data_vars if "time" in expected[v].dims]
    assert names and set(names) <= set(got.data_vars)
    for name in names:
        np.testing.assert_allclose(got[name].values, expected[name].values, rtol=rtol,
                                   atol=0, err_msg=name)


@needs_numba
@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("name", REFERENCE)
def test_reference_models_match_the_scalar_path(name, method):
    model = importlib.import_module(f"sdmodels.reference.{name}").build()
    expected = model.simulate(method=method, backend="scalar").dataset
    got = model.simulate(method=method, backend="numba").dataset
    assert_same(got, expected, rtol=0)


@needs_numba
def test_chosen_variables_and_time_settings():
    model = importlib.import_module("sdmodels.reference.teacup").build()
    options = {"variables": ["heat loss to room"], "saveper": 0.5, "stop": 12.0, "dt": 0.25}
    got = model.simulate(backend="numba", **options).dataset
    assert list(got.data_vars) == ["heat loss to room"]
    assert_same(got, model.simulate(backend="scalar", **options).dataset, rtol=0)


def builtins_model() -> sf.Model:
    """Every scalar builtin the generated code calls a helper for."""
    m = sf.Model("builtins", start=0, stop=12, dt=0.25)
    k = m.const("k", 0.3)
    far = m.const("far", float("inf"))
    s = m.aux("s", sf.step(2, 3) + sf.ramp(0.5, 2, 6) + sf.ramp(0.1, 5)
              + sf.pulse(4, 1) + sf.pulse_train(1, 0.5, 2, 10))
    table = m.lookup("effect", x=[0, 2, 5], y=[1, 0.5, 0.2])
    wide = m.lookup("wide", x=[-1, 0, 1], y=[0, 1, 3], extrapolate=True)
    series = m.data("series", pd.Series([0.0, 2.0, 1.0], index=[0.0, 5.0, 10.0]))
    x = m.stock("x", initial=sf.initial(s + 4))
    m.flow("out", k * x * table(m.time / 2), source=x)
    y = m.stock("y", initial=1.0)
    m.flow("in", sf.xidz(x, m.time - 3, 1) * 0.01 + sf.zidz(1, x - 4) * 0.001
           + wide(sf.sin(m.time) * 2) * 0.1 + sf.modulo(m.time, 1.5) + sf.integer(x / 3)
           + sf.log(1 + x, 10) + sf.arctan(m.time) + sf.min(x, far) * 0, sink=y)
    m.aux("seen", sf.smooth(s, 2))
    m.aux("flag", sf.if_then_else(x > 3, x < 5, 0.5))
    m.aux("logic", (sf.ne(series, 1) & (m.time > 2)) | ~(y > 3))
    m.aux("hold", sf.exp(-y / 10) + sf.sqrt(y) + sf.abs(series - 1) + sf.cos(x) + sf.tan(0.1))
    return m


@pytest.fixture(scope="module")
def builtins():
    return builtins_model()


@needs_numba
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_builtins_match_the_scalar_path_run_by_run(builtins, method):
    got = builtins.simulate(params={"k": SLOPES}, method=method, backend="numba",
                            saveper=0.5).dataset
    for i, k in enumerate(SLOPES):
        expected = builtins.simulate(params={"k": k}, method=method, backend="scalar",
                                     saveper=0.5).dataset
        assert_same(got.isel(run=i), expected)
    # and the batched numpy path, which computes the same with numpy's functions
    batched = builtins.simulate(params={"k": SLOPES}, method=method, backend="batched",
                                saveper=0.5).dataset
    assert_same(got, batched, rtol=1e-12)


def _load_property_trees():
    """The random-tree strategy of ``test_expressions.py`` (loaded by path: tests are not
    a package)."""
    path = Path(__file__).with_name("test_expressions.py")
    spec = importlib.util.spec_from_file_location("_sdflow_expression_trees", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TREES = _load_property_trees()


def trees_model(specs) -> sf.Model:
    """Each tree an auxiliary of one model (one compilation), and a stock fed by them."""
    m = sf.Model("trees", start=0, stop=1, dt=0.5)
    names = {}
    for name, dims in TREES.LEAVES.items():
        if not dims:
            names[name] = (m.stock(name, initial=TREES.VALUES[name]) if name == "stock"
                           else m.const(name, TREES.VALUES[name]))
    names["lookup"] = m.lookup("lookup", x=TREES.LOOKUP_X, y=TREES.LOOKUP_Y)
    names["lookup extrapolated"] = m.lookup("lookup extrapolated", x=TREES.LOOKUP_X,
                                            y=TREES.LOOKUP_Y, extrapolate=True)
    outs = [m.aux(f"out {i}", TREES.build(spec, m, names)) for i, spec in enumerate(specs)]
    total = m.stock("total", initial=0.0)
    feed = outs[0]
    for out in outs[1:]:
        feed = feed + 0.01 * out
    m.flow("feed", feed, sink=total)
    return m


@needs_numba
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(TREES.trees(scalar_only=True).map(lambda tree: tree[0]),
                min_size=25, max_size=25))
def test_random_expression_trees_match_the_scalar_path(specs):
    m = trees_model(specs)
    p = TREES.PARAM_P
    got = m.simulate(params={"p": p}, backend="numba").dataset
    for i, value in enumerate(p):
        expected = m.simulate(params={"p": value}, backend="scalar").dataset
        assert_same(got.isel(run=i), expected)


def blowup_model() -> sf.Model:
    m = sf.Model("blowup", start=0, stop=4, dt=1)
    when = m.const("when", 2.0)
    x = m.stock("x", initial=1.0)
    m.flow("grow", 1 / (when - m.time), sink=x)  # 1/0 at t = when
    return m


@needs_numba
def test_non_finite_value_reruns_on_numpy_and_names_the_variable():
    with pytest.raises(sf.SimulationError, match="grow") as caught:
        blowup_model().simulate(backend="numba")
    assert caught.value.time == 2


@needs_numba
def test_non_finite_run_is_marked_like_the_numpy_path():
    m = blowup_model()
    params = {"when": [2.5, 2.0, 3.5]}
    got = m.simulate(params=params, backend="numba", on_error="mark").dataset
    expected = m.simulate(params=params, backend="batched", on_error="mark").dataset
    assert list(got["failed"].values) == [False, True, False]
    assert_same(got, expected)


@needs_numba
def test_refusals_name_the_reason():
    delayed = sf.Model("delayed", start=0, stop=1, dt=0.5)
    delayed.aux("late", sf.delay_fixed(delayed.time, 0.5, 0))
    with pytest.raises(UnsupportedBackendError, match="DELAY FIXED.*'late"):
        delayed.simulate(backend="numba")
    shared = sf.Model("shared", start=0, stop=1, dt=0.5)
    member = shared.dim("member", ["a", "b"])
    shared.aux("share", sf.allocate_by_priority(
        shared.const("request", [1.0, 2.0], dims=[member]),
        shared.const("priority", [1.0, 2.0], dims=[member]), 1.0, 2.5, over=member),
        dims=[member])
    with pytest.raises(UnsupportedBackendError, match="allocate_by_priority.*'share'"):
        shared.simulate(backend="numba")
    with pytest.raises(sf.ModelError, match="rk45"):
        blowup_model().simulate(backend="numba", method="rk45")


@needs_numba
def test_too_many_elements_are_refused_before_any_code_is_written(monkeypatch):
    from sdflow.compile import numba_backend
    monkeypatch.setattr(numba_backend, "MAX_ELEMENTS", 3)
    m = sf.Model("wide", start=0, stop=1, dt=0.5)
    member = m.dim("member", ["a", "b", "c", "d"])
    m.stock("stock", initial=1.0, dims=[member])
    with pytest.raises(UnsupportedBackendError, match="at most 3 elements.*'stock', 4"):
        m.simulate(backend="numba")


def test_missing_numba_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba now raises ImportError
    with pytest.raises(sf.ModelError, match="pip install numba"):
        blowup_model().simulate(backend="numba")


def test_twins_compute_what_the_scalar_helpers_compute():
    """The helpers numba compiles (run here as plain Python) against the scalar path's."""
    from sdflow.compile import numba_runtime as twin
    from sdflow.compile import runtime
    values = [-2.5, -1e-7, 0.0, 1e-7, 0.3, 1.0, 2.0, 3.75, 10.0]
    for a, b, c in itertools.product(values, repeat=3):
        assert twin.xidz_scalar(a, b, c) == runtime.xidz_scalar(a, b, c)
        assert twin.zidz_scalar(a, b) == runtime.zidz_scalar(a, b)
        assert twin.step_scalar(a, 0.25, b, c) == runtime.step_scalar(a, 0.25, b, c)
        assert twin.pulse_scalar(a, 0.25, b, c) == runtime.pulse_scalar(a, 0.25, b, c)
        assert twin.ramp_scalar(a, 0.5, b, c) == runtime.ramp_scalar(a, 0.5, b, c)
        assert twin.ramp_scalar(a, 0.5, b) == runtime.ramp_scalar(a, 0.5, b)
        if c != 0:
            assert twin.pulse_train_scalar(a, 0.25, b, 0.5, c, 9.0) == \
                runtime.pulse_train_scalar(a, 0.25, b, 0.5, c, 9.0)
            assert twin.modulo_scalar(a, c) == runtime.modulo_scalar(a, c)
        assert twin.trunc(a) == math.trunc(a)
    xs, ys = [-1.0, 0.0, 0.0, 1.5, 4.0], [2.0, -1.0, 3.0, 0.5, 0.25]
    for x in np.linspace(-3, 6, 91).tolist() + xs:
        for extrapolate in (False, True):
            assert twin.interp_scalar(x, np.array(xs), np.array(ys), extrapolate) == \
                runtime.interp_scalar(x, xs, ys, extrapolate), (x, extrapolate)


@needs_numba
def test_heun_from_its_tableau_matches_the_scalar_path():
    """Heun has no numba code of its own: its loop is generated from its tableau."""
    model = importlib.import_module("sdmodels.reference.sir").build()
    expected = model.simulate(method="heun", backend="scalar").dataset
    got = model.simulate(method="heun", backend="numba").dataset
    assert_same(got, expected, rtol=0)


CACHE_PROBE = """
import importlib, json, sys
from sdflow.compile.cache import entries
model = importlib.import_module("sdmodels.reference.teacup").build()
run = model.simulate(backend="numba", method="heun")
compiled = [c for key, c in entries(model.graph()).items() if key[0] == "numba"][0]
print(json.dumps({"from_cache": compiled.from_cache,
                  "last": float(run["teacup temperature"].values[-1])}))
"""


@needs_numba
def test_compiled_code_is_kept_on_disk_for_the_next_process(tmp_path):
    """A second process loads what the first compiled (numba's cache hit counters say so)
    and computes the same numbers."""
    import json
    import os
    import subprocess

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, SDFLOW_CACHE_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]))
    first, second = (json.loads(subprocess.run(
        [sys.executable, "-c", CACHE_PROBE], env=env, capture_output=True, text=True,
        check=True).stdout.splitlines()[-1]) for _ in range(2))
    assert first["from_cache"] is False and second["from_cache"] is True
    assert first["last"] == second["last"]
    assert list((tmp_path / "numba").glob("sdflow_numba_*.py"))


@needs_numba
def test_cache_key_covers_the_tables_numba_folds_into_the_code():
    """Two models with the same source but other lookup values must not share code."""
    from sdflow.compile.numba_cache import source_key
    source = "def run(x):\n    return LX_effect[0]\n"
    one = source_key(source, {"LX_effect": np.array([0.0, 1.0])})
    other = source_key(source, {"LX_effect": np.array([0.0, 2.0])})
    assert one != other
    assert one == source_key(source, {"LX_effect": np.array([0.0, 1.0])})



@needs_numba
def test_sums_too_long_to_write_out_are_refused_naming_the_variable(monkeypatch):
    from sdflow.compile import numba_backend
    monkeypatch.setattr(numba_backend, "MAX_TERMS", 10)
    m = sf.Model("nested", start=0, stop=1, dt=0.5)
    member = m.dim("member", ["a", "b", "c", "d"])
    partner = m.dim("partner", ["a", "b", "c", "d"])
    table = m.const("table", np.ones((4, 4)), dims=[member, partner])
    stock = m.stock("stock", initial=1.0, dims=[member])
    m.aux("total", sf.sum(sf.sum(table * stock, over=partner), over=member))
    with pytest.raises(UnsupportedBackendError, match="variable 'total' would take more"):
        m.simulate(backend="numba")


# -- models with dimensions ------------------------------------------------------------

def arrayed_model() -> sf.Model:
    """Every operation on dimensions the numba printer turns into element positions."""
    m = sf.Model("arrayed", start=0, stop=6, dt=0.25)
    member = m.dim("member", ["a", "b", "c"])
    partner = m.dim("partner", ["a", "b", "c"])
    sector = m.dim("sector", ["farm", "mill"])
    growth = m.const("growth", [0.05, 0.02, -0.01], dims=[member])
    trade = m.const("trade", [[0.0, 0.2, 0.1], [0.3, 0.0, 0.05], [0.1, 0.4, 0.0]],
                    dims=[member, partner])
    mix = m.const("mix", [[0.6, 0.4], [0.5, 0.5], [0.2, 0.8]], dims=[member, sector])
    effect = m.lookup("effect", x=[0, 1, 2, 4], y=[1.0, 0.8, 0.5, 0.4])
    demand = m.data("demand", np.array([[1.0, 2.0, 0.5], [1.5, 1.0, 1.0], [2.0, 3.0, 0.0]]),
                    times=[0.0, 3.0, 6.0], dims=[member])
    output = m.stock("output", initial=sf.initial(1 + growth * 10), dims=[member])
    start = m.aux("start output", sf.initial(output), dims=[member])
    # member x partner table against its transpose, and a partner's own value
    flows = m.aux("trade flows", trade * output.rename(member=partner)
                  - trade.rename(member=partner, partner=member) * output, dims=[member, partner])
    net = m.aux("net trade", sf.sum(flows, over=partner), dims=[member])
    m.flow("grow", output * growth * effect(output / sf.mean(output, over=member))
           + net + sf.step(0.1, 2) * demand, sink=output, dims=[member])
    capacity = m.stock("capacity", initial=mix * 2, dims=[member, sector])
    m.flow("build", sf.max(output * mix - capacity, 0) * 0.5
           + sf.pulse(1, 0.5) * sf.prod(mix + 1, over=sector), sink=capacity,
           dims=[member, sector])
    m.aux("seen output", sf.smooth(output, 1.5), dims=[member])
    m.aux("late output", sf.delay3(output, 2), dims=[member])
    m.aux("first member", output.sel(member="a") + sf.min(capacity, over=sector).sel(
        member="c"))
    m.aux("spread", sf.max(output, over=member) - sf.min(output, over=member)
          + sf.sum(sf.sum(capacity, over=sector), over=member) / 100)
    m.aux("relative", output / start + sf.if_then_else(net > 0, 1, -1), dims=[member])
    return m


@pytest.fixture(scope="module")
def arrayed():
    return arrayed_model()


@needs_numba
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_model_with_dimensions_matches_the_numpy_path(arrayed, method):
    params = {"growth": np.array([[0.05, 0.02, -0.01], [0.0, 0.1, 0.03]]),
              "trade": np.array([[[0.0, 0.2, 0.1], [0.3, 0.0, 0.05], [0.1, 0.4, 0.0]]] * 2)}
    got = arrayed.simulate(params=params, n=2, method=method, backend="numba").dataset
    expected = arrayed.simulate(params=params, n=2, method=method, backend="batched").dataset
    assert got["trade flows"].dims == ("time", "run", "member", "partner")
    assert_same(got, expected)
    # a single run too, whose results have no run dimension
    one = arrayed.simulate(method=method, backend="numba").dataset
    assert_same(one, arrayed.simulate(method=method, backend="batched").dataset)


@needs_numba
def test_transpose_reads_the_partner_element():
    """rename(member=partner, partner=member) is a transpose: hand-computed values."""
    m = sf.Model("transpose", start=0, stop=1, dt=1)
    member = m.dim("member", ["a", "b"])
    partner = m.dim("partner", ["a", "b"])
    table = m.const("table", [[1.0, 2.0], [3.0, 4.0]], dims=[member, partner])
    level = m.stock("level", initial=table.rename(member=partner, partner=member),
                    dims=[member, partner])
    m.flow("fill", level * 0, sink=level, dims=[member, partner])
    got = m.simulate(backend="numba")["level"].isel(time=0).values
    assert got.tolist() == [[1.0, 3.0], [2.0, 4.0]]


DATA_IO = Path(__file__).parents[1] / "data" / "io"
#: the conformance models of ``tests/data/io`` with dimensions that the backend runs
CONFORMANCE = [("subscript_subranges_equal", "test_subscript_subrange_equal.mdl"),
               ("subscript_mapping_simple", "test_subscript_mapping_simple.mdl"),
               ("subscript_transposition", "test_subscript_transposition.mdl"),
               ("except_multiple", "test_except_multiple.mdl"),
               ("get_subscript_3d_arrays_xls", "test_get_subscript_3d_arrays_xls.mdl"),
               ("get_lookups_subscripted_args", "test_get_lookups_subscripted_args.mdl")]


@needs_numba
@pytest.mark.parametrize("folder, name", CONFORMANCE, ids=[c[0] for c in CONFORMANCE])
def test_conformance_models_with_dimensions_match_the_numpy_path(folder, name, tmp_path):
    import shutil

    from sdflow.io import read_model
    shutil.copytree(DATA_IO / folder, tmp_path / folder)
    model = read_model(tmp_path / folder / name)
    assert any(node.dims for node in model.graph().nodes.values())
    assert_same(model.simulate(backend="numba").dataset,
                model.simulate(backend="batched").dataset)



@needs_numba
def test_regional_model_matches_the_numpy_path():
    """The regional model with two members (member x partner tables, arrayed SMOOTH and
    data); the four-member YRD preset takes minutes to compile, see
    benchmarks/numba_arrayed.py."""
    from sdmodels import regional_integration
    model = regional_integration.build(members=["Jiangsu", "Zhejiang"], stop=2010)
    assert_same(model.simulate(backend="numba").dataset,
                model.simulate(backend="batched").dataset)
