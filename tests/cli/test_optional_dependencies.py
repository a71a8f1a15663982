"""dask and netCDF4 are optional: without them sdflow runs, forecasts and writes netCDF3
(scipy's writer, chosen by xarray), and asking for Dask says which extra to install.

A missing package is simulated by ``sys.modules[name] = None``, which makes ``import name``
fail and ``importlib.util.find_spec(name)`` report it absent, as after ``pip uninstall``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sdflow.cli import main
from sdflow.errors import MissingDependencyError, SdflowError
from sdmodels.reference import bass

REPO = Path(__file__).resolve().parents[2]
OPTIONAL = ["dask", "distributed", "netCDF4", "h5netcdf"]

SPEC = """
[model]
factory = "sdmodels.reference.bass:build"

[forecast]
until = 8
n = 30
chunk_size = 10
saveper = 1
outputs = ["adopters"]
years = [5]

[uncertain]
imitation = { distribution = "uniform", low = 0.3, high = 0.5 }

[scenarios.baseline]
[scenarios.fast]
levers = { innovation = 0.05 }
"""


def sdflow_without_optional(args, cwd):
    """``sdflow ARGS`` in a fresh process in which dask and netCDF4 are not installed."""
    code = ("import sys\n"
            f"for name in {OPTIONAL!r}:\n"
            "    sys.modules[name] = None\n"
            "import sdflow.forecasting\n"  # importing the package needs neither
            "from sdflow.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
               MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def test_the_core_does_not_require_dask_or_netcdf4_but_the_tests_do():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"]).lower()
    assert "dask" not in core and "netcdf4" not in core
    extras = project["optional-dependencies"]
    assert extras["dask"] == ["dask[distributed]>=2023.1"]
    assert extras["netcdf"] == ["netCDF4>=1.6"]
    for extra in ("test", "full"):  # `pip install -e ".[test]"` gives every test its needs
        assert set(extras["dask"] + extras["netcdf"]) <= set(extras[extra])


def test_forecast_without_dask_and_netcdf4_writes_netcdf3(tmp_path):
    (tmp_path / "bass.toml").write_text(SPEC)
    done = sdflow_without_optional(["forecast", "bass.toml", "--out", "out", "--no-figures"],
                                   tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "out" / "ensemble.nc"
    assert written.read_bytes()[:3] == b"CDF"  # netCDF3 (netCDF4 files start with \x89HDF)
    assert main(["forecast", str(tmp_path / "bass.toml"), "--out", str(tmp_path / "with"),
                 "--no-figures"]) == 0
    with xr.open_dataset(written) as without, \
            xr.open_dataset(tmp_path / "with" / "ensemble.nc") as with_all:
        np.testing.assert_array_equal(without["adopters"].values, with_all["adopters"].values)
    done = sdflow_without_optional(["run", "sdmodels.reference.bass:build", "--out", "b.nc"],
                                   tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "b.nc").read_bytes()[:3] == b"CDF"
    with xr.open_dataset(tmp_path / "b.nc") as run:
        np.testing.assert_array_equal(run["adopters"].values,
                                      bass.build().simulate()["adopters"].values)


@pytest.mark.parametrize("flags", [["--scheduler", "local"], ["--workers", "2"]])
def test_dask_options_without_dask_name_the_extra(tmp_path, flags):
    (tmp_path / "bass.toml").write_text(SPEC)
    done = sdflow_without_optional(["forecast", "bass.toml", "--out", "out", "--no-figures",
                                    *flags], tmp_path)
    assert done.returncode == 2
    error = done.stderr.splitlines()[-1]
    assert error.startswith("sdflow forecast: error: running on Dask (--scheduler, "
                            "--workers) needs dask and distributed")
    assert error.endswith('pip install "sdflow[dask]", or run in this process')
    assert "Traceback" not in done.stderr


def test_missing_dependency_error_is_an_import_error_and_lazy_needs_dask(tmp_path,
                                                                         monkeypatch):
    assert issubclass(MissingDependencyError, SdflowError)
    assert issubclass(MissingDependencyError, ImportError)
    from sdflow.forecasting.store import ChunkStore

    store = ChunkStore(tmp_path, "a", resume=False)
    store.write(0, xr.Dataset({"x": ("run", [1.0])}, coords={"run": [0]}))
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "sdflow\[dask\]"'):
        store.assemble(1, lazy=True)
    assert store.assemble(1)["x"].values.tolist() == [1.0]
