"""Forecast specifications in TOML: the model, its scenarios, uncertainty and outputs.

::

    [model]
    factory = "sdmodels.regional_integration:build"  # MODULE:ATTR, file.py:ATTR or a
                                                      # Vensim/XMILE file (files relative
                                                      # to this spec, as calibration specs)
    options = { preset = "yrd" }                      # keyword arguments of the factory
    method = "euler"                                  # euler | rk4
    parameters = "../results/yrd/parameters.toml"     # optional, relative to this file
    posterior = "../results/yrd/params.json"          # optional: the draws it names (or a CSV)
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
    "slowdown" = { distribution = "truncnormal", mean = 0.12, sd = 0.035, low = 0, high = 0.3 }

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

``truncnormal`` is a normal (``mean``, ``sd`` before the cut) cut to ``[low, high]``: for a
constant fixed from other evidence with a standard error and physical limits. Each run
draws the uncertain constants on top of the posterior draws, which cover the calibrated
ones (a constant cannot have both).

A change with ``at`` is a step; with ``start`` and ``end`` a ramp; ``to`` or ``scale``.
Every key is checked when the file loads (`sdflow.toml_schema`, as for calibration specs):
an unknown key is refused with the closest known one as a suggestion. ``[model] target``,
the old name of ``factory``, is still read (with a `DeprecationWarning`) for one release.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import dsl
from ..errors import SpecError
from ..solve.solvers import SOLVERS
from ..toml_schema import (BOOLEAN, NUMBER, POSITIVE, STRING, STRINGS, TABLE, Kind,
                           check_table, is_number, read_toml, whole)
from .sampling import PosteriorDraws, Uncertain
from .targets import MODEL_FILES
from .scenarios import Ramp, Scenario, SeriesOverride, Step

_DISTRIBUTIONS = {"uniform": ("low", "high"), "normal": ("mean", "sd"),
                  "truncnormal": ("mean", "sd", "low", "high"),
                  "lognormal": ("mu", "sigma"), "triangular": ("low", "mode", "high")}


@dataclass
class ForecastSpec:
    """A parsed forecast specification (see the module docstring for the file format).

    Made by `load_forecast_spec`; unset entries keep these defaults (and a spec without
    ``[scenarios]`` runs the baseline alone). ``factory`` names the model as
    `sdflow.forecasting.targets.load_model` reads it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "f.toml"
    >>> _ = f.write_text('[model]\\nfactory = "sdmodels.reference.bass:build"\\n')
    >>> spec = load_forecast_spec(f)
    >>> spec.n, spec.sampling, spec.method, spec.uncertain, [s.name for s in spec.scenarios]
    (1000, 'lhs', 'euler', [], ['baseline'])
    """

    path: Path
    factory: str
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

    @property
    def target(self) -> str:
        """Deprecated name of ``factory`` (kept for one release)."""
        warnings.warn("ForecastSpec.target is deprecated; use ForecastSpec.factory",
                      DeprecationWarning, stacklevel=2)
        return self.factory


_ANY = Kind("a value", lambda v: True)
_TABLES = Kind("a list of tables", lambda v: isinstance(v, list)
               and all(isinstance(x, dict) for x in v))
_NUMBERS = Kind("a list of numbers, e.g. [2030, 2050]", lambda v: isinstance(v, list)
                and all(map(is_number, v)))
_TOP = {"model": TABLE, "forecast": TABLE, "uncertain": TABLE, "scenarios": TABLE,
        "sensitivity": TABLE}
_MODEL = {"factory": STRING, "target": STRING, "options": TABLE, "parameters": STRING,
          "posterior": STRING, "intervals": BOOLEAN, "predictive": BOOLEAN, "method": STRING}
_FORECAST = {"until": NUMBER, "n": whole(minimum=1), "seed": whole(minimum=0),
             "sampling": STRING, "chunk_size": whole(minimum=1), "saveper": POSITIVE,
             "method": STRING, "outputs": STRINGS, "years": _NUMBERS, "thresholds": _TABLES}
_SENSITIVITY = {"outputs": STRINGS, "years": _NUMBERS}
_SCENARIO = {"description": STRING, "levers": TABLE, "changes": _TABLES, "series": _TABLES}
_CHANGE = {"lever": STRING, "at": NUMBER, "start": NUMBER, "end": NUMBER, "to": _ANY,
           "scale": _ANY}
_SERIES = {"name": STRING, "times": _ANY, "values": _ANY, "file": STRING, "column": STRING}


def load_forecast_spec(path: str | Path) -> ForecastSpec:
    """Read and check a forecast TOML file (paths inside are relative to it).

    Every error names the file and the key (``forecast.n``, ``scenarios.policy.changes[0]``)
    and says what is expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "f.toml"
    >>> _ = f.write_text('[model]\\nfactory = "sdmodels.reference.bass:build"\\n'
    ...                  '[uncertain]\\nimitation = {distribution = "uniform", low = 0.3, '
    ...                  'high = 0.5}\\n[scenarios.baseline]\\n')
    >>> spec = load_forecast_spec(f)
    >>> spec.factory, [s.name for s in spec.scenarios]
    ('sdmodels.reference.bass:build', ['baseline'])
    >>> _ = f.write_text('[model]\\nfactory = "sdmodels.reference.bass:build"\\n'
    ...                  '[forecast]\\nuntill = 2060\\n')
    >>> try:
    ...     load_forecast_spec(f)
    ... except Exception as error:
    ...     print(str(error).replace(str(f), "f.toml"))  # doctest: +ELLIPSIS
    f.toml: forecast.untill: unknown key; did you mean 'until'? (known keys: ...)
    """
    path = Path(path)
    data = read_toml(path)
    try:
        return _spec_from_tables(data, path)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None


def load_spec(path: str | Path) -> ForecastSpec:
    """Deprecated name of `load_forecast_spec` (kept for one release).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     load_spec("no such spec.toml")
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: spec file no such spec.toml does not exist
    >>> str(caught[0].message)
    'sdflow.forecasting.load_spec is deprecated; use sdflow.forecasting.load_forecast_spec'
    """
    warnings.warn("sdflow.forecasting.load_spec is deprecated; use "
                  "sdflow.forecasting.load_forecast_spec", DeprecationWarning, stacklevel=2)
    return load_forecast_spec(path)


def _spec_from_tables(data: dict, path: Path) -> ForecastSpec:
    check_table(data, _TOP, "")
    model = check_table(data.get("model", {}), _MODEL, "model")
    factory = _factory(model, path)
    forecast = check_table(data.get("forecast", {}), _FORECAST, "forecast")
    sensitivity = check_table(data.get("sensitivity", {}), _SENSITIVITY, "sensitivity")
    for where, table in (("model", model), ("forecast", forecast)):
        if "method" in table and table["method"] not in SOLVERS:
            raise SpecError(f"{where}.method: expected one of {sorted(SOLVERS)}, got "
                            f"{table['method']!r}")
    here = path.parent

    def relative(value):
        return None if value is None else (here / value)

    spec = ForecastSpec(
        path=path, factory=factory, options=dict(model.get("options", {})),
        parameters=relative(model.get("parameters")), posterior=relative(model.get("posterior")),
        intervals=model.get("intervals", False), predictive=model.get("predictive", False),
        **{"method": model.get("method", "euler"), **forecast})
    spec.uncertain = [_uncertain(name, entry)
                      for name, entry in data.get("uncertain", {}).items()]
    spec.scenarios = [_scenario(name, entry, here)
                      for name, entry in data.get("scenarios", {}).items()]
    if not spec.scenarios:
        spec.scenarios = [Scenario("baseline")]
    spec.sensitivity = dict(sensitivity)
    for i, item in enumerate(spec.thresholds):
        if "variable" not in item or ("above" in item) == ("below" in item):
            raise SpecError(f"forecast.thresholds[{i}]: a threshold needs variable = ... and "
                            f"one of above = or below = (and optionally year =), got {item!r}")
    return spec


def _factory(model: dict, path: Path) -> str:
    """``[model] factory``, or the old ``target`` with a `DeprecationWarning`."""
    if "target" in model:
        if "factory" in model:
            raise SpecError("model.target: the old name of model.factory; keep factory only")
        warnings.warn(f"{path}: [model] target is deprecated; write factory = "
                      f"{model['target']!r} instead", DeprecationWarning, stacklevel=4)
        return _relative_factory(model["target"], path.parent)
    if "factory" not in model:
        raise SpecError("model.factory: name the model, e.g. factory = "
                        "\"sdmodels.regional_integration:build\" (MODULE:ATTR of a Model or a "
                        "factory, or a Vensim/XMILE model file)")
    return _relative_factory(model["factory"], path.parent)


def _relative_factory(factory: str, here: Path) -> str:
    """``factory`` with a relative model file or ``file.py`` taken from ``here``, the spec's
    folder (as calibration specs read theirs), so a spec runs from any directory.

    >>> _relative_factory("model.py:build", Path("/specs"))
    '/specs/model.py:build'
    >>> _relative_factory("sdmodels.reference.bass:build", Path("/specs"))
    'sdmodels.reference.bass:build'
    """
    module, colon, attr = factory.partition(":")
    suffix = Path(module).suffix.lower()
    if (suffix == ".py" or suffix in MODEL_FILES) and not Path(module).is_absolute():
        return f"{(here / module).as_posix()}{colon}{attr}"
    return factory


def _key(name: str) -> str:
    """``name`` as TOML writes it in a dotted key (quoted unless it is a bare key)."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'


