"""Constants, lookups and data series from Excel/CSV files (GET XLS / GET DIRECT ...).

The files are read by pysd's readers (``pysd.py_backend.external``), so cell ranges,
named ranges and transposition behave as in PySD; the values become plain sdflow
constants, lookups and data variables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ImportModelError, MissingDependencyError, UnsupportedFeatureError

#: The package pandas (and so PySD's readers) reads each kind of spreadsheet with.
EXCEL_READERS = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".xls": "xlrd"}


def _require_reader(path: Path, variable: str) -> None:
    """`MissingDependencyError` unless the package that reads ``path`` is installed.

    CSV and tab-separated files need nothing beyond pandas; Excel workbooks need openpyxl
    (``.xls``: xlrd), which the optional extra ``sdflow[excel]`` installs.
    """
    package = EXCEL_READERS.get(path.suffix.lower())
    if package is None:
        return
    try:
        __import__(package)
    except ImportError:
        extra = ' (or pip install "sdflow[excel]")' if package == "openpyxl" else ""
        raise MissingDependencyError(
            f"{path}: variable '{variable}' reads this Excel file, which needs the optional "
            f"package {package}: pip install {package}{extra}; or save the sheet as CSV and "
            "read it with GET DIRECT DATA/LOOKUPS/CONSTANTS('file.csv', ',', ...)") from None


def _coords(component, dims, space) -> dict:
    subs = list(component.subscripts[0])
    return {d.name: space.elements_of(s) for s, d in zip(subs, dims)}


def _load(kind: str, reader, root: Path, file: str, variable: str):
    path = Path(root) / file
    if not str(file).startswith("?") and not path.exists():
        raise ImportModelError(f"variable '{variable}': {kind} file {path} does not exist; "
                               "put it beside the model file", variable, file=path)
    _require_reader(path, variable)
    try:
        reader.initialize()
    except Exception as exc:  # pysd/pandas/openpyxl raise many kinds
        raise ImportModelError(f"variable '{variable}': cannot read {kind} from {path}: "
                               f"{exc}", variable, file=path) from None
    return reader.data


def _as_array(data, dims, variable: str, leading: str | None = None) -> np.ndarray:
    if not dims:
        array = np.asarray(getattr(data, "values", data), dtype=float)
        return array.reshape(-1) if leading else array.reshape(())
    names = ([leading] if leading else []) + [d.name for d in dims]
    data = data.reindex({d.name: list(d.elements) for d in dims})
    return np.asarray(data.transpose(*names).values, dtype=float)


def read_constants(ast, component, dims, space, root, variable: str):
    """Values of a GET XLS/DIRECT CONSTANTS component, shaped like its subscripts."""
    from pysd.py_backend.external import ExtConstant
    coords = _coords(component, dims, space)
    reader = ExtConstant(ast.file, ast.tab, ast.cell, coords, root, coords, variable)
    data = _load("constants", reader, root, ast.file, variable)
    if not coords:
        return float(np.asarray(data).reshape(-1)[0])
    names = list(coords)
    return np.asarray(data.transpose(*names).values, dtype=float)


def read_lookup(ast, component, dims, space, root, variable: str) -> dict:
    """Tables of a GET XLS/DIRECT LOOKUPS component: element tuple -> ``(x, y)``."""
    from pysd.py_backend.external import ExtLookup
    coords = _coords(component, dims, space)
    reader = ExtLookup(ast.file, ast.tab, ast.x_row_or_col, ast.cell, coords, root, coords,
                       variable)
    data = _load("lookup", reader, root, ast.file, variable)
    x = np.asarray(data["lookup_dim"].values, dtype=float)
    names = list(coords)
    values = np.asarray(data.transpose("lookup_dim", *names).values, dtype=float) \
        if names else np.asarray(data.values, dtype=float).reshape(len(x))
    tables = {}
    for index in np.ndindex(*(len(coords[n]) for n in names)):
        y = values[(slice(None),) + index]
        keep = ~np.isnan(y) & ~np.isnan(x)
        if not keep.any():
            raise ImportModelError(f"variable '{variable}': the lookup read from {ast.file} "
                                   "has no values", variable, file=ast.file)
        key = tuple(coords[n][i] for n, i in zip(names, index))
        tables[key] = (x[keep], y[keep])
    return tables


def read_data(components, dims, space, root, variable: str):
    """``(times, values, keyword)`` of a GET XLS/DIRECT DATA variable over ``dims``.

    Missing values are NaN; ``keyword`` is how to read between the times (``None`` or
    ``"interpolate"``, ``"hold_backward"``, ``"look_forward"``).
    """
    from pysd.py_backend.external import ExtData
    times, values = None, None
    keywords = {getattr(c, "keyword", None) or "interpolate" for c in components}
    if len(keywords) > 1 or not keywords <= {"interpolate", "hold_backward", "look_forward"}:
        raise UnsupportedFeatureError(
            f"variable '{variable}': data interpolation {sorted(keywords)} is not supported "
            "(one of interpolate, hold backward, look forward)", variable)
    keyword = keywords.pop()
    for component in components:
        ast = component.ast
        coords = _coords(component, dims, space)
        final = {d.name: list(d.elements) for d in dims}
        reader = ExtData(ast.file, ast.tab, ast.time_row_or_col, ast.cell, keyword,
                         coords, root, final, variable)
        data = _load("data", reader, root, ast.file, variable)
        t = np.asarray(data["time"].values, dtype=float)
        if times is None:
            times = t
            values = np.full((len(t),) + tuple(len(d) for d in dims), np.nan)
        elif not np.array_equal(times, t):
            raise UnsupportedFeatureError(f"variable '{variable}': parts of this data "
                                          "variable use different times", variable)
        part = data.reindex(final) if dims else data
        array = _as_array(part, dims, variable, leading="time")
        values = np.where(np.isnan(array), values, array)
    return times, values, keyword


def step_table(times, values, keyword: str):
    """``(x, y)`` of a lookup of TIME that reads a series as Vensim's keyword says.

    Missing values are skipped (as in PySD): interpolation runs between the neighbours
    that have values, hold backward keeps the last value, look forward takes the next
    one. Hold backward
    keeps each value until the next time; look forward takes the next value right after
    each time (a jump within 1e-9 of it, between integration steps). Raw gives each
    value at its own time only (within 1e-9 of it) and Vensim's :NA: (-2^109) between.

    Examples
    --------
    >>> x, y = step_table(np.array([0.0, 1.0]), np.array([5.0, 7.0]), "raw")
    >>> float(np.interp(1.0, x, y)), float(np.interp(0.5, x, y)) == -2.0 ** 109
    (7.0, True)
    """
    valid = ~np.isnan(values)
    if not valid.any():
        return None
    times, filled = times[valid], values[valid]
    if keyword == "raw":
        na = -(2.0 ** 109)  # Vensim's :NA:
        x, y = [], []
        for t, v in zip(times, filled):
            eps = 1e-9 * max(1.0, abs(t))
            x += [t - eps, t - eps / 2, t + eps / 2, t + eps]
            y += [na, v, v, na]
        return np.array(x), np.array(y)
    if keyword == "interpolate" or len(times) == 1:
        return times, filled
    x, y = [times[0]], [filled[0]]
    for t_prev, t, v_prev, v in zip(times[:-1], times[1:], filled[:-1], filled[1:]):
        if keyword == "hold_backward":
            x += [t, t]
            y += [v_prev, v]
        else:
            x += [t_prev + 1e-9 * max(1.0, abs(t_prev)), t]
            y += [v, v]
    return np.array(x), np.array(y)
