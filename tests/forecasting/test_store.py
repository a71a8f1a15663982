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
