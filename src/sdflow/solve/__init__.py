"""Integration through time and the results of runs."""

from .duck_arrays import defer_duck_array_imports
from .options import RunOptions
from .results import Results
from .simulate import simulate

__all__ = ["Results", "RunOptions", "simulate"]

# Results are xarray objects of NumPy arrays: keep xarray from importing dask.array and
# pint to find out that they are not dask's or pint's (most of a second of a first result).
defer_duck_array_imports()
