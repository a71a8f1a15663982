"""Observed series: read long or wide CSV files into arrays aligned with model elements.

A series is one model variable observed at yearly (or other) times, for one element or for
several elements of one dimension (provinces). Empty cells are missing values: they are
kept as NaN, left out of every payoff and listed in ``ObservedSeries.missing``. Anything
else that cannot be read raises `DataError` naming the file, the row (as a line number of
the file, header = line 1) and the column. A comma inside a number is refused unless the
series says its file writes decimal commas (``decimal=","``): ``70,2`` could be 70.2 or
702, and guessing would silently scale an observation by ten or a thousand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import pint

from ..errors import DataError, UnitError
from ..ir.units import parse_units
from ..units import registry

_MISSING = {"", "na", "nan", "n/a", ".", "null"}


@dataclass(frozen=True)
class ObservedSeries:
    """Observations of one model variable.

    ``values`` has shape ``(len(times), len(elements))``; NaN marks a missing value.
    ``elements`` are the model's dimension elements (``()`` and one column for a variable
    without dimensions). Values are already in ``units`` (the model variable's units when
    a conversion was asked for).

    Examples
    --------
    >>> obs = ObservedSeries("x", np.array([2000.0, 2001.0, 2002.0]),
    ...                      np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0]]), ("a", "b"))
    >>> obs.n_observed, obs.between(2001, None).times.tolist()
    (5, [2001.0, 2002.0])
    """

    name: str
    times: np.ndarray
    values: np.ndarray
    elements: tuple[str, ...] = ()
    units: str | None = None
    source: str = ""
    missing: tuple[tuple[float, str], ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def n_observed(self) -> int:
        """Number of values that are not missing."""
        return int(np.isfinite(self.values).sum())

    def between(self, first: float | None, last: float | None) -> "ObservedSeries":
        """The observations with ``first <= time <= last`` (either end may be None)."""
        keep = np.ones(len(self.times), dtype=bool)
        if first is not None:
            keep &= self.times >= first - 1e-9
        if last is not None:
            keep &= self.times <= last + 1e-9
        kept = set(self.times[keep].tolist())
        return ObservedSeries(self.name, self.times[keep], self.values[keep], self.elements,
                              self.units, self.source,
                              tuple(m for m in self.missing if m[0] in kept), self.notes)


def read_series(path: str | Path, name: str, *, value: str | None = None,
                time: str = "year", key: str | None = None,
                keys: Mapping[str, str] | Sequence[str] | None = None,
                layout: str = "long", units: str | None = None,
                to_units: str | None = None, scale: float = 1.0,
                allowed: Sequence[str] | None = None, decimal: str = ".") -> ObservedSeries:
    """Read one observed series from a CSV file.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    name : str
        Name of the series (used in reports and error messages).
    value : str, optional
        Long layout: the column holding the values.
    time : str
        The column holding the time (year).
    key : str, optional
        Long layout: the column naming the element (e.g. ``province``). Without it the
        file holds one series without dimensions.
    keys : mapping or list, optional
        Data key -> model element (``{"Shanghai": "SH"}``), or a list of keys used as
        elements unchanged. Rows of other keys are ignored. Wide layout: the value columns.
        Default: every key found in the file.
    layout : {"long", "wide"}
        Long: one row per key and time. Wide: one row per time, one column per key.
    units, to_units : str, optional
        Units of the file's values and the units wanted (the model variable's); values
        are converted with pint, and units of another kind raise `DataError`.
    scale : float
        Extra factor applied after the conversion.
    allowed : list of str, optional
        The model dimension's elements: a key outside them raises `DataError`.
    decimal : {".", ","}
        The decimal mark of the values. With ``"."`` a value holding a comma raises
        `DataError` (thousands separators are not read either); with ``","`` the values
        are read as ``70,2`` = 70.2 and a value holding a point raises `DataError`.

    Examples
    --------
    >>> import io, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "gdp.csv").write_text(
    ...     "province,year,gdp\\nA,2004,1.5\\nA,2005,\\nB,2004,3\\nB,2005,4\\n")
    >>> s = read_series(folder / "gdp.csv", "gdp", value="gdp", key="province",
    ...                 units="100 million * yuan", to_units="million * yuan")
    >>> s.elements, s.values.tolist()
    (('A', 'B'), [[150.0, 300.0], [nan, 400.0]])
    >>> s.missing
    ((2005.0, 'A'),)
    >>> _ = (folder / "share.csv").write_text('year,share\\n2004,"70,2"\\n')
    >>> read_series(folder / "share.csv", "share", value="share", decimal=",").values.tolist()
    [[70.2]]
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"series '{name}': file {path} does not exist")
    if layout not in ("long", "wide"):
        raise DataError(f"series '{name}': layout={layout!r} must be 'long' or 'wide'")
    if decimal not in (".", ","):
        raise DataError(f"series '{name}': decimal={decimal!r} must be '.' or ','")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"series '{name}': cannot read {path} as CSV: {exc}") from None
    frame.columns = [c.strip() for c in frame.columns]
    _require_columns(frame, path, name, [time] + ([value] if layout == "long" else []) +
                     ([key] if key and layout == "long" else []))
    mapping = _key_mapping(keys)
    if layout == "long":
        table = _long(frame, path, name, value, time, key, mapping, allowed, decimal)
    else:
        columns = list(mapping) if mapping else [c for c in frame.columns if c != time]
        _require_columns(frame, path, name, columns)
        table = {c: _column(frame, path, time, c, decimal) for c in columns}
        mapping = mapping or {c: c for c in columns}
    if allowed is not None:
        for k, element in mapping.items():
            if element not in allowed:
                raise DataError(f"series '{name}': key '{k}' maps to '{element}', which is "
                                f"not an element of the model ({list(allowed)})")
    factor = scale * _conversion(units, to_units, path, name)
    times = sorted({t for series in table.values() for t in series})
    keys_in_order = list(mapping) if mapping else sorted(table)
    elements = tuple(mapping.get(k, k) for k in keys_in_order) if mapping else tuple(
        keys_in_order)
    values = np.full((len(times), len(keys_in_order)), np.nan)
    row_of = {t: i for i, t in enumerate(times)}
    for j, k in enumerate(keys_in_order):
        for t, v in table.get(k, {}).items():
            values[row_of[t], j] = v * factor
    missing = tuple((float(times[i]), elements[j]) for i, j in zip(*np.nonzero(np.isnan(values))))
    if key is None and layout == "long":
        elements = ()
    return ObservedSeries(name, np.asarray(times, float), values, elements,
                          to_units or units, str(path), missing)


