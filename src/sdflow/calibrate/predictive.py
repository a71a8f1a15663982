"""After the fit: parameter draws, their error scales and posterior predictive bands.

`calibration_draws` takes the posterior's draws (or bounded Laplace draws when no sampler
ran, see `laplace_draws`), simulates them as one batch over the fit period to draw each
series' observation error scale, and once more over the whole observed span (fit and
test) for predictive bands: simulated values plus observation error, so the bands are
where new observations should fall, not only where the model's mean goes.
"""

from __future__ import annotations

import numpy as np

from .draws import OBSERVATION_NOISE, add_error, error_scales, laplace_draws
from .optimisers import Evaluator
from .problem import CalibrationProblem

#: Quantiles of the predictive bands (the 50% and 90% central bands and the median).
BAND_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def calibration_draws(spec, evaluator: Evaluator, full: CalibrationProblem, x, cov,
                      posterior: dict | None, observed: list) -> dict | None:
    """Draws for forecasts and predictive checks, or None when ``spec.draws`` is 0 and no
    sampler ran.

    Parameters
    ----------
    spec : CalibrationSpec
        Its ``seed`` seeds the draws; ``draws`` is the number of Laplace draws.
    evaluator : Evaluator
        The fit's problem and payoff.
    full : CalibrationProblem
        The same series over the fit and test periods.
    x, cov : ndarray
        Estimate and its covariance (for Laplace draws).
    posterior : dict or None
        A sampler's summary with ``draws`` (and ``chain``).
    observed : list of ObservedSeries
        The series over the fit and test periods (for the coverage of the bands).

    Returns
    -------
    dict or None
        ``source`` (``"smc"``, ``"emcee"`` or ``"laplace"``), ``theta`` (n, k), ``chain``
        (n,), ``sd`` (n, series) or None, ``noise`` (``"normal"``, ``"lognormal"`` or
        None), ``fit_predictive`` (per series (n, times, columns): fit-period draws with
        error), ``bands`` (per series (quantiles, times, columns)) and ``coverage`` (per
        series, the share of observations inside the 90% band).

    Examples
    --------
    >>> import numpy as np
    >>> from sdflow.calibrate.examples import decay_evaluator, decay_spec
    >>> from sdflow.calibrate.uncertainty import jacobian_covariance
    >>> ev = decay_evaluator(noisy=True)
    >>> x = np.array([0.2])
    >>> wald = jacobian_covariance(ev, x)
    >>> out = calibration_draws(decay_spec(), ev, ev.problem, x, wald["cov"], None,
    ...                         ev.problem.series)
    >>> out["source"], out["theta"].shape, out["bands"][0].shape
    ('laplace', (1000, 1), (5, 4, 1))
    """
    rng = np.random.default_rng([spec.seed, 2])
    if posterior is not None:
        theta = np.asarray(posterior["draws"], float)
        chain = np.asarray(posterior.get("chain", np.zeros(len(theta), int)))
        source = posterior.get("sampler", "emcee")
    elif spec.draws:
        theta = laplace_draws(x, cov, evaluator.lower, evaluator.upper, spec.draws, rng)
        chain, source = np.zeros(len(theta), int), "laplace"
    else:
        return None
    payoff = evaluator.payoff
    fit_sim = evaluator.simulate(theta)
    sd = error_scales(payoff, fit_sim, rng)
    noise = OBSERVATION_NOISE.get(payoff.kind)
    simulated = full.predict(theta)
    fit_predictive, bands, coverage = [], [], []
    for s, (values, fit_values, obs) in enumerate(zip(simulated, fit_sim, observed)):
        if sd is not None:
            values = add_error(values, sd[:, s], noise, rng)
            fit_values = add_error(fit_values, sd[:, s], noise, rng)
        fit_predictive.append(fit_values)
        band = np.nanquantile(values, BAND_QUANTILES, axis=0)
        bands.append(band)
        seen = np.isfinite(obs.values)
        inside = (obs.values >= band[0]) & (obs.values <= band[-1])
        coverage.append(float(inside[seen].mean()) if seen.any() else float("nan"))
    return {"source": source, "theta": theta, "chain": chain, "sd": sd, "noise": noise,
            "fit_predictive": fit_predictive, "bands": bands, "coverage": coverage}
