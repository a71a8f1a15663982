"""Fixed time settings (start, stop, dt, saveper) and the checks that let them drive a run.

Below the DSL and the solver alike: a `Model` checks its settings when it is made, and
`simulate` checks the ones given for one call.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import TimeSettingsError


#: Relative tolerance (in steps) within which ``(stop - start) / dt`` and ``saveper / dt``
#: count as whole numbers: far above float rounding, far below any intended fraction.
STEP_TOLERANCE = 1e-9


def _whole_steps(span: float, step: float, scale: float) -> bool:
    """Whether ``span`` is a whole number of ``step``s, up to rounding of numbers of size
    ``scale`` (a span computed as the difference of two large times loses their digits)."""
    steps = span / step
    rounding = 8 * np.finfo(float).eps * scale / step
    return abs(steps - round(steps)) <= STEP_TOLERANCE * max(1.0, abs(steps)) + rounding


def validate_time_settings(start: float, stop: float, dt: float, saveper: float | None):
    """Raise `TimeSettingsError` unless the time settings can drive a run.

    The horizon ``stop - start`` must be a whole number of steps ``dt``, to within float
    rounding (`STEP_TOLERANCE`), so a run ends at ``stop`` exactly instead of silently
    before or after it. ``saveper`` must be at least ``dt``; when it is not a multiple of
    ``dt`` the run saves the step nearest to each multiple of ``saveper``, as Vensim does
    (`sdflow.solve.grid.TimeGrid.uniform`).

    Examples
    --------
    >>> validate_time_settings(0, 1000000.5, 1, None)
    Traceback (most recent call last):
    ...
    sdflow.errors.TimeSettingsError: stop - start = 1000000.5 (start=0, stop=1000000.5) is \
not a whole number of dt=1 steps: the run would end at 1000000 or 1000001 instead of \
stop=1000000.5; make the horizon a multiple of dt, e.g. stop=1000000 or stop=1000001, or \
choose a dt that divides it
    >>> validate_time_settings(2004, 2060, 0.1, 0.5)  # 560 steps up to rounding: accepted
    >>> validate_time_settings(0, 10, 0.1, 0.25)  # saves the steps nearest 0, 0.25, 0.5...
    """
    for label, value in (("start", start), ("stop", stop), ("dt", dt)):
        if isinstance(value, bool) or not isinstance(
                value, (int, float, np.floating, np.integer)) or not math.isfinite(value):
            raise TimeSettingsError(f"{label}={value!r} must be a finite number", (label,))
    if dt <= 0:
        raise TimeSettingsError(f"dt={dt} must be positive: it is the integration time step, "
                                "e.g. dt=0.25", ("dt",))
    if stop < start:
        raise TimeSettingsError(f"stop={stop} is before start={start}: swap them", ("stop",))
    scale = max(abs(start), abs(stop))
    if not _whole_steps(stop - start, dt, scale):
        whole = math.floor((stop - start) / dt)
        lower, upper = start + whole * dt, start + (whole + 1) * dt
        span, lower, upper = (f"{v:.15g}" for v in (stop - start, lower, upper))
        raise TimeSettingsError(
            f"stop - start = {span} (start={start:.15g}, stop={stop:.15g}) is not a whole "
            f"number of dt={dt:.15g} steps: the run would end at {lower} or {upper} instead "
            f"of stop={stop:.15g}; make the horizon a multiple of dt, e.g. stop={lower} or "
            f"stop={upper}, or choose a dt that divides it", ("stop", "dt"))
    if saveper is not None:
        if isinstance(saveper, bool) or not isinstance(
                saveper, (int, float, np.integer, np.floating)) or not math.isfinite(saveper) \
                or saveper <= 0:
            raise TimeSettingsError(
                f"saveper={saveper!r} must be a positive finite number, at least "
                f"dt={dt:g} (e.g. saveper={dt:g})", ("saveper",))
        if saveper < dt * (1 - STEP_TOLERANCE):
            raise TimeSettingsError(
                f"saveper={saveper} is shorter than dt={dt}: results are saved on "
                f"integration steps, so save at most every step (saveper={dt}) or make dt "
                f"smaller (e.g. dt={saveper})", ("saveper",))
