"""Every function of PySD's Vensim and XMILE translators, run by PySD and by sdflow.

The cases and their runner are `benchmarks/functions.py`, which writes docs/functions.md;
here every case runs again and the file must say what the run says. Expected numbers are
PySD 3.14's on the same file; where PySD does not run a function, or is known to differ
from Vensim's or XMILE's documentation, the tests below check sdflow by hand-computed
values from that documentation.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sdflow.errors import ImportModelError, UnsupportedFeatureError
from sdflow.io import read_model, write_xmile

REPO = Path(__file__).resolve().parents[2]


def _load_table():
    spec = importlib.util.spec_from_file_location("function_table",
                                                  REPO / "benchmarks" / "functions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


table = _load_table()


@pytest.fixture(scope="module")
def outcomes():
    pytest.importorskip("pysd")
    return [table.run_case(case) for case in table.CASES]


def test_cases_are_distinct():
    keys = [case.key for case in table.CASES]
    assert len(keys) == len(set(keys))


def test_the_table_in_docs_is_current(outcomes):
    written = (REPO / "docs" / "functions.md").read_text()
    assert written == table.render(outcomes), (
        "docs/functions.md is out of date: run python benchmarks/functions.py")


def test_every_difference_is_explained_and_nothing_fails(outcomes):
    for o in outcomes:
        assert o.sdflow in ("same numbers", "differs", "refused", "runs"), o.row()
        if o.sdflow == "differs":
            assert o.case.note, f"{o.case.key} differs from PySD without a note"
        if o.sdflow == "runs" and not o.case.random:
            assert o.pysd == "fails", o.row()  # sdflow-only functions, checked below


def test_refusals_name_the_variable_and_the_function(outcomes):
    refused = [o for o in outcomes if o.sdflow == "refused"]
    assert refused
    for o in refused:
        assert "variable '" in o.detail, o.row()
        named = o.case.function.split(" (")[0].lower()
        assert named in o.detail.lower(), o.row()


# -- the functions added for this table, by hand --------------------------------------------

def run(tmp_path, language, model, **kw):
    case = (table.V if language == "Vensim" else table.X)("case", model, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_model(table.write_case(case, tmp_path)).simulate().dataset


def test_get_time_value_from_the_current_and_the_initial_time(tmp_path):
    # Vensim's documentation: relativeto 0 counts from the current time, 1 from the initial
    # time; measure 0 gives model time units; the offset is in them and may be subscripted
    path = tmp_path / "time_value.mdl"
    path.write_text("dim: (A1-A3) ~~|\n"
                    "now[dim] = GET TIME VALUE(0, dim - 2, 0) ~~|\n"
                    "from start[dim] = GET TIME VALUE(1, dim - 2, 0) ~~|\n"
                    "moving = GET TIME VALUE(1, Time / 2, 0) ~~|\n"
                    "INITIAL TIME = 50 ~~|\nFINAL TIME = 53 ~~|\nTIME STEP = 0.5 ~~|\n"
                    "SAVEPER = TIME STEP ~~|\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = read_model(path).simulate().dataset
    time = ds["time"].values
    offset = np.array([-1.0, 0.0, 1.0])  # A1..A3 are the numbers 1..3 in equations
    np.testing.assert_allclose(ds["now"].values, time[:, None] + offset)
    np.testing.assert_allclose(ds["from start"].values, np.broadcast_to(50 + offset,
                                                                        (len(time), 3)))
    np.testing.assert_allclose(ds["moving"].values, 50 + time / 2)


@pytest.mark.parametrize("arguments, named", [
    ("0, 0, 1", "measure 1 (years since 1 BC) of the current time"),
    ("1, 0, 5", "measure 5 (day of week) of the initial time"),
    ("2, 0, 0", "the computer's clock (relativeto 2)"),
])
def test_get_time_value_refuses_the_clock_and_calendar_measures_by_name(tmp_path, arguments,
                                                                      named):
    with pytest.raises(UnsupportedFeatureError, match=re.escape(named)):
        run(tmp_path, "Vensim", f"y = GET TIME VALUE({arguments}) ~~|")


@pytest.mark.parametrize("arguments, said", [
    ("3, 0, 0", "relativeto must be 0"),
    ("0, 0, 11", "measure must be a whole number from 0"),
    ("Time, 0, 0", "relativeto must be 0"),
])
def test_get_time_value_options_must_be_vensims_numbers(tmp_path, arguments, said):
    with pytest.raises(ImportModelError, match=f"variable 'y'.*{said}"):
        run(tmp_path, "Vensim", f"y = GET TIME VALUE({arguments}) ~~|")


def test_game_is_its_argument(tmp_path):
    ds = run(tmp_path, "Vensim", "y = GAME(Time * 2) ~~|", dt=1)
    np.testing.assert_array_equal(ds["y"].values, 2 * ds["time"].values)


def test_vector_reorder_takes_the_element_at_each_position(tmp_path):
    # Vensim's documentation: VECTOR REORDER(vec, order)[i] = vec[order[i]], 0-based order
    ds = run(tmp_path, "Vensim", table.VEC + "order[dim] = 2, 0, 3, 1 ~~|\n"
             "y[dim] = VECTOR REORDER(vec[dim] * (Time + 1), order[dim]) ~~|\n"
             "sorted[dim] = VECTOR REORDER(vec[dim], VECTOR SORT ORDER(vec[dim], 1)) ~~|",
             dt=1, stop=2)
    vec = np.array([3.0, -1.0, 4.0, 2.0])
    np.testing.assert_array_equal(ds["y"].values[1], 2 * vec[[2, 0, 3, 1]])
    np.testing.assert_array_equal(ds["sorted"].values[0], np.sort(vec))


def test_xmile_pulse_is_magnitude_over_dt_for_one_step(tmp_path):
    # XMILE 1.0: PULSE(magnitude, first time[, interval]) moves `magnitude` in one DT
    ds = run(tmp_path, "XMILE", "once: PULSE(2, 3)\ntrain: PULSE(2, 3, 2)\n"
             "zero interval: PULSE(2, 3, 0)", dt=0.25)
    t = ds["time"].values
    hit = np.isclose(t, 3)
    np.testing.assert_array_equal(ds["once"].values, np.where(hit, 8.0, 0.0))
    np.testing.assert_array_equal(ds["zero interval"].values, ds["once"].values)
    train = np.isclose(np.mod(t - 3, 2), 0) & (t >= 3)
    np.testing.assert_array_equal(ds["train"].values, np.where(train, 8.0, 0.0))
    assert float(ds["once"].sum()) * 0.25 == 2.0  # the magnitude, moved in one step


def test_forcst_starts_from_the_initial_trend(tmp_path):
    # the average starts at input / (1 + trend * averaging time), so at the start
    # TREND gives the initial trend and FORCST = input * (1 + trend * horizon)
    ds = run(tmp_path, "XMILE", "x: 3 + RAMP(1, 2)\ny: FORCST(x, 2, 3, 0.1)\n"
             "g: TREND(x, 2, 0.1)", dt=0.25)
    assert float(ds["g"][0]) == pytest.approx(0.1, rel=1e-12)
    assert float(ds["y"][0]) == pytest.approx(3 * (1 + 0.1 * 3), rel=1e-12)


def test_discrete_and_extrapolating_graphical_functions(tmp_path):
    # XMILE: a discrete table gives the value of the point at or before x, ends held; an
    # extrapolating one continues its end segments (points at x = 0, 5, 10)
    gf = ('<aux name="{0}"><eqn>TIME * 1.5 - 2</eqn><gf type="{0}"><xscale min="0" '
          'max="10"/><ypts>0,2,5</ypts></gf></aux>')
    ds = run(tmp_path, "XMILE", gf.format("discrete") + "\n" + gf.format("extrapolate"),
             dt=1)
    x = ds["time"].values * 1.5 - 2
    np.testing.assert_array_equal(ds["discrete"].values,
                                  np.select([x >= 10, x >= 5], [5.0, 2.0], 0.0))
    np.testing.assert_allclose(ds["extrapolate"].values,
                               np.where(x < 5, x * 2 / 5, 2 + (x - 5) * 3 / 5), rtol=1e-12)


def test_graphical_function_points_at_xpts(tmp_path):
    # XMILE: <xpts> place the points (x = 0, 4, 10); <xscale> is then only the axis
    ds = run(tmp_path, "XMILE", '<aux name="y"><eqn>TIME</eqn><gf><xscale min="0" '
             'max="10"/><xpts>0,4,10</xpts><ypts>0,2,5</ypts></gf></aux>\n'
             '<gf name="table"><xscale min="0" max="10"/><xpts sep=";">0;4;10</xpts>'
             '<ypts>0,2,5</ypts></gf>\nz: table(TIME)', dt=1)
    t = ds["time"].values
    expected = np.where(t < 4, t / 2, 2 + (t - 4) / 2)
    np.testing.assert_allclose(ds["y"].values, expected, rtol=1e-12)
    np.testing.assert_allclose(ds["z"].values, expected, rtol=1e-12)
    with pytest.raises(ImportModelError, match=r"variable 'w': <xpts> '0;4' are not numbers "
                                               r"separated by ','"):
        run(tmp_path, "XMILE", '<aux name="w"><eqn>TIME</eqn><gf><xscale min="0" max="4"/>'
            '<xpts>0;4</xpts>'
            '<ypts>0,2</ypts></gf></aux>')


def test_previous_and_dt(tmp_path):
    ds = run(tmp_path, "XMILE", "x: TIME * TIME\ny: PREVIOUS(x, -1)\nstep: DT * TIME",
             dt=0.5)
    t = ds["time"].values
    np.testing.assert_array_equal(ds["y"].values, np.r_[-1.0, (t[:-1]) ** 2])
    np.testing.assert_array_equal(ds["step"].values, 0.5 * t)


def test_lookup_extrapolate_backward_and_forward(tmp_path):
    # Vensim's documentation: the table's end segments continued; the value of the point
    # at or before x; the value of the point at or after x (points at x = 0, 4, 10)
    ds = run(tmp_path, "Vensim", "table([(0,0)-(10,5)], (0,0), (4,2), (10,5)) ~~|\n"
             "x = Time * 1.5 - 2 ~~|\ne = LOOKUP EXTRAPOLATE(table, x) ~~|\n"
             "b = LOOKUP BACKWARD(table, x) ~~|\nf = LOOKUP FORWARD(table, x) ~~|\n"
             "plain = table(x) ~~|", dt=1)
    x = ds["x"].values
    np.testing.assert_allclose(ds["e"].values, np.where(x < 4, x / 2, 2 + (x - 4) / 2),
                               rtol=1e-12)
    np.testing.assert_array_equal(ds["b"].values, np.select([x >= 10, x >= 4], [5.0, 2.0], 0))
    np.testing.assert_array_equal(ds["f"].values, np.select([x <= 0, x <= 4], [0.0, 2.0], 5))
    assert ds["plain"].values[-1] == 5.0  # the table itself still holds its ends


def test_lookup_functions_need_a_lookup(tmp_path):
    with pytest.raises(ImportModelError,
                       match=r"variable 'y': LOOKUP FORWARD takes the name of a lookup"):
        run(tmp_path, "Vensim", "y = LOOKUP FORWARD(Time) ~~|")


def test_log10_starttime_and_stoptime(tmp_path):
    ds = run(tmp_path, "XMILE", "y: LOG10(TIME + 1)\nshare: (TIME - STARTTIME) / "
             "(STOPTIME - STARTTIME)", dt=1)
    t = ds["time"].values
    np.testing.assert_allclose(ds["y"].values, np.log10(t + 1), rtol=1e-14)
    np.testing.assert_allclose(ds["share"].values, t / 10, rtol=1e-14)


def test_invert_matrix_times_the_matrix_is_the_identity(tmp_path):
    ds = run(tmp_path, "Vensim", "r: R1, R2, R3, R4 ~~|\nc: C1, C2, C3, C4 ~~|\n"
             "m[r, c] = 4, 1, 2, 0; 1, 3, 0, 1; 2, 0, 5, 1; 0, 2, 1, 6; ~~|\n"
             "k[r, c] = m[r, c] * (1 + Time * Time) ~~|\n"
             "y[r, c] = INVERT MATRIX(k[r, c]) ~~|", dt=1, stop=3)
    for step in range(4):
        k, y = ds["k"].values[step], ds["y"].values[step]
        np.testing.assert_allclose(k @ y, np.eye(4), atol=1e-13)


def test_large_or_non_square_matrices_are_refused(tmp_path):
    five = "r: R1, R2, R3, R4, R5 ~~|\nc: C1, C2, C3, C4, C5 ~~|\nm[r, c] = Time ~~|\n"
    with pytest.raises(UnsupportedFeatureError, match=r"variable 'y'.*INVERT MATRIX of a "
                                                      r"5 x 5 matrix"):
        run(tmp_path, "Vensim", five + "y[r, c] = INVERT MATRIX(m[r, c]) ~~|")
    with pytest.raises(ImportModelError, match=r"variable 'y': INVERT MATRIX needs a square"):
        run(tmp_path, "Vensim", "r: R1, R2 ~~|\nc: C1, C2, C3 ~~|\nm[r, c] = 1 ~~|\n"
            "y[r, c] = INVERT MATRIX(m[r, c]) ~~|")


def test_unknown_function_is_named_as_written(tmp_path):
    with pytest.raises(UnsupportedFeatureError,
                       match=r"variable 'y': uses the function VECTOR ELM MAP"):
        run(tmp_path, "Vensim", "r: R1, R2 ~~|\nm[r] = 2, 1 ~~|\n"
            "y[r] = VECTOR ELM MAP(m[R1], 1) ~~|")


def test_the_readme_quotes_the_counts(outcomes):
    readme = " ".join((REPO / "README.md").read_text().split())
    assert table.summary(outcomes) in readme, (
        "README.md's counts of functions are out of date: copy the sentence from "
        "docs/functions.md")


ADDED = ["Vensim GAME", "Vensim VECTOR REORDER", "Vensim INVERT MATRIX", "XMILE PULSE",
         "XMILE PULSE (train)", "XMILE FORCST (initial trend)",
         "XMILE graphical function (discrete)", "XMILE graphical function (xpts and xscale)",
         "Vensim LOOKUP EXTRAPOLATE", "Vensim LOOKUP BACKWARD", "Vensim LOOKUP FORWARD",
         "XMILE LOG10", "XMILE STARTTIME STOPTIME", "Vensim GET TIME VALUE (initial time)"]


@pytest.mark.parametrize("key", ADDED)
def test_added_functions_round_trip_through_xmile(key, tmp_path):
    case = next(c for c in table.CASES if c.key == key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = read_model(table.write_case(case, tmp_path))
        before = model.simulate().dataset
        write_xmile(model, tmp_path / "back.xmile")
        after = read_model(tmp_path / "back.xmile").simulate().dataset
    for name in table.checked(case):
        np.testing.assert_allclose(after[name].values, before[name].values, rtol=1e-12,
                                   atol=1e-12, err_msg=name)
