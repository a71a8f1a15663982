"""Calibration specs: the shipped TOML files load, and bad specs name the offending key."""

from pathlib import Path

import pytest

from sdflow import SpecError
from sdflow.calibrate.spec import (CalibrationSpec, ParameterSpec, SeriesSpec, load_spec,
                                   spec_from_dict)

SPECS = Path(__file__).resolve().parents[2] / "calibration" / "specs"

GOOD = {
    "name": "t", "model": {"factory": "sdmodels.reference.bass:build"},
    "series": [{"name": "a", "file": "a.csv", "variable": "adopters", "value": "a"}],
    "parameters": [{"name": "imitation", "bounds": [0.1, 0.9],
                    "prior": {"dist": "normal", "mean": 0.4, "sd": 0.1}}],
}


@pytest.mark.parametrize("name", ["yrd", "jjj", "pprd", "lynx_hare"])
def test_shipped_specs_load(name):
    spec = load_spec(SPECS / f"{name}.toml")
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
    assert spec.parameters[0].prior.logpdf(0.5) == pytest.approx(-0.5)


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
        load_spec(bad)
    with pytest.raises(SpecError, match="model.factory"):
        spec_from_dict(_with(("model",), {"factory": "no.such.module:build"})).build_model()
    with pytest.raises(SpecError, match="model.options"):
        spec_from_dict(_with(("model",), {"factory": "sdmodels.reference.bass:build",
                                          "options": {"colour": 1}})).build_model()
