"""Checks of delay and smooth times against the values and the step of one call.

The graph refuses times written as numbers or constants that are zero or negative; a run
may still override such a constant (``params=``), and its ``dt`` may be longer than a
first-order stage, where Euler overshoots (a stage of time ``T`` moves ``dt / T`` of the
gap per step: more than all of it when ``T < dt``).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import DelayTimeError, TimeConstantWarning
from ..ir.graph import ModelGraph
from ..ir.time_constants import non_positive_error


def check_time_constants(graph: ModelGraph, values: dict[str, np.ndarray], dt: float,
                         method: str) -> None:
    """Refuse overridden delay times <= 0 (`DelayTimeError`), and warn
    (`TimeConstantWarning`) when a first-order stage is shorter than ``dt``.

    ``values`` are the per-run constants of the call (`resolve_parameters`); adaptive
    methods (``rk45``) choose their own steps and are not warned about.

    Examples
    --------
    >>> import warnings, sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> x = m.aux("x", 10 + sf.step(10, 1))
    >>> y = m.aux("y", sf.smooth(x, m.const("smoothing time", 0.5)))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     check_time_constants(m.graph(), {}, 1.0, "euler")
    >>> print(caught[0].message)
    'y': the time of SMOOTH (0.5, constant 'smoothing time') is shorter than dt=1, so Euler \
overshoots the input at every step; use dt <= 0.5 (e.g. dt=0.25) or a longer time
    """
    if not graph.time_constants:
        return
    # without per-run values the outcome depends only on dt and the method: a pair that
    # passed quietly once is not checked again (single runs repeat the same settings)
    quiet = graph.memo.setdefault(_QUIET, set())
    if not values and (dt, method) in quiet:
        return
    warned = False
    for record in graph.time_constants:
        name = graph.nodes[record.constant].name if record.constant else None
        if record.constant is not None and record.constant in values:
            value = np.asarray(values[record.constant], dtype=float)
            if (value <= 0).any():
                run = int(np.argwhere((value <= 0).reshape(len(value), -1).any(axis=1))[0, 0])
                error = non_positive_error(record.owner, record.label, value[run], name)
                raise DelayTimeError(f"params: '{name}' in run {run}: {error}",
                                     error.variables)
        else:
            value = record.value if record.constant is None else \
                np.asarray(graph.nodes[record.constant].value, dtype=float)
        if not record.stages or method == "rk45":
            continue
        stage = float(np.min(value)) / record.stages
        if stage < dt:
            what = "the time" if record.stages == 1 else \
                f"each of the {record.stages} stages (time / {record.stages})"
            where = f", constant '{name}'" if name else ""
            warnings.warn(TimeConstantWarning(
                f"'{record.owner}': {what} of {record.label} ({stage:g}{where}) is shorter "
                f"than dt={dt:g}, so Euler overshoots the input at every step; use dt <= "
                f"{stage:g} (e.g. dt={_finer_step(stage):g}) or a longer time"), stacklevel=4)
            warned = True
    if not values and not warned:
        quiet.add((dt, method))


_QUIET = f"{__name__}.quiet"


def _finer_step(limit: float) -> float:
    """The largest power-of-two fraction of 1 (1, 0.5, 0.25...) or power of two at most
    half of ``limit``: a dt that resolves the stage well."""
    step = 2.0 ** np.floor(np.log2(limit / 2))
    return float(step)
