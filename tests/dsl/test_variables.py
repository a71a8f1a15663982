"""Lookups (graphical functions) and exogenous data series.

Expected numbers: PySD running the same lookup in Vensim syntax, numpy's ``np.interp`` (the
definition of linear interpolation with ends held), and values worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sdflow as sf

X = [0.0, 2.0, 5.0, 6.0]
Y = [1.0, 3.0, -1.0, 0.0]


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_lookup_matches_pysd(pysd_run, backend):
    peer = pysd_run({"y": "WITH LOOKUP(Time - 2, ([(0,-1)-(6,3)],(0,1),(2,3),(5,-1),(6,0)))"},
                    start=0, stop=10, dt=0.25)
    m = sf.Model("m", start=0, stop=10, dt=0.25)
    tab = m.lookup("tab", x=X, y=Y)
    m.aux("y", tab(m.time - 2))
    run = m.simulate(backend=backend)
    np.testing.assert_allclose(run["y"].values, peer["y"].values, rtol=1e-12)


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_lookup_holds_ends_by_default_and_extrapolates_on_request(backend):
    m = sf.Model("m", start=-4, stop=10, dt=0.5)
    held = m.lookup("held", x=X, y=Y)
    linear = m.lookup("linear", x=X, y=Y, extrapolate=True)
    m.aux("a", held(m.time))
    m.aux("b", linear(m.time))
    run = m.simulate(backend=backend)
    t = run.dataset["time"].values
    np.testing.assert_allclose(run["a"].values, np.interp(t, X, Y))
    inside = (t >= 0) & (t <= 6)
    np.testing.assert_allclose(run["b"].values[inside], np.interp(t[inside], X, Y))
    # first segment slope (3 - 1) / 2 = 1; last segment slope (0 - -1) / 1 = 1
    np.testing.assert_allclose(run["b"].values[t < 0], 1.0 + t[t < 0])
    np.testing.assert_allclose(run["b"].values[t > 6], 0.0 + (t[t > 6] - 6))


def test_lookup_over_a_dimension():
    m = sf.Model("m", start=0, stop=1, dt=1)
    region = m.dim("region", ["a", "b", "c"])
    x = m.const("x", [-1.0, 3.5, 9.0], dims=[region])
    tab = m.lookup("tab", x=X, y=Y)
    m.aux("y", tab(x), dims=[region])
    np.testing.assert_allclose(m.simulate()["y"].values[0], np.interp([-1, 3.5, 9], X, Y))


def test_lookup_validation():
    m = sf.Model("m", start=0, stop=1, dt=1)
    with pytest.raises(sf.ModelError, match="'bad': x must be non-decreasing"):
        m.lookup("bad", x=[0, 2, 1], y=[0, 1, 2])
    with pytest.raises(sf.ModelError, match="'short': x and y must be 1-D"):
        m.lookup("short", x=[0, 1], y=[0, 1, 2])


SERIES = pd.Series([10.0, 12.0, 11.0, 15.0], index=[2000, 2001, 2003, 2004])


@pytest.mark.parametrize("backend", ["scalar", "batched"])
def test_data_from_series_interpolates_linearly_and_holds_ends(backend):
    m = sf.Model("m", start=1998, stop=2006, dt=0.5, time_units="year")
    pop = m.data("population", SERIES, units="person")
    m.aux("twice", 2 * pop)
    run = m.simulate(backend=backend)
    t = run.dataset["time"].values
    expected = np.interp(t, SERIES.index.to_numpy(float), SERIES.to_numpy())
    np.testing.assert_allclose(run["population"].values, expected)
    np.testing.assert_allclose(run["twice"].values, 2 * expected)
    assert run["population"].attrs["units"] == "person"
    assert float(run["population"].sel(time=2002)) == 11.5


def test_data_from_a_csv_column(tmp_path):
    path = tmp_path / "series.csv"
    pd.DataFrame({"year": SERIES.index, "gdp": SERIES.values, "other": 0.0}).to_csv(
        path, index=False)
    m = sf.Model("m", start=2000, stop=2004, dt=1)
    m.data("gdp", path, column="gdp")
    run = m.simulate()
    np.testing.assert_allclose(run["gdp"].values, [10.0, 12.0, 11.5, 11.0, 15.0])


def test_data_with_a_dimension_from_csv_columns(tmp_path):
    path = tmp_path / "regions.csv"
    pd.DataFrame({"t": [0, 2], "b": [5.0, 1.0], "a": [0.0, 4.0]}).to_csv(path, index=False)
    m = sf.Model("m", start=0, stop=3, dt=1)
    region = m.dim("region", ["a", "b"])
    series = m.data("series", path, dims=[region])
    stock = m.stock("stock", initial=0.0, dims=[region])
    m.flow("inflow", series, sink=stock, dims=[region])
    m.aux("b only", series.sel(region="b"))
    run = m.simulate()
    assert run["series"].dims == ("time", "region")
    np.testing.assert_allclose(run["series"].values, [[0, 5], [2, 3], [4, 1], [4, 1]])
    np.testing.assert_allclose(run["stock"].values[-1], [6.0, 9.0])
    np.testing.assert_allclose(run["b only"].values, [5, 3, 1, 1])
    runs = m.simulate(n=2)
    np.testing.assert_allclose(runs["stock"].values[-1], [[6.0, 9.0], [6.0, 9.0]])


def test_data_from_arrays_with_two_dimensions():
    # what the Vensim importer needs for GET DIRECT DATA over two subscripts; expected
    # values by hand: linear between (0, v0) and (2, v2), held after 2
    m = sf.Model("m", start=0, stop=3, dt=1)
    region = m.dim("region", ["a", "b"])
    sector = m.dim("sector", ["x", "y", "z"])
    first = np.arange(6.0).reshape(2, 3)
    m.data("jobs", np.stack([first, first + 2.0]), times=[0, 2], dims=[region, sector])
    run = m.simulate()
    assert run["jobs"].dims == ("time", "region", "sector")
    np.testing.assert_allclose(run["jobs"].values,
                               [first, first + 1.0, first + 2.0, first + 2.0])


def test_data_from_arrays_errors_name_the_variable():
    m = sf.Model("m", start=0, stop=1, dt=1)
    region = m.dim("region", ["a", "b"])
    with pytest.raises(sf.DimensionError, match=r"data 'short'.*\(2, 1\).*\(2, 2\)"):
        m.data("short", [[1.0], [2.0]], times=[0, 1], dims=[region])
    with pytest.raises(sf.DataError, match="data 'words': values must be numbers"):
        m.data("words", ["one", "two"], times=[0, 1])
    with pytest.raises(sf.DataError, match="data 'both': column= .* with times="):
        m.data("both", [1.0, 2.0], times=[0, 1], column="gdp")
    with pytest.raises(sf.DataError, match="or an array with times="):
        m.data("no times", np.array([1.0, 2.0]))


def test_data_errors_name_the_file_and_column(tmp_path):
    m = sf.Model("m", start=0, stop=1, dt=1)
    with pytest.raises(sf.DataError, match="missing.csv does not exist"):
        m.data("x", tmp_path / "missing.csv")
    path = tmp_path / "two.csv"
    pd.DataFrame({"t": [0, 1], "a": [1, 2], "b": [3, 4]}).to_csv(path, index=False)
    with pytest.raises(sf.DataError, match="no column 'c'; columns are"):
        m.data("x", path, column="c")
    with pytest.raises(sf.DataError, match="several columns"):
        m.data("y", path)
    with pytest.raises(sf.DataError, match="no column 'when'"):
        m.data("z", path, time_column="when")
    with pytest.raises(sf.DataError, match=r"data 'gaps'.*2001"):
        m.data("gaps", pd.Series([1.0, np.nan], index=[2000, 2001]))
    region = m.dim("region", ["a", "z"])
    with pytest.raises(sf.DataError, match=r"no column for element\(s\) \['z'\]"):
        m.data("w", path, dims=[region])
