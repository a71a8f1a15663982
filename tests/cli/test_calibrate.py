"""``sdflow calibrate``: runs a TOML spec, shows progress, survives a killed process."""

import json
import signal
import subprocess
import sys

from sdflow.cli import main
from sdflow.cli.calibrate import ProgressLine

MODEL = '''
import sdflow as sf

def build():
    m = sf.Model("logistic", start=2000, stop=2020, dt=0.25, time_units="year")
    rate = m.const("rate", 0.2, units="1/year")
    capacity = m.const("capacity", 50.0, units="person")
    x = m.stock("x", initial=1.0, units="person")
    m.flow("growth", rate * x * (1 - x / capacity), sink=x, units="person/year")
    return m
'''

SPEC = '''
name = "logistic"
seed = 1
[model]
factory = "model.py:build"
[[series]]
name = "x"
file = "x.csv"
variable = "x"
value = "x"
units = "person"
[[parameters]]
name = "rate"
bounds = [0.05, 1.0]
[optimiser]
starts = {starts}
'''


def setup(tmp_path, starts=2, rate=0.3):
    (tmp_path / "model.py").write_text(MODEL)
    # logistic growth from 1 to 50 at `rate` (Euler, dt 0.25), rounded to 4 decimals
    x, rows = 1.0, ["year,x"]
    for step in range(1, 81):
        x += 0.25 * rate * x * (1 - x / 50)
        if step % 4 == 0:
            rows.append(f"{2000 + step // 4},{x:.4f}")
    (tmp_path / "x.csv").write_text("\n".join(rows) + "\n")
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.format(starts=starts))
    return path


def test_cli_calibrates_and_writes_the_report(tmp_path, capsys):
    spec = setup(tmp_path)
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rate") and "0.3" in out
    params = json.loads((tmp_path / "out" / "params.json").read_text())
    assert abs(params["params"]["rate"] - 0.3) < 1e-3


def test_cli_reports_spec_errors(tmp_path, capsys):
    spec = setup(tmp_path)
    spec.write_text(spec.read_text().replace('value = "x"', 'value = "y"'))
    assert main(["calibrate", str(spec), "--quiet"]) == 2
    assert "no column 'y'" in capsys.readouterr().err


def test_progress_line_shows_stage_and_runs(tmp_path):
    with open(tmp_path / "err.txt", "w") as stream:
        line = ProgressLine("yrd", stream=stream, interval=0)
        line(stage="least squares, start 1/2")
        line(evaluations=40)
        line.close()
    text = (tmp_path / "err.txt").read_text()
    assert "[yrd] least squares, start 1/2: 40 runs" in text


# Runs the CLI in a child process that SIGKILLs itself right after the second finished
# start is checkpointed: a real kill at a known point, without racing a fast machine.
_KILL_AFTER_TWO_STARTS = """
import os, signal, sys
from sdflow.calibrate.checkpoint import Checkpoint
from sdflow.cli import main
put = Checkpoint.put
def put_then_die(self, key, value):
    put(self, key, value)
    if key == "starts" and len(value) >= 2 and "--resume" not in sys.argv:
        os.kill(os.getpid(), signal.SIGKILL)
Checkpoint.put = put_then_die
sys.exit(main(sys.argv[1:]))
"""


def test_killed_run_resumes_with_finished_starts_kept(tmp_path):
    spec = setup(tmp_path, starts=6)
    out = tmp_path / "out"
    command = [sys.executable, "-c", _KILL_AFTER_TWO_STARTS, "calibrate", str(spec),
               "--out", str(out), "--quiet"]
    killed = subprocess.run(command, cwd=tmp_path, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    checkpoint = out / "checkpoint.json"
    done = len(json.loads(checkpoint.read_text())["stages"]["starts"])
    assert done == 2
    finished = subprocess.run(command + ["--resume"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    starts = json.loads(checkpoint.read_text())["stages"]["starts"]
    assert sorted(s["start"] for s in starts) == list(range(6))


def test_resume_after_the_data_changed_refits_and_says_why(tmp_path):
    spec = setup(tmp_path)
    out = tmp_path / "out"
    command = [sys.executable, "-c", "import sys; from sdflow.cli import main; "
               "sys.exit(main(sys.argv[1:]))", "calibrate", str(spec), "--out", str(out),
               "--quiet"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    setup(tmp_path, rate=0.5)              # new observations in the same x.csv
    resumed = subprocess.run(command + ["--resume"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    # the data were made with rate 0.5: a stale checkpoint would give back 0.3
    params = json.loads((out / "params.json").read_text())
    assert abs(params["params"]["rate"] - 0.5) < 1e-3
    [line] = resumed.stderr.splitlines()
    assert "not reusing the checkpoint" in line and f"data file {tmp_path / 'x.csv'}" in line


_KILL_AFTER_THREE_GENERATIONS = _KILL_AFTER_TWO_STARTS.replace(
    'key == "starts" and len(value) >= 2', 'key == "de" and value["nit"] == 3')


def test_killed_differential_evolution_resumes_to_the_uninterrupted_result(tmp_path):
    spec = setup(tmp_path)
    spec.write_text(spec.read_text().replace(
        "starts = 2", 'method = "differential_evolution"\n'
                      "options = { popsize = 6, maxiter = 10, polish = false, tol = 0 }"))

    def run(out, *extra):
        command = [sys.executable, "-c", _KILL_AFTER_THREE_GENERATIONS, "calibrate",
                   str(spec), "--out", str(tmp_path / out), "--quiet", *extra]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)

    killed = run("cut")
    assert killed.returncode == -signal.SIGKILL
    assert json.loads((tmp_path / "cut" / "checkpoint.json").read_text())[
        "stages"]["de"]["nit"] == 3
    resumed = run("cut", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    full = run("full", "--resume")            # nothing to resume: one uninterrupted run
    assert full.returncode == 0, full.stderr
    estimates = [json.loads((tmp_path / out / "params.json").read_text())["params"]
                 for out in ("cut", "full")]
    assert estimates[0] == estimates[1]       # JSON keeps every bit of a float