def _require_columns(frame, path, name, columns):
    for column in columns:
        if column not in frame.columns:
            raise DataError(f"series '{name}': {path} has no column '{column}'; its columns "
                            f"are {list(frame.columns)}")


def _key_mapping(keys) -> dict[str, str]:
    if keys is None:
        return {}
    if isinstance(keys, Mapping):
        return {str(k): str(v) for k, v in keys.items()}
    return {str(k): str(k) for k in keys}


def _number(text: str, path, line: int, column: str, decimal: str = ".") -> float:
    cleaned = text.strip()
    if cleaned.lower() in _MISSING:
        return math.nan
    where = f"{path}, line {line}, column '{column}'"
    if decimal == "," and "." in cleaned:
        raise DataError(f"{where}: {text!r} has a point, but this series reads decimal commas "
                        "(decimal = \",\"); write 70,2 without thousands separators")
    if decimal == ",":
        cleaned = cleaned.replace(",", ".")
    elif "," in cleaned:
        raise DataError(f"{where}: {text!r} holds a comma, which could be a decimal comma "
                        "(70,2) or a thousands separator (1,234); write the number with a "
                        "decimal point and no separators, or set decimal = \",\" in the "
                        "series spec if the file writes decimal commas")
    try:
        number = float(cleaned)
    except ValueError:
        raise DataError(f"{path}, line {line}, column '{column}': {text!r} is not a number; "
                        "write a number, or leave the cell empty for a missing value") from None
    if math.isinf(number):
        raise DataError(f"{path}, line {line}, column '{column}': infinite value")
    return number


def _time(text: str, path, line: int, column: str) -> float:
    value = _number(text, path, line, column)
    if math.isnan(value):
        raise DataError(f"{path}, line {line}, column '{column}': the time is empty")
    return value


