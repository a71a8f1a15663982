"""The explorer's simulations: the current settings against the baseline, and fan charts
from one batch of runs with an uncertainty spread on chosen constants.

A plotted series is a variable without dimensions (``"adopters"``) or one element of an
arrayed variable (``"output[Anhui]"``); `series_labels` lists them.
"""

from __future__ import annotations

import numpy as np

from ..dsl.distributions import uniform
from .settings import ExploreInputError, Settings

#: Quantiles of a fan chart: the 90% and 50% bands and the median.
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Most runs one fan chart may ask for (a batch of this size runs in about a second on
#: the regional model; the page asks for 200 by default).
MAX_FAN_RUNS = 2000


def series_labels(dataset) -> list[dict]:
    """Every series of a results dataset that can be plotted, with its units and kind.

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> [s["label"] for s in series_labels(bass.build().simulate().dataset)]
    ['adopters', 'potential adopters', 'adoption']
    """
    found = []
    for name, var in dataset.data_vars.items():
        if "time" not in var.dims or name == "failed":
            continue
        info = {"units": str(var.attrs.get("units", "")), "kind": var.attrs.get("kind", ""),
                "variable": str(name)}
        extra = [d for d in var.dims if d not in ("time", "run")]
        if not extra:
            found.append({"label": str(name), **info})
            continue
        stacked = var.isel(time=0).stack(element=extra) if len(extra) > 1 else None
        if stacked is not None:
            index = [",".join(map(str, e)) for e in stacked["element"].values]
        else:
            index = [str(e) for e in var[extra[0]].values]
        found += [{"label": f"{name}[{e}]", **info} for e in index]
    return found


def select_series(dataset, label: str) -> np.ndarray:
    """The values of series ``label`` over time (and runs, first axis, for a batch).

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> select_series(bass.build().simulate().dataset, "adopters")[:2].tolist()
    [0.0, 1875.0]
    """
    name, bracket, rest = label.partition("[")
    if name not in dataset.data_vars or "time" not in dataset[name].dims:
        raise ExploreInputError(f"'{label}' is not a series of the run; choose one of "
                                f"{[s['label'] for s in series_labels(dataset)][:30]}")
    var = dataset[name]
    extra = [d for d in var.dims if d not in ("time", "run")]
    if bool(bracket) != bool(extra):
        raise ExploreInputError(
            f"'{label}': " + (f"'{name}' has dimensions {extra}; choose one element, e.g. "
                              f"'{name}[{','.join(str(var[d].values[0]) for d in extra)}]'"
                              if extra else f"'{name}' has no dimensions; write '{name}'"))
    if extra:
        elements = rest.rstrip("]").split(",")
        if len(elements) != len(extra):
            raise ExploreInputError(f"'{label}': give one element for each of {extra}")
        try:
            var = var.sel(dict(zip(extra, elements)))
        except KeyError:
            raise ExploreInputError(f"'{label}': no such element; the elements are "
                                    + "; ".join(f"{d}: {list(map(str, var[d].values))}"
                                                for d in extra)) from None
    order = ["run", "time"] if "run" in var.dims else ["time"]
    return np.asarray(var.transpose(*order).values, dtype=float)


def _listed(values: np.ndarray) -> list:
    """Numbers for JSON: NaN and infinities become null."""
    return [None if not np.isfinite(v) else float(v) for v in values]


class RunCache:
    """The baseline run of a model and its series, kept; current runs made on request."""

    def __init__(self, model, method: str = "euler"):
        self.model = model
        self.method = method
        self._baseline = None
        self._labels = None

    @property
    def baseline(self):
        if self._baseline is None:
            self._baseline = self.model.simulate(method=self.method).dataset
        return self._baseline

    @property
    def labels(self) -> dict:
        """`series_labels` of the baseline, by label."""
        if self._labels is None:
            self._labels = {s["label"]: s for s in series_labels(self.baseline)}
        return self._labels

    def current(self, settings: Settings, labels: list[str] | None = None):
        """The results dataset under ``settings`` (only the variables of ``labels``)."""
        if not settings.values:
            return self.baseline
        variables = None
        if labels is not None:
            variables = sorted({self.labels[l]["variable"] for l in labels if l in self.labels})
        prepared = settings.prepare(self.model)
        return prepared.model.simulate(params=prepared.levers, method=self.method,
                                       variables=variables or None).dataset


def compare(cache: RunCache, settings: Settings, labels: list[str]) -> dict:
    """Baseline and current values of each series in ``labels``, and their difference at
    the end of the run (the page's time plots and comparison table).

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> from sdflow.explore.settings import parse_settings
    >>> m = bass.build()
    >>> out = compare(RunCache(m), parse_settings(m, {"values": {"imitation": 0.2}}),
    ...               ["adopters"])
    >>> out["series"][0]["current"][-1] < out["series"][0]["baseline"][-1]
    True
    """
    baseline = cache.baseline
    for label in labels:
        select_series(baseline, label)  # an unknown label fails before the run
    current = cache.current(settings, labels)
    series = []
    for label in labels:
        base, now = select_series(baseline, label), select_series(current, label)
        info = cache.labels.get(label, {})
        end_change = (now[-1] - base[-1]) / abs(base[-1]) if base[-1] else None
        series.append({"label": label, "units": info.get("units", ""),
                       "baseline": _listed(base), "current": _listed(now),
                       "change_at_end": None if end_change is None or
                       not np.isfinite(end_change) else float(end_change)})
    return {"time": _listed(baseline["time"].values), "series": series,
            "scenario": settings.description()}


def spread_bounds(model, settings: Settings, names: list[str], spread: float) -> dict:
    """Bounds ``(low, high)`` of a uniform distribution ``value * (1 -/+ spread)`` for each
    constant in ``names``, around the value that is sampled: the current setting when it
    holds over the whole run; the default when the settings leave the constant alone or
    change it from a policy year on (the sampled value then holds until the policy year,
    and the setting from then on, as in a forecast of the exported scenario).

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> from sdflow.explore.settings import Settings
    >>> low, high = spread_bounds(bass.build(), Settings(), ["imitation"], 0.25)["imitation"]
    >>> round(low, 6), round(high, 6)         # 0.38 * 0.75, 0.38 * 1.25
    (0.285, 0.475)
    """
    if not 0 < spread <= 1:
        raise ExploreInputError(f"spread {spread!r} must be a share in (0, 1], e.g. 0.2 "
                                "for +/-20%")
    nodes = model.graph().nodes
    found = {}
    for name in names:
        node = next((n for n in nodes.values() if n.kind == "const" and not n.hidden
                     and n.name == name), None)
        if node is None or node.dims:
            raise ExploreInputError(f"{name!r} is not a constant without dimensions; fan "
                                    "charts vary scalar constants")
        changed = settings.values.get(name) if settings.policy_year is None else None
        value = float(np.asarray(node.value if changed is None else changed))
        low, high = sorted((value * (1 - spread), value * (1 + spread)))
        if low == high:  # a constant at zero: spread by an absolute amount instead
            low, high = -spread, spread
        found[name] = (low, high)
    return found


def fan(cache: RunCache, settings: Settings, label: str, uncertain: list[str],
        spread: float = 0.2, runs: int = 200, seed: int = 0) -> dict:
    """Quantile bands of series ``label`` over ``runs`` runs of one batch, with the
    constants in ``uncertain`` drawn uniformly within ``spread`` of their current values.

    Returns the ``FAN_QUANTILES`` bands, the run under the settings without spread, and
    the baseline. Runs that fail (NaN) are left out and counted.

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> m = bass.build()
    >>> out = fan(RunCache(m), Settings(), "adopters", ["imitation"], runs=50)
    >>> out["runs"], sorted(out["bands"])
    (50, ['0.05', '0.25', '0.5', '0.75', '0.95'])
    """
    if isinstance(runs, bool) or not isinstance(runs, int) or not 2 <= runs <= MAX_FAN_RUNS:
        raise ExploreInputError(f"runs {runs!r} must be a whole number from 2 to "
                                f"{MAX_FAN_RUNS}")
    if not uncertain:
        raise ExploreInputError("choose at least one constant to vary for the fan chart")
    bounds = spread_bounds(cache.model, settings, uncertain, spread)
    distributions = {name: uniform(low, high) for name, (low, high) in bounds.items()}
    prepared = settings.prepare(cache.model)
    params = {k: v for k, v in prepared.levers.items() if k not in distributions}
    params.update(distributions)
    select_series(cache.baseline, label)  # an unknown label fails before the batch
    results = prepared.model.simulate(params=params, n=runs, seed=seed,
                                      method=cache.method, on_error="mark",
                                      variables=[cache.labels[label]["variable"]])
    values = select_series(results.dataset, label)
    failed = results.failed if len(results.failed) == values.shape[0] else \
        np.zeros(values.shape[0], bool)
    kept = values[~failed]
    bands = np.quantile(kept, FAN_QUANTILES, axis=0) if len(kept) else \
        np.full((len(FAN_QUANTILES), values.shape[1]), np.nan)
    central = select_series(cache.current(settings, [label]), label)
    return {"time": _listed(results.dataset["time"].values), "label": label,
            "bands": {f"{q:g}": _listed(b) for q, b in zip(FAN_QUANTILES, bands)},
            "current": _listed(central),
            "baseline": _listed(select_series(cache.baseline, label)),
            "runs": int(len(kept)), "failed": int(failed.sum()),
            "uncertain": {k: list(v) for k, v in bounds.items()}}
