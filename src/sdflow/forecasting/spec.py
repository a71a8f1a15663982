"""Forecast specifications in TOML: the model, its scenarios, uncertainty and outputs.

::

    [model]
    target = "sdmodels.regional_integration:build"   # MODULE:ATTR (or factory = ...)
    options = { preset = "yrd" }                      # keyword arguments of the factory
    method = "euler"                                  # euler | rk4
    parameters = "../results/yrd/parameters.toml"     # optional, relative to this file
    posterior = "../results/yrd/draws.csv"            # optional joint draws (or params.json)
    predictive = true                 # add the calibration's observation error to the runs
    intervals = true                  # sample the calibration's draws if params.json names
                                      # them, else its intervals (uniform)

    [forecast]
    until = 2060
    n = 1000
    seed = 2026
    sampling = "lhs"                 # lhs | sobol | random
    chunk_size = 500
    saveper = 1
    outputs = ["output", "market integration"]
    years = [2030, 2050, 2060]        # years reported in tables
    thresholds = [{ variable = "market integration", above = 0.5, year = 2050 }]

    [uncertain]
    "capital share" = { distribution = "uniform", low = 0.4, high = 0.6 }
    "trust decay rate" = { distribution = "lognormal", mu = -3.0, sigma = 0.3, shared = true }

    [scenarios.baseline]
    description = "policies as of 2025"

    [scenarios.compensation]
    description = "benefit sharing from 2026"
    levers = { "benefit sharing" = 0.5 }
    changes = [{ lever = "monitoring", to = 0.8, start = 2026, end = 2030 }]   # ramp
    series = [{ name = "population", times = [2030, 2060], values = [...] }]

    [sensitivity]                    # outputs and years for `sdflow sensitivity`
    outputs = ["regional output"]
    years = [2050]

A change with ``at`` is a step; with ``start`` and ``end`` a ramp; ``to`` or ``scale``.
"""

from __future__ import annotations

from .._tomllib import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import dsl
from ..errors import SpecError
from .sampling import PosteriorDraws, Uncertain
from .scenarios import Ramp, Scenario, SeriesOverride, Step

_DISTRIBUTIONS = {"uniform": ("low", "high"), "normal": ("mean", "sd"),
                  "lognormal": ("mu", "sigma"), "triangular": ("low", "mode", "high")}


@dataclass
class ForecastSpec:
    """A parsed forecast specification (see the module docstring for the file format).

    Made by `load_spec`; unset entries keep these defaults (and a spec without
    ``[scenarios]`` runs the baseline alone).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "f.toml"
    >>> _ = f.write_text('[model]\\ntarget = "sdmodels.reference.bass:build"\\n')
    >>> spec = load_spec(f)
    >>> spec.n, spec.sampling, spec.method, spec.uncertain, [s.name for s in spec.scenarios]
    (1000, 'lhs', 'euler', [], ['baseline'])
    """

    path: Path
    target: str
    options: dict = field(default_factory=dict)
    parameters: Path | None = None
    posterior: Path | None = None
    intervals: bool = False
    predictive: bool = False
    until: float | None = None
    n: int = 1000
    seed: int = 0
    sampling: str = "lhs"
    chunk_size: int = 1000
    saveper: float | None = None
    method: str = "euler"
    outputs: list[str] | None = None
    years: list[float] = field(default_factory=list)
    thresholds: list[dict] = field(default_factory=list)
    uncertain: list[Uncertain] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    sensitivity: dict = field(default_factory=dict)


