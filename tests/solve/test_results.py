"""`Results`: dataset layout, attributes, pandas and netCDF export, the quick plot."""

from __future__ import annotations

import os

import numpy as np
import pytest
import xarray as xr

import sdflow as sf
from sdflow.solve.results import atomic_write


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


def test_to_dataframe():
    frame = model().simulate().to_dataframe()
    assert frame.index.names == ["time", "region"]
    assert frame.loc[(0.0, "b"), "inventory"] == 20.0
    assert frame.loc[(0.5, "a"), "inventory"] == pytest.approx(10.0 - 0.5 * 0.5 * 10.0)


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
    path = model().simulate().to_csv(tmp_path / "out.csv")
    text = path.read_text().splitlines()
    assert text[0].startswith("time,region,")
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
