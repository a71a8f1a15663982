"""``sdflow compile MODEL``: compiles with numba ahead, then ``sdflow run`` uses the code.

Expected numbers: the decay model's Euler recurrence, x_n = 100 (1 - rate dt)^n.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap

import pytest

from sdflow.cli import main

needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="numba is not installed (optional)")

EXTRA = textwrap.dedent('''
    def delayed():
        m = sf.Model("delayed", start=0, stop=2, dt=1)
        m.aux("late", sf.delay_fixed(m.time, 1, 0))
        return m
''')


@pytest.fixture
def model_file(tmp_path, monkeypatch, decay_model_source):
    monkeypatch.setenv("SDFLOW_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "decay_compiled.py"
    path.write_text(decay_model_source + EXTRA)
    return path


def cli(args, capsys):
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's usage errors
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


@needs_numba
def test_compile_then_run_uses_the_compiled_code(model_file, tmp_path, capsys, numba_runs):
    code, out, err = cli(["compile", f"{model_file}:build", "--params", "rate"], capsys)
    assert code == 0, err
    assert "model 'decay': numba code for method euler, per-run constants ['rate'] " \
           "compiled in" in out
    assert str(tmp_path / "cache" / "numba") in out
    code, out, err = cli(["run", f"{model_file}:build", "--set", "rate=0.25"], capsys)
    assert code == 0, err
    assert numba_runs == ["decay"]
    line = next(x for x in out.splitlines() if x.startswith("x "))
    assert float(line.split()[2]) == pytest.approx(100 * 0.75 ** 4, rel=1e-5)  # 6 digits shown
    # a second compile finds the code (in this process: the one already made)
    code, out, err = cli(["compile", f"{model_file}:build", "--params", "rate"], capsys)
    assert code == 0 and "numba code" in out, err


@needs_numba
@pytest.mark.parametrize("args, message", [
    (["--params", "rte"], "'rte' is not a constant of model 'decay'; constants are ['rate']"),
    (["--variables", "y"], "'y' is not a variable of model 'decay'"),
    (["--method", "rk45"], "invalid choice: 'rk45'"),
])
def test_bad_input_is_one_line_and_exit_code_2(model_file, capsys, args, message):
    code, out, err = cli(["compile", f"{model_file}:build", *args], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@needs_numba
def test_a_model_numba_does_not_run_is_refused(model_file, capsys):
    code, out, err = cli(["compile", f"{model_file}:delayed"], capsys)
    assert code == 2
    assert "model 'delayed' cannot be compiled ahead: backend='numba' does not run DELAY " \
           "FIXED" in err and "numpy path" in err and "Traceback" not in err


@needs_numba
def test_code_that_cannot_be_kept_is_a_failure_saying_what_to_do(model_file, tmp_path,
                                                                 capsys, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SDFLOW_CACHE_DIR", str(blocker))
    code, out, err = cli(["compile", f"{model_file}:build", "--method", "heun"], capsys)
    assert code == 1
    assert "could not be kept in a cache folder" in err and "SDFLOW_CACHE_DIR" in err


def test_without_numba_says_how_to_install_it(model_file, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # importing numba now fails
    code, out, err = cli(["compile", f"{model_file}:build"], capsys)
    assert code == 2
    assert "pip install numba" in err and "Traceback" not in err
