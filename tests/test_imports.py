"""What a fresh process imports: ``import sdflow`` stays light, heavy libraries load when
the feature that needs them is used, and pint's registry is built once per process.

Each check runs in a new interpreter (``sys.modules`` of the test process already holds
everything the rest of the suite imported). Nothing here times anything; the figures are
in benchmarks/first_result.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sdflow

#: Libraries that cost tenths of a second to import and that a plain model never needs.
HEAVY = ("scipy.stats", "scipy.integrate", "scipy.optimize", "pint", "dask", "matplotlib",
         "netCDF4", "pysd", "openpyxl", "SALib", "numba")

TEACUP = Path(__file__).parent / "data" / "io" / "teacup" / "teacup.mdl"


def run_fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter importing this checkout's sdflow; it prints JSON."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(sdflow.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded(modules: list[str]) -> list[str]:
    """The heavy libraries among ``modules`` (a package counts with its submodules)."""
    return sorted({h for h in HEAVY for m in modules if m == h or m.startswith(h + ".")})


def test_import_sdflow_loads_no_heavy_library():
    out = run_fresh("""
        import json, sys
        import sdflow
        print(json.dumps(sorted(sys.modules)))
    """)
    assert loaded(out) == []


def test_public_names_still_work_and_load_their_library_when_used():
    out = run_fresh("""
        import json, sys
        import sdflow as sf
        missing = [n for n in sf.__all__ if not hasattr(sf, n)]
        before = "scipy.stats" in sys.modules
        median = float(sf.uniform(0.2, 0.6).ppf(0.5))
        print(json.dumps([missing, before, "scipy.stats" in sys.modules, median]))
    """)
    missing, before, after, median = out
    assert missing == [] and not before and after
    assert median == pytest.approx(0.4)  # the middle of [0.2, 0.6]


def test_a_model_without_units_runs_without_a_unit_registry_or_scipy():
    """No units declared: the unit pass has nothing to check and builds no pint registry,
    and xarray does not import pint to see that the results are not pint arrays
    (`sdflow.solve.duck_arrays`)."""
    out = run_fresh("""
        import json, sys
        import sdflow as sf
        from sdflow.ir.units import registry
        m = sf.Model("decay", start=0, stop=10, dt=1)
        x = m.stock("x", initial=100.0)
        m.flow("out", 0.1 * x, source=x)
        m.aux("high", sf.if_then_else(x > 50, 1, 0))
        final = float(m.simulate()["x"][-1])
        print(json.dumps([final, registry.cache_info().currsize, sorted(sys.modules)]))
    """)
    final, registries, modules = out
    assert final == pytest.approx(100 * 0.9 ** 10)  # Euler on dx/dt = -0.1 x, dt = 1
    assert registries == 0
    assert [m for m in loaded(modules) if m.startswith(("scipy", "pint"))] == []


def test_reading_a_vensim_model_builds_one_unit_registry():
    """Reading a model (its unit names translated and checked) builds pint's registry once."""
    out = run_fresh(f"""
        import gc, json
        import sdflow as sf
        model = sf.read_vensim({str(TEACUP)!r})
        model.check()
        import pint
        registries = sum(isinstance(o, pint.UnitRegistry) for o in gc.get_objects())
        print(json.dumps([registries, model.check().ok]))
    """)
    assert out == [1, True]


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="dask is not installed")
def test_first_result_of_a_vensim_model_does_not_import_dask_array():
    """Read, run, index a result: xarray wraps the run's NumPy arrays without importing
    dask.array to rule out dask arrays (with scipy.sparse and scipy.fft: most of a second),
    and nothing of loop analysis or the XMILE writer is loaded.
    """
    out = run_fresh(f"""
        import json, sys
        import sdflow as sf
        run = sf.read_vensim({str(TEACUP)!r}).simulate()
        final = float(run["Teacup Temperature"][-1])
        print(json.dumps([final, repr(run.dataset).count("Teacup"), sorted(sys.modules)]))
    """)
    final, shown, modules = out
    assert final == pytest.approx(75.374, abs=1e-3)  # PySD and Simlin agree (benchmarks/)
    assert shown >= 1
    assert [m for m in modules if m == "dask.array" or m.startswith("dask.array.")] == []
    # loop analysis, diagrams and the XMILE writer load when first used (sdflow.__getattr__)
    assert [m for m in modules if m.startswith(("sdflow.analyse", "sdflow.io.xmile_w"))] == []


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="dask is not installed")
def test_xarray_still_wraps_dask_and_pint_arrays_made_after_a_run():
    """Deferring the imports changes when xarray learns the classes, not what it does with
    them: dask arrays stay lazy and chunked, pint quantities keep their units."""
    out = run_fresh("""
        import json
        import numpy as np
        import xarray as xr
        import sdflow as sf
        m = sf.Model("m", start=0, stop=2, dt=1)
        x = m.stock("x", initial=1.0)
        float(m.simulate()["x"][-1])
        import dask, dask.array as da, pint
        from xarray.namedarray.pycompat import mod_version
        lazy = xr.DataArray(da.ones(4, chunks=2), dims="x")
        total = lazy.sum()
        ureg = pint.UnitRegistry()
        length = xr.DataArray(ureg.Quantity(np.arange(3.0), "m"), dims="x")
        print(json.dumps([lazy.chunks, type(total.data).__module__, float(total),
                          str(length.data.units), str(mod_version("dask")) == dask.__version__]))
    """)
    chunks, total_module, total, units, version = out
    assert chunks == [[2, 2]] and total_module.startswith("dask.array")
    assert total == 4.0
    assert units == "meter" and version
