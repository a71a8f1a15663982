"""``sdflow run MODULE:ATTR``: options, outputs and clear errors for bad arguments.

Expected numbers: the Bass closed form is not needed here; the CLI must give exactly what
the Python API gives for the same settings, and the decay model's Euler recurrence.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sdflow.cli import main
from sdmodels.reference import bass

EXTRA = textwrap.dedent('''
    model = build()
    not_a_model = 42
''')


@pytest.fixture
def model_file(tmp_path, decay_model_source):
    path = tmp_path / "decay_model.py"
    path.write_text(decay_model_source + EXTRA)
    return path


def run_cli(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_start_and_end_values(model_file, capsys):
    code, out, err = run_cli(["run", f"{model_file}:build"], capsys)
    assert code == 0, err
    assert "model 'decay', 5 saved times from 0 to 4 year" in out
    line = next(x for x in out.splitlines() if x.startswith("x "))
    assert line.split()[1:3] == ["100", "6.25"]  # 100 * 0.5^4 (Euler)


def test_run_with_options_set_and_stop(model_file, capsys):
    code, out, err = run_cli(["run", f"{model_file}:build", "--stop", "2", "--dt", "0.5",
                              "--set", "rate=0.2"], capsys)
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("x "))
    assert float(line.split()[2]) == pytest.approx(100 * 0.9 ** 4)
    code, out, err = run_cli(["run", f"{model_file}:build", "--option", "rate=0.1"], capsys)
    line = next(x for x in out.splitlines() if x.startswith("x "))
    assert float(line.split()[2]) == pytest.approx(100 * 0.9 ** 4)


def test_run_a_model_object_and_a_package_module(model_file, capsys):
    assert run_cli(["run", f"{model_file}:model"], capsys)[0] == 0
    code, out, err = run_cli(["run", "sdmodels.reference.bass:build", "--stop", "5"], capsys)
    assert code == 0, err
    assert "adopters" in out


def test_out_netcdf_matches_the_python_api(tmp_path, capsys):
    out_path = tmp_path / "bass.nc"
    code, out, err = run_cli(["run", "sdmodels.reference.bass:build", "--stop", "5",
                              "--set", "imitation=0.5", "--method", "rk4",
                              "--out", str(out_path)], capsys)
    assert code == 0, err
    assert f"wrote {out_path}" in out
    expected = bass.build(stop=5).simulate(params={"imitation": 0.5}, method="rk4")
    with xr.open_dataset(out_path) as saved:
        np.testing.assert_allclose(saved["adopters"].values, expected["adopters"].values)


def test_out_csv_with_variables_and_saveper(model_file, tmp_path, capsys):
    out_path = tmp_path / "decay.csv"
    code, out, err = run_cli(["run", f"{model_file}:build", "--variables", "x",
                              "--saveper", "2", "--out", str(out_path)], capsys)
    assert code == 0, err
    frame = pd.read_csv(out_path, index_col=0)
    assert list(frame.columns) == ["x"]
    assert frame.index.tolist() == [0.0, 2.0, 4.0]
    assert frame["x"].tolist() == [100.0, 25.0, 6.25]


@pytest.mark.parametrize("args, fragment", [
    (["--set", "rte=1"], "'rte' is not a variable of model 'decay'"),
    (["--set", "rate"], "--set 'rate': write NAME=VALUE"),
    (["--set", "rate=fast"], "'fast' is not a number"),
    (["--out", "x.xlsx"], "--out x.xlsx: the file must end in .nc or .csv"),
    (["--dt", "0.3"], "not a whole number of dt=0.3 steps"),
    (["--saveper", "0.7"], "saveper=0.7 is shorter than dt=1"),
    (["--variables", "y"], "'y' is not a variable of model 'decay'"),
    (["--option", "speed=2"], "does not accept these options"),
])
def test_bad_arguments_give_clear_errors(model_file, capsys, args, fragment):
    code, out, err = run_cli(["run", f"{model_file}:build", *args], capsys)
    assert code == 2
    assert err.startswith("sdflow run: error: ")
    assert fragment in err


@pytest.mark.parametrize("target, fragment", [
    ("no_such_module_xyz:build", "cannot import module 'no_such_module_xyz'"),
    ("sdmodels.reference.bass:nothing", "has no attribute 'nothing'"),
    ("{file}:not_a_model", "is a int, not a Model or a factory"),
    ("missing/file.py:build", "file missing/file.py does not exist"),
    (":build", "names no module"),
])
def test_bad_targets(model_file, capsys, target, fragment):
    code, out, err = run_cli(["run", target.format(file=model_file)], capsys)
    assert code == 2
    assert fragment in err


def test_argparse_errors_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "sdmodels.reference.bass:build", "--dt", "fast"])
    assert info.value.code == 2
    assert "invalid float value: 'fast'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "sdmodels.reference.bass:build", "--method", "rk5"])
    with pytest.raises(SystemExit):
        main([])


PAIRS_FILE = textwrap.dedent('''
    import sdflow as sf

    def build():
        m = sf.Model("pairs", start=0, stop=1, dt=1)
        member = m.dim("member", ["a", "b", "c"])
        partner = m.dim("partner", ["a", "b", "c"])
        sector = m.dim("sector", ["x", "y"])
        m.stock("trust", initial=[[9, 1, 2], [3, 9, 5], [4, 6, 9]], dims=[member, partner])
        m.stock("share", initial=[[1, 3], [2, 6], [0, 4]], dims=[member, sector])
        return m
''')


def test_mean_over_a_partner_dimension_leaves_out_the_diagonal(tmp_path, capsys):
    # trust[a] over partners b and c: (1 + 2) / 2 = 1.5; with the diagonal it would be 4
    path = tmp_path / "pairs_model.py"
    path.write_text(PAIRS_FILE)
    code, out, err = run_cli(["run", f"{path}:build"], capsys)
    assert code == 0, err
    rows = {x.split(" (")[0]: x for x in out.splitlines() if x.startswith(("trust", "share"))}
    assert "(mean over partner, diagonal left out)" in rows["trust[a]"]
    assert [float(rows[f"trust[{e}]"].split()[-2]) for e in "abc"] == [1.5, 4.0, 5.0]
    # member x sector: different elements, so the plain mean over sector
    assert "(mean over sector)" in rows["share[a]"]
    assert [float(rows[f"share[{e}]"].split()[-2]) for e in "abc"] == [2.0, 4.0, 2.0]