def _uncertain(name: str, entry: Any) -> Uncertain:
    where = f"uncertain.{_key(name)}"
    if not isinstance(entry, dict) or "distribution" not in entry:
        raise SpecError(f"{where}: needs distribution = one of {sorted(_DISTRIBUTIONS)} and "
                        "its parameters, e.g. { distribution = \"uniform\", low = 0.4, "
                        "high = 0.6 }")
    kind = entry["distribution"]
    if kind not in _DISTRIBUTIONS:
        raise SpecError(f"{where}.distribution: distribution '{kind}' is unknown; choose one "
                        f"of {sorted(_DISTRIBUTIONS)}")
    needed = _DISTRIBUTIONS[kind]
    check_table(entry, {"distribution": STRING, "shared": BOOLEAN,
                        **{k: NUMBER for k in needed}}, where)
    missing = [k for k in needed if k not in entry]
    if missing:
        raise SpecError(f"{where}: a {kind} distribution needs {list(needed)}; missing "
                        f"{missing}")
    try:
        dist = getattr(dsl, kind)(*(float(entry[k]) for k in needed))
    except ValueError as exc:
        raise SpecError(f"{where}: {exc}") from None
    label = f"{kind}(" + ", ".join(f"{k}={entry[k]:g}" for k in needed) + ")"
    return Uncertain(name, dist, shared=entry.get("shared", False), label=label)


