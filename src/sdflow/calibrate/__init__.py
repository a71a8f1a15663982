"""Calibration: fit a model's constants to observed series, with uncertainty and reports.

>>> from sdflow.calibrate import CalibrationSpec, calibrate, load_calibration_spec
"""

from .data import ObservedSeries, read_series
from .metrics import fit_statistics, naive_trend
from .objectives import Payoff
from .problem import CalibrationProblem
from .report import write_report
from .run import CalibrationResult, calibrate, load_observations
from .spec import (CalibrationSpec, ParameterSpec, Prior, SeriesSpec, load_calibration_spec,
                   load_spec)

__all__ = ["CalibrationProblem", "CalibrationResult", "CalibrationSpec", "ObservedSeries",
           "ParameterSpec", "Payoff", "Prior", "SeriesSpec", "calibrate", "fit_statistics",
           "load_calibration_spec", "load_observations", "load_spec", "naive_trend",
           "read_series", "write_report"]
