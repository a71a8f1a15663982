"""Global sensitivity analysis with SALib: Sobol indices and Morris screening.

Designs are drawn on the unit cube and mapped through each parameter's quantile function,
so any distribution can be used (Sobol indices do not change under such a mapping;
Morris effects are then per unit of quantile). All model evaluations go through batched
``simulate`` calls of up to ``batch`` runs. The outputs are chosen variables (one per
element for arrayed ones) at chosen years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..dsl.model import Model
from ..errors import SpecError
from .sampling import _EDGE, ParameterSampler, PosteriorDraws, Uncertain
from .scenarios import Scenario
from .summary import values_at


@dataclass
class SensitivityProblem:
    """The model, its uncertain parameters and the outputs to explain.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("lin", start=0, stop=1, dt=1)
    >>> a, b = m.const("a", 0.0), m.const("b", 0.0)
    >>> y = m.aux("y", a + 2 * b)
    >>> p = SensitivityProblem(m, [Uncertain("a", sf.uniform(0, 1)),
    ...                            Uncertain("b", sf.uniform(0, 1))], ["y"], [1])
    >>> p.evaluate(np.array([[0.5, 0.25]])).round(6).tolist()
    [[1.0]]
    """

    model: Model
    uncertain: Sequence[Uncertain]
    variables: Sequence[str]
    years: Sequence[float]
    scenario: Scenario | None = None
    posterior: PosteriorDraws | None = None
    params: dict | None = None
    until: float | None = None
    batch: int = 20_000
    method: str = "euler"

    def __post_init__(self):
        prepared = (self.scenario or Scenario("baseline")).prepare(self.model)
        self._model, self._levers = prepared.model, prepared.levers
        self.sampler = ParameterSampler(self.model.graph(), self.uncertain, self.posterior)
        if self.sampler.dimensions == 0:
            raise SpecError("sensitivity analysis needs at least one uncertain parameter")
        if not self.variables or not self.years:
            raise SpecError("choose at least one output variable and one year")
        self.until = self.until if self.until is not None else max(
            max(self.years), self.model.stop)
        self.outputs: list[str] | None = None

    @property
    def salib_problem(self) -> dict:
        d = self.sampler.dimensions
        return {"num_vars": d, "names": list(self.sampler.columns), "bounds": [[0.0, 1.0]] * d}

    def evaluate(self, unit: np.ndarray) -> np.ndarray:
        """Model outputs (rows, outputs) for unit-cube points (rows, parameters)."""
        unit = np.clip(np.asarray(unit, dtype=float), _EDGE, 1 - _EDGE)
        blocks = []
        for start in range(0, len(unit), self.batch):
            part = unit[start:start + self.batch]
            params = dict(self.params or {})
            params.update(self.sampler.values(part))
            params.update(self._levers)
            results = self._model.simulate(
                params=params, n=len(part), stop=self.until, variables=list(self.variables),
                method=self.method, on_error="mark")
            if results.failed.any():
                raise SpecError(f"{int(results.failed.sum())} of {len(part)} runs failed "
                                "(NaN or infinite values); narrow the parameter ranges")
            columns, labels = [], []
            for name in self.variables:
                data = values_at(results[name], self.years)
                if "run" not in data.dims:
                    data = data.expand_dims(run=1)
                other = [d for d in data.dims if d not in ("run", "time")]
                for year in self.years:
                    at = data.sel(time=year, method="nearest")
                    flat = at.stack(element=other) if other else at.expand_dims(element=[""])
                    flat = flat.transpose("run", "element")
                    columns.append(flat.values)
                    for element in flat["element"].values:
                        label = f"[{','.join(map(str, np.atleast_1d(element)))}]" if other \
                            else ""
                        labels.append(f"{name}{label} @ {year:g}")
            blocks.append(np.concatenate(columns, axis=1))
            self.outputs = labels
        return np.concatenate(blocks, axis=0)


def sobol_indices(problem: SensitivityProblem, n: int = 1024, seed: int = 0,
                  conf_level: float = 0.95) -> pd.DataFrame:
    """First-order and total Sobol indices with confidence intervals (Saltelli/Jansen
    estimators, bootstrap intervals), from ``n * (parameters + 2)`` batched runs.

    Returns a DataFrame with columns output, parameter, S1, S1_conf, ST, ST_conf
    (``*_conf`` is the half-width of the ``conf_level`` interval).

    Examples
    --------
    >>> from sdflow.forecasting.examples import linear_sensitivity
    >>> p = linear_sensitivity()
    >>> table = sobol_indices(p, n=256)
    >>> table.set_index("parameter")["ST"].round(1).to_dict()  # 1/5 and 4/5 of variance
    {'a': 0.2, 'b': 0.8}
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    spec = problem.salib_problem
    X = sample.sample(spec, n, calc_second_order=False, scramble=True, seed=seed)
    Y = problem.evaluate(X)
    rows = []
    for j, output in enumerate(problem.outputs):
        y = Y[:, j]
        if np.ptp(y) == 0:
            si = {k: np.zeros(spec["num_vars"]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            si = analyze.analyze(spec, y, calc_second_order=False, conf_level=conf_level,
                                 seed=seed, print_to_console=False)
        for i, name in enumerate(spec["names"]):
            rows.append({"output": output, "parameter": name,
                         "S1": float(si["S1"][i]), "S1_conf": float(si["S1_conf"][i]),
                         "ST": float(si["ST"][i]), "ST_conf": float(si["ST_conf"][i])})
    table = pd.DataFrame(rows)
    table.attrs.update({"method": "sobol", "n": n, "runs": len(X), "seed": seed,
                        "conf_level": conf_level})
    return table


def morris_screening(problem: SensitivityProblem, trajectories: int = 50, levels: int = 4,
                     seed: int = 0, conf_level: float = 0.95) -> pd.DataFrame:
    """Morris elementary effects from ``trajectories * (parameters + 1)`` batched runs.

    Each parameter moves on a grid of ``levels`` quantiles (the midpoints of equal-
    probability strata). Returns a DataFrame with columns output, parameter, mu,
    mu_star, mu_star_conf, sigma: large ``mu_star`` means influential, large ``sigma``
    means non-linear or interacting.

    Examples
    --------
    >>> from sdflow.forecasting.examples import linear_sensitivity
    >>> p = linear_sensitivity()
    >>> table = morris_screening(p, trajectories=10)  # uniform(0, 1): effect = coefficient
    >>> table.set_index("parameter")["mu_star"].round(2).to_dict()
    {'a': 1.0, 'b': 2.0}
    """
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    spec = problem.salib_problem
    X = sample.sample(spec, trajectories, num_levels=levels, seed=seed)
    # grid points 0, 1/(L-1), ..., 1 -> stratum midpoints (0.5 .. L-0.5) / L
    unit = (X * (levels - 1) + 0.5) / levels
    Y = problem.evaluate(unit)
    rows = []
    for j, output in enumerate(problem.outputs):
        si = analyze.analyze(spec, X, Y[:, j], conf_level=conf_level, num_levels=levels,
                             seed=seed, print_to_console=False)
        for i, name in enumerate(spec["names"]):
            # per unit of quantile: SALib's effects are per unit of the 0..1 grid, which
            # spans (L-1)/L of the quantile range
            scale = levels / (levels - 1)
            rows.append({"output": output, "parameter": name,
                         "mu": float(si["mu"][i]) * scale,
                         "mu_star": float(si["mu_star"][i]) * scale,
                         "mu_star_conf": float(si["mu_star_conf"][i]) * scale,
                         "sigma": float(si["sigma"][i]) * scale})
    table = pd.DataFrame(rows)
    table.attrs.update({"method": "morris", "trajectories": trajectories, "levels": levels,
                        "runs": len(X), "seed": seed, "conf_level": conf_level})
    return table
