"""`RunOptions`: run options checked when made, used by `simulate` and `Model.simulate`."""

import dataclasses
import inspect
import sys

import numpy as np
import pytest

import sdflow as sf
from sdflow.solve.options import RunOptions, run_options


def decay():
    m = sf.Model("decay", start=0, stop=2, dt=0.25)
    x = m.stock("x", initial=1.0)
    m.flow("out", m.const("k", 0.5) * x, source=x)
    return m


@pytest.mark.parametrize("option, value, choices", [
    ("method", "rk5", "['euler', 'rk4', 'rk45']"),
    ("on_error", "ignore", "['raise', 'mark']"),
    ("backend", "gpu", "['auto', 'batched', 'scalar', 'numba']"),
])
def test_a_bad_choice_names_the_option_the_value_and_the_choices(option, value, choices):
    with pytest.raises(sf.OptionError) as info:
        RunOptions(**{option: value})
    assert f"{option}={value!r}" in str(info.value) and choices in str(info.value)
    assert (info.value.option, info.value.value) == (option, value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, sf.ModelError)


def test_simulate_checks_its_keywords_before_building_anything():
    with pytest.raises(sf.OptionError, match="method='rk5'"):
        sf.simulate(object(), method="rk5")  # not a model either: the option fails first


@pytest.mark.parametrize("name", ["rtol", "atol"])
@pytest.mark.parametrize("value", [0, -1e-6, float("nan"), "1e-6", True])
def test_tolerances_must_be_positive_numbers(name, value):
    with pytest.raises(sf.OptionError, match=f"{name}="):
        RunOptions(**{name: value})


def test_variables_are_names():
    assert RunOptions(variables="x").variables == ("x",)
    assert RunOptions(variables=["x", "out"]).variables == ("x", "out")
    with pytest.raises(sf.OptionError, match="3 is not a string"):
        RunOptions(variables=["x", 3])


def test_options_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RunOptions().method = "rk4"


def test_numba_asked_for_but_missing_is_a_missing_dependency(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # importing numba now fails
    with pytest.raises(sf.MissingBackendError, match="pip install numba") as info:
        RunOptions(backend="numba")
    assert isinstance(info.value, sf.MissingDependencyError)
    assert isinstance(info.value, ImportError) and info.value.option == "backend"
    with pytest.raises(sf.MissingDependencyError):
        decay().simulate(backend="numba")


def test_options_object_runs_as_its_keywords_do():
    m = decay()
    by_keywords = m.simulate(method="rk4", variables=["x"], saveper=0.5)
    by_object = m.simulate(options=RunOptions(method="rk4", variables=["x"], saveper=0.5))
    assert by_keywords.dataset.identical(by_object.dataset)
    # RK4 of x' = -x/2 agrees with exp(-t/2) to about h^4 (h = 0.25)
    np.testing.assert_allclose(by_object["x"].values, np.exp(-0.5 * np.arange(0, 2.1, 0.5)),
                               rtol=1e-5)
    assert list(by_object.dataset.data_vars) == ["x"]


def test_keywords_given_with_options_replace_its_fields():
    options = RunOptions(method="rk4", saveper=0.5)
    assert run_options(options, backend="batched") == dataclasses.replace(options,
                                                                          backend="batched")
    assert run_options(options, method="euler") is options  # a default keyword: kept
    run = decay().simulate(options=options, saveper=1.0)
    assert run.dataset.attrs["method"] == "rk4" and run.dataset.attrs["saveper"] == 1.0
    with pytest.raises(sf.OptionError, match="must be a RunOptions"):
        run_options({"method": "rk4"})


def test_model_simulate_has_the_signature_of_simulate():
    shortcut = inspect.signature(sf.Model.simulate).parameters
    function = inspect.signature(sf.simulate).parameters
    assert list(shortcut)[1:] == list(function)[1:]
    assert all(shortcut[k].default == function[k].default for k in list(function)[1:])
    assert not any(p.kind is p.VAR_KEYWORD for p in shortcut.values())
    with pytest.raises(TypeError, match="methd"):
        decay().simulate(methd="rk4")
