"""Observation error on forecasts: predictive bands, not only parameter uncertainty.

A calibration (``sdflow calibrate``) writes, beside its ``draws.csv``, the model of each
series' observation error in ``params.json`` (``observation_error``: the variable, its
elements, the measure and the noise, normal or log-normal) and each draw's error sd in
``draws.csv`` (``observation sd: SERIES`` columns). With ``predictive = true`` a
forecast adds that error to the observed variables of every run, using the sd of the
run's own draw: the bands then show where observations would fall.

A series observed as a sum over a period (``measure = "sum"``) constrains the flow's
rate: its normal sd is divided by the period; log-normal error is the same on both.
Each time and element gets its own error; every scenario of a run gets the same one, so
differences between scenarios stay paired.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..dsl.model import name_key
from ..errors import DataError, SpecError

SD_COLUMN = "observation sd: "   # as written by sdflow.calibrate.draws


@dataclass(frozen=True)
class ObservedError:
    """The observation error of one series: ``variable`` (model name), ``elements``
    (names along its one dimension, empty for a scalar), ``noise`` (``"normal"`` or
    ``"lognormal"``) and ``sd`` (draws,), already per unit of the variable."""

    series: str
    variable: str
    elements: tuple[str, ...]
    noise: str
    sd: np.ndarray


@dataclass(frozen=True)
class ObservationError:
    """Observation errors of the calibrated series, one sd per posterior draw.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> error = ObservationError([ObservedError("x obs", "x", (), "normal",
    ...                                         np.array([0.0, 1.0]))])
    >>> ds = xr.Dataset({"x": (("scenario", "run", "time"), np.zeros((2, 3, 4)))})
    >>> noisy = error.add_to(ds, np.array([0, 0, 1]), np.random.default_rng(0))
    >>> noisy["x"].isel(run=[0, 1]).values.any(), bool(noisy["x"].isel(run=2).std() > 0)
    (np.False_, True)
    >>> bool((noisy["x"].isel(scenario=0) == noisy["x"].isel(scenario=1)).all())  # paired
    True
    """

    entries: list[ObservedError]

    def add_to(self, ds: xr.Dataset, draw: np.ndarray, rng) -> xr.Dataset:
        """``ds`` (dims scenario, run, time, ...) with error added to the observed
        variables; ``draw`` gives each run's draw (its error sd)."""
        ds = ds.copy()
        for entry in self.entries:
            if entry.variable not in ds:
                continue
            data = ds[entry.variable]
            order = ("scenario", "run", "time") + tuple(
                d for d in data.dims if d not in ("scenario", "run", "time"))
            data = data.transpose(*order)
            values = np.array(data.values, float)
            sd = entry.sd[draw].reshape((1, -1) + (1,) * (values.ndim - 2))
            eps = rng.standard_normal(values.shape[1:])[None]   # shared by the scenarios
            if entry.elements and values.ndim == 4:
                # only the observed elements get error
                dim = order[3]
                names = [str(v) for v in data[dim].values]
                mask = np.isin(names, entry.elements).reshape(1, 1, 1, -1)
                eps = eps * mask
            if entry.noise == "lognormal":
                with np.errstate(invalid="ignore"):
                    values = np.where(values > 0, values * np.exp(sd * eps),
                                      np.where(eps == 0, values, np.nan))
            else:
                values = values + sd * eps
            ds[entry.variable] = data.copy(data=values).transpose(*ds[entry.variable].dims)
        return ds

    def digest(self) -> str:
        """Text that changes when any setting or sd changes (for resumable runs)."""
        return ";".join(f"{e.series}:{e.variable}:{e.noise}:{list(e.elements)}:"
                        f"{np.asarray(e.sd).tobytes().hex()[:64]}:{len(e.sd)}"
                        for e in self.entries)


def calibration_json(path: Path) -> Path:
    """The ``params.json`` a draws file belongs to: the file itself, or the one beside
    ``draws.csv``."""
    return path if path.suffix == ".json" else path.parent / "params.json"


def read_observation_error(path: str | Path, graph) -> ObservationError:
    """The observation errors of a calibration's draws.

    Parameters
    ----------
    path : str or Path
        The calibration's ``params.json`` or its ``draws.csv``.
    graph : ModelGraph
        The forecast's model (the observed variables must be among its variables).

    Raises
    ------
    SpecError
        If the calibration wrote no observation error (a payoff without error scale, or
        a ``params.json`` from before draws were written), or names unknown variables.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> from sdflow.forecasting.examples import growth_model
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "draws.csv").write_text(
    ...     "draw,chain,rate,observation sd: x obs\\n0,0,0.02,0.1\\n1,0,0.03,0.2\\n")
    >>> _ = (folder / "params.json").write_text(json.dumps({"params": {"rate": 0.02},
    ...     "draws": {"file": "draws.csv"}, "observation_error": {"x obs": {
    ...     "variable": "x", "elements": [], "measure": "level", "period": 1.0,
    ...     "noise": "lognormal"}}}))
    >>> error = read_observation_error(folder / "draws.csv", growth_model().graph())
    >>> [(e.variable, e.noise, e.sd.tolist()) for e in error.entries]
    [('x', 'lognormal', [0.1, 0.2])]
    """
    path = Path(path)
    meta_path = calibration_json(path)
    if not meta_path.exists():
        raise SpecError(f"predictive = true: {meta_path} does not exist; it is written by "
                        "`sdflow calibrate` beside draws.csv")
    meta = json.loads(meta_path.read_text())
    described = meta.get("observation_error")
    if not described:
        raise SpecError(f"predictive = true: {meta_path} describes no observation error "
                        "(its payoff has no error scale, or it predates draws.csv); rerun "
                        "`sdflow calibrate`, or drop predictive = true")
    draws_path = draws_file(meta_path, meta) if path.suffix == ".json" else path
    frame = pd.read_csv(draws_path)
    entries = []
    for series, info in described.items():
        column = SD_COLUMN + series
        if column not in frame.columns:
            raise DataError(f"{draws_path}: no column '{column}' for the observation error "
                            f"of series '{series}'")
        key = name_key(info["variable"])
        if key not in graph.nodes:
            raise SpecError(f"predictive = true: series '{series}' observes "
                            f"'{info['variable']}', which is not a variable of model "
                            f"'{graph.name}'")
        sd = frame[column].to_numpy(dtype=float)
        if info["noise"] == "normal" and info.get("measure") == "sum":
            sd = sd / float(info.get("period", 1.0))
        entries.append(ObservedError(series, graph.nodes[key].name,
                                     tuple(info.get("elements") or ()), info["noise"], sd))
    return ObservationError(entries)


def names_draws(path: str | Path) -> bool:
    """Whether a parameter file is a calibration's ``params.json`` naming its draws.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "params.json"
    >>> _ = f.write_text('{"params": {}, "draws": {"file": "draws.csv"}}')
    >>> names_draws(f), names_draws(f.with_suffix(".toml"))
    (True, False)
    """
    path = Path(path)
    if path.suffix != ".json" or not path.exists():
        return False
    try:
        return bool(json.loads(path.read_text()).get("draws"))
    except (ValueError, AttributeError):
        return False


def draws_file(meta_path: Path, meta: dict) -> Path:
    """The draws file a calibration's ``params.json`` names."""
    entry = meta.get("draws")
    if not entry:
        raise DataError(f"{meta_path} names no draws file; rerun `sdflow calibrate` (it "
                        "writes draws.csv), or give posterior = \"draws.csv\"")
    return meta_path.parent / entry["file"]