def load_spec(path: str | Path) -> ForecastSpec:
    """Read and check a forecast TOML file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "f.toml"
    >>> _ = f.write_text('[model]\\ntarget = "sdmodels.reference.bass:build"\\n'
    ...                  '[uncertain]\\nimitation = {distribution = "uniform", low = 0.3, '
    ...                  'high = 0.5}\\n[scenarios.baseline]\\n')
    >>> spec = load_spec(f)
    >>> spec.target, [s.name for s in spec.scenarios]
    ('sdmodels.reference.bass:build', ['baseline'])
    """
    path = Path(path)
    if not path.exists():
        raise SpecError(f"forecast spec {path} does not exist")
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                        f"position {exc.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path} is not valid TOML: {exc}") from None
    unknown = set(data) - {"model", "forecast", "uncertain", "scenarios", "sensitivity"}
    if unknown:
        raise SpecError(f"{path}: unknown section(s) {sorted(unknown)}; sections are "
                        "[model], [forecast], [uncertain], [scenarios.NAME], [sensitivity]")
    model = data.get("model", {})
    _check_keys(path, "[model]", model, {"target", "factory", "options", "parameters",
                                         "posterior", "intervals", "method", "predictive"})
    _check_types(path, "[model]", model)
    target = model.get("target", model.get("factory"))
    if target is None:
        raise SpecError(f"{path}: [model] needs target = \"MODULE:ATTR\" (a Model or a "
                        "factory such as sdmodels.regional_integration:build)")
    here = path.parent

    def relative(value):
        return None if value is None else (here / value)

    forecast = data.get("forecast", {})
    known = {"until", "n", "seed", "sampling", "chunk_size", "saveper", "method", "outputs",
             "years", "thresholds"}
    _check_keys(path, "[forecast]", forecast, known)
    _check_types(path, "[forecast]", forecast)
    _check_types(path, "[sensitivity]", data.get("sensitivity", {}))
    spec = ForecastSpec(
        path=path, target=target, options=dict(model.get("options", {})),
        parameters=relative(model.get("parameters")), posterior=relative(model.get("posterior")),
        intervals=bool(model.get("intervals", False)),
        predictive=bool(model.get("predictive", False)),
        **{"method": model.get("method", "euler"), **forecast})
    spec.uncertain = [_uncertain(path, name, entry)
                      for name, entry in data.get("uncertain", {}).items()]
    spec.scenarios = [_scenario(path, name, entry or {}, here)
                      for name, entry in data.get("scenarios", {}).items()]
    if not spec.scenarios:
        spec.scenarios = [Scenario("baseline")]
    spec.sensitivity = dict(data.get("sensitivity", {}))
    for item in spec.thresholds:
        if not isinstance(item, dict) or "variable" not in item or \
                ("above" in item) == ("below" in item):
            raise SpecError(f"{path}: a threshold needs variable = ... and one of above = "
                            f"or below = (and optionally year =), got {item!r}")
    return spec


def _check_keys(path: Path, where: str, table: dict, known: set) -> None:
    unknown = set(table) - known
    if unknown:
        raise SpecError(f"{path}: {where} has unknown key(s) {sorted(unknown)}; "
                        f"known keys are {sorted(known)}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


#: What each entry of [model], [forecast] and [sensitivity] must be: a test, and its words.
_TYPES = {
    "target": (lambda v: isinstance(v, str), 'text, e.g. "sdmodels.reference.bass:build"'),
    "factory": (lambda v: isinstance(v, str), 'text, e.g. "sdmodels.reference.bass:build"'),
    "options": (lambda v: isinstance(v, dict), "a table, e.g. { preset = \"yrd\" }"),
    "parameters": (lambda v: isinstance(v, str), 'a file name in quotes'),
    "posterior": (lambda v: isinstance(v, str), 'a file name in quotes'),
    "intervals": (lambda v: isinstance(v, bool), "true or false"),
    "predictive": (lambda v: isinstance(v, bool), "true or false"),
    "method": (lambda v: isinstance(v, str), 'text, e.g. "euler"'),
    "until": (_is_number, "a number, e.g. 2060"),
    "n": (lambda v: _is_count(v, 1), "a whole number of at least 1"),
    "seed": (lambda v: _is_count(v, 0), "a whole number of at least 0"),
    "sampling": (lambda v: isinstance(v, str), 'text: "lhs", "sobol" or "random"'),
    "chunk_size": (lambda v: _is_count(v, 1), "a whole number of at least 1"),
    "saveper": (lambda v: _is_number(v) and v > 0, "a positive number"),
    "outputs": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                'a list of variable names, e.g. ["output"]'),
    "years": (lambda v: isinstance(v, list) and all(map(_is_number, v)),
              "a list of numbers, e.g. [2030, 2050]"),
    "thresholds": (lambda v: isinstance(v, list),
                   'a list of tables, e.g. [{ variable = "x", above = 1 }]'),
}


def _check_types(path: Path, where: str, table) -> None:
    if not isinstance(table, dict):
        raise SpecError(f"{path}: {where} must be a table (a [section] of key = value lines)")
    for key, value in table.items():
        valid, words = _TYPES.get(key, (None, ""))
        if valid is not None and not valid(value):
            raise SpecError(f"{path}: {where} {key} = {value!r} must be {words}")


