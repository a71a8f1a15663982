"""The posterior of a calibration by tempered SMC (`smc`), as an ArviZ InferenceData.

`sample_smc` runs `tempered_smc` on the spec's priors and the payoff's log-likelihood
(error scales integrated out, `Payoff.marginal_loglik`), all particles of all chains one
batch of runs, and summarises the draws with ArviZ's R-hat and effective sample sizes.
`inference_data` gathers parameters, error scales, log-likelihood, posterior predictive
draws and the observations in one ``InferenceData`` (written as ``posterior.nc``).

ArviZ is optional (``pip install sdflow[mcmc]``) and imported only here.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import SpecError
from .checkpoint import Checkpoint
from .optimisers import Evaluator
from .smc import tempered_smc

#: ``[smc]`` defaults (see `sample_smc`).
SMC_DEFAULTS = {"particles": 1000, "chains": 4, "target_ess": 0.5, "max_moves": 30}


def import_arviz():
    """ArviZ, or a `SpecError` saying how to install it."""
    try:
        with warnings.catch_warnings():   # ArviZ 0.x announces its 1.0 refactor on import
            warnings.simplefilter("ignore", FutureWarning)
            import arviz
    except ImportError:
        raise SpecError("smc: posterior diagnostics need the optional package arviz "
                        "(pip install 'sdflow[mcmc]' or pip install arviz)") from None
    return arviz


def sample_smc(evaluator: Evaluator, priors, settings: dict, seed: int,
               checkpoint: Checkpoint | None = None, progress=None) -> dict:
    """Posterior draws of the evaluator's parameters by tempered SMC.

    Parameters
    ----------
    evaluator : Evaluator
        The problem, payoff and bounds.
    priors : list of Prior or None
        One per parameter; None is uniform on the bounds.
    settings : dict
        ``particles`` per chain (1000), ``chains`` (4, independent populations run in the
        same batches), ``target_ess`` (0.5), ``max_moves`` (30); see `tempered_smc`.
    seed : int
        Seeds the sampler: equal seeds give equal draws, bit for bit.
    checkpoint : Checkpoint, optional
        Each stage is stored under ``"smc"``; a resumed run continues from the last one
        and ends with the same draws.
    progress : callable, optional
        Called with ``stage=`` after each SMC stage.

    Returns
    -------
    dict
        ``mean``, ``sd``, ``q025``, ``median``, ``q975`` (arrays of k), ``corr`` (k x k),
        ``draws`` (chains * particles, k), ``chain`` (the chain of each draw), ``theta``
        (chains, particles, k), ``log_likelihood`` (chains, particles), ``rhat``,
        ``ess_bulk``, ``ess_tail`` (lists of k), ``log_evidence`` (per chain),
        ``stages``, ``moves``, ``acceptance``, ``batches``, ``evaluations``.

    Examples
    --------
    >>> import numpy as np
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> ev = decay_evaluator(noisy=True)
    >>> post = sample_smc(ev, [None], {"particles": 200, "chains": 2}, 0)
    >>> post["draws"].shape, post["sampler"]
    ((400, 1), 'smc')
    >>> bool(0.18 < post["median"][0] < 0.22), bool(post["rhat"][0] < 1.05)
    (True, True)
    """
    az = import_arviz()
    settings = {**SMC_DEFAULTS, **settings}
    chains, particles = int(settings["chains"]), int(settings["particles"])
    k = len(evaluator.lower)

    def log_likelihood(theta):
        simulated = evaluator.simulate(theta.reshape(-1, k))
        return evaluator.payoff.marginal_loglik(simulated).reshape(theta.shape[:-1])

    def log_prior(theta):
        total = np.zeros(theta.shape[:-1])
        for j, prior in enumerate(priors):
            if prior is not None:
                total = total + prior.logpdf(theta[..., j])
        return total

    sample = tempered_smc(log_likelihood, log_prior, evaluator.lower, evaluator.upper,
                          groups=chains, particles=particles, seed=seed,
                          target_ess=float(settings["target_ess"]),
                          max_moves=int(settings["max_moves"]), progress=progress,
                          saved=checkpoint.get("smc") if checkpoint else None,
                          save=(lambda state: checkpoint.put("smc", state)) if checkpoint
                          else None)
    draws = sample.theta.reshape(-1, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # one chain: R-hat is undefined
        rhat = [float(az.rhat(sample.theta[:, :, j])) for j in range(k)]
        bulk = [float(az.ess(sample.theta[:, :, j], method="bulk")) for j in range(k)]
        tail = [float(az.ess(sample.theta[:, :, j], method="tail")) for j in range(k)]
    return {"sampler": "smc", "mean": draws.mean(axis=0), "sd": draws.std(axis=0),
            "q025": np.quantile(draws, 0.025, axis=0), "median": np.median(draws, axis=0),
            "q975": np.quantile(draws, 0.975, axis=0), "corr": np.corrcoef(draws.T),
            "draws": draws, "chain": np.repeat(np.arange(chains), particles),
            "theta": sample.theta, "log_likelihood": sample.log_likelihood,
            "rhat": rhat, "ess_bulk": bulk, "ess_tail": tail,
            "log_evidence": sample.log_evidence.tolist(), "stages": len(sample.betas),
            "moves": sample.moves, "acceptance": float(sample.acceptance[-1].mean()),
            "batches": sample.batches, "evaluations": sample.evaluations,
            "chains": chains, "particles": particles}


def inference_data(posterior: dict, labels: list[str], series: list[str],
                   sd: np.ndarray | None, predictive: list[np.ndarray] | None,
                   observed: list[np.ndarray]):
    """The SMC posterior as an ArviZ ``InferenceData``.

    Groups: ``posterior`` (each parameter label, and ``observation sd: SERIES`` when the
    payoff has error scales), ``log_likelihood`` (the marginal log-likelihood of each
    draw, as ``total``), ``posterior_predictive`` (each series, with observation error)
    and ``observed_data``; dimensions ``chain`` x ``draw`` (particles).

    Examples
    --------
    >>> import numpy as np
    >>> post = {"theta": np.zeros((2, 3, 1)), "log_likelihood": np.zeros((2, 3))}
    >>> idata = inference_data(post, ["k"], ["x"], np.ones((6, 1)),
    ...                        [np.ones((6, 4, 1))], [np.ones((4, 1))])
    >>> sorted(idata.groups())
    ['log_likelihood', 'observed_data', 'posterior', 'posterior_predictive']
    >>> dict(idata.posterior.sizes)
    {'chain': 2, 'draw': 3}
    """
    az = import_arviz()
    theta = posterior["theta"]
    chains, particles = theta.shape[:2]
    parameters = {label: theta[:, :, j] for j, label in enumerate(labels)}
    if sd is not None:
        for j, name in enumerate(series):
            parameters[f"observation sd: {name}"] = sd[:, j].reshape(chains, particles)
    groups = {"posterior": parameters,
              "log_likelihood": {"total": posterior["log_likelihood"]},
              "observed_data": {name: values for name, values in zip(series, observed)}}
    dims = {name: [f"{name} time", f"{name} column"] for name in series}
    if predictive is not None:
        groups["posterior_predictive"] = {
            name: values.reshape((chains, particles) + values.shape[1:])
            for name, values in zip(series, predictive)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # particles are not chains' draws
        return az.from_dict(**groups, dims=dims)
