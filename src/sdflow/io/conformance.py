"""Compare a run with a test model's canonical output (SDXorg test-models format).

The canonical output is a ``.csv`` or tab-separated ``.tab`` file whose first column is
time and whose other columns are variables, ``name`` or ``name[element, element]``. A run
conforms when every column naming a model variable matches at the saved times within a
relative tolerance of 1e-4, or an absolute one of 1e-6 near zero (the suite's own rule).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..names import name_key

RTOL, ATOL = 1e-4, 1e-6
#: The suite's models whose Vensim run was given data files, which the model file does not
#: name (Vensim takes them as a run setting): model file -> the files, beside it. The
#: suite's data_from_other_model reads its data variables from data.tab, the output of
#: its model_to_generate_data.mdl (PySD's integration tests pass the same file).
SUITE_DATA_FILES = {"test_data_from_other_model.mdl": ("data.tab",)}
#: The suite's models whose Vensim output is not their folder's output file: model file ->
#: its output, beside it (data_from_other_model's output.tab is the test model's; the
#: model that generated the data has its output in data.tab).
SUITE_OUTPUTS = {"model_to_generate_data.mdl": "data.tab"}


def suite_output(path) -> Path | None:
    """The suite's Vensim output of the model file ``path``: its folder's ``output.tab``
    or ``output.csv`` (`SUITE_OUTPUTS` names the exceptions), or None.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "output.tab").write_text("Time\\tx\\n0\\t1\\n")
    >>> suite_output(folder / "model.mdl").name
    'output.tab'
    >>> suite_output(folder / "model_to_generate_data.mdl") is None  # no data.tab here
    True
    """
    path = Path(path)
    names = [SUITE_OUTPUTS[path.name]] if path.name in SUITE_OUTPUTS else \
        ["output.tab", "output.csv"]
    return next((path.parent / n for n in names if (path.parent / n).exists()), None)


def suite_data_files(path) -> list[str] | None:
    """The data files the suite's Vensim run of the model file ``path`` was given, or None.

    Examples
    --------
    >>> suite_data_files("tests/data_from_other_model/test_data_from_other_model.mdl")
    ['data.tab']
    >>> suite_data_files("teacup.mdl") is None
    True
    """
    files = SUITE_DATA_FILES.get(Path(path).name)
    return list(files) if files else None
_COLUMN = re.compile(r"^(?P<name>.*?)\s*(\[(?P<subs>[^\]]*)\])?\s*$")


def read_canonical(path) -> pd.DataFrame:
    """The canonical output as a DataFrame indexed by time (one column per series).

    Examples
    --------
    >>> import io, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "output.tab"
    >>> _ = p.write_text("Time\\tx[a]\\n0\\t1\\n1\\t2\\n")
    >>> read_canonical(p)["x[a]"].tolist()
    [1.0, 2.0]
    """
    path = Path(path)
    sep = "\t" if path.suffix == ".tab" else ","
    for encoding in ("utf-8", "latin-1"):
        try:
            frame = pd.read_csv(path, sep=sep, encoding=encoding)
            break
        except UnicodeDecodeError:
            continue
    frame.columns = [str(c).strip().strip('"') for c in frame.columns]
    frame = frame.set_index(frame.columns[0])
    frame.index = pd.to_numeric(frame.index, errors="coerce")
    frame = frame[~np.isnan(frame.index.to_numpy(dtype=float))]
    return frame.apply(pd.to_numeric, errors="coerce").astype(float)


def split_column(column: str) -> tuple[str, list[str]]:
    """``"stock[a, b]"`` -> ``("stock", ["a", "b"])``.

    Examples
    --------
    >>> split_column('Stock[a, "b"]'), split_column("Time")
    (('Stock', ['a', 'b']), ('Time', []))
    """
    match = _COLUMN.match(column)
    subs = match.group("subs")
    elements = [s.strip().strip('"') for s in subs.split(",")] if subs else []
    return match.group("name").strip().strip('"'), elements


def sdflow_columns(model, results, columns) -> dict[str, np.ndarray]:
    """The series of a sdflow run for the canonical ``columns`` it has (by name key).

    Parameters
    ----------
    model : Model
        The model that was run (constants are looked up there when the run did not save
        them).
    results : Results
    columns : iterable of str
        Canonical column names, ``name`` or ``name[element, ...]``.

    Returns
    -------
    dict of str to ndarray
        Column -> values at the run's saved times; columns the run cannot match are left
        out.

    Examples
    --------
    >>> import pandas as pd, sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=2, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> x = m.stock("Stock", initial=[100.0, 10.0], dims=[r])
    >>> _ = m.flow("out", m.const("k", 0.5) * x, source=x, dims=[r])
    >>> series = sdflow_columns(m, m.simulate(), ["STOCK[b]", "k", "unknown"])
    >>> {k: v.tolist() for k, v in series.items()}
    {'STOCK[b]': [10.0, 5.0, 2.5], 'k': [0.5, 0.5, 0.5]}
    """
    ds = results.dataset
    by_key = {name_key(str(v)): v for v in ds.data_vars}
    out = {}
    for column in columns:
        name, elements = split_column(column)
        key = name_key(name)
        if key in by_key:
            var = ds[by_key[key]]
            data = var
        elif key in model and hasattr(model[key], "value"):
            var = model[key]
            data = None
        else:
            continue
        dims = [d for d in (var.dims if data is not None else
                            [d.name for d in (var.dims or ())]) if d not in ("time", "run")]
        if len(dims) != len(elements):
            continue
        if data is not None:
            try:
                sel = data.sel({d: e for d, e in zip(dims, elements)}) if dims else data
            except KeyError:
                continue
            values = np.asarray(sel.values, dtype=float)
            out[column] = values if "time" in sel.dims else np.full(len(ds["time"]), values)
        else:
            dim_objs = var.dims or ()
            try:
                index = tuple(d.index(e) for d, e in zip(dim_objs, elements))
            except Exception:
                continue
            out[column] = np.full(len(ds["time"]), float(np.asarray(var.value)[index]))
    return out


def compare(times, series: dict, canonical: pd.DataFrame) -> list[str]:
    """Columns of ``canonical`` that ``series`` (run at ``times``) fails to reproduce.

    Columns the run does not have are reported as missing. Returns an empty list when
    the run conforms.

    Parameters
    ----------
    times : array_like
        The run's saved times.
    series : dict of str to array_like
        Column -> values at ``times`` (see `sdflow_columns`).
    canonical : pandas.DataFrame
        Expected values indexed by time (see `read_canonical`); only times the run saved
        are compared.

    Returns
    -------
    list of str
        One line per failing column.

    Examples
    --------
    >>> import pandas as pd, sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=2, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> x = m.stock("Stock", initial=[100.0, 10.0], dims=[r])
    >>> _ = m.flow("out", m.const("k", 0.5) * x, source=x, dims=[r])
    >>> canonical = pd.DataFrame({"Stock[a]": [100.0, 50.0, 25.0],
    ...                           "Stock[b]": [10.0, 5.0, 3.0]}, index=[0.0, 1.0, 2.0])
    >>> run = m.simulate()
    >>> compare(run.dataset["time"], sdflow_columns(m, run, canonical.columns), canonical)
    ['Stock[b]: at time 2 got 2.5, expected 3']
    """
    times = np.asarray(times, dtype=float)
    problems = []
    want = canonical.index.to_numpy(dtype=float)
    rows = np.array([np.argmin(np.abs(times - t)) for t in want])
    usable = np.abs(times[rows] - want) < 1e-9 * np.maximum(1.0, np.abs(want))
    for column in canonical.columns:
        if column not in series:
            problems.append(f"{column}: missing")
            continue
        expected = canonical[column].to_numpy(dtype=float)[usable]
        got = np.asarray(series[column], dtype=float)[rows[usable]]
        ok = np.isclose(got, expected, rtol=RTOL, atol=ATOL) | (np.isnan(expected)) | (
            np.isinf(got) & (got == expected))
        if not ok.all():
            i = int(np.argmax(~ok))
            problems.append(f"{column}: at time {want[usable][i]:g} got {got[i]:.6g}, "
                            f"expected {expected[i]:.6g}")
    return problems
