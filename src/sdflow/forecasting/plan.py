"""From a `ForecastSpec` (and command-line choices) to an `Ensemble` or a sensitivity
problem: load the model, apply calibrated values, collect the uncertainty."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import stats

from .targets import load_model
from ..dsl.distributions import Distribution
from ..errors import SpecError
from .calibrated import read_parameters, read_posterior
from .predictive import names_draws, read_observation_error
from .ensemble import Ensemble
from .sampling import Uncertain
from .scenarios import select_scenarios
from .sensitivity import SensitivityProblem
from .spec import ForecastSpec, posterior_from


def interval_distribution(low, high) -> Distribution:
    """Uniform on calibrated intervals ``[low, high]`` (element-wise for arrays; an
    element with ``low == high`` stays at that value).

    Examples
    --------
    >>> interval_distribution([0.0, 1.0], [2.0, 1.0]).ppf([0.25, 0.9]).tolist()
    [0.5, 1.0]
    """
    low, high = np.asarray(low, float), np.asarray(high, float)
    width = np.where(high > low, high - low, 1e-300)  # scipy refuses a zero scale
    return Distribution("uniform", stats.uniform(loc=low, scale=width))


def load_inputs(spec: ForecastSpec):
    """The model, calibrated point values and the uncertain parameters of ``spec``.

    With ``intervals = true`` a calibration's ``params.json`` that names draws (what
    ``sdflow calibrate`` writes) gives its joint draws, which respect the bounds and the
    correlations; otherwise every calibrated interval not already declared uncertain
    becomes a uniform distribution (`interval_distribution`).

    Returns
    -------
    model : Model
    params : dict of str to ndarray
        Calibrated point values (empty without a parameter file).
    uncertain : list of Uncertain
    posterior : PosteriorDraws or None

    Examples
    --------
    >>> from sdflow.forecasting.examples import bass_spec
    >>> spec = bass_spec()
    >>> model, params, uncertain, posterior = load_inputs(spec)
    >>> model.name, float(params["imitation"]), [u.name for u in uncertain], posterior
    ('bass diffusion', 0.4, ['imitation'], None)
    """
    model = load_model(spec.target, spec.options)
    graph = model.graph()
    params, uncertain = {}, list(spec.uncertain)
    posterior = posterior_from(spec, graph)
    if spec.parameters is not None:
        params, intervals = read_parameters(spec.parameters, graph)
        if spec.intervals and names_draws(spec.parameters):
            if posterior is not None:
                raise SpecError(f"{spec.path}: intervals = true samples the draws of "
                                f"{spec.parameters.name}, and posterior = names draws too; "
                                "keep one")
            posterior = read_posterior(spec.parameters, graph)
        elif spec.intervals:
            declared = {u.name for u in uncertain}
            uncertain += [Uncertain(name, interval_distribution(lo, hi))
                          for name, (lo, hi) in intervals.items() if name not in declared]
    elif spec.intervals:
        raise SpecError(f"{spec.path}: intervals = true needs parameters = \"file\" with "
                        "calibrated intervals")
    return model, params, uncertain, posterior


def build_ensemble(spec: ForecastSpec, scenarios: Sequence[str] | None = None,
                   until: float | None = None, n: int | None = None,
                   seed: int | None = None, chunk_size: int | None = None,
                   sampling: str | None = None) -> Ensemble:
    """The `Ensemble` a spec describes; arguments given here override the file.

    Parameters
    ----------
    spec : ForecastSpec
    scenarios : sequence of str, optional
        Names of the scenarios to run (default: all of the spec's).
    until, n, seed, chunk_size, sampling : optional
        Override the spec's ``[forecast]`` entries.

    Returns
    -------
    Ensemble

    Examples
    --------
    >>> from sdflow.forecasting.examples import bass_spec
    >>> spec = bass_spec()
    >>> ensemble = build_ensemble(spec, scenarios=["fast"], n=4)
    >>> ensemble.n, [s.name for s in ensemble.scenarios]
    (4, ['fast'])
    """
    model, params, uncertain, posterior = load_inputs(spec)
    chosen = select_scenarios(spec.scenarios, scenarios)
    error = None
    if spec.predictive:
        source = spec.posterior or (spec.parameters if spec.intervals else None)
        if source is None or posterior is None:
            raise SpecError(f"{spec.path}: predictive = true needs a calibration's draws: "
                            "posterior = \".../draws.csv\" (or params.json)")
        error = read_observation_error(source, model.graph())
    return Ensemble(
        model, chosen, uncertain, posterior, n=n or spec.n, until=until or spec.until,
        variables=spec.outputs, params=params,
        seed=spec.seed if seed is None else seed,
        sampling=sampling or spec.sampling, chunk_size=chunk_size or spec.chunk_size,
        saveper=spec.saveper, method=spec.method, observation_error=error)


def build_sensitivity(spec: ForecastSpec, scenario: str | None = None,
                      variables: Sequence[str] | None = None,
                      years: Sequence[float] | None = None) -> SensitivityProblem:
    """The `SensitivityProblem` of a spec: its uncertain parameters, chosen outputs.

    Parameters
    ----------
    spec : ForecastSpec
    scenario : str, optional
        The scenario to analyse (default: the spec's first).
    variables, years : sequence, optional
        Outputs and years; default ``[sensitivity]``, then ``[forecast]`` of the spec.

    Returns
    -------
    SensitivityProblem

    Raises
    ------
    SpecError
        If no outputs or no years are chosen.

    Examples
    --------
    >>> from sdflow.forecasting.examples import bass_spec
    >>> spec = bass_spec()
    >>> problem = build_sensitivity(spec)
    >>> problem.variables, problem.years, problem.scenario.name
    (['adopters'], [10], 'baseline')
    """
    model, params, uncertain, posterior = load_inputs(spec)
    chosen = select_scenarios(spec.scenarios, [scenario] if scenario else None)[0]
    variables = list(variables or spec.sensitivity.get("outputs") or spec.outputs or [])
    years = list(years or spec.sensitivity.get("years") or spec.years or [])
    if not variables or not years:
        raise SpecError("choose outputs and years (--outputs/--years, or outputs = [...] and "
                        "years = [...] in [sensitivity] or [forecast] of the spec)")
    return SensitivityProblem(model, uncertain, variables, years, scenario=chosen,
                              posterior=posterior, params=params,
                              until=spec.until if spec.until else None, method=spec.method)
