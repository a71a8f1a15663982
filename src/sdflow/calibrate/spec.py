"""`CalibrationSpec`: what to fit, to which data, how; read from TOML or built in Python.

A TOML spec (see ``calibration/specs/``) has the sections ``[model]``, ``[period]``,
``[[series]]``, ``[[parameters]]``, ``[payoff]``, ``[optimiser]``, ``[uncertainty]`` and
``[mcmc]``; the dataclasses below hold the same information. Every bad value raises
`SpecError` naming its key (``series[2].measure``).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
from .._tomllib import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..dsl.model import Model
from ..errors import SpecError

MEASURES = ("level", "sum", "mean")
PAYOFFS = ("wsse", "log_sse", "gaussian", "lognormal")
OPTIMISERS = ("least_squares", "differential_evolution")
PRIORS = {"uniform": ("lower", "upper"), "normal": ("mean", "sd"),
          "lognormal": ("median", "sigma")}


@dataclass(frozen=True)
class SeriesSpec:
    """One observed series and the model variable it matches.

    ``measure``: ``level`` compares the variable's value at the observation time (stocks,
    year-end or mid-year values); ``sum`` the flow integrated over ``[t, t + period)``
    (annual GDP, investment); ``mean`` its average over that period.
    ``deflator``: ``{file, value, base}`` (and optional ``time`` and ``decimal``), a price
    index read with the series' own ``key`` and ``keys``; the values are divided by it,
    re-based to 1 in year ``base`` (nominal to constant prices).
    ``decimal``: ``","`` when the file writes decimal commas (``70,2``); by default a
    comma inside a value is refused (see `read_series`).
    The other fields are passed to `read_series` (``file`` is resolved against the spec's
    folder by `load_spec`).

    Examples
    --------
    >>> s = SeriesSpec("gdp", Path("gdp.csv"), "GDP", value="gdp", measure="sum")
    >>> s.time, s.layout, s.weight
    ('year', 'long', 1.0)
    """

    name: str
    file: Path
    variable: str
    value: str | None = None
    time: str = "year"
    key: str | None = None
    keys: dict[str, str] | list[str] | None = None
    layout: str = "long"
    units: str | None = None
    measure: str = "level"
    period: float = 1.0
    weight: float = 1.0
    scale: float = 1.0
    deflator: dict | None = None
    decimal: str = "."


@dataclass(frozen=True)
class Prior:
    """A prior of one parameter: ``uniform(lower, upper)``, ``normal(mean, sd)`` or
    ``lognormal(median, sigma)``.

    Examples
    --------
    >>> Prior("normal", 0.2, 0.1).logpdf([0.2, 0.3]).round(3).tolist()
    [-0.0, -0.5]
    >>> Prior("uniform", 0.0, 1.0).logpdf([0.5, 2.0]).tolist()
    [0.0, -inf]
    """

    dist: str
    a: float
    b: float

    def logpdf(self, x):
        """Log density up to a constant (arrays welcome)."""
        import numpy as np
        x = np.asarray(x, float)
        if self.dist == "uniform":
            return np.where((x >= self.a) & (x <= self.b), 0.0, -np.inf)
        if self.dist == "normal":
            return -0.5 * ((x - self.a) / self.b) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x > 0, -np.log(np.where(x > 0, x, 1)) - 0.5 * (
                (np.log(np.where(x > 0, x, 1)) - math.log(self.a)) / self.b) ** 2, -np.inf)


@dataclass(frozen=True)
class ParameterSpec:
    """One estimated number: constant ``name`` (one ``element`` of an arrayed constant,
    or all its elements at once when ``element`` is None), within ``bounds``.

    ``initial`` is the first starting point of the optimiser (default: the model's value,
    clipped to the bounds); ``prior`` is used by MCMC (default: uniform on the bounds).

    Examples
    --------
    >>> ParameterSpec("growth", (0.0, 0.1), element="north").label
    'growth[north]'
    """

    name: str
    bounds: tuple[float, float]
    element: str | None = None
    initial: float | None = None
    prior: Prior | None = None

    @property
    def label(self) -> str:
        return f"{self.name}[{self.element}]" if self.element is not None else self.name


@dataclass(frozen=True)
class CalibrationSpec:
    """Everything a calibration needs. `calibrate(spec)` runs it.

    Examples
    --------
    >>> spec = CalibrationSpec(
    ...     name="decay", model="sdmodels.reference.bass:build",
    ...     series=[SeriesSpec("adopters", Path("a.csv"), "adopters", value="a")],
    ...     parameters=[ParameterSpec("imitation", (0.1, 0.9))])
    >>> spec.parameters[0].label, spec.payoff, spec.optimiser
    ('imitation', 'wsse', 'least_squares')
    """

    name: str
    model: str | Model | Callable[..., Model]
    series: list[SeriesSpec]
    parameters: list[ParameterSpec]
    options: dict[str, Any] = field(default_factory=dict)
    method: str = "euler"
    dt: float | None = None
    fit_period: tuple[float | None, float | None] = (None, None)
    test_period: tuple[float, float] | None = None
    payoff: str = "wsse"
    optimiser: str = "least_squares"
    optimiser_options: dict[str, Any] = field(default_factory=dict)
    starts: int = 1
    seed: int = 0
    profile: bool = True
    profile_points: int = 7
    mcmc: dict[str, Any] | None = None
    base_dir: Path = Path(".")

    def __post_init__(self):
        _check(self.payoff in PAYOFFS, "payoff.kind", f"'{self.payoff}' must be one of {PAYOFFS}")
        _check(self.optimiser in OPTIMISERS, "optimiser.method",
               f"'{self.optimiser}' must be one of {OPTIMISERS}")
        _check(self.series, "series", "list at least one series to fit")
        _check(self.parameters, "parameters", "list at least one parameter to estimate")
        _check(isinstance(self.starts, int) and self.starts >= 1, "optimiser.starts",
               "must be a whole number >= 1")
        labels = [p.label for p in self.parameters]
        for i, p in enumerate(self.parameters):
            lo, hi = p.bounds
            _check(math.isfinite(lo) and math.isfinite(hi) and lo < hi,
                   f"parameters[{i}].bounds", f"{list(p.bounds)} must be finite with lower < upper")
            if p.initial is not None:
                _check(lo <= p.initial <= hi, f"parameters[{i}].initial",
                       f"{p.initial} lies outside the bounds {list(p.bounds)}")
            _check(labels.count(p.label) == 1, f"parameters[{i}].name",
                   f"'{p.label}' is estimated twice")
        for i, s in enumerate(self.series):
            _check(s.measure in MEASURES, f"series[{i}].measure",
                   f"'{s.measure}' must be one of {MEASURES}")
            _check(s.layout in ("long", "wide"), f"series[{i}].layout",
                   f"'{s.layout}' must be 'long' or 'wide'")
            _check(s.weight > 0, f"series[{i}].weight", "must be positive")
            _check(s.layout == "wide" or s.value, f"series[{i}].value",
                   "name the column holding the values")

    def build_model(self) -> Model:
        """The model to calibrate (imports ``module:attr`` and calls it with ``options``)."""
        target = self.model
        if isinstance(target, str):
            target = _import(target, self.base_dir)
        if isinstance(target, Model):
            return target
        if callable(target):
            try:
                model = target(**self.options)
            except TypeError as exc:
                raise SpecError(f"model.options: {exc}") from None
            if isinstance(model, Model):
                return model
        raise SpecError(f"model.factory: {self.model!r} gives no sdflow Model")


def _check(condition, key: str, message: str) -> None:
    if not condition:
        raise SpecError(f"{key}: {message}")


def _import(target: str, base_dir: Path):
    module_name, _, attr = target.partition(":")
    attr = attr or "build"
    try:
        if module_name.endswith(".py"):
            path = (base_dir / module_name).resolve()
            loader = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(loader)
            sys.modules[path.stem] = module
            loader.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError, FileNotFoundError) as exc:
        raise SpecError(f"model.factory: cannot load '{target}' ({exc}); write "
                        "'package.module:function' or 'file.py:function'") from None


# -- TOML -----------------------------------------------------------------------------------

_TOP = {"name", "seed", "model", "period", "series", "parameters", "payoff", "optimiser",
        "uncertainty", "mcmc", "description"}
_SERIES = {"name", "file", "variable", "value", "time", "key", "keys", "layout", "units",
           "measure", "period", "weight", "scale", "deflator", "decimal"}
_PARAMETER = {"name", "element", "bounds", "initial", "prior"}


def load_spec(path: str | Path) -> CalibrationSpec:
    """Read a calibration spec from a TOML file (paths inside are relative to it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = f.write_text('''
    ... name = "bass"
    ... [model]
    ... factory = "sdmodels.reference.bass:build"
    ... [[series]]
    ... name = "adopters"
    ... file = "a.csv"
    ... variable = "adopters"
    ... value = "adopters"
    ... measure = "levels"
    ... [[parameters]]
    ... name = "imitation"
    ... bounds = [0.1, 0.9]
    ... ''')
    >>> try:
    ...     load_spec(f)
    ... except Exception as error:
    ...     print(error)
    series[0].measure: 'levels' must be one of ('level', 'sum', 'mean')
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"spec file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    return spec_from_dict(raw, path.parent, default_name=path.stem)


def spec_from_dict(raw: dict, base_dir: Path = Path("."),
                   default_name: str = "calibration") -> CalibrationSpec:
    """A `CalibrationSpec` from the parsed TOML tables.

    Parameters
    ----------
    raw : dict
        The tables of a spec file (see `load_spec` for the format).
    base_dir : Path
        Folder that relative file names and model modules are resolved against.
    default_name : str
        Name used when ``raw`` has no ``name``.

    Returns
    -------
    CalibrationSpec

    Raises
    ------
    SpecError
        Naming the key of an unknown, missing or invalid entry.

    Examples
    --------
    >>> spec = spec_from_dict({
    ...     "model": {"factory": "sdmodels.reference.bass:build"},
    ...     "series": [{"name": "adopters", "file": "a.csv", "variable": "adopters",
    ...                 "value": "a"}],
    ...     "parameters": [{"name": "imitation", "bounds": [0.1, 0.9]}]})
    >>> spec.name, str(spec.series[0].file), spec.parameters[0].bounds
    ('calibration', 'a.csv', (0.1, 0.9))
    >>> spec_from_dict({"model": {}})
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: model.factory: name the model, e.g. 'pkg.module:build'
    """
    _unknown(raw, _TOP, "")
    model = _table(raw, "model", required=True)
    _unknown(model, {"factory", "options", "method", "dt"}, "model.")
    _check("factory" in model, "model.factory", "name the model, e.g. 'pkg.module:build'")
    period = _table(raw, "period")
    _unknown(period, {"fit", "test"}, "period.")
    payoff = _table(raw, "payoff")
    _unknown(payoff, {"kind"}, "payoff.")
    optimiser = _table(raw, "optimiser")
    _unknown(optimiser, {"method", "starts", "options"}, "optimiser.")
    uncertainty = _table(raw, "uncertainty")
    _unknown(uncertainty, {"profile", "profile_points"}, "uncertainty.")
    mcmc = raw.get("mcmc")
    if mcmc is not None:
        _unknown(mcmc, {"walkers", "steps", "burn", "thin"}, "mcmc.")
    series = [_series(s, i, base_dir) for i, s in enumerate(_list(raw, "series"))]
    parameters = [_parameter(p, i) for i, p in enumerate(_list(raw, "parameters"))]
    return CalibrationSpec(
        name=str(raw.get("name", default_name)), model=model["factory"],
        options=dict(model.get("options", {})), method=model.get("method", "euler"),
        dt=model.get("dt"), series=series, parameters=parameters,
        fit_period=tuple(_pair(period.get("fit", [None, None]), "period.fit", allow_none=True)),
        test_period=_pair(period["test"], "period.test") if "test" in period else None,
        payoff=payoff.get("kind", "wsse"), optimiser=optimiser.get("method", "least_squares"),
        optimiser_options=dict(optimiser.get("options", {})),
        starts=optimiser.get("starts", 1), seed=int(raw.get("seed", 0)),
        profile=bool(uncertainty.get("profile", True)),
        profile_points=int(uncertainty.get("profile_points", 7)),
        mcmc=dict(mcmc) if mcmc is not None else None, base_dir=base_dir)


def _unknown(table: dict, allowed: set, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise SpecError(f"{prefix}{key}: unknown key; allowed keys are {sorted(allowed)}")


def _table(raw, key, required=False) -> dict:
    value = raw.get(key, {} if not required else None)
    _check(isinstance(value, dict), key, "give a [" + key + "] table")
    return value


def _list(raw, key) -> list:
    value = raw.get(key)
    _check(isinstance(value, list) and value, key, f"give at least one [[{key}]] table")
    return value


def _pair(value, key, allow_none=False):
    ok = isinstance(value, list) and len(value) == 2 and all(
        isinstance(v, (int, float)) or (allow_none and v is None) for v in value)
    _check(ok, key, f"{value!r} must be [first, last]")
    return tuple(float(v) if v is not None else None for v in value)


def _series(raw: dict, i: int, base_dir: Path) -> SeriesSpec:
    where = f"series[{i}]"
    _unknown(raw, _SERIES, where + ".")
    for key in ("name", "file", "variable"):
        _check(isinstance(raw.get(key), str), f"{where}.{key}", "is required (a string)")
    options = {k: v for k, v in raw.items() if k not in ("name", "file", "variable")}
    for key in ("weight", "scale", "period"):
        if key in options:
            _check(isinstance(options[key], (int, float)), f"{where}.{key}", "must be a number")
    if "deflator" in options:
        d = options["deflator"]
        _check(isinstance(d, dict) and {"file", "value", "base"} <= set(d) <=
               {"file", "value", "base", "time", "decimal"}, f"{where}.deflator",
               "give {file, value, base} (and optionally time, decimal)")
        options["deflator"] = {**d, "file": base_dir / d["file"]}
    return SeriesSpec(raw["name"], base_dir / raw["file"], raw["variable"], **options)


def _parameter(raw: dict, i: int) -> ParameterSpec:
    where = f"parameters[{i}]"
    _unknown(raw, _PARAMETER, where + ".")
    _check(isinstance(raw.get("name"), str), f"{where}.name", "is required (a string)")
    bounds = _pair(raw.get("bounds"), f"{where}.bounds")
    prior = None
    if "prior" in raw:
        p = raw["prior"]
        _check(isinstance(p, dict) and p.get("dist") in PRIORS, f"{where}.prior.dist",
               f"must be one of {sorted(PRIORS)}")
        a_key, b_key = PRIORS[p["dist"]]
        _check(set(p) == {"dist", a_key, b_key}, f"{where}.prior",
               f"a {p['dist']} prior takes dist, {a_key} and {b_key}")
        prior = Prior(p["dist"], float(p[a_key]), float(p[b_key]))
    element = raw.get("element")
    return ParameterSpec(raw["name"], bounds, None if element is None else str(element),
                         raw.get("initial"), prior)
