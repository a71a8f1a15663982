"""Small calibration problems with known answers, for examples and quick experiments.

Every one fits the decay constant ``k`` of ``x' = -k x`` (``x(0) = 1``). The observations
are what Euler gives for a known ``k``, so a fit must return that ``k``:

- `decay_evaluator`: ``k = 0.3`` exactly, ``dt = 0.25``, observed at t = 1..4; with
  ``noisy=True``, ``k = 0.2`` with +-2% noise, ``dt = 0.5``;
- `decay_spec`: the exact case as a `CalibrationSpec` reading a CSV file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ..dsl.model import Model
from .data import ObservedSeries
from .objectives import Payoff
from .optimisers import Evaluator
from .problem import CalibrationProblem
from .spec import CalibrationSpec, ParameterSpec, SeriesSpec


def decay_model(dt: float = 0.25) -> Model:
    """``x' = -k x`` from ``x = 1`` over t = 0..4, with the guess ``k = 0.1``.

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_model
    >>> round(float(decay_model().simulate(params={"k": 0.3})["x"][-1]), 12)  # 0.925 ** 16
    0.287255084007
    """
    m = Model("decay", start=0, stop=4, dt=dt)
    x = m.stock("x", initial=1.0)
    m.flow("out", m.const("k", 0.1) * x, source=x)
    return m


def decay_evaluator(noisy: bool = False) -> Evaluator:
    """A weighted-SSE `Evaluator` of the decay problem (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> decay_evaluator().nll(np.array([[0.3], [0.1]])).round(4).tolist()  # true k fits
    [0.0, 0.7842]
    """
    t = np.arange(1.0, 5.0)
    if noisy:
        model = decay_model(dt=0.5)
        values = 0.9 ** (2 * t) * np.array([1.02, 0.98, 1.02, 0.98])
    else:
        model = decay_model(dt=0.25)
        values = (1 - 0.25 * 0.3) ** (4 * t)
    observed = ObservedSeries("x", t, values[:, None])
    problem = CalibrationProblem(model, [(SeriesSpec("x", Path(), "x"), observed)],
                                 [ParameterSpec("k", (0.0, 1.0))])
    return Evaluator(problem, Payoff("wsse", [observed.values], [1.0]))


def decay_spec(folder: str | Path | None = None) -> CalibrationSpec:
    """The exact decay problem as a spec reading ``x.csv`` (written to ``folder``, a new
    temporary folder by default); profile likelihood off, so it runs in a blink.

    Examples
    --------
    >>> from sdflow.calibrate import calibrate
    >>> from sdflow.calibrate.examples import decay_spec
    >>> round(calibrate(decay_spec()).estimates["k"], 6)
    0.3
    """
    path = Path(folder if folder is not None else tempfile.mkdtemp()) / "x.csv"
    path.write_text("year,x\n" + "".join(f"{t},{(1 - 0.075) ** (4 * t)}\n"
                                          for t in range(1, 5)))
    return CalibrationSpec("decay", decay_model(), [SeriesSpec("x", path, "x", value="x")],
                           [ParameterSpec("k", (0.0, 1.0))], profile=False)