def _uncertain(path: Path, name: str, entry: Any) -> Uncertain:
    if not isinstance(entry, dict) or "distribution" not in entry:
        raise SpecError(f"{path}: [uncertain] '{name}' needs distribution = one of "
                        f"{sorted(_DISTRIBUTIONS)} and its parameters")
    kind = entry["distribution"]
    if kind not in _DISTRIBUTIONS:
        raise SpecError(f"{path}: '{name}': distribution '{kind}' is unknown; choose one of "
                        f"{sorted(_DISTRIBUTIONS)}")
    needed = _DISTRIBUTIONS[kind]
    _check_keys(path, f"[uncertain] '{name}'", entry, {"distribution", "shared", *needed})
    missing = [k for k in needed if k not in entry]
    if missing:
        raise SpecError(f"{path}: '{name}': a {kind} distribution needs {list(needed)}; "
                        f"missing {missing}")
    try:
        dist = getattr(dsl, kind)(*(float(entry[k]) for k in needed))
    except ValueError as exc:
        raise SpecError(f"{path}: '{name}': {exc}") from None
    label = f"{kind}(" + ", ".join(f"{k}={entry[k]:g}" for k in needed) + ")"
    return Uncertain(name, dist, shared=bool(entry.get("shared", False)), label=label)


def _scenario(path: Path, name: str, entry: dict, here: Path) -> Scenario:
    _check_keys(path, f"[scenarios.{name}]", entry, {"description", "levers", "changes",
                                                      "series"})
    changes = []
    for change in entry.get("changes", []):
        where = f"[scenarios.{name}] change {change!r}"
        _check_keys(path, where, change, {"lever", "at", "start", "end", "to", "scale"})
        if "lever" not in change:
            raise SpecError(f"{path}: {where} needs lever = \"name\"")
        value = {k: change[k] for k in ("to", "scale") if k in change}
        if "at" in change and not {"start", "end"} & set(change):
            changes.append(Step(change["lever"], at=change["at"], **value))
        elif "start" in change and "end" in change and "at" not in change:
            changes.append(Ramp(change["lever"], start=change["start"], end=change["end"],
                                **value))
        else:
            raise SpecError(f"{path}: {where}: give at = YEAR (a step) or start = and "
                            "end = (a ramp)")
    series = []
    for item in entry.get("series", []):
        where = f"[scenarios.{name}] series {item.get('name', '?')!r}"
        _check_keys(path, where, item, {"name", "times", "values", "file", "column"})
        if "name" not in item:
            raise SpecError(f"{path}: {where} needs name = \"data series\"")
        if "file" in item:
            times, values = _series_file(path, here / item["file"], item.get("column"))
        elif "times" in item and "values" in item:
            times, values = item["times"], item["values"]
        else:
            raise SpecError(f"{path}: {where} needs times = [...] and values = [...], or "
                            "file = \"x.csv\" (first column the times)")
        series.append(SeriesOverride(item["name"], times, values))
    return Scenario(name, description=entry.get("description", ""),
                    levers=entry.get("levers", {}), changes=changes, series=series)


def _series_file(path: Path, file: Path, column: str | None):
    import pandas as pd

    if not file.exists():
        raise SpecError(f"{path}: series file {file} does not exist")
    frame = pd.read_csv(file)
    times = frame.iloc[:, 0].to_numpy(dtype=float)
    rest = frame.iloc[:, 1:]
    if column is not None:
        if column not in rest.columns:
            raise SpecError(f"{path}: {file} has no column '{column}'; columns are "
                            f"{list(rest.columns)}")
        return times, rest[column].to_numpy(dtype=float)
    return times, rest.to_numpy(dtype=float) if rest.shape[1] > 1 else rest.iloc[:, 0].to_numpy(
        dtype=float)


def posterior_from(spec: ForecastSpec, graph) -> PosteriorDraws | None:
    """The spec's posterior draws, if it names a file (see `read_posterior`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sdflow.forecasting.targets import load_model
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "draws.csv").write_text("imitation\\n0.3\\n0.5\\n")
    >>> _ = (folder / "f.toml").write_text('[model]\\ntarget = '
    ...     '"sdmodels.reference.bass:build"\\nposterior = "draws.csv"\\n')
    >>> spec = load_spec(folder / "f.toml")
    >>> draws = posterior_from(spec, load_model(spec.target, spec.options).graph())
    >>> draws.values["imitation"].tolist()
    [0.3, 0.5]
    """
    if spec.posterior is None:
        return None
    from .calibrated import read_posterior
    return read_posterior(spec.posterior, graph)
