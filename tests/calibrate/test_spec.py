"""Calibration specs: the shipped TOML files load, and bad specs name the offending key."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sdflow import SpecError
from sdflow.calibrate.spec import (CalibrationSpec, ParameterSpec, Prior, SeriesSpec,
                                   load_calibration_spec, spec_from_dict)

SPECS = Path(__file__).resolve().parents[2] / "calibration" / "specs"

GOOD = {
    "name": "t", "model": {"factory": "sdmodels.reference.bass:build"},
    "series": [{"name": "a", "file": "a.csv", "variable": "adopters", "value": "a"}],
    "parameters": [{"name": "imitation", "bounds": [0.1, 0.9],
                    "prior": {"dist": "normal", "mean": 0.4, "sd": 0.1}}],
}


@pytest.mark.parametrize("name", ["yrd", "jjj", "pprd", "lynx_hare"])
def test_shipped_specs_load(name):
    spec = load_calibration_spec(SPECS / f"{name}.toml")
    assert spec.name == name
    assert all(s.file.exists() for s in spec.series)
    assert len({p.label for p in spec.parameters}) == len(spec.parameters)


def test_python_api_and_toml_agree(tmp_path):
    spec = spec_from_dict(GOOD, tmp_path)
    direct = CalibrationSpec("t", "sdmodels.reference.bass:build",
                             [SeriesSpec("a", tmp_path / "a.csv", "adopters", value="a")],
                             [ParameterSpec("imitation", (0.1, 0.9),
                                            prior=spec.parameters[0].prior)],
                             base_dir=tmp_path)
    assert spec == direct
    # log N(0.5; 0.4, 0.1) = -0.5 - log(0.1 sqrt(2 pi))
    assert spec.parameters[0].prior.logpdf(0.5) == pytest.approx(
        -0.5 - np.log(0.1 * np.sqrt(2 * np.pi)))


def _with(path, value):
    raw = {k: (v.copy() if isinstance(v, dict) else [dict(x) for x in v]
               if isinstance(v, list) else v) for k, v in GOOD.items()}
    *parents, last = path
    node = raw
    for p in parents:
        node = node[p]
    node[last] = value
    return raw


@pytest.mark.parametrize("path, value, key", [
    (("series", 0, "measure"), "levels", "series[0].measure"),
    (("parameters", 0, "bounds"), [0.9, 0.1], "parameters[0].bounds"),
    (("parameters", 0, "bounds"), "wide", "parameters[0].bounds"),
    (("parameters", 0, "initial"), 5.0, "parameters[0].initial"),
    (("parameters", 0, "prior"), {"dist": "cauchy"}, "parameters[0].prior.dist"),
    (("series", 0, "colour"), "red", "series[0].colour"),
    (("payoff",), {"kind": "huber"}, "payoff.kind"),
    (("optimiser",), {"method": "simplex"}, "optimiser.method"),
    (("optimiser",), {"starts": 0}, "optimiser.starts"),
    (("series", 0, "weight"), "heavy", "series[0].weight"),
    (("model",), {}, "model.factory"),
])
def test_bad_specs_name_the_key(path, value, key):
    with pytest.raises(SpecError) as error:
        spec_from_dict(_with(path, value))
    assert str(error.value).startswith(key)


def test_bad_toml_and_bad_model(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_calibration_spec(bad)
    with pytest.raises(SpecError, match="model.factory"):
        spec_from_dict(_with(("model",), {"factory": "no.such.module:build"})).build_model()
    with pytest.raises(SpecError, match="model.options"):
        spec_from_dict(_with(("model",), {"factory": "sdmodels.reference.bass:build",
                                          "options": {"colour": 1}})).build_model()


# -- checks at load time: each case names the file, the key and what is expected ----------

TOML = '''
name = "bass"
seed = 1
[model]
factory = "sdmodels.reference.bass:build"
dt = 0.25
[period]
fit = [2001, 2010]
test = [2011, 2015]
[[series]]
name = "adopters"
file = "a.csv"
variable = "adopters"
value = "a"
[[parameters]]
name = "imitation"
bounds = [0.1, 0.9]
prior = { dist = "lognormal", median = 0.4, sigma = 0.5 }
[optimiser]
starts = 2
[uncertainty]
profile_points = 5
[mcmc]
walkers = 8
'''


def write_spec(tmp_path, old="", new=""):
    assert old in TOML
    path = tmp_path / "spec.toml"
    path.write_text(TOML.replace(old, new, 1))
    return path


def test_the_base_spec_of_these_checks_loads(tmp_path):
    spec = load_calibration_spec(write_spec(tmp_path))
    assert spec.test_period == (2011, 2015) and spec.mcmc == {"walkers": 8}


@pytest.mark.parametrize("old, new, key, expected", [
    ("seed = 1", 'seed = "abc"', "seed", "expected a whole number >= 0, got 'abc'"),
    ("dt = 0.25", 'dt = "x"', "model.dt", "expected a number > 0, got 'x'"),
    ("dt = 0.25", 'options = "abc"', "model.options", "expected a table, got 'abc'"),
    ("starts = 2", 'options = "abc"', "optimiser.options", "expected a table, got 'abc'"),
    ("starts = 2", "options = { popsize = 10 }", "optimiser.options.popsize",
     "unknown key"),
    ("profile_points = 5", 'profile_points = "x"', "uncertainty.profile_points",
     "expected a whole number >= 3, got 'x'"),
    ("walkers = 8", 'walkers = "many"', "mcmc.walkers",
     "expected a whole number >= 2, got 'many'"),
    ("walkers = 8", "walker = 8", "mcmc.walker", "did you mean 'walkers'?"),
    ("starts = 2", "start = 2", "optimiser.start", "did you mean 'starts'?"),
    ('value = "a"', 'valeu = "a"', "series[0].valeu", "did you mean 'value'?"),
    ("median = 0.4", "median = -0.4", "parameters[0].prior.median", "must be > 0"),
    ("sigma = 0.5", "sigma = 0", "parameters[0].prior.sigma", "must be > 0"),
    ("bounds = [0.1, 0.9]", "bounds = [0.9, 0.9]", "parameters[0].bounds", "lower < upper"),
    ("bounds = [0.1, 0.9]", "bounds = [0.9, 0.1]", "parameters[0].bounds", "lower < upper"),
    ("bounds = [0.1, 0.9]", 'bounds = ["a", 1]', "parameters[0].bounds", "two numbers"),
    ('name = "imitation"', "name = 3", "parameters[0].name", "expected a string"),
    ("walkers = 8", "walkers = 7", "mcmc.walkers", "must be even"),
    ("walkers = 8", "steps = 10\nburn = 10", "mcmc.burn", "must be below steps"),
])
def test_bad_fields_fail_at_load_naming_file_key_and_expectation(tmp_path, old, new, key,
                                                                 expected):
    path = write_spec(tmp_path, old, new)
    with pytest.raises(SpecError) as error:
        load_calibration_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {key}: ") and expected in message


def test_a_spec_that_is_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "latin1.toml"
    text = TOML.replace('name = "bass"', 'name = "Zürich"')
    path.write_bytes(text.encode("latin-1"))
    offset = text.encode("latin-1").index(b"\xfc")     # the latin-1 byte of "ü"
    with pytest.raises(SpecError) as error:
        load_calibration_spec(path)
    assert str(error.value).startswith(f"{path}: not UTF-8")
    assert f"byte {offset} (0xfc)" in str(error.value)


@pytest.mark.parametrize("fit, test", [
    ("[2001, 2010]", "[2010, 2015]"),      # one shared year
    ("[2001, 2010]", "[2005, 2008]"),      # inside
    ("[2005, 2010]", "[2001, 2020]"),      # around
])
def test_a_test_period_overlapping_the_fit_period_is_refused(tmp_path, fit, test):
    path = write_spec(tmp_path, "fit = [2001, 2010]\ntest = [2011, 2015]",
                      f"fit = {fit}\ntest = {test}")
    with pytest.raises(SpecError) as error:
        load_calibration_spec(path)
    assert str(error.value).startswith(f"{path}: period.test: ")
    assert "overlaps the fit period" in str(error.value)


def python_spec(**options):
    return CalibrationSpec("t", "m:build", [SeriesSpec("a", Path("a.csv"), "a", value="a")],
                           [ParameterSpec("p", (0.0, 1.0))], **options)


def test_a_fit_period_without_end_overlaps_any_later_test_period():
    with pytest.raises(SpecError, match=r"^period.test: \[2011, 2015\] overlaps"):
        python_spec(fit_period=(2001, None), test_period=(2011, 2015))
    assert python_spec(fit_period=(2006, None), test_period=(2001, 2005)).test_period


@pytest.mark.parametrize("points", [0, 1, 2])
def test_too_few_profile_points_are_refused(tmp_path, points):
    # with 0 points the profile grid was empty: every parameter came out "not identifiable"
    path = write_spec(tmp_path, "profile_points = 5", f"profile_points = {points}")
    with pytest.raises(SpecError, match="uncertainty.profile_points: expected a whole "
                                        "number >= 3"):
        load_calibration_spec(path)
    with pytest.raises(SpecError, match="uncertainty.profile_points"):
        python_spec(profile_points=points)


def test_python_specs_get_the_same_value_checks():
    with pytest.raises(SpecError, match="^seed: expected a whole number"):
        python_spec(seed="abc")
    with pytest.raises(SpecError, match="^mcmc.walkers: expected a whole number"):
        python_spec(mcmc={"walkers": "many"})
    with pytest.raises(SpecError, match="^optimiser.options.popsize: unknown key"):
        python_spec(optimiser_options={"popsize": 5})
    with pytest.raises(SpecError, match="^prior.median: -1.0 must be > 0"):
        Prior("lognormal", -1.0, 0.5)


def test_old_load_spec_name_warns_and_reads_the_same_spec():
    # kept for one release: the name alone said nothing of what it loads (forecasting
    # had a load_spec of its own, returning a ForecastSpec)
    import sdflow.calibrate

    with pytest.warns(DeprecationWarning, match="use sdflow.calibrate.load_calibration_spec"):
        old = sdflow.calibrate.load_spec(SPECS / "lynx_hare.toml")
    # compared as plain values: with --doctest-modules, pytest's importlib mode can import
    # the spec module a second time, so the two objects' classes need not be the same
    assert dataclasses.asdict(old) == dataclasses.asdict(load_calibration_spec(
        SPECS / "lynx_hare.toml"))


def test_smc_table_is_checked_at_load():
    from sdflow.calibrate.spec import spec_from_dict

    base = {"model": {"factory": "m:build"},
            "series": [{"name": "x", "file": "x.csv", "variable": "x", "value": "x"}],
            "parameters": [{"name": "k", "bounds": [0, 1]}]}
    assert spec_from_dict({**base, "smc": {"particles": 200}}).smc == {"particles": 200}
    with pytest.raises(SpecError, match="smc.particle: unknown key; did you mean 'particles'"):
        spec_from_dict({**base, "smc": {"particle": 200}})
    with pytest.raises(SpecError, match=r"smc.target_ess: expected a number strictly"):
        spec_from_dict({**base, "smc": {"target_ess": 1.0}})
    with pytest.raises(SpecError, match=r"smc: the spec has both \[smc\] and \[mcmc\]"):
        spec_from_dict({**base, "smc": {}, "mcmc": {}})
    with pytest.raises(SpecError, match=r"uncertainty.draws: expected a whole number >= 0"):
        spec_from_dict({**base, "uncertainty": {"draws": -1}})


def test_model_backend_is_checked_and_left_out_of_the_fingerprint():
    import dataclasses
    from sdflow.calibrate.checkpoint import fingerprint
    from sdflow.calibrate.examples import decay_spec
    spec = decay_spec()
    assert spec.backend == "batched"
    with pytest.raises(SpecError, match=r"model\.backend: .*one of \['batched', 'numba'\]"):
        dataclasses.replace(spec, backend="fast")
    pytest.importorskip("numba")
    compiled = spec.model.compile(["k"])
    numba_spec = dataclasses.replace(spec, backend="numba")
    # the same numbers either way, so a checkpoint of one resumes on the other
    assert fingerprint(numba_spec, compiled) == fingerprint(spec, compiled)
