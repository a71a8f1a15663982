"""One exception hierarchy: every error class sdflow raises is defined in `sdflow.errors`
and reached under that one name (`src/sdflow/errors.py`)."""

from __future__ import annotations

import importlib

import pytest

import sdflow.errors as errors
from sdflow.cli.arguments import check_output_folder
from sdflow.explore.settings import parse_settings


@pytest.mark.parametrize("module, names", [
    ("sdflow.io", ["ImportModelError", "IncompleteModelError",
                   "UnsupportedFeatureError"]),
    ("sdflow.cli.arguments", ["ArgumentValueError"]),
])
def test_error_classes_are_the_ones_in_sdflow_errors(module, names):
    for name in names:
        assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_io_errors_module_is_folded_into_errors():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("sdflow.io.errors")


def test_command_line_and_explorer_raise_the_same_argument_error(tmp_path):
    file = tmp_path / "a file"
    file.write_text("")
    with pytest.raises(errors.ArgumentValueError, match="--out .*a file: this is a file"):
        check_output_folder(file)
    with pytest.raises(errors.ArgumentValueError, match="unknown key"):
        parse_settings(None, {"valeus": {}})
    assert issubclass(errors.ArgumentValueError, ValueError)
    assert issubclass(errors.ArgumentValueError, errors.SdflowError)
