"""`CalibrationSpec`: what to fit, to which data, how; read from TOML or built in Python.

A TOML spec (see ``calibration/specs/``) has the sections ``[model]``, ``[period]``,
``[[series]]``, ``[[parameters]]``, ``[payoff]``, ``[optimiser]``, ``[uncertainty]`` and
``[mcmc]`` or ``[smc]``; the dataclasses below hold the same information. Every key's type
is checked when the file loads (see `sdflow.toml_schema`) and every value when the
dataclasses are made, so a bad spec fails before any fit starts, with a `SpecError`
naming the file and the key (``series[2].measure``) and saying what is expected.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..compile.numba_warm import numba_installed
from ..dsl.model import Model
from ..errors import SpecError
from ..solve.solvers import SOLVERS
from .likelihoods import PAYOFF_OPTIONS, check_payoff_options
from .priors import PRIORS, Prior, check_prior_bounds, prior_from_table  # noqa: F401
from ..toml_schema import (BOOLEAN, NUMBER, NUMBER_PAIR, POSITIVE, STRING, STRING_TABLE,
                          STRINGS, TABLE, Kind, check_table, is_number, number_between, one_of,
                          read_toml, whole)

MEASURES = ("level", "sum", "mean")
PAYOFFS = ("wsse", "log_sse", "gaussian", "lognormal", "poisson", "negative_binomial",
           "custom")
OPTIMISERS = ("least_squares", "differential_evolution")
#: The profile grid walks out from the estimate at least this many points per side before
#: it widens its step; fewer leaves the profile without points on one side, so every
#: parameter would come out "not identifiable".
MIN_PROFILE_POINTS = 3


def default_walkers(k: int) -> int:
    """emcee's walkers when ``[mcmc]`` gives none: four per parameter, at least 32.

    Each batch simulates half the ensemble, and a batch of 16 runs costs little more than
    one of 4 (see calibration/README.md, "Speed"), so a small ensemble leaves the batching
    idle; emcee's authors advise as many walkers as one can afford (Foreman-Mackey et al.
    2013, "emcee: the MCMC hammer", PASP 125:306).

    Examples
    --------
    >>> default_walkers(2), default_walkers(23)
    (32, 92)
    """
    return max(4 * k, 32)


#: ``[mcmc]`` settings (see `sample_posterior`).
MCMC = {"walkers": whole(minimum=2), "steps": whole(minimum=1), "burn": whole(minimum=0),
        "thin": whole(minimum=1), "chunk": whole(minimum=1)}
#: ``[smc]`` settings (see `sample_smc`): the tempered SMC sampler of the posterior.
SMC = {"particles": whole(minimum=10), "chains": whole(minimum=1),
       "target_ess": Kind("a number strictly between 0 and 1",
                          lambda v: is_number(v) and 0 < v < 1),
       "max_moves": whole(minimum=1)}
#: ``[optimiser] options`` per method: what is passed on to scipy.
OPTIMISER_OPTIONS = {
    "least_squares": {"xtol": POSITIVE, "ftol": POSITIVE, "gtol": POSITIVE,
                      "max_nfev": whole(minimum=1), "f_scale": POSITIVE,
                      "loss": one_of("linear", "soft_l1", "huber", "cauchy", "arctan")},
    "differential_evolution": {
        "popsize": whole(minimum=1), "maxiter": whole(minimum=1),
        "tol": number_between(0, math.inf), "atol": number_between(0, math.inf),
        "mutation": number_between(0, 2) | Kind(
            "[low, high] in [0, 2]", lambda v: isinstance(v, (list, tuple)) and len(v) == 2
            and all(is_number(x) and 0 <= x <= 2 for x in v)),
        "recombination": number_between(0, 1), "polish": BOOLEAN,
        "strategy": one_of("best1bin", "best1exp", "rand1bin", "rand1exp", "rand2bin",
                           "rand2exp", "best2bin", "best2exp", "randtobest1bin",
                           "randtobest1exp", "currenttobest1bin", "currenttobest1exp")},
}


@dataclass(frozen=True)
class SeriesSpec:
    """One observed series and the model variable it matches.

    ``measure``: ``level`` compares the variable's value at the observation time (stocks,
    year-end or mid-year values); ``sum`` the flow integrated over ``[t, t + period)``
    (annual GDP, investment); ``mean`` its average over that period. Sums and means are
    exact: the change over the period of a hidden stock accumulating the flow (see
    `sdflow.calibrate.accumulators`). A value listed at year 2005 with ``period = 1`` is
    the flow from model time 2005 up to 2006: if the model's time marks the start of a
    year, that is the calendar year 2005.
    ``deflator``: ``{file, value, base}`` (and optional ``time`` and ``decimal``), a price
    index read with the series' own ``key`` and ``keys``; the values are divided by it,
    re-based to 1 in year ``base`` (nominal to constant prices).
    ``decimal``: ``","`` when the file writes decimal commas (``70,2``); by default a
    comma inside a value is refused (see `read_series`).
    The other fields are passed to `read_series` (``file`` is resolved against the spec's
    folder by `load_calibration_spec`).

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
class ParameterSpec:
    """One estimated number: constant ``name`` (one ``element`` of an arrayed constant,
    or all its elements at once when ``element`` is None), within ``bounds``.

    ``initial`` is the first starting point of the optimiser (default: the model's value,
    clipped to the bounds); ``prior`` (a `Prior`: uniform, normal, lognormal, half_normal,
    beta or gamma) is used by MCMC (default: uniform on the bounds); the bounds must lie
    within its support.

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
    payoff_options: dict[str, Any] = field(default_factory=dict)
    optimiser: str = "least_squares"
    optimiser_options: dict[str, Any] = field(default_factory=dict)
    starts: int = 1
    seed: int = 0
    profile: bool = True
    profile_points: int = 7
    mcmc: dict[str, Any] | None = None
    base_dir: Path = Path(".")
    smc: dict[str, Any] | None = None
    draws: int = 1000
    backend: str = "batched"

    def __post_init__(self):
        whole(minimum=0).check(self.seed, "seed")
        _check(self.method in SOLVERS, "model.method",
               f"{self.method!r} must be one of {sorted(SOLVERS)}")
        if self.dt is not None:
            POSITIVE.check(self.dt, "model.dt")
        CALIBRATION_BACKENDS.check(self.backend, "model.backend")
        _check(self.backend != "numba" or numba_installed(),
               "model.backend", "'numba' needs the optional package numba (pip install "
               "numba, or pip install 'sdflow[numba]'); or use 'batched'")
        BOOLEAN.check(self.profile, "uncertainty.profile")
        whole(minimum=MIN_PROFILE_POINTS).check(self.profile_points,
                                                "uncertainty.profile_points")
        self._check_periods()
        _check(self.payoff in PAYOFFS, "payoff.kind", f"'{self.payoff}' must be one of {PAYOFFS}")
        check_payoff_options(self.payoff, self.payoff_options)
        _check(self.optimiser in OPTIMISERS, "optimiser.method",
               f"'{self.optimiser}' must be one of {OPTIMISERS}")
        _check(self.series, "series", "list at least one series to fit")
        _check(self.parameters, "parameters", "list at least one parameter to estimate")
        whole(minimum=1).check(self.starts, "optimiser.starts")
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
            if p.prior is not None:
                check_prior_bounds(p.prior, p.bounds, f"parameters[{i}]")
        for i, s in enumerate(self.series):
            _check(s.measure in MEASURES, f"series[{i}].measure",
                   f"'{s.measure}' must be one of {MEASURES}")
            _check(s.layout in ("long", "wide"), f"series[{i}].layout",
                   f"'{s.layout}' must be 'long' or 'wide'")
            _check(s.weight > 0, f"series[{i}].weight", "must be positive")
            _check(s.layout == "wide" or s.value, f"series[{i}].value",
                   "name the column holding the values")
            _check(s.decimal in (".", ","), f"series[{i}].decimal",
                   f"{s.decimal!r} must be '.' or ','")
        if self.optimiser in OPTIMISER_OPTIONS:
            check_table(self.optimiser_options, OPTIMISER_OPTIONS[self.optimiser],
                        "optimiser.options")
        if self.mcmc is not None:
            self._check_mcmc()
        if self.smc is not None:
            check_table(self.smc, SMC, "smc")
            _check(self.mcmc is None, "smc", "the spec has both [smc] and [mcmc]; keep one "
                   "posterior sampler ([smc] uses the batch best)")
        whole(minimum=0).check(self.draws, "uncertainty.draws")

    def _check_periods(self):
        fit, test = self.fit_period, self.test_period
        _check(isinstance(fit, (tuple, list)) and len(fit) == 2 and all(
            v is None or is_number(v) for v in fit), "period.fit",
            f"{fit!r} must be (first, last), either end may be None")
        if None not in fit:
            _check(fit[0] <= fit[1], "period.fit", f"{list(fit)}: first is after last")
        if test is None:
            return
        NUMBER_PAIR.check(test, "period.test")
        _check(test[0] <= test[1], "period.test", f"{list(test)}: first is after last")
        fit_first = -math.inf if fit[0] is None else fit[0]
        fit_last = math.inf if fit[1] is None else fit[1]
        # a year in both periods would be scored "out of sample" after the fit saw it
        _check(test[1] < fit_first or test[0] > fit_last, "period.test",
               f"{list(test)} overlaps the fit period {list(fit)}; out-of-sample scores "
               "need years the fit has not seen: end the fit before the test period "
               "starts (or start it after the test period ends)")

    def _check_mcmc(self):
        settings = check_table(self.mcmc, MCMC, "mcmc")
        k = len(self.parameters)
        walkers = settings.get("walkers", default_walkers(k))
        _check(walkers % 2 == 0 and walkers >= 2 * k, "mcmc.walkers",
               f"{walkers} must be even and at least twice the number of parameters "
               f"({2 * k})")
        steps = settings.get("steps", 2000)
        burn = settings.get("burn", steps // 2)
        _check(burn < steps, "mcmc.burn", f"{burn} must be below steps ({steps})")

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

    def payoff_settings(self) -> dict[str, Any]:
        """``payoff_options`` with a custom ``function`` given as text imported (like the
        model factory, relative to the spec's folder)."""
        settings = dict(self.payoff_options)
        if isinstance(settings.get("function"), str):
            settings["function"] = _import(settings["function"], self.base_dir,
                                           "payoff.function")
        return settings


def _check(condition, key: str, message: str) -> None:
    if not condition:
        raise SpecError(f"{key}: {message}")


def _import(target: str, base_dir: Path, key: str = "model.factory"):
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
        raise SpecError(f"{key}: cannot load '{target}' ({exc}); write "
                        "'package.module:function' or 'file.py:function'") from None


# -- TOML -----------------------------------------------------------------------------------

_TABLES = ("model", "period", "payoff", "optimiser", "uncertainty", "mcmc", "smc")
_ARRAY_OF_TABLES = Kind("an array of tables ([[...]]), at least one",
                        lambda v: isinstance(v, list) and len(v) > 0)
_TOP = {"name": STRING, "description": STRING, "seed": whole(minimum=0),
        "series": _ARRAY_OF_TABLES, "parameters": _ARRAY_OF_TABLES,
        **{table: TABLE for table in _TABLES}}
#: ``[model] backend``: how batches are simulated (the same numbers either way).
CALIBRATION_BACKENDS = one_of("batched", "numba")
_MODEL = {"factory": STRING, "options": TABLE, "method": one_of(*sorted(SOLVERS)),
          "dt": POSITIVE, "backend": CALIBRATION_BACKENDS}
_PERIOD = {"fit": NUMBER_PAIR, "test": NUMBER_PAIR}
_PAYOFF = {"kind": one_of(*PAYOFFS), **PAYOFF_OPTIONS}
_OPTIMISER = {"method": one_of(*OPTIMISERS), "starts": whole(minimum=1), "options": TABLE}
_UNCERTAINTY = {"profile": BOOLEAN, "profile_points": whole(minimum=MIN_PROFILE_POINTS),
                "draws": whole(minimum=0)}
_DECIMAL = one_of(".", ",")
_SERIES = {"name": STRING, "file": STRING, "variable": STRING, "value": STRING,
           "time": STRING, "key": STRING, "keys": STRINGS | STRING_TABLE,
           "layout": one_of("long", "wide"), "units": STRING, "measure": one_of(*MEASURES),
           "period": POSITIVE, "weight": POSITIVE, "scale": NUMBER, "deflator": TABLE,
           "decimal": _DECIMAL}
_DEFLATOR = {"file": STRING, "value": STRING, "base": NUMBER, "time": STRING,
             "decimal": _DECIMAL}
_PARAMETER = {"name": STRING, "element": STRING | whole(), "bounds": NUMBER_PAIR,
              "initial": NUMBER, "prior": TABLE}


def load_calibration_spec(path: str | Path) -> CalibrationSpec:
    """Read a calibration spec from a TOML file (paths inside are relative to it).

    Every error names the file and the key.

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
    ...     load_calibration_spec(f)
    ... except Exception as error:
    ...     print(str(error).replace(str(f), "s.toml"))
    s.toml: series[0].measure: expected one of ['level', 'sum', 'mean'], got 'levels'
    """
    path = Path(path)
    raw = read_toml(path)
    try:
        return spec_from_dict(raw, path.parent, default_name=path.stem)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None


def load_spec(path: str | Path) -> CalibrationSpec:
    """Deprecated name of `load_calibration_spec` (kept for one release).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     load_spec("no such spec.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: spec file no such spec.toml does not exist
    >>> str(caught[0].message)
    'sdflow.calibrate.load_spec is deprecated; use sdflow.calibrate.load_calibration_spec'
    """
    warnings.warn("sdflow.calibrate.load_spec is deprecated; use "
                  "sdflow.calibrate.load_calibration_spec", DeprecationWarning, stacklevel=2)
    return load_calibration_spec(path)


def spec_from_dict(raw: dict, base_dir: Path = Path("."),
                   default_name: str = "calibration") -> CalibrationSpec:
    """A `CalibrationSpec` from the parsed TOML tables.

    Parameters
    ----------
    raw : dict
        The tables of a spec file (see `load_calibration_spec` for the format).
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
    >>> spec_from_dict({"model": {"factory": "m:build"}, "mcmc": {"walker": 8}})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: mcmc.walker: unknown key; did you mean 'walkers'? (known keys: ...)
    """
    check_table(raw, _TOP, "")
    model = check_table(raw.get("model"), _MODEL, "model")
    _check("factory" in model, "model.factory", "name the model, e.g. 'pkg.module:build'")
    period = check_table(raw.get("period", {}), _PERIOD, "period")
    payoff = check_table(raw.get("payoff", {}), _PAYOFF, "payoff")
    optimiser = check_table(raw.get("optimiser", {}), _OPTIMISER, "optimiser")
    uncertainty = check_table(raw.get("uncertainty", {}), _UNCERTAINTY, "uncertainty")
    mcmc = raw.get("mcmc")
    if mcmc is not None:
        check_table(mcmc, MCMC, "mcmc")
    smc = raw.get("smc")
    if smc is not None:
        check_table(smc, SMC, "smc")
    for key in ("series", "parameters"):
        _ARRAY_OF_TABLES.check(raw.get(key), key)
    series = [_series(s, i, base_dir) for i, s in enumerate(raw["series"])]
    parameters = [_parameter(p, i) for i, p in enumerate(raw["parameters"])]
    return CalibrationSpec(
        name=raw.get("name", default_name), model=model["factory"],
        options=dict(model.get("options", {})), method=model.get("method", "euler"),
        dt=model.get("dt"), backend=model.get("backend", "batched"), series=series,
        parameters=parameters,
        fit_period=tuple(period.get("fit", (None, None))),
        test_period=tuple(period["test"]) if "test" in period else None,
        payoff=payoff.get("kind", "wsse"),
        payoff_options={k: v for k, v in payoff.items() if k != "kind"},
        optimiser=optimiser.get("method", "least_squares"),
        optimiser_options=dict(optimiser.get("options", {})),
        starts=optimiser.get("starts", 1), seed=raw.get("seed", 0),
        profile=uncertainty.get("profile", True),
        profile_points=uncertainty.get("profile_points", 7),
        mcmc=dict(mcmc) if mcmc is not None else None, base_dir=base_dir,
        smc=dict(smc) if smc is not None else None, draws=uncertainty.get("draws", 1000))


def _series(raw: dict, i: int, base_dir: Path) -> SeriesSpec:
    where = f"series[{i}]"
    check_table(raw, _SERIES, where, required=("name", "file", "variable"))
    options = {k: v for k, v in raw.items() if k not in ("name", "file", "variable")}
    if "deflator" in options:
        d = check_table(options["deflator"], _DEFLATOR, f"{where}.deflator",
                        required=("file", "value", "base"))
        options["deflator"] = {**d, "file": base_dir / d["file"]}
    return SeriesSpec(raw["name"], base_dir / raw["file"], raw["variable"], **options)


def _parameter(raw: dict, i: int) -> ParameterSpec:
    where = f"parameters[{i}]"
    check_table(raw, _PARAMETER, where, required=("name", "bounds"))
    prior = prior_from_table(raw["prior"], f"{where}.prior") if "prior" in raw else None
    element = raw.get("element")
    return ParameterSpec(raw["name"], tuple(float(v) for v in raw["bounds"]),
                         None if element is None else str(element), raw.get("initial"), prior)