def _long(frame, path, name, value, time, key, mapping, allowed, decimal
          ) -> dict[str, dict[float, float]]:
    table: dict[str, dict[float, float]] = {}
    keys = frame[key].str.strip() if key else None
    if mapping:
        # rows of other keys are skipped before any parsing: files hold many provinces
        frame = frame[keys.isin(list(mapping))]
        keys = keys[frame.index]
    lines = frame.index + 2                   # header is line 1
    for index, k, t_text, v_text in zip(lines, keys if key else ["value"] * len(frame),
                                        frame[time], frame[value]):
        if allowed is not None and not mapping and k not in allowed:
            raise DataError(f"{path}, line {index}, column '{key}': '{k}' is not an element "
                            f"of the model ({list(allowed)}); map it with `keys` or drop it")
        t = _time(t_text, path, index, time)
        series = table.setdefault(k, {})
        if t in series:
            raise DataError(f"{path}, line {index}, column '{time}': {k} {t:g} appears twice; "
                            "keep one row per key and time")
        series[t] = _number(v_text, path, index, value, decimal)
    for k in mapping:
        if k not in table:
            raise DataError(f"series '{name}': {path} has no rows with {key} = '{k}' "
                            f"(column '{key}'); check the spelling against the file")
    return table


def _column(frame, path, time, column, decimal) -> dict[float, float]:
    series: dict[float, float] = {}
    for index, (t_text, v_text) in enumerate(zip(frame[time], frame[column]), start=2):
        t = _time(t_text, path, index, time)
        if t in series:
            raise DataError(f"{path}, line {index}, column '{time}': time {t:g} appears "
                            "twice; keep one row per time")
        series[t] = _number(v_text, path, index, column, decimal)
    return series


def _conversion(units, to_units, path, name) -> float:
    if units is None or to_units is None:
        return 1.0
    try:
        source, target = parse_units(units), parse_units(to_units)
        return float(registry().Quantity(1.0, source).to(target).magnitude)
    except pint.DimensionalityError:
        raise DataError(f"series '{name}' in {path}: its units '{units}' cannot be converted "
                        f"to the model's '{to_units}'; fix `units` of the series or choose "
                        "the matching model variable") from None
    except UnitError as exc:
        raise DataError(f"series '{name}' in {path}: {exc}") from None


def check_elements(series: ObservedSeries, dimension_name: str | None,
                   allowed: Sequence[str]) -> None:
    """Raise `DataError` unless every element of ``series`` is one of ``allowed``."""
    for element in series.elements:
        if element not in allowed:
            raise DataError(f"series '{series.name}' in {series.source}: '{element}' is not an "
                            f"element of dimension '{dimension_name}' (elements: "
                            f"{list(allowed)}); map it with `keys` or drop it")


def deflate(series: ObservedSeries, index: ObservedSeries, base: float) -> ObservedSeries:
    """``series`` divided by a price ``index`` re-based to 1 in year ``base``.

    Both must have the same elements. Years the index does not cover take its nearest
    covered year (the last value carried forward, the first carried back); each such use
    is listed in ``notes`` of the result.

    Examples
    --------
    >>> nominal = ObservedSeries("gdp", np.array([2004.0, 2005, 2006]),
    ...                          np.array([[100.0], [120], [150]]), ("A",))
    >>> prices = ObservedSeries("p", np.array([2004.0, 2005]), np.array([[2.0], [2.4]]), ("A",))
    >>> real = deflate(nominal, prices, 2004)
    >>> real.values.ravel().round(2).tolist(), real.notes
    ([100.0, 100.0, 125.0], ('A 2006: price index of 2005 carried forward',))
    """
    if tuple(index.elements) != tuple(series.elements):
        raise DataError(f"series '{series.name}': its price index '{index.name}' covers "
                        f"{list(index.elements)}, not {list(series.elements)}")
    if base not in index.times:
        raise DataError(f"series '{series.name}': the price index '{index.name}' in "
                        f"{index.source} has no year {base:g} to re-base on")
    rebased = index.values / index.values[list(index.times).index(base)]
    values, notes = series.values.copy(), list(series.notes)
    for i, t in enumerate(series.times):
        for j, element in enumerate(series.elements or ("",)):
            known = np.flatnonzero(np.isfinite(rebased[:, j]))
            if len(known) == 0:
                raise DataError(f"series '{series.name}': the price index has no values for "
                                f"'{element}'")
            exact = np.flatnonzero(index.times[known] == t)
            if len(exact):
                row = known[exact[0]]
            else:
                row = known[np.argmin(np.abs(index.times[known] - t))]
                if np.isfinite(values[i, j]):
                    way = "forward" if index.times[row] < t else "back"
                    notes.append(f"{element} {t:g}: price index of {index.times[row]:g} "
                                 f"carried {way}")
            values[i, j] = values[i, j] / rebased[row, j]
    return ObservedSeries(series.name, series.times, values, series.elements, series.units,
                          series.source, series.missing, tuple(notes))
