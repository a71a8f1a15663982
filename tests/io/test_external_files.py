"""GET DIRECT / GET XLS DATA, LOOKUPS and CONSTANTS from files beside the model.

Expected numbers: PySD 3.14 running the same file; the data files are those of the
test-models suite's ``tests/get_data`` (the same table as CSV and as Excel, across and
down), written out here so the test does not depend on the suite's folder.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import sdflow as sf
from sdflow.errors import MissingDependencyError

DOWN = "Time,Col1,Col2,Col3\n1,1,2,3\n2,4,5,6\n3,7,8,9\n"
ACROSS = "Time,1,2,3\nCol1,1,2,3\nCol2,4,5,6\nCol3,7,8,9\n"

MODEL = """
direct data down := GET DIRECT DATA('data down.csv', ',', 'A', 'B2') ~~|
direct data across := GET DIRECT DATA('data across.csv', ',', '1', 'B2') ~~|
held := GET DIRECT DATA('data down.csv', ',', 'A', 'C2') ~~|
direct lookup(GET DIRECT LOOKUPS('data down.csv', ',', 'A', 'D2')) ~~|
looked up = direct lookup(Time * 0.75 + 0.5) ~~|
direct constant = GET DIRECT CONSTANTS('data down.csv', ',', 'C3') ~~|
scaled = direct constant * Time ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 4 ~~|
TIME STEP = 0.5 ~~|
SAVEPER = TIME STEP ~~|
"""


def write(tmp_path, model: str = MODEL):
    (tmp_path / "data down.csv").write_text(DOWN)
    (tmp_path / "data across.csv").write_text(ACROSS)
    path = tmp_path / "model.mdl"
    path.write_text(model)
    return path


def test_csv_data_lookups_and_constants_match_pysd(tmp_path):
    pysd = pytest.importorskip("pysd")
    path = write(tmp_path)
    ours = sf.read_vensim(path).simulate().dataset
    columns = ["direct data down", "direct data across", "held", "looked up", "scaled"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pysd.read_vensim(str(path)).run(return_columns=columns)
    for name in columns:
        np.testing.assert_allclose(ours[name].values, peer[name].values, rtol=1e-12,
                                   err_msg=name)
    # by hand: interpolated between the rows, ends held; the constant is cell C3 (5)
    np.testing.assert_allclose(ours["direct data down"].values,
                               [1, 1, 1, 2.5, 4, 5.5, 7, 7, 7])
    assert float(ours["scaled"][2]) == 5.0


def test_excel_and_csv_give_the_same_series(tmp_path):
    pytest.importorskip("openpyxl")
    import pandas as pd
    path = write(tmp_path, MODEL.replace("'data down.csv', ','", "'data down.xlsx', 'Sheet1'"))
    table = pd.read_csv(tmp_path / "data down.csv")
    table.to_excel(tmp_path / "data down.xlsx", sheet_name="Sheet1", index=False)
    excel = sf.read_vensim(path).simulate().dataset
    csv = sf.read_vensim(write(tmp_path)).simulate().dataset
    for name in ("direct data down", "held", "looked up", "scaled"):
        np.testing.assert_array_equal(excel[name].values, csv[name].values)


def test_excel_without_openpyxl_names_the_package_and_the_extra(tmp_path, monkeypatch):
    path = write(tmp_path, MODEL.replace("'data down.csv', ','", "'data down.xlsx', 'Sheet1'"))
    (tmp_path / "data down.xlsx").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if it were not installed
    with pytest.raises(MissingDependencyError, match=r"data down.xlsx: variable 'direct "
                                                     r"lookup'.*openpyxl.*sdflow\[excel\].*CSV"):
        sf.read_vensim(path)
