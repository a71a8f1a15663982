"""Named constants of the regional integration model, read from ``parameters.toml``.

Every uncertain number of the model is one of these constants; the data file next to this
module holds each one's value, units, plausible range, source and whether a calibration
estimates it, so a domain expert edits the TOML file, not the code. ``calibrate=True``
marks the constants the calibration against the provincial series estimates; the others
are taken from the literature, assumed (with a range for the forecasts' sampling), or
scenario levers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sdflow.errors import ParameterError

PARAMETERS_FILE = Path(__file__).with_name("parameters.toml")


@dataclass(frozen=True)
class Parameter:
    """One named constant: model ``name``, default ``value``, ``units``, plausible
    ``range`` (low, high), ``source`` of the default, ``doc``; ``calibrate`` if the
    calibration estimates it, ``per_member`` if it holds one value per member."""

    name: str
    value: float
    units: str
    doc: str
    calibrate: bool = False
    sector: str = ""
    range: tuple = ()
    source: str = ""
    per_member: bool = False


def _parameter(entry: dict) -> Parameter:
    try:
        low, high = (float(v) for v in entry["range"])
        p = Parameter(entry["name"], float(entry["value"]), entry["units"], entry["doc"],
                      bool(entry.get("calibrate", False)), entry.get("sector", ""),
                      (low, high), entry.get("source", ""), bool(entry.get("per_member", False)))
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"{PARAMETERS_FILE}: parameter {entry.get('name', '?')!r} needs "
                             f"name, value, units, range = [low, high] and doc ({exc})",
                             (str(entry.get("name", "?")),)) from None
    if not low <= p.value <= high:
        raise ParameterError(f"{PARAMETERS_FILE}: parameter {p.name!r} = {p.value} lies outside "
                             f"its range [{low}, {high}]; fix the value or the range", (p.name,))
    return p


def _load():
    with open(PARAMETERS_FILE, "rb") as handle:
        raw = tomllib.load(handle)
    parameters = tuple(_parameter(entry) for entry in raw["parameter"])
    levers = tuple(Parameter(entry["name"], float(entry["value"]), "1", entry["doc"],
                             sector="governance", range=(0.0, 1.0)) for entry in raw["lever"])
    costs = tuple(Parameter(f"{entry['name']} cost", float(entry["cost"]), "1",
                            f"share of output spent on {entry['name']} at full strength",
                            sector="governance costs",
                            range=(0.5 * entry["cost"], 2.0 * entry["cost"]),
                            source=entry.get("cost_source", "")) for entry in raw["lever"])
    year = raw["policy_year"]
    policy_year = Parameter(year["name"], float(year["value"]), year["units"], year["doc"],
                            sector="governance", range=(2020.0, 2040.0))
    return parameters + costs, levers, policy_year


PARAMETERS, LEVERS, POLICY_YEAR = _load()
"""``PARAMETERS``: every named constant but the levers (lever costs included);
``LEVERS``: the cluster-governance levers in [0, 1] (values outside are clipped), each
with a constant ``<lever>`` (level before the policy year) and ``<lever> policy`` (level
from the policy year on, by default equal, so the base run has no policy change);
``POLICY_YEAR``: the year the policy values take over."""


def parameter_names(calibrate_only: bool = False) -> list[str]:
    """Names of the model's named constants (levers included).

    Examples
    --------
    >>> "capital share" in parameter_names(calibrate_only=True)
    True
    >>> "monitoring policy" in parameter_names()
    True
    """
    names = [p.name for p in PARAMETERS if p.calibrate or not calibrate_only]
    if not calibrate_only:
        names += [n for lever in LEVERS for n in (lever.name, f"{lever.name} policy")]
        names.append(POLICY_YEAR.name)
    return names
