"""`Results`: dataset layout, attributes, pandas and netCDF export, the quick plot."""

from __future__ import annotations

import os

import numpy as np
import pytest
import xarray as xr

import sdflow as sf
from sdflow.files import atomic_write


def model() -> sf.Model:
    m = sf.Model("shop", start=0, stop=2, dt=0.5, time_units="month")
    region = m.dim("region", ["a", "b"])
    price = m.const("price", [2.0, 3.0], dims=[region], units="yuan/widget",
                    doc="unit price")
    stock = m.stock("inventory", initial=[10.0, 20.0], dims=[region], units="widget",
                    doc="widgets on hand")
    sales = m.flow("sales", 0.5 * stock / m.const("one month", 1.0, units="month"),
                   source=stock, dims=[region], units="widget/month")
    m.aux("revenue", sf.sum(sales * price, over=region), units="yuan/month")
    return m


def test_dims_without_and_with_runs():
    one = model().simulate()
    assert one["inventory"].dims == ("time", "region")
    assert one["revenue"].dims == ("time",)
    assert one.dataset["region"].values.tolist() == ["a", "b"]
    many = model().simulate(n=3)
    assert many["inventory"].dims == ("time", "run", "region")
    assert many["inventory"].shape == (5, 3, 2)
    assert many.dataset["run"].values.tolist() == [0, 1, 2]


def test_units_and_descriptions_in_attrs():
    ds = model().simulate().dataset
    assert ds["inventory"].attrs["units"] == "widget"
    assert ds["inventory"].attrs["description"] == "widgets on hand"
    assert ds["inventory"].attrs["kind"] == "stock"
    assert ds["sales"].attrs["units"] == "widget/month"
    assert ds["time"].attrs["units"] == "month"
    assert ds.attrs["model"] == "shop" and ds.attrs["dt"] == 0.5


def test_getitem_uses_vensim_name_equivalence():
    run = model().simulate()
    assert run["INVENTORY"].name == "inventory"
    assert "Revenue" in run and "nothing" not in run
    with pytest.raises(KeyError, match="saved variables are"):
        run["nothing"]


def test_to_dataframe_takes_one_set_of_dimensions():
    run = model().simulate()
    frame = run.to_dataframe(dims="region")
    assert frame.index.names == ["time", "region"]
    assert list(frame.columns) == ["inventory", "sales"]
    assert frame.loc[(0.0, "b"), "inventory"] == 20.0
    assert frame.loc[(0.5, "a"), "inventory"] == pytest.approx(10.0 - 0.5 * 0.5 * 10.0)
    scalars = run.to_dataframe(dims=())
    assert scalars.index.names == ["time"] and list(scalars.columns) == ["revenue"]
    with pytest.raises(sf.ResultsExportError, match=r"2 different sets.*\('region',\), \(\)"):
        run.to_dataframe()  # which table is meant must be said
    with pytest.raises(ValueError, match="exactly the dimensions \\('partner',\\)"):
        run.to_dataframe(dims="partner")
    assert model().simulate(variables=["inventory"]).to_dataframe().shape == (10, 1)


def bilateral(members: int = 4) -> sf.Model:
    """A member x partner trade table and its regional total, as in the integration models."""
    m = sf.Model("trade", start=0, stop=3, dt=1, time_units="year")
    names = [f"m{i}" for i in range(members)]
    member, partner = m.dim("member", names), m.dim("partner", names)
    rng = np.random.default_rng(7)
    trade = m.stock("trade", initial=rng.uniform(1, 100, (members, members)),
                    dims=[member, partner])
    m.flow("growth", 0.1 * trade / m.const("year", 1.0, units="year"), sink=trade)
    m.aux("exports", sf.sum(trade, over=partner))
    m.aux("total trade", sf.sum(sf.sum(trade, over=partner), over=member))
    return m


@pytest.mark.parametrize("n", [1, 3])
def test_csv_files_keep_each_variable_over_its_own_dimensions(tmp_path, n):
    import pandas as pd

    run = bilateral().simulate(n=n)
    written = run.to_csv(tmp_path / "x.csv")
    assert [p.name for p in written] == ["x.csv", "x.member.partner.csv", "x.member.csv"]
    index = ["time", "run"] if n > 1 else ["time"]
    files = {(): ("x.csv", []), ("member", "partner"): ("x.member.partner.csv",
                                                        ["member", "partner"]),
             ("member",): ("x.member.csv", ["member"])}
    for dims, (name, columns) in files.items():
        back = pd.read_csv(tmp_path / name)
        assert list(back.columns[:len(index) + len(columns)]) == index + columns
        for variable in back.columns[len(index) + len(columns):]:
            expected = run[variable]
            assert set(expected.dims) - {"time", "run"} == set(dims)
            # one row per (time, run, element): the CSV sum is the variable's own sum, to the
            # last bit, since floats are written in their shortest round-trip form
            assert len(back) == expected.size
            in_order = expected.transpose(*index, *dims).values.ravel()
            np.testing.assert_array_equal(back[variable].to_numpy(), in_order)
            assert back[variable].to_numpy().sum() == in_order.sum()
            assert back[variable].sum() == pytest.approx(float(expected.sum()), rel=1e-12)
    # the regional total once per time (it used to appear once per member x partner pair)
    totals = pd.read_csv(tmp_path / "x.csv")["total trade"]
    assert len(totals) == 4 * n


