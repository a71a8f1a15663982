"""Every failure of the command line is one line on stderr and an exit code, never a
traceback (unless ``--debug``): 2 when the input must change, 1 when the command failed
while working, 130 when interrupted (see `sdflow.cli.failures`)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sdflow
from sdflow.cli import main

REPO = Path(__file__).resolve().parents[2]

SPEC = """
[model]
factory = "sdmodels.reference.bass:build"

[forecast]
until = 6
n = 20
chunk_size = 10
saveper = 1
outputs = ["adopters"]
years = [5]

[uncertain]
imitation = { distribution = "uniform", low = 0.3, high = 0.5 }
"""


def failure(capsys, args):
    """Exit code and the error line of ``sdflow ARGS``, checking that the failure is one
    line, the last on stderr (progress lines may come before it)."""
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert err.endswith("\n") and ": error: " in lines[-1], err
    assert sum(": error: " in line for line in lines) == 1, err
    return code, lines[-1]


def usage_failure(capsys, args):
    """Exit code and stderr of an argument argparse refuses."""
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return info.value.code, err


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "bass.toml"
    path.write_text(SPEC)
    return path


def test_out_that_is_a_folder_or_below_a_file(tmp_path, capsys):
    folder = tmp_path / "results"
    folder.mkdir()
    code, err = failure(capsys, ["run", "sdmodels.reference.bass:build", "--out", str(folder)])
    assert code == 2
    assert f"--out {folder}: this is a folder; give a file name in it" in err
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    code, err = failure(capsys, ["run", "sdmodels.reference.bass:build", "--out",
                                 str(a_file / "bass.nc")])
    assert code == 2
    assert f"{a_file} is a file, not a folder" in err


def test_forecast_out_below_a_file_and_a_file_in_the_way(tmp_path, spec, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    code, err = failure(capsys, ["forecast", str(spec), "--out", str(a_file / "out")])
    assert code == 2 and f"{a_file} is a file, not a folder" in err
    code, err = failure(capsys, ["forecast", str(spec), "--out", str(a_file)])
    assert code == 2 and "this is a file, not a folder" in err
    # the command's own sub-folder is taken by a file: an OSError naming it, exit 1
    out = tmp_path / "out"
    out.mkdir()
    (out / "chunks").write_text("not a folder")
    code, err = failure(capsys, ["forecast", str(spec), "--out", str(out), "--no-figures"])
    assert code == 1
    assert f"cannot use {out / 'chunks'}: File exists; a file of that name is in the way" \
        in err


def test_a_file_that_is_no_model(tmp_path, capsys):
    text = tmp_path / "hostname"
    text.write_text("build-machine\n")
    code, err = failure(capsys, ["run", str(text)])
    assert code == 2
    assert f"'{text}' is neither a Python file (.py) nor a model file" in err
    broken = tmp_path / "broken.py"
    broken.write_text("import sdflow as sf\n\ndef build(:\n    pass\n")
    code, err = failure(capsys, ["run", f"{broken}:build"])
    assert code == 2
    assert f"{broken}, line 3: invalid syntax" in err


@pytest.mark.parametrize("args, fragment", [
    (["--seed", "-1"], "argument --seed: '-1' is not a seed; give a whole number of at least 0"),
    (["--seed", "1.5"], "argument --seed: '1.5' is not a seed"),
    (["--n", "0"], "argument --n: '0' is not a whole number of at least 1"),
    (["--n", "-3"], "argument --n: '-3' is not a whole number of at least 1"),
    (["--chunk-size", "0"], "argument --chunk-size: '0' is not a whole number"),
    (["--workers", "two"], "argument --workers: 'two' is not a whole number"),
])
def test_bad_counts_and_seeds_are_usage_errors(spec, tmp_path, capsys, args, fragment):
    code, err = usage_failure(capsys, ["forecast", str(spec), "--out", str(tmp_path / "o"),
                                       *args])
    assert code == 2
    assert err.startswith("sdflow forecast: error: ") and fragment in err
    assert not (tmp_path / "o").exists()


def test_sensitivity_seed_and_n_are_checked_too(spec, tmp_path, capsys):
    for args in (["--seed", "-1"], ["--n", "0"]):
        code, err = usage_failure(capsys, ["sensitivity", str(spec), "--out",
                                           str(tmp_path / "o"), *args])
        assert code == 2 and "sdflow sensitivity: error: argument" in err


def test_spec_that_is_not_utf8_or_has_wrong_types(tmp_path, spec, capsys):
    latin = tmp_path / "latin.toml"
    latin.write_bytes(SPEC.replace("bass:build", "bass:b\xfcild").encode("latin-1"))
    code, err = failure(capsys, ["forecast", str(latin), "--out", str(tmp_path / "o")])
    assert code == 2
    assert f"{latin}: not UTF-8 text: byte " in err and "(0xfc)" in err
    for old, new, fragment in [
            ("n = 20", 'n = "many"', "forecast.n: expected a whole number >= 1, got 'many'"),
            ("n = 20", "n = 20\nseed = -1", "forecast.seed: expected a whole number >= 0, "
                                            "got -1"),
            ('outputs = ["adopters"]', 'outputs = "adopters"',
             "forecast.outputs: expected a list of strings, got 'adopters'")]:
        spec.write_text(SPEC.replace(old, new))
        code, err = failure(capsys, ["forecast", str(spec), "--out", str(tmp_path / "o")])
        assert code == 2
        assert f"{spec}: {fragment}" in err


def test_an_input_file_that_is_not_utf8_in_another_reader(tmp_path, capsys, monkeypatch):
    # a reader outside the command line (e.g. a calibration spec) raising the plain error
    import sdflow.calibrate

    def read(path):
        return b"name = \"b\xfcss\"".decode("utf-8")

    monkeypatch.setattr(sdflow.calibrate, "load_calibration_spec", read)
    spec = tmp_path / "bass.toml"
    spec.write_text("")
    code, err = failure(capsys, ["calibrate", str(spec), "--quiet"])
    assert code == 2
    assert f"an input file ({spec}) is not UTF-8 text: byte b'\\xfc' at position 9" in err


MODEL_FILE = textwrap.dedent('''
    import sdflow as sf

    def build(rate=0.5):
        if rate < 0:
            raise ValueError(f"rate={rate} must not be negative")
        m = sf.Model("decay", start=0, stop=4, dt=1)
        x = m.stock("x", initial=100.0)
        m.flow("outflow", rate * x, source=x)
        return m
''')


def test_value_errors_memory_interrupts_and_internal_errors(tmp_path, capsys, monkeypatch):
    model = tmp_path / "decay.py"
    model.write_text(MODEL_FILE)
    code, err = failure(capsys, ["run", f"{model}:build", "--option", "rate=-1"])
    assert code == 1
    assert "ValueError: rate=-1 must not be negative; if this does not point to your " \
           "input, rerun with --debug and report it" in err

    import sdflow.cli.run as run_command

    for raised, expected_code, fragment in [
            (MemoryError(), 1, "out of memory; run fewer runs at once"),
            (KeyboardInterrupt(), 130, "sdflow run: error: interrupted"),
            (RuntimeError("no solver"), 1, "internal error: RuntimeError: no solver; rerun "
                                           "with --debug and report the traceback"),
            (OSError(28, "No space left on device", "out.nc"), 1,
             "cannot use out.nc: No space left on device; the disk is full")]:
        def fail(*args, **kwargs):
            raise raised
        monkeypatch.setattr(run_command, "summary", fail)
        code, err = failure(capsys, ["run", f"{model}:build"])
        assert code == expected_code
        assert fragment in err


def test_interrupted_forecast_says_how_to_resume(spec, tmp_path, capsys, monkeypatch):
    import sdflow.forecasting.distributed as distributed

    def stop(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(distributed, "run_ensemble", stop)
    code, err = failure(capsys, ["forecast", str(spec), "--out", str(tmp_path / "o")])
    assert code == 130
    assert "interrupted; run the same command with --resume to continue" in err


def test_debug_shows_the_traceback_before_or_after_the_command(tmp_path, capsys):
    text = tmp_path / "hostname"
    text.write_text("build-machine\n")
    for args in (["--debug", "run", str(text)], ["run", str(text), "--debug"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith("Traceback (most recent call last)")
        assert err.rstrip().splitlines()[-1].startswith("sdflow run: error: ")


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"sdflow {sdflow.__version__}\n"


def test_a_real_process_gets_one_line_and_the_exit_code(tmp_path):
    text = tmp_path / "hostname"
    text.write_text("build-machine\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    done = subprocess.run([sys.executable, "-m", "sdflow.cli", "run", str(text)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("sdflow run: error: ") and done.stderr.count("\n") == 1
    done = subprocess.run([sys.executable, "-m", "sdflow.cli", "forecast", "spec.toml",
                           "--out", "o", "--seed", "-1"], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == ("sdflow forecast: error: argument --seed: '-1' is not a seed; give "
                           "a whole number of at least 0, e.g. 2026 (see sdflow forecast "
                           "--help)\n")
    done = subprocess.run([sys.executable, "-m", "sdflow.cli", "--version"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert (done.returncode, done.stdout) == (0, f"sdflow {sdflow.__version__}\n")


def test_a_run_that_goes_non_finite_is_a_failure_not_a_usage_error(tmp_path, capsys):
    # the input is valid; the run itself fails (1/x with x reaching 0): exit code 1
    model = tmp_path / "blowup.py"
    model.write_text("import sdflow as sf\n"
                     "m = sf.Model('blowup', start=0, stop=4, dt=1)\n"
                     "x = m.stock('x', initial=2.0)\n"
                     "m.flow('drain', 1.0 + 0 * x, source=x)\n"
                     "m.aux('ratio', 1 / x)\n")
    code, line = failure(capsys, ["run", f"{model}:m"])
    assert code == 1
    assert "ratio" in line
