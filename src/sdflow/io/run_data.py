"""Vensim data variables without a source, read from the output of another run.

A Vensim data variable may have no equation at all (``x[dim] :HOLD BACKWARD:``): Vensim
then reads its values from the data files the run is given (a ``.vdf`` dataset, or a run
output saved as a ``.tab`` or ``.csv`` table), not from the model file. `read_vensim`
takes such files as ``data_files``: tables with the times down the first column and one
column per variable element, headed ``name`` or ``name[element, ...]`` (Vensim's and
PySD's output tables). Binary ``.vdf`` datasets cannot be read here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ImportModelError
from ..names import name_key
from .conformance import read_canonical, split_column

#: The tables a data file may be (Vensim's .vdf datasets are binary and not read)
TABLE_SUFFIXES = (".tab", ".csv")


def data_file_paths(files, root: Path) -> list[Path]:
    """``files`` (one path or a list of them, relative to ``root``, the model's folder) as
    paths, checked to exist and to be tables.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> data_file_paths(None, root)
    []
    >>> data_file_paths("run.vdf", root)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sdflow.errors.ImportModelError: ...run.vdf: data file run.vdf: sdflow reads data ...
    """
    if files is None:
        return []
    if isinstance(files, (str, Path)):
        files = [files]
    paths = []
    for file in files:
        path = Path(root) / file
        if path.suffix.lower() not in TABLE_SUFFIXES:
            raise ImportModelError(
                f"data file {file}: sdflow reads data files that are tables (.tab, .csv), "
                f"not '{path.suffix}'; export the dataset as a tab-separated table "
                "(Vensim: Export Dataset), times down the first column", file=path)
        if not path.exists():
            raise ImportModelError(f"data file {path} does not exist", file=path)
        paths.append(path)
    return paths


class RunData:
    """The data files of a run, each table read once, searched by variable.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "data.tab").write_text("Time\\tv[A]\\tv[B]\\n0\\t1\\t2\\n1\\t3\\t4\\n")
    >>> times, values, file = RunData([folder / "data.tab"]).series("v", [["A", "B"]])
    >>> times.tolist(), values.tolist(), file.name
    ([0.0, 1.0], [[1.0, 2.0], [3.0, 4.0]], 'data.tab')
    """

    def __init__(self, paths: list[Path], model_folder: Path | None = None):
        self.paths = list(paths)
        self.model_folder = model_folder
        self._tables: dict[Path, dict] = {}

    def _columns(self, path: Path) -> tuple:
        """``(times, frame, {(name key, element keys): column})`` of one table."""
        if path not in self._tables:
            try:
                frame = read_canonical(path)
            except Exception as exc:  # pandas raises many kinds
                raise ImportModelError(f"cannot read the data file: {exc}", file=path) \
                    from None
            columns = {}
            for column in frame.columns:
                name, elements = split_column(column)
                columns[(name_key(name), tuple(name_key(e) for e in elements))] = column
            self._tables[path] = (frame.index.to_numpy(dtype=float), frame, columns)
        return self._tables[path]

    def series(self, variable: str, elements: list[list[str]]):
        """``(times, values, file)`` of ``variable`` over the element names of its
        dimensions (``values``: time first, then one axis per dimension) from the first
        data file that has it; missing values are NaN."""
        key = name_key(variable)
        for path in self.paths:
            times, frame, columns = self._columns(path)
            if not any(name == key for name, _ in columns):
                continue
            shape = tuple(len(e) for e in elements)
            values = np.full((len(times),) + shape, np.nan)
            for index in np.ndindex(*shape):
                names = [elements[axis][i] for axis, i in enumerate(index)]
                column = columns.get((key, tuple(name_key(n) for n in names)))
                if column is None:
                    label = f"{variable}[{', '.join(names)}]" if names else variable
                    raise ImportModelError(
                        f"variable '{variable}': data file {path.name} has no column "
                        f"'{label}'; give every element of the data variable a column",
                        variable, file=path)
                values[(slice(None),) + index] = frame[column].to_numpy(dtype=float)
            return times, values, path
        raise ImportModelError(self._missing(variable), variable)

    def _missing(self, variable: str) -> str:
        given = ", ".join(p.name for p in self.paths)
        text = (f"variable '{variable}' is a data variable without a GET DATA source: "
                "Vensim reads it from the data files of the run (a .vdf dataset, or a run "
                "output saved as .tab/.csv), which the model file does not name; ")
        if given:
            return text + f"none of the data files given ({given}) has a column for it"
        beside = sorted(p.name for p in Path(self.model_folder or ".").glob("*")
                        if p.suffix.lower() in TABLE_SUFFIXES + (".vdf",)) \
            if self.model_folder else []
        hint = f" (beside the model: {', '.join(beside)})" if beside else ""
        return text + ("read it with read_vensim(path, data_files=[...]), a table with "
                       f"times down the first column and a column '{variable}' per "
                       f"element{hint}")