def test_csv_of_a_model_without_dimensions_is_one_file(tmp_path):
    m = sf.Model("decay", start=0, stop=2, dt=1)
    x = m.stock("x", initial=8.0)
    m.flow("out", 0.5 * x, source=x)
    written = m.simulate().to_csv(tmp_path / "d.csv")
    assert written == [tmp_path / "d.csv"]
    assert (tmp_path / "d.csv").read_text().splitlines() == [
        "time,x,out", "0.0,8.0,4.0", "1.0,4.0,2.0", "2.0,2.0,1.0"]
    assert sorted(os.listdir(tmp_path)) == ["d.csv"]


def test_to_netcdf_round_trip(tmp_path):
    run = model().simulate(n=2)
    path = run.to_netcdf(tmp_path / "out.nc")
    with xr.open_dataset(path) as back:
        np.testing.assert_allclose(back["inventory"].values, run["inventory"].values)
        assert back["inventory"].attrs["units"] == "widget"
    assert [p.name for p in tmp_path.iterdir()] == ["out.nc"]  # no temporary left behind


def test_failed_write_leaves_existing_file_intact(tmp_path):
    path = tmp_path / "out.nc"
    path.write_bytes(b"previous results")

    def broken(tmp):
        with open(tmp, "wb") as handle:
            handle.write(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, broken)
    assert path.read_bytes() == b"previous results"
    assert sorted(os.listdir(tmp_path)) == ["out.nc"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        netcdf = model().simulate().to_netcdf(tmp_path / "out.nc")
        csvs = model().simulate().to_csv(tmp_path / "out.csv")
    finally:
        os.umask(old)
    for path in [netcdf, *csvs]:
        assert os.stat(path).st_mode & 0o777 == mode, path.name


def test_data_and_folder_are_flushed_before_and_after_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.path.isdir(f"/proc/self/fd/{fd}")
                       if os.path.exists("/proc/self/fd") else None))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", None))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic_write(tmp_path / "a.txt", lambda tmp: open(tmp, "w").write("data"))
    assert [e[0] for e in events] == ["fsync", "replace", "fsync"]
    if os.path.exists("/proc/self/fd"):  # the file first, the folder after
        assert [e[1] for e in events if e[0] == "fsync"] == [False, True]


def test_leftovers_of_killed_writes_are_removed_by_the_next_write(tmp_path):
    stale = tmp_path / ".out.csv.tmp-0badc0de"   # a write of out.csv that was killed
    stale.write_text("half")
    os.utime(stale, (1e9, 1e9))
    other = tmp_path / ".other.csv.tmp-0badc0de"  # another target's: not ours to remove
    other.write_text("half")
    os.utime(other, (1e9, 1e9))
    atomic_write(tmp_path / "out.csv", lambda tmp: open(tmp, "w").write("new"))
    assert sorted(os.listdir(tmp_path)) == [".other.csv.tmp-0badc0de", "out.csv"]


def test_a_failed_write_removes_its_temporary_file_under_a_recognisable_name(tmp_path):
    seen = []

    def broken(tmp):
        seen.append(os.path.basename(tmp))
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(tmp_path / "out.csv", broken)
    assert seen[0].startswith(".out.csv.tmp-")
    assert os.listdir(tmp_path) == []


def test_failed_netcdf_export_leaves_existing_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "out.nc"
    path.write_bytes(b"previous results")
    run = model().simulate()

    def explode(self, target, *args, **kwargs):
        with open(target, "wb") as handle:
            handle.write(b"partial")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", explode)
    with pytest.raises(RuntimeError, match="interrupted"):
        run.to_netcdf(path)
    assert path.read_bytes() == b"previous results"
    assert sorted(os.listdir(tmp_path)) == ["out.nc"]


def test_to_csv(tmp_path):
    written = model().simulate().to_csv(tmp_path / "out.csv")
    assert written == [tmp_path / "out.csv", tmp_path / "out.region.csv"]
    assert written[0].read_text().splitlines()[0] == "time,revenue"
    text = written[1].read_text().splitlines()
    assert text[0] == "time,region,inventory,sales"
    assert len(text) == 1 + 5 * 2


def test_plot_returns_a_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = model().simulate(n=4).plot(["inventory", "revenue"])
    assert isinstance(figure, matplotlib.figure.Figure)
    assert len(figure.axes) == 2
    assert figure.axes[0].get_ylabel().startswith("inventory")
    plt.close(figure)
    figure = model().simulate().plot()
    assert len(figure.axes) == 3
    plt.close(figure)


