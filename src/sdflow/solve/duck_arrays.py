"""xarray checks for dask and pint arrays without importing dask.array or pint first.

Before it wraps an array, xarray asks whether the array is one of dask's or pint's, and to
answer it imports ``dask.array`` (with scipy.sparse, scipy.fft and more: most of a second)
and ``pint`` whenever they are installed, even though the arrays of a run are plain NumPy.
An object can only be a ``dask.array.Array`` or a ``pint.Quantity`` once that class
exists, i.e. once its module has been imported; until then the answer is "no" without
importing anything. `defer_duck_array_imports` puts that answer in xarray's cache of
array modules: the classes are looked up in ``sys.modules`` at each check, so arrays made
after the user (or xarray's own dask support, e.g. ``open_mfdataset(chunks=...)``)
imports dask are recognised as before. The module's version and ``available`` flag,
which xarray reads only when it works with such arrays, import the module as xarray
would.

The cache is a private part of xarray (``xarray.namedarray.pycompat``); where it is
missing (another xarray version) nothing is changed and xarray imports what it imports.

Examples
--------
>>> import sys
>>> import numpy as np
>>> import xarray as xr
>>> from sdflow.solve.duck_arrays import defer_duck_array_imports
>>> defer_duck_array_imports()  # done when sdflow is imported; repeating is harmless
True
>>> float(xr.DataArray(np.arange(3.0), dims="time")[-1])
2.0
"""

from __future__ import annotations

import sys

#: xarray's name for each array library -> (module, class) whose instances it looks for;
#: the same lookups as xarray's ``DuckArrayModule``.
DEFERRED = {"dask": ("dask.array", "Array"), "pint": ("pint", "Quantity")}


class OnDemandArrayModule:
    """Stands in xarray's cache for one array library until that library is imported.

    ``type`` (what every wrap of an array reads) is the library's array class if its
    module is in ``sys.modules``, else ``()``; the other attributes come from xarray's own
    ``DuckArrayModule``, made (and the library imported) on first use.
    """

    def __init__(self, mod: str, factory):
        self.mod = mod
        self._factory = factory
        self._resolved = None

    @property
    def type(self) -> tuple:
        module, name = DEFERRED[self.mod]
        cls = getattr(sys.modules.get(module), name, None)  # None while partly imported
        return (cls,) if isinstance(cls, type) else ()

    def __getattr__(self, name: str):  # module, version, available: as xarray computes them
        if name.startswith("_"):
            raise AttributeError(name)
        if self._resolved is None:
            self._resolved = self._factory(self.mod)
        return getattr(self._resolved, name)


def defer_duck_array_imports() -> bool:
    """Let xarray wrap NumPy arrays without importing dask.array or pint (see the module).

    Returns whether xarray's cache was found; entries xarray already made are kept.
    """
    try:
        from xarray.namedarray import pycompat
    except ImportError:  # xarray before namedarray
        return False
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    factory = getattr(pycompat, "DuckArrayModule", None)
    if not isinstance(cache, dict) or factory is None:
        return False
    for mod in DEFERRED:
        cache.setdefault(mod, OnDemandArrayModule(mod, factory))
    return True
