"""Integration through time and the results of runs."""

from .options import RunOptions
from .results import Results
from .simulate import simulate

__all__ = ["Results", "RunOptions", "simulate"]
