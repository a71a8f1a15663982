"""Bayesian posterior by emcee's affine-invariant ensemble sampler, all walkers one batch.

``emcee`` is optional (``pip install emcee``). The log posterior is the sum of the priors
(uniform on the bounds unless a prior is given) and the payoff's log-likelihood with its
error scales integrated out (`Payoff.marginal_loglik`). With ``vectorize=True`` emcee hands
over the proposals of half the ensemble at once, and they are simulated as one batch.
Chains are run in chunks; each finished chunk is checkpointed.

A batch is half the ensemble (16 runs with the default 32 walkers of a small model), too
small for numpy's per-step overhead to pay off against single runs; the numba backend
(``[model] backend = "numba"``) makes such batches fast (calibration/README.md, "Speed").
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..errors import SpecError
from ..files import atomic_write
from .checkpoint import Checkpoint
from .optimisers import Evaluator
from .spec import default_walkers


def log_posterior(evaluator: Evaluator, priors):
    """A vectorised log posterior ``f(thetas (W, k)) -> (W,)``.

    Parameters
    ----------
    evaluator : Evaluator
        The problem, payoff and bounds.
    priors : list of Prior or None
        One per free parameter; None means uniform on the bounds.

    Returns
    -------
    callable
        Log posterior up to a constant; ``-inf`` outside the bounds or the prior support.

    Examples
    --------
    >>> import numpy as np
    >>> from sdflow.calibrate.spec import Prior
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> ev = decay_evaluator(noisy=True)
    >>> f = log_posterior(ev, [Prior("normal", 0.2, 0.1)])
    >>> lp = f(np.array([[0.2], [0.5], [1.5]]))     # 1.5 is outside the bounds
    >>> bool(lp[0] > lp[1]), float(lp[2])
    (True, -inf)
    """
    lower, upper = evaluator.lower, evaluator.upper

    def f(thetas):
        thetas = np.atleast_2d(thetas)
        out = np.full(len(thetas), -np.inf)
        inside = np.all((thetas >= lower) & (thetas <= upper), axis=1)
        if inside.any():
            logp = np.zeros(inside.sum())
            for j, prior in enumerate(priors):
                if prior is not None:
                    logp = logp + prior.logpdf(thetas[inside, j])
            ok = np.isfinite(logp)
            if ok.any():
                rows = np.flatnonzero(inside)[ok]
                out[rows] = logp[ok] + evaluator.payoff.marginal_loglik(
                    evaluator.simulate(thetas[rows]))
        return out

    return f


def sample_posterior(evaluator: Evaluator, priors, x, scale, settings: dict, seed: int,
                     checkpoint: Checkpoint, folder: Path | None, progress=None) -> dict:
    """Run the sampler from a small ball around ``x``; summary of the kept draws.

    Parameters
    ----------
    evaluator : Evaluator
        The problem, payoff and bounds.
    priors : list of Prior or None
        One per parameter (see `log_posterior`).
    x : array_like, shape (k,)
        Where the walkers start (usually the optimum).
    scale : array_like, shape (k,)
        Standard errors; the walkers start around ``x`` with a spread of 1% of them.
    settings : dict
        ``walkers`` (default 4k, at least 32: `default_walkers`), ``steps`` (2000), ``burn``
        (steps // 2), ``thin`` (1), ``chunk`` (steps per checkpoint, 250).
    seed : int
        Seeds the starting ball and every chunk of the sampler.
    checkpoint : Checkpoint
        Progress is stored under ``"mcmc"`` after each chunk.
    folder : path or None
        Where the chain is saved (``mcmc_chain.npz``) for resuming; None keeps it in memory.
    progress : callable, optional
        Called with ``stage=`` after each chunk.

    Returns
    -------
    dict
        ``mean``, ``sd``, ``q025``, ``median``, ``q975`` (arrays of k), ``corr`` (k x k),
        ``acceptance``, ``autocorrelation_time``, ``walkers``, ``steps``, ``burn`` and the
        kept ``draws`` (n, k).

    Raises
    ------
    SpecError
        If emcee is not installed or the settings are inconsistent.

    Examples
    --------
    >>> import numpy as np
    >>> from sdflow.calibrate.examples import decay_evaluator
    >>> ev = decay_evaluator(noisy=True)
    >>> post = sample_posterior(ev, [None], np.array([0.2]), np.array([0.005]),
    ...                         {"walkers": 4, "steps": 40}, 0, Checkpoint(None, "doc"), None)
    >>> post["draws"].shape                  # 4 walkers x 20 steps after burn-in
    (80, 1)
    >>> bool(0.18 < post["median"][0] < 0.22)
    True
    """
    try:
        import emcee
    except ImportError:
        raise SpecError("mcmc: the [mcmc] section needs the optional package emcee "
                        "(pip install emcee)") from None
    k = len(x)
    walkers = int(settings.get("walkers", default_walkers(k)))
    steps = int(settings.get("steps", 2000))
    burn = int(settings.get("burn", steps // 2))
    thin = int(settings.get("thin", 1))
    chunk = int(settings.get("chunk", 250))
    if walkers < 2 * k or walkers % 2:
        raise SpecError(f"mcmc.walkers: {walkers} must be even and at least twice the "
                        f"number of parameters ({2 * k})")
    if not 0 <= burn < steps:
        raise SpecError(f"mcmc.burn: {burn} must lie in [0, steps={steps})")
    saved = checkpoint.get("mcmc", {})
    chain = _load_chain(folder, saved) if saved.get("steps_done") else np.empty((0, walkers, k))
    rng = np.random.default_rng(seed)
    if len(chain):
        position = chain[-1]
    else:
        spread = np.where(np.isfinite(scale) & (scale > 0), scale,
                          1e-3 * (evaluator.upper - evaluator.lower)) * 1e-2
        position = np.clip(x + spread * rng.standard_normal((walkers, k)),
                           evaluator.lower, evaluator.upper)
    f = log_posterior(evaluator, priors)
    accepted = saved.get("accepted", 0.0)
    while len(chain) < steps:
        n = min(chunk, steps - len(chain))
        sampler = emcee.EnsembleSampler(walkers, k, f, vectorize=True)
        sampler.random_state = np.random.RandomState(seed + len(chain)).get_state()
        sampler.run_mcmc(position, n, progress=False)
        chain = np.concatenate([chain, sampler.get_chain()])
        accepted += float(sampler.acceptance_fraction.mean()) * n
        position = chain[-1]
        _save_chain(folder, chain)
        checkpoint.put("mcmc", {"steps_done": len(chain), "accepted": accepted})
        if progress is not None:
            progress(stage=f"MCMC step {len(chain)}/{steps}")
    kept = chain[burn::thin].reshape(-1, k)
    try:
        tau = emcee.autocorr.integrated_time(chain[burn:], tol=0).tolist()
    except Exception:  # noqa: BLE001 - short chains: the estimate is only informative
        tau = [float("nan")] * k
    return {"mean": kept.mean(axis=0), "sd": kept.std(axis=0),
            "q025": np.quantile(kept, 0.025, axis=0), "median": np.median(kept, axis=0),
            "q975": np.quantile(kept, 0.975, axis=0), "corr": np.corrcoef(kept.T),
            "acceptance": accepted / steps, "autocorrelation_time": tau,
            "walkers": walkers, "steps": steps, "burn": burn, "draws": kept}


def _chain_path(folder: Path | None) -> Path | None:
    return None if folder is None else Path(folder) / "mcmc_chain.npz"


def _save_chain(folder, chain) -> None:
    path = _chain_path(folder)
    if path is None:
        return
    buffer = io.BytesIO()
    np.savez_compressed(buffer, chain=chain)
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(buffer.getvalue()))


def _load_chain(folder, saved) -> np.ndarray:
    path = _chain_path(folder)
    if path is None or not path.exists():
        raise SpecError("--resume: the MCMC chain file is missing; run without --resume")
    with np.load(path) as data:
        chain = data["chain"]
    return chain[: saved["steps_done"]]