def _scenario(name: str, entry: Any, here: Path) -> Scenario:
    where = f"scenarios.{_key(name)}"
    check_table(entry, _SCENARIO, where)
    changes = []
    for i, change in enumerate(entry.get("changes", [])):
        at = f"{where}.changes[{i}]"
        check_table(change, _CHANGE, at, required=("lever",))
        value = {k: change[k] for k in ("to", "scale") if k in change}
        if "at" in change and not {"start", "end"} & set(change):
            changes.append(Step(change["lever"], at=change["at"], **value))
        elif "start" in change and "end" in change and "at" not in change:
            changes.append(Ramp(change["lever"], start=change["start"], end=change["end"],
                                **value))
        else:
            raise SpecError(f"{at}: give at = YEAR (a step) or start = and end = (a ramp)")
    series = []
    for i, item in enumerate(entry.get("series", [])):
        at = f"{where}.series[{i}]"
        check_table(item, _SERIES, at, required=("name",))
        if "file" in item:
            times, values = _series_file(at, here / item["file"], item.get("column"))
        elif "times" in item and "values" in item:
            times, values = item["times"], item["values"]
        else:
            raise SpecError(f"{at}: needs times = [...] and values = [...], or "
                            "file = \"x.csv\" (first column the times)")
        series.append(SeriesOverride(item["name"], times, values))
    return Scenario(name, description=entry.get("description", ""),
                    levers=entry.get("levers", {}), changes=changes, series=series)


def _series_file(where: str, file: Path, column: str | None):
    import pandas as pd

    if not file.exists():
        raise SpecError(f"{where}.file: series file {file} does not exist")
    frame = pd.read_csv(file)
    times = frame.iloc[:, 0].to_numpy(dtype=float)
    rest = frame.iloc[:, 1:]
    if column is not None:
        if column not in rest.columns:
            raise SpecError(f"{where}.column: {file} has no column '{column}'; columns are "
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
    >>> _ = (folder / "f.toml").write_text('[model]\\nfactory = '
    ...     '"sdmodels.reference.bass:build"\\nposterior = "draws.csv"\\n')
    >>> spec = load_forecast_spec(folder / "f.toml")
    >>> draws = posterior_from(spec, load_model(spec.factory, spec.options).graph())
    >>> draws.values["imitation"].tolist()
    [0.3, 0.5]
    """
    if spec.posterior is None:
        return None
    from .calibrated import read_posterior
    return read_posterior(spec.posterior, graph)
