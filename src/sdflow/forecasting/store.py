"""Finished chunks on disk, so an interrupted ensemble resumes where it stopped.

``DIR/chunks/settings.txt`` holds the ensemble's settings; ``DIR/chunks/chunk-00012.nc``
one finished chunk each, written atomically (a chunk file exists whole or not at all).
A file damaged afterwards (a copy cut short, a full disk) is found by `ChunkStore.readable`
and computed again. Files are netCDF4 when the netCDF4 package is installed and netCDF3
(scipy's writer, xarray's fallback) otherwise; a chunk this installation cannot read is
computed again too.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from pathlib import Path
from typing import Callable

import xarray as xr

from ..errors import MissingDependencyError, SpecError
from ..files import atomic_write

_CHUNK = re.compile(r"^chunk-(\d{5,})\.nc$")


class ChunkStore:
    """Chunk files of one ensemble in ``directory``.

    Examples
    --------
    >>> import tempfile, xarray as xr
    >>> store = ChunkStore(tempfile.mkdtemp(), "n=10", resume=False)
    >>> store.write(3, xr.Dataset({"x": ("run", [1.0, 2.0])}))
    >>> store.finished()
    [3]
    """

    def __init__(self, directory, settings: str, resume: bool = True):
        self.directory = Path(directory) / "chunks"
        self.directory.mkdir(parents=True, exist_ok=True)
        marker = self.directory / "settings.txt"
        if marker.exists() and resume:
            if marker.read_text() != settings:
                raise SpecError(
                    f"{self.directory} holds chunks of a run with other settings; "
                    "use another output directory, or run without --resume to start over")
        else:
            for path in self.directory.glob("chunk-*.nc"):
                path.unlink()
            atomic_write(marker, lambda tmp: Path(tmp).write_text(settings))

    def path(self, i: int) -> Path:
        return self.directory / f"chunk-{i:05d}.nc"

    def finished(self) -> list[int]:
        """Numbers of the chunks already on disk."""
        found = (_CHUNK.match(p.name) for p in self.directory.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def readable(self, report: Callable[[str], None] | None = None) -> list[int]:
        """Numbers of the chunks on disk that can be read in full.

        A chunk file that cannot be read is reported by name (to ``report``, or as a
        `RuntimeWarning`) and deleted, so that the chunk is computed again.

        Examples
        --------
        >>> import tempfile, xarray as xr
        >>> store = ChunkStore(tempfile.mkdtemp(), "n=10", resume=False)
        >>> store.write(0, xr.Dataset({"x": ("run", [1.0, 2.0])}))
        >>> _ = store.path(1).write_bytes(b"CDF\\x01 cut short")
        >>> messages = []
        >>> store.readable(report=messages.append), store.finished()
        ([0], [0])
        >>> print(messages[0])  # doctest: +ELLIPSIS
        /.../chunks/chunk-00001.nc cannot be read (...); computing chunk 1 again
        """
        good = []
        for i in self.finished():
            try:
                self.read(i)
            # the backends raise OSError, ValueError, RuntimeError, ... for a damaged file;
            # whatever it is, the remedy is to compute the chunk again
            except Exception as exc:  # noqa: BLE001
                message = (f"{self.path(i)} cannot be read ({type(exc).__name__}: {exc}); "
                           f"computing chunk {i} again")
                if report is None:
                    warnings.warn(message, RuntimeWarning, stacklevel=2)
                else:
                    report(message)
                self.path(i).unlink()
            else:
                good.append(i)
        return good

    def write(self, i: int, chunk: xr.Dataset) -> None:
        chunk = chunk.copy()
        if "failed" in chunk:
            chunk["failed"] = chunk["failed"].astype("int8")
        atomic_write(self.path(i), lambda tmp: chunk.to_netcdf(tmp))

    def read(self, i: int) -> xr.Dataset:
        with xr.open_dataset(self.path(i)) as ds:
            ds = ds.load()
        if "failed" in ds:
            ds["failed"] = ds["failed"].astype(bool)
        return ds

    def assemble(self, chunks: int, lazy: bool = False) -> xr.Dataset:
        """All chunks as one Dataset along ``run`` (dask-backed when ``lazy``)."""
        missing = sorted(set(range(chunks)) - set(self.finished()))
        if missing:
            raise SpecError(f"chunks {missing[:10]} are not finished in {self.directory}")
        if lazy:
            if importlib.util.find_spec("dask") is None:
                raise MissingDependencyError('lazy=True reads the chunks with dask: pip '
                                             'install "sdflow[dask]", or use lazy=False')
            ds = xr.open_mfdataset([self.path(i) for i in range(chunks)], combine="nested",
                                   concat_dim="run", data_vars="minimal", coords="minimal",
                                   compat="override")
        else:
            ds = concat_chunks([self.read(i) for i in range(chunks)])
        if "failed" in ds:
            ds["failed"] = ds["failed"].astype(bool)
        ds.attrs.pop("chunk", None)
        return ds


class MemoryStore:
    """Finished chunks kept in memory, for runs without an output directory.

    Examples
    --------
    >>> import xarray as xr
    >>> store = MemoryStore()
    >>> store.write(1, xr.Dataset({"x": ("run", [3.0])}))
    >>> store.write(0, xr.Dataset({"x": ("run", [1.0, 2.0])}))
    >>> store.assemble(2)["x"].values.tolist()
    [1.0, 2.0, 3.0]
    """

    def __init__(self):
        self.chunks: dict[int, xr.Dataset] = {}

    def finished(self) -> list[int]:
        return sorted(self.chunks)

    def write(self, i: int, chunk: xr.Dataset) -> None:
        self.chunks[i] = chunk

    def read(self, i: int) -> xr.Dataset:
        return self.chunks[i]

    def assemble(self, chunks: int, lazy: bool = False) -> xr.Dataset:
        """All chunks as one Dataset along ``run`` (``lazy`` needs a `ChunkStore`)."""
        if lazy:
            raise SpecError("lazy=True reads chunks back from disk: give out_dir")
        ds = concat_chunks([self.chunks[i] for i in range(chunks)])
        ds.attrs.pop("chunk", None)
        return ds


def concat_chunks(chunks: list[xr.Dataset]) -> xr.Dataset:
    """Chunks joined along ``run``; variables without ``run`` are taken from the first."""
    return xr.concat(chunks, dim="run", data_vars="minimal", coords="minimal",
                     compat="override")
