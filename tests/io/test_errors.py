"""Bad model files give errors that name the file, the variable and the problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import sdflow as sf
from sdflow.io import ImportModelError, IncompleteModelError, UnsupportedFeatureError

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


XMILE = """<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><vendor>test</vendor><product version="1">test</product></header>
<sim_specs method="Euler"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
MACROS<model><variables>
<aux name="macro input"><eqn>5</eqn></aux>
<aux name="Rate A"><eqn>EQUATION</eqn></aux>
</variables></model></xmile>
"""


def write_xmile_text(tmp_path, equation, macros=""):
    path = tmp_path / "exported.xmile"
    path.write_text(XMILE.replace("EQUATION", equation).replace("MACROS", macros))
    return path


def test_exporters_placeholder_names_file_variable_and_fix(tmp_path):
    # xmutil and Stella write " ??? " where they could not convert an equation
    path = write_xmile_text(tmp_path, " ??? ")
    with pytest.raises(IncompleteModelError) as info:
        sf.read_xmile(path)
    text = str(info.value)
    assert "exported.xmile" in text and "variable 'Rate A'" in text
    assert "'???', a placeholder the exporting tool left" in text and "re-export" in text
    assert info.value.variables == ("Rate A",)


def test_call_of_a_macro_the_file_does_not_define_is_an_incomplete_file(tmp_path):
    # xmutil writes a Vensim macro call as it stands, without a <macro> element
    path = write_xmile_text(tmp_path, "EXPRESSION MACRO(macro_input, 2)")
    with pytest.raises(IncompleteModelError,
                       match=r"exported.xmile: variable 'Rate A' calls EXPRESSION MACRO, "
                             r"which this file does not define \(no <macro> element\)"):
        sf.read_xmile(path)


def test_call_of_a_macro_the_file_defines_says_xmile_macros_are_not_read(tmp_path):
    macro = ('<macro name="EXPRESSION MACRO"><parm>input</parm><parm>parameter</parm>'
             '<eqn>input * parameter</eqn></macro>')
    path = write_xmile_text(tmp_path, "EXPRESSION_MACRO(macro_input, 2)", macro)
    with pytest.raises(UnsupportedFeatureError) as info:
        sf.read_xmile(path)
    assert not isinstance(info.value, IncompleteModelError)  # a gap of the reader
    text = str(info.value)
    assert "variable 'Rate A' calls the macro EXPRESSION_MACRO" in text
    assert "defines as an XMILE <macro>" in text and "does not read macros" in text


def test_xmile_syntax_error_names_the_variable_and_where_the_parser_stops(tmp_path):
    path = write_xmile_text(tmp_path, "macro_input * (2 +")
    with pytest.raises(ImportModelError) as info:
        sf.read_xmile(path)
    assert not isinstance(info.value, IncompleteModelError)
    text = str(info.value)
    assert "exported.xmile: variable 'Rate A': cannot parse the equation" in text
    assert "PySD's parser stops at" in text


def test_equations_with_calls_after_syntax_words_still_read(tmp_path):
    path = write_xmile_text(tmp_path, "IF macro_input > 1 THEN MAX(macro_input, 2) ELSE 0")
    assert float(sf.read_xmile(path).simulate()["Rate A"][0]) == 5.0


SUITE = Path(os.environ["SDFLOW_CONFORMANCE_DIR"]) if os.environ.get("SDFLOW_CONFORMANCE_DIR") \
    else None
#: The suite's XMILE/Stella files its converter left incomplete (docs/conformance.md)
BROKEN_EXPORTS = [
    *(f"tests/{name}/test_{name}.{kind}" for name in
      ("macro_expression", "macro_multi_expression", "macro_stock") for kind in ("xmile", "stmx")),
    *(f"tests/{folder}/{file}.{kind}" for folder, file in
      (("subscript_multiples", "test_multiple_subscripts"),
       ("subscript_subranges_equal", "test_subscript_subrange_equal"),
       ("subscript_updimensioning", "test_subscript_updimensioning"))
      for kind in ("xmile", "stmx")),
]


@pytest.mark.skipif(SUITE is None or not SUITE.is_dir(),
                    reason="set SDFLOW_CONFORMANCE_DIR to a checkout of the SDXorg "
                           "test-models suite")
@pytest.mark.parametrize("relative", BROKEN_EXPORTS)
def test_suite_broken_exports_are_refused_as_incomplete(relative):
    with pytest.raises(IncompleteModelError) as info:
        sf.read_xmile(SUITE / relative)
    text = str(info.value)
    assert Path(relative).name in text and info.value.variables
    assert "'???', a placeholder" in text or "calls EXPRESSION MACRO, which this file " \
        "does not define (no <macro> element)" in text
