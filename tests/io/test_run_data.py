"""Vensim data variables without a source, read from a run's data files (`run_data`).

Expected values follow Vensim's documentation of the data keywords: interpolate
(linear between the data times), HOLD BACKWARD (the last value until the next time),
LOOK FORWARD (the next value right after each time), RAW (each value at its own time,
:NA: between). The suite's test (SDXorg tests/data_from_other_model) is checked against
its Vensim output when SDFLOW_CONFORMANCE_DIR names a checkout.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from sdflow.errors import ImportModelError, UnsupportedFeatureError
from sdflow.io import read_model, read_vensim
from sdflow.io.conformance import compare, read_canonical, sdflow_columns

NA = -(2.0 ** 109)  # Vensim's :NA:
MODEL = """{UTF-8}
dim: A, B ~~|
smooth[dim] :INTERPOLATE: ~~|
held[dim] :HOLD BACKWARD: ~~|
ahead[dim] :LOOK FORWARD: ~~|
raw[dim] :RAW: ~~|
plain :INTERPOLATE: ~~|
doubled[dim] = held[dim] * 2 ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 4 ~~|
TIME STEP = 1 ~~|
SAVEPER = TIME STEP ~~|
"""
#: another run's output: data at times 0, 2 and 4 (A) and ten times that (B)
COLUMNS = ["smooth", "held", "ahead", "raw"]
TABLE = ("Time\t" + "\t".join(f"{n}[A]\t{n}[B]" for n in COLUMNS) + "\tplain\n"
         + "".join(f"{t}\t" + "\t".join(f"{v}\t{10 * v}" for _ in COLUMNS) + f"\t{v}\n"
                   for t, v in ((0, 1), (2, 5), (4, 3))))


def write(tmp_path, table=TABLE, model=MODEL):
    (tmp_path / "other run.tab").write_text(table)
    path = tmp_path / "model.mdl"
    path.write_text(model)
    return path


def simulate(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_vensim(path, **kw).simulate().dataset


def test_keywords_read_the_series_as_vensim_documents(tmp_path):
    ds = simulate(write(tmp_path), data_files="other run.tab")
    expected = {"smooth": [1, 3, 5, 4, 3], "held": [1, 1, 5, 5, 3],
                "ahead": [1, 5, 5, 3, 3], "raw": [1, NA, 5, NA, 3]}
    for name, values in expected.items():
        np.testing.assert_allclose(ds[name].sel(dim="A").values, values, err_msg=name)
        np.testing.assert_allclose(ds[name].sel(dim="B").values,
                                   [10 * v if v != NA else NA for v in values], err_msg=name)
    np.testing.assert_allclose(ds["plain"].values, [1, 3, 5, 4, 3])
    np.testing.assert_allclose(ds["doubled"].sel(dim="A").values, [2, 2, 10, 10, 6])


def test_without_data_files_the_error_names_the_variable_and_the_files_beside(tmp_path):
    with pytest.raises(ImportModelError) as info:
        read_model(write(tmp_path))
    text = str(info.value)
    assert "model.mdl" in text and "variable 'smooth' is a data variable without" in text
    assert "data_files=" in text and "beside the model: other run.tab" in text


def test_a_file_without_the_variable_or_an_element_is_named(tmp_path):
    path = write(tmp_path, table="Time\tsmooth[A]\n0\t1\n")
    with pytest.raises(ImportModelError, match=r"other run.tab has no column 'smooth\[B\]'"):
        read_vensim(path, data_files=["other run.tab"])
    path = write(tmp_path, table="Time\tother\n0\t1\n")
    with pytest.raises(ImportModelError,
                       match=r"none of the data files given \(other run.tab\) has"):
        read_vensim(path, data_files="other run.tab")


def test_binary_datasets_and_absent_files_are_refused_by_name(tmp_path):
    path = write(tmp_path)
    with pytest.raises(ImportModelError, match=r"run.vdf: .*tables \(.tab, .csv\)"):
        read_vensim(path, data_files="run.vdf")
    with pytest.raises(ImportModelError, match="absent.tab does not exist"):
        read_vensim(path, data_files="absent.tab")
    with pytest.raises(ImportModelError, match="data_files are for Vensim models"):
        read_model(tmp_path / "model.xmile", data_files="other run.tab")


def test_a_data_variable_in_parts_is_refused(tmp_path):
    model = MODEL.replace("held[dim] :HOLD BACKWARD: ~~|",
                          "held[A] :HOLD BACKWARD: ~~|\nheld[B] :HOLD BACKWARD: ~~|")
    with pytest.raises(UnsupportedFeatureError, match="'held'.*defined in parts"):
        read_vensim(write(tmp_path, model=model), data_files="other run.tab")


SUITE = Path(os.environ["SDFLOW_CONFORMANCE_DIR"]) if os.environ.get("SDFLOW_CONFORMANCE_DIR") \
    else None


@pytest.mark.skipif(SUITE is None or not SUITE.is_dir(),
                    reason="set SDFLOW_CONFORMANCE_DIR to a checkout of the SDXorg "
                           "test-models suite")
def test_suite_data_from_other_model_matches_vensim():
    # data.tab is the output of model_to_generate_data.mdl, the file Vensim was given
    folder = SUITE / "tests" / "data_from_other_model"
    model = read_vensim(folder / "test_data_from_other_model.mdl", data_files="data.tab")
    run = model.simulate()
    canonical = read_canonical(folder / "output.tab")
    series = sdflow_columns(model, run, canonical.columns)
    assert len(series) == len(canonical.columns)
    assert compare(run.dataset["time"].values, series, canonical) == []
