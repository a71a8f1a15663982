"""The report's files about draws: ``draws.csv``, predictive checks, and for a sampled
posterior ``posterior.nc`` (ArviZ InferenceData) with trace and pair plots.

Files: ``draws.csv`` (see `write_draws`; what ``sdflow forecast`` reads),
``predictive_<series>.png`` (observations against the 50% and 90% predictive bands, with
observation error), and after ``[smc]``: ``posterior.nc``, ``trace.png``, ``pair.png``.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from ..solve.results import atomic_write
from .draws import observation_error, write_draws

DRAWS_FILE = "draws.csv"
POSTERIOR_FILE = "posterior.nc"


def write_draws_report(result, folder: Path) -> tuple[dict, list[str]]:
    """Write the draw files of ``result`` into ``folder``.

    Returns
    -------
    params : dict
        Entries for ``params.json``: ``draws`` (``file``, ``source``, ``count``) and
        ``observation_error`` (see `observation_error`).
    lines : list of str
        The report's section on draws and predictive checks (markdown).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sdflow.calibrate import calibrate
    >>> from sdflow.calibrate.examples import decay_spec
    >>> result = calibrate(decay_spec())
    >>> params, lines = write_draws_report(result, pathlib.Path(tempfile.mkdtemp()))
    >>> params["draws"]
    {'file': 'draws.csv', 'source': 'laplace', 'count': 1000}
    """
    draws = result.draws
    if draws is None:
        return {}, []
    names = [s.name for s in result.spec.series]
    write_draws(folder / DRAWS_FILE, result.labels, draws["theta"], draws["sd"], names,
                draws["chain"])
    params = {"draws": {"file": DRAWS_FILE, "source": draws["source"],
                        "count": int(len(draws["theta"]))},
              "observation_error": observation_error(
                  result.spec, [s.elements for s in result.observed])}
    source = {"smc": "the posterior (tempered SMC)", "emcee": "the posterior (emcee)",
              "laplace": "a bounded Laplace approximation (normal in logit space around "
                         "the estimate, Jacobian covariance)"}[draws["source"]]
    lines = ["", "## Draws and posterior predictive checks", "",
             f"`{DRAWS_FILE}`: {len(draws['theta'])} draws from {source}, every one within "
             "the bounds" + (", with each series' observation error sd" if draws["sd"]
                             is not None else "") + "; `sdflow forecast` reads it "
             "(`posterior = \"draws.csv\"`, `predictive = true` for bands with observation "
             "error).", "",
             "Share of observations inside the 90% predictive band "
             + ("(simulated values plus observation error):" if draws["sd"] is not None
                else "(parameter uncertainty only: this payoff has no error scale):"), ""]
    lines += [f"- {name}: {cov:.0%}" for name, cov in zip(names, draws["coverage"])]
    for s, band in zip(result.observed, draws["bands"]):
        _band_plot(folder, s, band, result.spec)
    lines += ["", "Plots: " + ", ".join(f"`predictive_{_slug(s.name)}.png`"
                                       for s in result.observed)]
    posterior = result.posterior
    if posterior is not None and posterior.get("sampler") == "smc":
        lines += _smc_files(result, folder, names)
    return params, lines


def _smc_files(result, folder: Path, names: list[str]) -> list[str]:
    from .posterior import import_arviz, inference_data

    az = import_arviz()
    draws, posterior = result.draws, result.posterior
    idata = inference_data(posterior, result.labels, names, draws["sd"],
                           draws["fit_predictive"],
                           [s.values for s in _fit_observed(result)])
    path = folder / POSTERIOR_FILE
    atomic_write(path, lambda tmp: idata.to_netcdf(str(tmp), engine="h5netcdf"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():   # ArviZ 0.x against newer matplotlib
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        axes = az.plot_trace(idata, var_names=result.labels, compact=False)
        _save(plt, np.ravel(axes)[0].figure, folder / "trace.png")
        size = 1.8 * len(result.labels) + 1
        axes = az.plot_pair(idata, var_names=result.labels, kind="hexbin", gridsize=40,
                            figsize=(size, size), textsize=9, hexbin_kwargs={"cmap": "Blues"})
        _save(plt, np.ravel(axes)[0].figure, folder / "pair.png")
    lines = ["", "## Posterior (tempered SMC)", "",
             f"{posterior['chains']} independent populations of {posterior['particles']} "
             f"particles, each step one batch of {posterior['chains'] * posterior['particles']}"
             f" runs: {posterior['stages']} tempering stages, {posterior['batches']} batches, "
             f"{posterior['evaluations']} runs; final acceptance "
             f"{posterior['acceptance']:.2f}; log evidence per population "
             f"{[round(v, 2) for v in posterior['log_evidence']]}.", "",
             "| parameter | mean | sd | 2.5% | median | 97.5% | R-hat | ESS bulk | ESS tail |",
             "|---|---|---|---|---|---|---|---|---|"]
    for j, label in enumerate(result.labels):
        lines.append(f"| {label} | {posterior['mean'][j]:.5g} | {posterior['sd'][j]:.3g} | "
                     f"{posterior['q025'][j]:.4g} | {posterior['median'][j]:.5g} | "
                     f"{posterior['q975'][j]:.4g} | {posterior['rhat'][j]:.3f} | "
                     f"{posterior['ess_bulk'][j]:.0f} | {posterior['ess_tail'][j]:.0f} |")
    if draws["sd"] is not None:
        lines += ["", "Observation error sd (posterior mean): " + ", ".join(
            f"{name} {draws['sd'][:, j].mean():.4g}" for j, name in enumerate(names))]
    lines += ["", f"`{POSTERIOR_FILE}`: ArviZ InferenceData (posterior, log_likelihood, "
              "posterior_predictive, observed_data); `trace.png`, `pair.png`."]
    return lines


def _fit_observed(result):
    first, last = result.spec.fit_period
    return [s.between(first, last) for s in result.observed]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()


def _save(plt, fig, path: Path) -> None:
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=80))
    plt.close(fig)


def _band_plot(folder: Path, s, band, spec) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = s.values.shape[1]
    labels = s.elements or (s.name,)
    fig, axes = plt.subplots(columns, 1, figsize=(7, 2.2 * columns + 0.6), squeeze=False,
                             sharex=True)
    for j, axis in enumerate(axes[:, 0]):
        axis.fill_between(s.times, band[0][:, j], band[-1][:, j], alpha=0.2, color="C0",
                          label="90% predictive")
        axis.fill_between(s.times, band[1][:, j], band[-2][:, j], alpha=0.35, color="C0",
                          label="50% predictive")
        axis.plot(s.times, band[2][:, j], "-", color="C0", lw=1, label="median")
        axis.plot(s.times, s.values[:, j], "o", ms=3, color="C1", label="observed")
        if spec.test_period is not None:
            axis.axvspan(spec.test_period[0] - 0.5, spec.test_period[1] + 0.5,
                         color="orange", alpha=0.12, label="out of sample")
        axis.set_ylabel(f"{labels[j]}\n[{s.units or ''}]", fontsize=8)
    axes[0, 0].set_title(f"{s.name}: posterior predictive check", fontsize=9)
    axes[0, 0].legend(fontsize=7)
    _save(plt, fig, folder / f"predictive_{_slug(s.name)}.png")
