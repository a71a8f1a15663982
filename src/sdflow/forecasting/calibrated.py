"""Read calibration results as a forecast's starting point and uncertainty.

A parameter file (TOML or JSON) holds point estimates and, optionally, intervals::

    [parameters]
    "capital share" = 0.42                                   # a number
    "trust decay" = { value = 0.08, low = 0.05, high = 0.12 }
    "productivity growth" = { value = [0.02, 0.03], low = [...], high = [...] }

(``estimate``/``lower``/``upper`` are accepted for ``value``/``low``/``high``; names of
constants of an arrayed table may also be given as ``"name[element]"``.) The JSON that
``sdflow calibrate`` writes (``params.json``: ``"params"`` point estimates and
``"intervals"`` with ``"profile"`` and ``"wald"`` limits) is read too: each side of an
interval is the profile-likelihood limit, or the Wald limit where the profile is open.
Posterior draws
are a CSV file with one row per draw and one column per constant (``name`` or
``name[element]`` for arrayed constants): the ``draws.csv`` that ``sdflow calibrate``
writes (posterior draws, or bounded Laplace draws after least squares), or a calibration's
``params.json``, which names its draws file.
"""

from __future__ import annotations

import json
import re
from .._tomllib import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from ..dsl.model import name_key
from ..errors import DataError, SpecError
from ..ir.graph import ModelGraph
from .sampling import PosteriorDraws

_ALIASES = {"value": ("value", "estimate", "best", "mean"), "low": ("low", "lower", "lo"),
            "high": ("high", "upper", "hi")}
_ELEMENT = re.compile(r"^(.*)\[(.+)\]$")


def _read_table(path: Path) -> dict:
    if not path.exists():
        raise DataError(f"parameter file {path} does not exist")
    try:
        if path.suffix == ".json":
            data = json.loads(path.read_text())
        else:
            data = tomllib.loads(path.read_text())
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot read parameter file {path}: {exc}") from None
    if isinstance(data.get("params"), dict):  # a calibration's params.json
        intervals = data.get("intervals") or {}
        table = {}
        for name, value in data["params"].items():
            limits = intervals.get(name) or {}
            profile = list(limits.get("profile") or [None, None])
            wald = list(limits.get("wald") or [None, None])
            low = profile[0] if profile[0] is not None else wald[0]
            high = profile[1] if profile[1] is not None else wald[1]
            table[name] = {"value": value} if low is None or high is None else \
                {"value": value, "low": low, "high": high}
        return table
    table = data.get("parameters", data)
    if not isinstance(table, dict):
        raise DataError(f"{path}: expected a table of parameters")
    return table


def _split(name: str, graph: ModelGraph, path: Path) -> tuple[str, tuple | None]:
    match = _ELEMENT.match(name)
    key = name_key(match.group(1) if match else name)
    node = graph.nodes.get(key)
    if node is None or node.kind != "const":
        consts = sorted(n.name for n in graph.nodes.values() if n.kind == "const" and not n.hidden)
        raise SpecError(f"{path}: '{name}' is not a constant of model '{graph.name}'; "
                        f"constants are {consts}")
    if not match:
        return key, None
    parts = [p.strip() for p in match.group(2).split(",")]
    if len(parts) != len(node.dims):
        raise SpecError(f"{path}: '{name}' names {len(parts)} element(s); '{node.name}' has "
                        f"dims {[d.name for d in node.dims]}")
    return key, tuple(d.index(p) for d, p in zip(node.dims, parts))


