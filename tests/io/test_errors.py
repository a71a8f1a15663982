"""Bad model files give errors that name the file, the variable and the problem."""

from __future__ import annotations

import pytest

import sdflow as sf
from sdflow.io import ImportModelError, UnsupportedFeatureError

CONTROL = """
INITIAL TIME = 0 ~ Month ~|
FINAL TIME = 10 ~ Month ~|
TIME STEP = 1 ~ Month ~|
SAVEPER = TIME STEP ~ Month ~|
"""


def write(tmp_path, text, name="model.mdl"):
    path = tmp_path / name
    path.write_text(text + CONTROL)
    return path


def test_unsupported_function_names_function_variable_and_file(tmp_path):
    path = write(tmp_path, "demand = 5 ~ ~|\nfilled = ALLOCATE AVAILABLE(demand, 1, 3)"
                           " ~ ~|")
    with pytest.raises(UnsupportedFeatureError) as info:
        sf.read_vensim(path)
    text = str(info.value)
    assert "model.mdl" in text and "'filled'" in text and "ALLOCATE AVAILABLE" in text


def test_unknown_function(tmp_path):
    path = write(tmp_path, "x = 5 ~ ~|\ny = FROBNICATE(x) ~ ~|")
    with pytest.raises(UnsupportedFeatureError, match="'y'.*FROBNICATE"):
        sf.read_vensim(path)


def test_syntax_error_names_file(tmp_path):
    path = write(tmp_path, "x = (3 + ~ ~|")
    with pytest.raises(ImportModelError, match="model.mdl.*cannot parse"):
        sf.read_vensim(path)


def test_missing_data_file_names_file_and_variable(tmp_path):
    path = write(tmp_path, "series := GET DIRECT DATA('nowhere.csv', ',', 'A', 'B2') ~ ~|\n"
                           "y = series * 2 ~ ~|")
    with pytest.raises(ImportModelError) as info:
        sf.read_vensim(path)
    text = str(info.value)
    assert "nowhere.csv" in text and "'series'" in text and "does not exist" in text


def test_missing_model_file(tmp_path):
    with pytest.raises(ImportModelError, match="does not exist"):
        sf.read_xmile(tmp_path / "absent.xmile")
