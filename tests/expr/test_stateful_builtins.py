"""The registry of builtins with memory: every DSL wrapper makes a registered kind, and
every XMILE name it writes is one sdflow's XMILE reader (PySD's translator) reads back."""

import inspect

import pytest

import sdflow as sf
from sdflow.dsl import stateful
from sdflow.errors import ModelError
from sdflow.expr.nodes import Stateful
from sdflow.expr.stateful_builtins import STATEFUL


def _wrappers():
    return {name: f for name, f in inspect.getmembers(stateful, inspect.isfunction)
            if not name.startswith("_") and f.__module__ == stateful.__name__}


def test_every_wrapper_makes_a_registered_kind_and_every_kind_has_a_wrapper():
    m = sf.Model("m", start=0, stop=1, dt=0.5)
    x = m.const("x", 1.0)
    made = set()
    for name, wrapper in _wrappers().items():
        params = [p for p in inspect.signature(wrapper).parameters.values()
                  if p.default is inspect.Parameter.empty]
        args = [3 if p.name == "order" else x for p in params]
        node = wrapper(*args)
        assert isinstance(node, Stateful), name
        assert node.kind in STATEFUL, name
        made.add(node.kind)
    assert made == set(STATEFUL)


def test_an_unregistered_kind_is_refused_with_the_choices():
    with pytest.raises(ModelError, match=r"unknown builtin with memory 'smooth4'.*'smooth3'"):
        Stateful("smooth4", input=1.0)


def test_xmile_names_are_read_by_the_xmile_front_end():
    pytest.importorskip("pysd")
    from pysd.translators.xmile.xmile_structures import structures
    written = {spec.xmile.lower() for spec in STATEFUL.values() if spec.xmile}
    assert written <= set(structures)


def test_stage_counts():
    # SMOOTH3/DELAY3 are three first-order stages (Vensim's documentation); the _n forms
    # take the order argument, and the rest have none
    assert {k: s.stages for k, s in STATEFUL.items() if s.family in ("smooth", "delay")} == {
        "smooth": 1, "smooth3": 3, "smooth_n": None, "delay1": 1, "delay3": 3, "delay_n": None}