def read_parameters(path: str | Path, graph: ModelGraph
                    ) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Point estimates (name -> array) and intervals (name -> (low, high)) of a file.

    Parameters
    ----------
    path : str or Path
        A TOML or JSON parameter file, or a calibration's ``params.json`` (see the module
        docstring for the format).
    graph : ModelGraph
        The model the names refer to (`Model.graph`).

    Returns
    -------
    values : dict of str to ndarray
        Full value of every constant named in the file (elements not named keep the
        model's value).
    intervals : dict of str to (ndarray, ndarray)
        Low and high limits of the constants that have them.

    Raises
    ------
    DataError
        If the file is missing or unreadable.
    SpecError
        If a name is not a constant of the model, a value is not numeric or has the
        wrong shape, or an interval has low > high.

    Examples
    --------
    >>> import sdflow as sf, tempfile, pathlib
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["north", "south"])
    >>> growth = m.const("growth", [0.02, 0.03], dims=[r])
    >>> decay = m.const("decay", 0.1)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "p.toml").write_text(
    ...     '[parameters]\\n"growth[south]" = 0.05\\n'
    ...     'decay = { value = 0.08, low = 0.05, high = 0.12 }\\n')
    >>> values, intervals = read_parameters(folder / "p.toml", m.graph())
    >>> {k: v.tolist() for k, v in values.items()}
    {'growth': [0.02, 0.05], 'decay': 0.08}
    >>> [float(limit) for limit in intervals["decay"]]
    [0.05, 0.12]
    """
    path = Path(path)
    values: dict[str, np.ndarray] = {}
    intervals: dict[str, list] = {}
    for name, entry in _read_table(path).items():
        key, index = _split(name, graph, path)
        node = graph.nodes[key]
        fields = {}
        if isinstance(entry, dict):
            for field, aliases in _ALIASES.items():
                found = [entry[a] for a in aliases if a in entry]
                if found:
                    fields[field] = found[0]
        else:
            fields["value"] = entry
        for field, given in fields.items():
            target = values if field == "value" else None
            try:
                array = np.asarray(given, dtype=float)
            except (TypeError, ValueError):
                raise SpecError(f"{path}: '{name}' {field} = {given!r} is not numeric") from None
            if target is None:
                slot = intervals.setdefault(node.name, [np.array(node.value, float),
                                                        np.array(node.value, float)])
                current = slot[0 if field == "low" else 1]
            else:
                current = values.setdefault(node.name, np.array(node.value, float))
            try:
                if index is None:
                    current[...] = np.broadcast_to(array, node.shape)
                else:
                    current[index] = array
            except ValueError:
                raise SpecError(f"{path}: '{name}' {field} has shape {array.shape}; "
                                f"'{node.name}' has shape {node.shape}") from None
    bad = [n for n, (lo, hi) in intervals.items() if np.any(np.asarray(lo) > np.asarray(hi))]
    if bad:
        raise SpecError(f"{path}: intervals of {bad} have low > high")
    return values, {k: (v[0], v[1]) for k, v in intervals.items()}


def read_posterior(path: str | Path, graph: ModelGraph) -> PosteriorDraws:
    """Posterior draws from a CSV file (one row per draw).

    Columns not naming constants (e.g. ``draw``, ``log_posterior``) are ignored.

    Parameters
    ----------
    path : str or Path
        CSV file with a column per constant (``name``, or ``name[element]`` for one
        element of an arrayed constant), or a calibration's ``params.json`` (its
        ``draws`` entry names the CSV file).
    graph : ModelGraph
        The model the names refer to (`Model.graph`).

    Returns
    -------
    PosteriorDraws
        One entry per constant, shaped (draws, *dims); elements without a column keep the
        model's value.

    Examples
    --------
    >>> import sdflow as sf, tempfile, pathlib
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["north", "south"])
    >>> growth = m.const("growth", [0.02, 0.03], dims=[r])
    >>> decay = m.const("decay", 0.1)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "draws.csv").write_text(
    ...     "draw,decay,growth[north],log_posterior\\n0,0.1,0.01,-3\\n1,0.2,0.04,-4\\n")
    >>> draws = read_posterior(folder / "draws.csv", m.graph())
    >>> draws.count, draws.values["growth"].tolist()
    (2, [[0.01, 0.03], [0.04, 0.03]])
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"posterior draws file {path} does not exist")
    if path.suffix == ".json":
        from .predictive import draws_file
        path = draws_file(path, json.loads(path.read_text()))
        if not path.exists():
            raise DataError(f"posterior draws file {path} (named by its params.json) does "
                            "not exist")
    try:
        frame = pd.read_csv(path)
    except Exception as exc:  # pandas raises many kinds
        raise DataError(f"cannot read posterior draws {path}: {exc}") from None
    draws: dict[str, np.ndarray] = {}
    for column in frame.columns:
        try:
            key, index = _split(str(column), graph, path)
        except SpecError:
            continue
        node = graph.nodes[key]
        block = draws.setdefault(node.name, np.broadcast_to(
            np.asarray(node.value, float), (len(frame),) + node.shape).copy())
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy()
        if np.isnan(values).any():
            raise DataError(f"{path}: column '{column}' has missing or non-numeric values")
        if index is None:
            block[...] = values.reshape((-1,) + (1,) * len(node.shape))
        else:
            block[(slice(None),) + index] = values
    if not draws:
        raise DataError(f"{path}: no column names a constant of model '{graph.name}'")
    return PosteriorDraws(draws)
