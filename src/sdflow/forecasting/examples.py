"""Small forecasting set-ups with known answers, for examples and quick experiments.

- `growth_model`: ``x' = rate * x`` from ``x = 1`` over 2020-2030 (dt 1), so Euler gives
  ``x(2030) = (1 + rate) ** 10``;
- `linear_sensitivity`: ``y = a + 2 b`` with ``a, b ~ uniform(0, 1)``, whose Sobol
  indices are 1/5 and 4/5 and whose Morris effects are the coefficients 1 and 2;
- `bass_spec`: a forecast specification for the Bass diffusion model
  (`sdmodels.reference.bass`) with a parameter file, two scenarios and eight runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..dsl.model import Model


def growth_model(rate: float = 0.03) -> Model:
    """Exponential growth of ``x`` at the constant ``rate`` per year, 2020-2030.

    Examples
    --------
    >>> from sdflow.forecasting.examples import growth_model
    >>> round(float(growth_model(0.05).simulate()["x"].sel(time=2030)), 4)   # 1.05 ** 10
    1.6289
    """
    m = Model("growth", start=2020, stop=2030, dt=1)
    x = m.stock("x", initial=1.0)
    m.flow("growth", m.const("rate", rate) * x, sink=x)
    return m


def linear_sensitivity():
    """A `SensitivityProblem` of ``y = a + 2 b`` at t = 1, ``a, b ~ uniform(0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sdflow.forecasting.examples import linear_sensitivity
    >>> linear_sensitivity().evaluate(np.array([[0.5, 0.25]])).tolist()
    [[1.0]]
    """
    from ..dsl.distributions import uniform
    from .sampling import Uncertain
    from .sensitivity import SensitivityProblem

    m = Model("lin", start=0, stop=1, dt=1)
    a, b = m.const("a", 0.0), m.const("b", 0.0)
    m.aux("y", a + 2 * b)
    return SensitivityProblem(m, [Uncertain("a", uniform(0, 1)), Uncertain("b", uniform(0, 1))],
                              ["y"], [1])


def bass_spec(folder: str | Path | None = None):
    """A `ForecastSpec` of the Bass model: calibrated imitation 0.4 (0.3-0.5), scenarios
    ``baseline`` and ``fast`` (innovation 0.05), 8 runs, adopters at t = 10. The TOML files
    are written to ``folder`` (a new temporary folder by default).

    Examples
    --------
    >>> from sdflow.forecasting.examples import bass_spec
    >>> spec = bass_spec()
    >>> [s.name for s in spec.scenarios], spec.n
    (['baseline', 'fast'], 8)
    """
    from .spec import load_forecast_spec

    folder = Path(folder if folder is not None else tempfile.mkdtemp())
    (folder / "p.toml").write_text(
        '[parameters]\nimitation = { value = 0.4, low = 0.3, high = 0.5 }\n')
    (folder / "f.toml").write_text(
        '[model]\nfactory = "sdmodels.reference.bass:build"\nparameters = "p.toml"\n'
        'intervals = true\n[forecast]\nn = 8\noutputs = ["adopters"]\nyears = [10]\n'
        '[scenarios.baseline]\n[scenarios.fast]\nlevers = { innovation = 0.05 }\n')
    return load_forecast_spec(folder / "f.toml")
