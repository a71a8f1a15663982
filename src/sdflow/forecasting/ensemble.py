"""Monte Carlo ensembles: every scenario run with the same sampled parameters.

An `Ensemble` is split into chunks of runs. Each chunk samples its parameters (see
`sampling`) and simulates every scenario with those same values in one batched call of
``simulate`` per scenario, so scenario differences are paired run by run (common random
numbers). `run_ensemble` runs the chunks here or on a Dask cluster and assembles them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import xarray as xr

from ..dsl.model import Model
from ..errors import SpecError
from .predictive import ObservationError
from .sampling import (DESIGNS, ParameterSampler, PosteriorDraws, Uncertain,
                       describe_params, describe_uncertain, posterior_digest, unit_design)
from .scenarios import PreparedScenario, Scenario


@dataclass
class Ensemble:
    """What to run: a model, scenarios, uncertain parameters and sampling settings.

    Parameters
    ----------
    model : Model
        Any sdflow model.
    scenarios : sequence of Scenario
        The first is the reference for paired differences (usually the baseline).
    uncertain : sequence of Uncertain
        Distributions of uncertain constants.
    posterior : PosteriorDraws, optional
        Joint draws of constants (e.g. calibrated), resampled as whole draws.
    n : int
        Number of runs per scenario.
    until : float, optional
        Horizon (``simulate(stop=...)``); default the model's stop time.
    variables : list of str, optional
        Variables to keep (default every stock, flow and auxiliary; keep it short for
        large ensembles).
    params : dict
        Constant values for every run (e.g. calibrated point estimates).
    seed, sampling, chunk_size
        The design: chunk ``i`` depends only on ``(seed, i)``.
    saveper, method
        Passed to ``simulate``.
    observation_error : ObservationError, optional
        Added to the observed variables, with each run's draw's sd (predictive bands;
        needs ``posterior``).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("growth", start=0, stop=10, dt=1)
    >>> r = m.const("rate", 0.05)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("growth", r * x, sink=x)
    >>> e = Ensemble(m, [Scenario("baseline")], [Uncertain("rate", sf.uniform(0, 0.1))],
    ...              n=100, chunk_size=40, variables=["x"])
    >>> e.chunks
    3
    >>> e.run_chunk(2)["x"].sizes["run"]
    20
    """

    model: Model
    scenarios: Sequence[Scenario]
    uncertain: Sequence[Uncertain] = ()
    posterior: PosteriorDraws | None = None
    n: int = 1000
    until: float | None = None
    variables: Sequence[str] | None = None
    params: dict = field(default_factory=dict)
    seed: int = 0
    sampling: str = "lhs"
    chunk_size: int = 1000
    saveper: float | None = None
    method: str = "euler"
    observation_error: ObservationError | None = None

    def __post_init__(self):
        self.scenarios = list(self.scenarios)
        self.uncertain = list(self.uncertain)
        if not self.scenarios:
            self.scenarios = [Scenario("baseline")]
        if len({s.name for s in self.scenarios}) != len(self.scenarios):
            raise SpecError("two scenarios share a name; give each its own")
        if not isinstance(self.n, (int, np.integer)) or self.n < 1:
            raise SpecError(f"n={self.n!r} must be a positive number of runs")
        if not isinstance(self.chunk_size, (int, np.integer)) or self.chunk_size < 1:
            raise SpecError(f"chunk_size={self.chunk_size!r} must be a positive number of runs")
        if self.observation_error is not None and self.posterior is None:
            raise SpecError("observation error (predictive bands) needs the calibration's "
                            "posterior draws: its sd differs from draw to draw")
        if self.sampling not in DESIGNS:
            raise SpecError(f"sampling='{self.sampling}' is unknown; choose one of "
                            f"{list(DESIGNS)}")
        self._prepared: dict[str, PreparedScenario] | None = None
        self._sampler: ParameterSampler | None = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_prepared"] = state["_sampler"] = None  # rebuilt where the chunk runs
        return state

    @property
    def chunks(self) -> int:
        """Number of chunks."""
        return math.ceil(self.n / self.chunk_size)

    def chunk_runs(self, i: int) -> range:
        """Run numbers of chunk ``i``."""
        return range(i * self.chunk_size, min(self.n, (i + 1) * self.chunk_size))

    @property
    def sampler(self) -> ParameterSampler:
        if self._sampler is None:
            self._sampler = ParameterSampler(self.model.graph(), self.uncertain, self.posterior)
        return self._sampler

    def prepared(self) -> dict[str, PreparedScenario]:
        """Every scenario checked against the model (raises `SpecError` on bad names)."""
        if self._prepared is None:
            self._prepared = {s.name: s.prepare(self.model) for s in self.scenarios}
        return self._prepared

    def check(self) -> None:
        """Raise `SpecError`/`ModelError` now for anything that would fail in a chunk."""
        self.prepared()
        _ = self.sampler
        self.run_chunk(0, size=1)

    def draws(self, i: int) -> dict[str, np.ndarray]:
        """The sampled parameter values of chunk ``i`` (the same for every scenario)."""
        runs = self.chunk_runs(i)
        return self.sampler.chunk(self.sampling, self.seed, i, self.chunk_size, len(runs))

    def run_chunk(self, i: int, size: int | None = None) -> xr.Dataset:
        """Simulate chunk ``i`` for every scenario: dims (scenario, run, time, ...)."""
        if not 0 <= i < self.chunks:
            raise SpecError(f"chunk {i} does not exist; the ensemble has {self.chunks}")
        runs = self.chunk_runs(i)
        draws = self.draws(i)
        if size is not None:  # a quick trial run (see check)
            runs, draws = runs[:size], {k: v[:size] for k, v in draws.items()}
        parts, failed = [], []
        for name, prepared in self.prepared().items():
            params: dict[str, Any] = dict(self.params)
            params.update(draws)
            params.update(prepared.levers)  # a scenario's lever settings win over sampling
            results = prepared.model.simulate(
                params=params, n=len(runs), stop=self.until, saveper=self.saveper,
                variables=self.variables, method=self.method, on_error="mark")
            ds = results.dataset
            timed = [v for v in ds.data_vars if "time" in ds[v].dims]
            ds = ds[timed]
            if "run" not in ds.dims:
                ds = ds.expand_dims(run=1)
            parts.append(ds.assign_coords(run=np.asarray(runs)).transpose("run", "time", ...))
            failed.append(results.failed.reshape(-1))
        if self.variables is None:  # a lever's path exists only where a scenario made one
            common = set.intersection(*(set(map(str, p.data_vars)) for p in parts))
            parts = [p[[v for v in map(str, p.data_vars) if v in common]] for p in parts]
        out = xr.concat(parts, dim=xr.DataArray([s for s in self.prepared()], dims="scenario"),
                        coords="minimal", compat="override", join="override")
        if self.observation_error is not None:   # predictive bands
            unit = unit_design(self.sampling, self.sampler.dimensions, len(self.chunk_runs(i)),
                               self.seed, i, self.chunk_size)[:len(runs)]
            out = self.observation_error.add_to(out, self.sampler.draw_index(unit),
                                                np.random.default_rng([self.seed, i, 1]))
        out["failed"] = (("scenario", "run"), np.stack(failed))
        for name, values in draws.items():
            node = self.model.graph().node(name)
            out[f"sampled {node.name}"] = (("run",) + tuple(d.name for d in node.dims),
                                           values)
        out.attrs.update({"model": self.model.name, "seed": int(self.seed),
                          "sampling": self.sampling, "chunk": int(i),
                          "chunk_size": int(self.chunk_size), "n_runs": int(self.n)})
        return out

    def describe(self) -> str:
        """Settings as text (a fingerprint for resuming: equal text, equal chunks)."""
        from .. import __version__

        parts = [f"sdflow {__version__}",
                 f"model={self.model.name}", f"n={self.n}", f"until={self.until}",
                 f"variables={list(self.variables) if self.variables else None}",
                 f"params={describe_params(self.params)}",
                 f"seed={self.seed}", f"sampling={self.sampling}",
                 f"chunk_size={self.chunk_size}", f"saveper={self.saveper}",
                 f"method={self.method}", f"scenarios={self.scenarios!r}",
                 "uncertain=" + ", ".join(describe_uncertain(u) for u in self.uncertain),
                 f"model source={self.model.compile().source}",
                 f"posterior={posterior_digest(self.posterior)}"]
        if self.observation_error is not None:
            parts.append(f"observation error={self.observation_error.digest()}")
        return "\n".join(parts)

