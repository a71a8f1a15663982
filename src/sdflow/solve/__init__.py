"""Integration through time and the results of runs."""

from .results import Results
from .simulate import simulate

__all__ = ["Results", "simulate"]
