"""Chunk files: atomic, resumable, refused when settings differ."""

import numpy as np
import pytest
import xarray as xr

import sdflow as sf
from sdflow.forecasting.store import ChunkStore


def _chunk(start):
    return xr.Dataset({"x": (("run",), np.arange(start, start + 2.0)),
                       "failed": (("run",), np.array([False, True]))},
                      coords={"run": [start, start + 1]})


def test_write_read_assemble(tmp_path):
    store = ChunkStore(tmp_path, "a", resume=False)
    store.write(1, _chunk(2))
    store.write(0, _chunk(0))
    assert store.finished() == [0, 1]
    assert store.read(1)["failed"].dtype == bool
    ds = store.assemble(2)
    assert ds["x"].values.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ds["run"].values.tolist() == [0, 1, 2, 3]
    with pytest.raises(sf.SpecError, match=r"chunks \[2\] are not finished"):
        store.assemble(3)
    assert not list(tmp_path.glob("chunks/.*tmp"))  # no temporary files left behind


def test_resume_keeps_or_discards(tmp_path):
    ChunkStore(tmp_path, "a", resume=False).write(0, _chunk(0))
    assert ChunkStore(tmp_path, "a", resume=True).finished() == [0]
    assert ChunkStore(tmp_path, "a", resume=False).finished() == []
    with pytest.raises(sf.SpecError, match="other settings"):
        ChunkStore(tmp_path, "b", resume=True)


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2]),
    lambda path: path.write_bytes(b""),
    lambda path: path.write_bytes(b"not a netCDF file at all"),
])
def test_a_damaged_chunk_is_reported_by_name_and_dropped(tmp_path, damage):
    store = ChunkStore(tmp_path, "a", resume=False)
    for i in range(3):
        store.write(i, _chunk(2 * i))
    damage(store.path(1))
    messages = []
    resumed = ChunkStore(tmp_path, "a", resume=True)
    assert resumed.readable(report=messages.append) == [0, 2]
    assert len(messages) == 1
    assert messages[0].startswith(f"{store.path(1)} cannot be read (")
    assert messages[0].endswith("computing chunk 1 again")
    assert resumed.finished() == [0, 2]  # the damaged file is gone
    with pytest.warns(RuntimeWarning, match="chunk-00000.nc cannot be read"):
        store.path(0).write_bytes(b"")
        assert resumed.readable() == [2]
