"""Models travel to other processes without their compiled caches."""

import pickle

import numpy as np
import pytest

from sdflow.forecasting import Ensemble, Scenario, Step, portable

from .models import regions


def test_compiled_model_round_trip_gives_identical_runs():
    model = regions()
    before = model.simulate(params={"rate": np.array([[0.01, 0.02, 0.03]] * 2)})
    with pytest.raises(TypeError):  # the cached graph (and compiled code) do not pickle
        pickle.dumps(model)
    copy = portable.loads(portable.dumps(model))
    assert copy._graph is None  # compiled code is cached per graph: none travels
    after = copy.simulate(params={"rate": np.array([[0.01, 0.02, 0.03]] * 2)})
    assert before.dataset.identical(after.dataset)


def test_ensemble_with_prepared_scenarios_round_trips():
    e = Ensemble(regions(), [Scenario("s", changes=[Step("rate", at=2025, to=0.1)])],
                 n=4, chunk_size=4, variables=["total output"])
    expected = e.run_chunk(0)  # compiles and caches scenario models
    data = portable.dumps(e)
    assert portable.token(data) == portable.token(portable.dumps(e))
    assert portable.loads(data).run_chunk(0).identical(expected)
    assert isinstance(pickle.loads(data), Ensemble)
