"""`calibrate(spec)`: load the data, fit, measure uncertainty, score, and report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..names import name_key
from ..errors import SpecError
from .checkpoint import Checkpoint, fingerprint
from .data import ObservedSeries, deflate, read_series
from .hessian import hessian_covariance
from .metrics import fit_statistics, naive_trend
from .likelihoods import make_payoff
from .optimisers import Evaluator, Fit, differential_evolution_fit, multistart
from .predictive import calibration_draws
from .problem import CalibrationProblem
from .spec import CalibrationSpec, load_calibration_spec
from .uncertainty import identifiability, jacobian_covariance, profile_likelihood


@dataclass
class CalibrationResult:
    """Estimates, intervals and fit scores of one calibration.

    ``estimates`` maps parameter labels to values; ``intervals`` maps them to
    ``{"wald": (lo, hi), "profile": (lo, hi), "posterior": (lo, hi)}`` (those computed);
    ``statistics`` holds per-series scores for ``"fit"``, ``"test"`` and ``"naive"``.
    ``params`` maps each calibrated constant to its full value (what forecasting reads);
    ``observed`` and ``simulated`` cover the fit and test periods. ``draws`` holds the
    parameter draws that forecasts read (posterior, or bounded Laplace), their observation
    error scales and the predictive bands (see `calibration_draws`).

    Examples
    --------
    >>> from sdflow.calibrate import calibrate
    >>> from sdflow.calibrate.examples import decay_spec
    >>> spec = decay_spec()
    >>> result = calibrate(spec)
    >>> {k: round(v, 6) for k, v in result.estimates.items()}
    {'k': 0.3}
    >>> list(result.intervals["k"])           # no profile or MCMC was asked for
    ['wald']
    >>> round(result.statistics["fit"]["x"]["R2"], 6)
    1.0
    """

    spec: CalibrationSpec
    labels: list[str]
    x: np.ndarray
    cost: float
    fits: list[Fit]
    wald: dict
    profiles: list[dict] | None
    flags: dict[str, list[str]]
    posterior: dict | None
    sigma: dict[str, float]
    statistics: dict[str, dict[str, dict[str, float]]]
    observed: list[ObservedSeries]
    simulated: list[np.ndarray]
    evaluations: int = 0
    batches: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    draws: dict | None = None

    @property
    def estimates(self) -> dict[str, float]:
        return dict(zip(self.labels, map(float, self.x)))

    @property
    def intervals(self) -> dict[str, dict[str, tuple]]:
        out = {}
        for j, label in enumerate(self.labels):
            entry = {"wald": (float(self.wald["lower"][j]), float(self.wald["upper"][j]))}
            if self.profiles:
                p = self.profiles[j]
                entry["profile"] = (p["lower"], p["upper"])
            if self.posterior:
                entry["posterior"] = (float(self.posterior["q025"][j]),
                                      float(self.posterior["q975"][j]))
            out[label] = entry
        return out


def load_observations(spec: CalibrationSpec, model) -> list[ObservedSeries]:
    """Read every series of ``spec``, converted to the units of its model variable.

    Parameters
    ----------
    spec : CalibrationSpec
    model : Model
        The model built from ``spec`` (`CalibrationSpec.build_model`).

    Returns
    -------
    list of ObservedSeries
        One per ``spec.series``, deflated when the series has a deflator.

    Raises
    ------
    SpecError
        If a series names no variable of the model, or asks for a unit conversion of a
        variable without units.

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_spec
    >>> spec = decay_spec()
    >>> [obs] = load_observations(spec, spec.model)
    >>> obs.times.tolist(), obs.values.shape
    ([1.0, 2.0, 3.0, 4.0], (4, 1))
    """
    graph = model.graph()
    observed = []
    for i, s in enumerate(spec.series):
        node = graph.nodes.get(name_key(s.variable))
        if node is None:
            raise SpecError(f"series[{i}].variable: '{s.variable}' is not a variable of model "
                            f"'{graph.name}'")
        allowed = node.dims[0].elements if len(node.dims) == 1 else None
        to_units = node.units_text if s.units is not None else None
        if s.units is not None and to_units is None:
            raise SpecError(f"series[{i}].units: the model variable '{s.variable}' declares "
                            "no units to convert to; drop `units` or add units to the model")
        if to_units is not None and s.measure == "sum":
            # A flow summed over a period is an amount: flow units times time units.
            to_units = f"({to_units}) * {graph.time_units or 'year'}"
        series = read_series(
            s.file, s.name, value=s.value, time=s.time, key=s.key, keys=s.keys,
            layout=s.layout, units=s.units, to_units=to_units, scale=s.scale,
            allowed=allowed, decimal=s.decimal)
        if s.deflator is not None:
            d = s.deflator
            index = read_series(Path(d["file"]), f"{s.name} price index", value=d["value"],
                                time=d.get("time", s.time), key=s.key, keys=s.keys,
                                layout=s.layout, allowed=allowed,
                                decimal=d.get("decimal", "."))
            series = deflate(series, index, float(d["base"]))
        observed.append(series)
    return observed


def calibrate(spec: CalibrationSpec | str | Path, out_dir: str | Path | None = None,
              resume: bool = False, progress: Callable[..., None] | None = None,
              mcmc: bool = True, batched: bool = True) -> CalibrationResult:
    """Run a calibration: optimise, estimate uncertainty, score in and out of sample.

    Parameters
    ----------
    spec : CalibrationSpec or path of a TOML spec
    out_dir : path, optional
        Write the fit report and the checkpoint here (see `write_report`).
    resume : bool
        Continue from the checkpoint in ``out_dir`` (finished stages are not redone).
    progress : callable, optional
        Called with keyword arguments (``stage=``, ``evaluations=``...) as work proceeds.
    mcmc : bool
        Run the ``[mcmc]`` section if the spec has one.
    batched : bool
        False simulates candidates one run at a time (for comparisons only).

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_spec
    >>> spec = decay_spec()
    >>> round(calibrate(spec).estimates["k"], 6)
    0.3
    """
    if not isinstance(spec, CalibrationSpec):
        spec = load_calibration_spec(spec)
    model = spec.build_model()
    observed = load_observations(spec, model)
    first, last = spec.fit_period
    fit_obs = [s.between(first, last) for s in observed]
    for s in fit_obs:
        if s.n_observed == 0:
            raise SpecError(f"period.fit: series '{s.name}' has no observations in "
                            f"{list(spec.fit_period)}")
    span = spec.fit_period
    if spec.test_period is not None:   # before or after the fit period (they never overlap)
        test_first, test_last = spec.test_period
        span = (None if first is None else min(first, test_first),
                None if last is None else max(last, test_last))
    all_obs = [s.between(*span) for s in observed]
    pairs = list(zip(spec.series, fit_obs))
    problem = CalibrationProblem(model, pairs, spec.parameters, spec.method, spec.dt,
                                 spec.backend)
    if not batched:
        problem.predict = _one_at_a_time(problem)
    payoff = make_payoff(spec.payoff, [s.values for s in fit_obs],
                         [s.weight for s in spec.series], spec.payoff_settings(),
                         [s.name for s in spec.series])
    out_dir = Path(out_dir) if out_dir is not None else None
    checkpoint = Checkpoint(out_dir / "checkpoint.json" if out_dir else None,
                            fingerprint(spec, problem.compiled()), resume)
    checkpoint.counter = lambda: (problem.evaluations, problem.batches)
    evaluator = Evaluator(problem, payoff, progress=progress)

    if spec.optimiser == "least_squares":
        best, fits = multistart(evaluator, spec.starts, spec.seed, spec.optimiser_options,
                                checkpoint, progress)
    else:
        best = differential_evolution_fit(evaluator, spec.seed, dict(spec.optimiser_options),
                                          checkpoint, progress)
        fits = [best]
    x = np.array(best.x)
    payoff.update_sigma(problem.predict(x[None, :]))
    if progress is not None:
        progress(stage="Jacobian intervals")
    wald = (jacobian_covariance if payoff.has_residuals else hessian_covariance)(evaluator, x)
    profiles = profile_likelihood(evaluator, x, wald["se"], best.cost, spec.profile_points,
                                  checkpoint, progress) if spec.profile else None
    posterior = None
    if spec.mcmc is not None and mcmc:
        from .mcmc import sample_posterior
        posterior = sample_posterior(evaluator, [p.prior for p in spec.parameters], x,
                                     wald["se"], spec.mcmc, spec.seed, checkpoint, out_dir,
                                     progress)
    if spec.smc is not None and mcmc:
        from .posterior import sample_smc
        if progress is not None:
            progress(stage="posterior by tempered SMC")
        posterior = sample_smc(evaluator, [p.prior for p in spec.parameters], spec.smc,
                               spec.seed, checkpoint, progress)
    flags = identifiability(problem.labels, x, problem.lower, problem.upper, wald, profiles)

    full = CalibrationProblem(model, list(zip(spec.series, all_obs)), spec.parameters,
                              spec.method, spec.dt, spec.backend)
    simulated = [s[0] for s in full.predict(x[None, :])]
    statistics = _statistics(spec, all_obs, simulated)
    draws = calibration_draws(spec, evaluator, full, x, wald["cov"], posterior, all_obs)
    result = CalibrationResult(
        spec, problem.labels, x, best.cost, fits, wald, profiles, flags, posterior,
        dict(zip([s.name for s in spec.series], map(float, payoff.sigma))), statistics,
        all_obs, simulated, *checkpoint.counts(),
        {k: v[0].tolist() for k, v in problem.params(x[None, :]).items()}, draws)
    if out_dir is not None:
        from .report import write_report
        write_report(result, out_dir)
    return result


def _one_at_a_time(problem: CalibrationProblem):
    """``predict`` that simulates each candidate on its own (the unbatched baseline)."""
    batched = problem.predict

    def predict(theta):
        theta = np.atleast_2d(theta)
        rows = [batched(row[None, :]) for row in theta]
        return [np.concatenate([r[i] for r in rows]) for i in range(len(rows[0]))]

    return predict


def _statistics(spec, observed, simulated) -> dict:
    """Per-series scores on the fit period, the test period, and of the naive trend."""
    stats = {"fit": {}, "test": {}, "naive": {}}
    first, last = spec.fit_period
    for s, sim in zip(observed, simulated):
        in_fit = np.ones(len(s.times), bool)
        if first is not None:
            in_fit &= s.times >= first
        if last is not None:
            in_fit &= s.times <= last
        in_test = np.zeros(len(s.times), bool)
        if spec.test_period is not None:
            in_test = (s.times >= spec.test_period[0]) & (s.times <= spec.test_period[1])
        trend = naive_trend(s.times[in_fit], s.values[in_fit], s.times[in_test])
        # pooled over elements, then per element (pooled R^2 is flattered by the spread
        # of levels between elements)
        columns = [(s.name, slice(None))]
        if len(s.elements) > 1:
            columns += [(f"{s.name}[{e}]", slice(j, j + 1)) for j, e in enumerate(s.elements)]
        for name, col in columns:
            stats["fit"][name] = fit_statistics(sim[in_fit, col], s.values[in_fit, col])
            if in_test.any():
                stats["test"][name] = fit_statistics(sim[in_test, col], s.values[in_test, col])
                stats["naive"][name] = fit_statistics(trend[:, col], s.values[in_test, col])
    return stats
