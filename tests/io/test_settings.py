"""Vensim time settings: expressions of constants are folded; settings that change with
TIME (the suite's control_vars test, whose canonical output has a time step that halves
at time 4) are re-read along the run, as Vensim does."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sdflow as sf
from sdflow.errors import TimeSettingsError

DATA = Path(__file__).parents[1] / "data" / "io"


def test_settings_that_are_expressions_of_constants_are_folded(tmp_path):
    path = tmp_path / "m.mdl"
    path.write_text("""{UTF-8}
duration = 8 ~~|
half = duration / 2 ~~|
x = INTEG(1, 0) ~~|
FINAL TIME = 2 + half * 3 - 1 ~ Month ~|
INITIAL TIME = -1 + 1 ~ Month ~|
TIME STEP = 2 ^ -1 ~ Month ~|
SAVEPER = TIME STEP ~ Month ~|
""")
    model = sf.read_vensim(path)
    # 2 + 4*3 - 1 = 13 and 2^-1 = 0.5, worked out by hand
    assert (model.start, model.stop, model.dt, model.saveper) == (0.0, 13.0, 0.5, 0.5)
    assert float(model.simulate()["x"].isel(time=-1)) == pytest.approx(13.0)


def test_settings_that_change_with_time_match_the_canonical_output(tmp_path):
    # the SDXorg suite's control_vars model; expected numbers: its canonical output.tab
    # (Vensim's), every column, including the control variables saved at every time
    shutil.copytree(DATA / "control_vars", tmp_path / "control_vars")
    folder = tmp_path / "control_vars"
    model = sf.read_vensim(folder / "test_control_vars.mdl")
    expected = pd.read_csv(folder / "output.tab", sep="\t", index_col=0)
    got = model.simulate().dataset
    np.testing.assert_allclose(got["time"].values, expected.index.values, rtol=1e-4)
    for column in expected.columns:
        np.testing.assert_allclose(got[column].values, expected[column].values, rtol=1e-4,
                                   err_msg=column)


def test_settings_reading_time_through_another_variable_are_followed(tmp_path):
    path = tmp_path / "m.mdl"
    path.write_text("""{UTF-8}
later = Time + 10 ~~|
x = INTEG(1, 0) ~~|
FINAL TIME = IF THEN ELSE(later > 15, 8, 20) ~~|
INITIAL TIME = 0 ~~|
TIME STEP = 1 ~~|
SAVEPER = 2 ~~|
""")
    x = sf.read_vensim(path).simulate()["x"]
    # FINAL TIME is 20 until later > 15 (time 6), then 8: the run stops at time 8
    assert x.time.values.tolist() == [0, 2, 4, 6, 8]
    assert x.values.tolist() == [0, 2, 4, 6, 8]


def test_settings_that_read_a_stock_are_refused(tmp_path):
    path = tmp_path / "m.mdl"
    path.write_text("""{UTF-8}
x = INTEG(1, 0) ~~|
FINAL TIME = IF THEN ELSE(Time < x, 10, 20) ~~|
INITIAL TIME = 0 ~~|
TIME STEP = 1 ~~|
SAVEPER = 1 ~~|
""")
    with pytest.raises(TimeSettingsError, match="FINAL TIME.*stock 'x'"):
        sf.read_vensim(path).simulate()