# -- behaving like the Dataset (iteration, attributes, selection, display) --------------------
def test_iterates_over_variable_names_like_a_dataset():
    # list(results) used to call name_key(0) and fail with "'int' object has no attribute
    # 'replace'"; a Dataset iterates over its data variables, and so do results now.
    run = model().simulate()
    assert list(run) == list(run.dataset.data_vars)
    assert list(run) == ["inventory", "sales", "revenue"]  # constants are not saved
    assert len(run) == 3
    assert list(run.keys()) == list(run)
    assert {name: run[name].dims for name in run}["revenue"] == ("time",)


def test_attribute_access_reads_variables():
    run = model().simulate()
    assert run.inventory.identical(run["inventory"])
    spaced = model()
    spaced.aux("unit revenue", spaced["revenue"] / 2)
    spaced_run = spaced.simulate()
    assert spaced_run.unit_revenue.identical(spaced_run["unit revenue"])  # _ for spaces
    assert "unit_revenue" in dir(spaced_run) and "inventory" in dir(run)
    assert run.plot.__func__ is sf.Results.plot  # methods win over variables
    assert not hasattr(run, "nothing")
    with pytest.raises(AttributeError, match="saved variables are"):
        run.nothing


def test_non_string_keys_say_how_to_select():
    run = model().simulate()
    assert 0 not in run
    with pytest.raises(TypeError, match=r"isel\(time=...\)"):
        run[0]


def test_sel_and_isel_return_results_of_the_selection():
    runs = model().simulate(n=3)
    # Euler at dt = 0.5 with outflow 0.5 * stock: inventory = initial * 0.75 ** steps
    last = runs.isel(time=-1)
    assert isinstance(last, sf.Results)
    assert last.inventory.dims == ("run", "region")
    np.testing.assert_allclose(last.inventory.values, [[10 * 0.75 ** 4, 20 * 0.75 ** 4]] * 3)
    b = runs.sel(region="b", time=1.0)
    np.testing.assert_allclose(b["inventory"].values, [20 * 0.75 ** 2] * 3)
    assert runs.sel(run=[0, 2]).dataset.sizes["run"] == 2
    assert b["Revenue"].dims == ("run",)  # name equivalence still holds after selecting


def test_repr_and_html_show_the_dataset():
    run = model().simulate()
    assert "xarray.Dataset" in repr(run) and "inventory" in repr(run)
    html = run._repr_html_()  # xarray's display (its element ids differ per call)
    assert html.startswith("<div>") and "xr-wrap" in html and "inventory" in html


def test_results_survive_pickle_and_copy():
    # __getattr__ must not recurse while an unpickled object has no dataset yet
    import copy
    import pickle
    run = model().simulate()
    assert list(pickle.loads(pickle.dumps(run))) == list(run)
    assert list(copy.deepcopy(run)) == list(run)


def test_datasets_from_one_template_are_independent_and_identical_to_a_fresh_build():
    """`build_dataset` copies a template kept per layout; each result must be what building
    it from scratch gives, and changing one result must not reach the next."""
    import xarray as xr
    from sdflow.solve import dataset as ds_module
    m = sf.Model("decay", start=0, stop=2, dt=0.5, time_units="year")
    region = m.dim("region", ["a", "b"])
    k = m.const("k", [0.1, 0.2], dims=[region], units="1/year")
    x = m.stock("x", initial=1.0, dims=[region])
    m.flow("out", k * x, source=x, dims=[region])
    first = m.simulate()
    first.dataset["x"].values[:] = -1.0
    first.dataset["x"].attrs["units"] = "changed"
    first.dataset.attrs["model"] = "changed"
    second = m.simulate(params={"k": [0.3, 0.4]})
    assert second.dataset.attrs["model"] == "decay"
    assert "units" not in second.dataset["x"].attrs  # x declares none; first["x"] got one
    assert second["x"].values[1].tolist() == [1.0 - 0.5 * 0.3, 1.0 - 0.5 * 0.4]
    graph = m.graph()
    arrays = m.simulate(params={"k": [0.3, 0.4]}, output="arrays")
    saved = {key: arrays.values[graph.nodes[key].name] for key in ("x", "out")}
    constants = {"k": np.broadcast_to(np.array([0.3, 0.4]), (1, 2))}
    attrs = dict(second.dataset.attrs)
    fresh = ds_module._build(graph, arrays.times, saved, constants,
                             {**{graph.nodes[key].name: v[:, 0] for key, v in saved.items()},
                              "k": constants["k"][0]}, 1, False, attrs)
    xr.testing.assert_identical(fresh, second.dataset.drop_vars(
        [v for v in second.dataset.data_vars if v not in fresh.data_vars]))
