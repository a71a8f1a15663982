"""Least squares in batches: a trial point with its Jacobian, and starts advancing together.

The reference is the same optimiser run one start at a time (each start alone is what the
sequential multistart did), so estimates must agree to the last bits that batch size can
change, and only the number of batches may differ.
"""

import threading

import numpy as np
import pytest

from sdflow.calibrate.batching import SharedBatches
from sdflow.calibrate.checkpoint import Checkpoint
from sdflow.calibrate.examples import decay_evaluator
from sdflow.calibrate.optimisers import least_squares_fit, multistart, start_points


def test_a_trial_point_and_its_jacobian_are_one_batch():
    evaluator = decay_evaluator(noisy=True)
    problem = evaluator.problem
    fit = least_squares_fit(evaluator, [0.05])
    assert fit.x[0] == pytest.approx(0.2, abs=0.01)
    # one batch per trial point (each of 1 + 2k runs; scipy's jac calls reuse it) and
    # one for the final payoff
    assert problem.batches == fit.nfev + 1
    assert problem.evaluations == 3 * fit.nfev + 1


def test_starts_advance_together_and_end_where_each_ends_alone():
    evaluator = decay_evaluator(noisy=True)
    problem = evaluator.problem
    points = start_points(problem, 4, seed=3)
    alone, batches_alone = [], []
    for z0 in points:
        before = problem.batches
        alone.append(least_squares_fit(evaluator, z0))
        batches_alone.append(problem.batches - before)
    before = problem.batches
    best, fits = multistart(evaluator, 4, 3, None, Checkpoint(None, "test"))
    together = problem.batches - before
    for a, b in zip(alone, fits):
        assert b.x == pytest.approx(a.x, rel=1e-12)
        assert b.nfev == a.nfev
    # a batch per iteration of the longest start, not one per iteration of every start
    assert together == max(batches_alone) < sum(batches_alone)


def test_shared_batches_keep_start_order_and_pass_errors_on():
    seen = []

    def predict(theta):
        seen.append(theta[:, 0].tolist())
        if (theta < 0).any():
            raise ValueError("negative")
        return [theta * 2]

    shared = SharedBatches(predict, [0, 1, 2])
    out, errors = {}, {}

    def work(i, values):
        try:
            for v in values:
                out.setdefault(i, []).append(float(shared.request(i, np.array([[v]]))[0][0, 0]))
        except ValueError as error:
            errors[i] = str(error)
        finally:
            shared.leave(i)

    threads = [threading.Thread(target=work, args=(2, [3.0, 4.0])),
               threading.Thread(target=work, args=(0, [1.0])),
               threading.Thread(target=work, args=(1, [2.0, -1.0]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [[1.0, 2.0, 3.0], [-1.0, 4.0]]      # by worker id, whatever the timing
    assert out == {0: [2.0], 1: [4.0], 2: [6.0]}
    assert errors == {1: "negative", 2: "negative"}
