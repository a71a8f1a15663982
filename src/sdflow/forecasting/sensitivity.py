"""Global sensitivity analysis with SALib: Sobol indices and Morris screening.

Designs are drawn on the unit cube and mapped through each parameter's quantile function,
so any distribution can be used (Sobol indices do not change under such a mapping;
Morris effects are then per unit of quantile). All model evaluations go through batched
``simulate`` calls of up to ``batch`` runs. The outputs are chosen variables (one per
element for arrayed ones) at chosen years. For long analyses the evaluations run as
`SensitivityRuns` in chunks, checkpointed and resumable, here or on Dask (see
`sdflow.forecasting.distributed.chunked_evaluator`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..dsl.model import Model
from ..errors import SpecError
from .sampling import (_EDGE, ParameterSampler, PosteriorDraws, Uncertain, describe_params,
                       describe_uncertain, posterior_digest)
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
        self._prepare()
        if self.sampler.dimensions == 0:
            raise SpecError("sensitivity analysis needs at least one uncertain parameter")
        if not self.variables or not self.years:
            raise SpecError("choose at least one output variable and one year")
        self.until = self.until if self.until is not None else max(
            max(self.years), self.model.stop)
        self.outputs: list[str] | None = None

    def _prepare(self) -> None:
        prepared = (self.scenario or Scenario("baseline")).prepare(self.model)
        self._model, self._levers = prepared.model, prepared.levers
        self.sampler = ParameterSampler(self.model.graph(), self.uncertain, self.posterior)

    def __getstate__(self):
        # the scenario model's graph does not travel between processes (see `portable`):
        # send the declarations and prepare the scenario again where the runs are made
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_model", "_levers", "sampler")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._prepare()

    def describe(self) -> str:
        """Everything that decides the outputs, as text (for fingerprints of resumable
        runs): the model source under the scenario, distributions, outputs, settings."""
        return "\n".join([
            f"model={self.model.name}", f"scenario={self.scenario!r}",
            f"variables={list(self.variables)}", f"years={list(self.years)}",
            f"until={self.until}", f"method={self.method}",
            f"params={describe_params(self.params)}",
            f"levers={describe_params(self._levers)}",
            "uncertain=" + ", ".join(describe_uncertain(u) for u in self.uncertain),
            f"posterior={posterior_digest(self.posterior)}",
            f"model source={self._model.compile().source}"])

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


@dataclass
class SensitivityRuns:
    """The model evaluations of a sensitivity design as numbered chunks of ``chunk_size``
    rows: the job `sdflow.forecasting.distributed.run_chunks` runs, like an `Ensemble`.

    Chunk ``i`` is a Dataset with ``outputs`` (run, output): the problem's outputs for
    rows ``chunk_runs(i)`` of ``unit``, labelled by the ``output`` coordinate.

    Examples
    --------
    >>> from sdflow.forecasting.examples import linear_sensitivity
    >>> runs = SensitivityRuns(linear_sensitivity(), np.array([[0.5, 0.25], [1.0, 1.0]]),
    ...                        chunk_size=1)
    >>> runs.chunks, runs.run_chunk(1)["outputs"].values.round(6).tolist()
    (2, [[3.0]])
    >>> runs.run_chunk(1)["output"].values.tolist()
    ['y @ 1']
    """

    problem: SensitivityProblem
    unit: np.ndarray
    chunk_size: int = 1000
    note: str = ""

    def __post_init__(self):
        self.unit = np.asarray(self.unit, dtype=float)
        if self.unit.ndim != 2 or self.unit.shape[1] != self.problem.sampler.dimensions:
            raise SpecError(f"the design must have one column per uncertain parameter "
                            f"({self.problem.sampler.dimensions}), got shape {self.unit.shape}")
        if not isinstance(self.chunk_size, (int, np.integer)) or self.chunk_size < 1:
            raise SpecError(f"chunk_size={self.chunk_size!r} must be a positive number of runs")

    @property
    def chunks(self) -> int:
        """Number of chunks."""
        return math.ceil(len(self.unit) / self.chunk_size)

    def chunk_runs(self, i: int) -> range:
        """Rows of the design in chunk ``i``."""
        return range(i * self.chunk_size, min(len(self.unit), (i + 1) * self.chunk_size))

    def run_chunk(self, i: int) -> xr.Dataset:
        """Evaluate the rows of chunk ``i``."""
        rows = self.chunk_runs(i)
        values = self.problem.evaluate(self.unit[rows.start:rows.stop])
        return xr.Dataset({"outputs": (("run", "output"), values)},
                          coords={"run": np.asarray(rows),
                                  "output": list(self.problem.outputs)})

    def describe(self) -> str:
        """The fingerprint of these evaluations: sdflow's version, the problem, a digest of
        the design, the chunk size, and ``note``."""
        from .. import __version__

        design = hashlib.sha256(np.ascontiguousarray(self.unit).tobytes()).hexdigest()[:16]
        return "\n".join([f"sdflow {__version__}", f"sensitivity design {self.unit.shape} "
                          f"sha256 {design}", f"chunk_size={self.chunk_size}", self.note,
                          self.problem.describe()])


Evaluate = Callable[[np.ndarray], np.ndarray]


def sobol_indices(problem: SensitivityProblem, n: int = 1024, seed: int = 0,
                  conf_level: float = 0.95, evaluate: Evaluate | None = None
                  ) -> pd.DataFrame:
    """First-order and total Sobol indices with confidence intervals (Saltelli/Jansen
    estimators, bootstrap intervals), from ``n * (parameters + 2)`` batched runs.

    Returns a DataFrame with columns output, parameter, S1, S1_conf, ST, ST_conf
    (``*_conf`` is the half-width of the ``conf_level`` interval). ``evaluate`` computes
    the outputs of design rows instead of ``problem.evaluate`` (e.g. a
    `sdflow.forecasting.distributed.chunked_evaluator`, checkpointed and resumable).

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
    Y = (evaluate or problem.evaluate)(X)
    rows = []
    for j, output in enumerate(problem.outputs):
        y = Y[:, j]
        if np.ptp(y) == 0:
            si = {k: np.zeros(spec["num_vars"]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            # a Generator, not the int: SALib leaves the bootstrap unseeded when seed == 0
            si = analyze.analyze(spec, y, calc_second_order=False, conf_level=conf_level,
                                 seed=np.random.default_rng(seed), print_to_console=False)
        for i, name in enumerate(spec["names"]):
            rows.append({"output": output, "parameter": name,
                         "S1": float(si["S1"][i]), "S1_conf": float(si["S1_conf"][i]),
                         "ST": float(si["ST"][i]), "ST_conf": float(si["ST_conf"][i])})
    table = pd.DataFrame(rows)
    table.attrs.update({"method": "sobol", "n": n, "runs": len(X), "seed": seed,
                        "conf_level": conf_level})
    return table


def morris_screening(problem: SensitivityProblem, trajectories: int = 50, levels: int = 4,
                     seed: int = 0, conf_level: float = 0.95, evaluate: Evaluate | None = None
                     ) -> pd.DataFrame:
    """Morris elementary effects from ``trajectories * (parameters + 1)`` batched runs.

    Each parameter moves on a grid of ``levels`` quantiles (the midpoints of equal-
    probability strata). Returns a DataFrame with columns output, parameter, mu,
    mu_star, mu_star_conf, sigma: large ``mu_star`` means influential, large ``sigma``
    means non-linear or interacting. ``evaluate`` replaces ``problem.evaluate`` as in
    `sobol_indices`.

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
    Y = (evaluate or problem.evaluate)(unit)
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
