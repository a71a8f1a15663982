"""Vensim time settings: expressions of constants are folded; settings that change with
TIME (the suite's control_vars test, whose canonical output has a time step that halves
at time 4) are refused with an error naming the setting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import sdflow as sf
from sdflow.io.errors import UnsupportedFeatureError

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


def test_settings_that_change_with_time_are_refused(tmp_path):
    shutil.copytree(DATA / "control_vars", tmp_path / "control_vars")
    with pytest.raises(UnsupportedFeatureError, match="FINAL TIME.*depends on TIME"):
        sf.read_vensim(tmp_path / "control_vars" / "test_control_vars.mdl")


def test_settings_reading_time_through_another_variable_are_refused(tmp_path):
    path = tmp_path / "m.mdl"
    path.write_text("""{UTF-8}
later = Time + 10 ~~|
FINAL TIME = later ~~|
INITIAL TIME = 0 ~~|
TIME STEP = 1 ~~|
SAVEPER = 1 ~~|
""")
    with pytest.raises(UnsupportedFeatureError, match="FINAL TIME.*depends on TIME"):
        sf.read_vensim(path)
