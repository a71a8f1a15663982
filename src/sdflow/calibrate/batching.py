"""Several optimisers advancing together: their evaluations combined into one batch.

scipy's optimisers call the objective once per trial point and wait for the answer, so
several of them (the starts of a multistart) run in threads, and `SharedBatches` holds each
request until every running optimiser has sent one; then one batch of runs answers them
all. Each batch holds exactly the next request of every optimiser still running, in start
order, so which runs share a batch does not depend on thread timing. The threads exist
only to keep scipy's loops alive while they wait; the simulation itself is one numpy call.
"""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np


class SharedBatches:
    """Combine the ``predict`` requests of ``workers`` threads into single batches.

    Parameters
    ----------
    predict : callable
        Candidate rows ``(n, k)`` -> list of arrays whose axis 0 is the run (what
        `CalibrationProblem.predict` returns).
    workers : list of int
        The ids of the threads taking part (their order is the order within a batch).

    Examples
    --------
    >>> calls = []
    >>> def predict(theta):
    ...     calls.append(len(theta))
    ...     return [theta * 10]
    >>> shared = SharedBatches(predict, [0, 1])
    >>> out = {}
    >>> def work(i):
    ...     out[i] = shared.request(i, np.full((2, 1), float(i)))[0].ravel().tolist()
    ...     shared.leave(i)
    >>> threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    >>> for t in threads: t.start()
    >>> for t in threads: t.join()
    >>> out[0], out[1], calls           # one batch of four runs answered both
    ([0.0, 0.0], [10.0, 10.0], [4])
    """

    def __init__(self, predict: Callable, workers: list[int]):
        self.predict = predict
        self.active = set(workers)
        self.pending: dict[int, np.ndarray] = {}
        self.answers: dict[int, object] = {}
        self.batches = 0
        self.stopped: BaseException | None = None
        self._lock = threading.Condition()

    def request(self, worker: int, theta: np.ndarray) -> list[np.ndarray]:
        """Evaluate ``theta`` for ``worker`` as part of the next shared batch."""
        with self._lock:
            if self.stopped is not None:
                raise self.stopped
            self.pending[worker] = np.atleast_2d(theta)
            self._run_if_complete()
            while worker not in self.answers:
                self._lock.wait()
            answer = self.answers.pop(worker)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def leave(self, worker: int) -> None:
        """``worker`` has finished: later batches no longer wait for it."""
        with self._lock:
            self.active.discard(worker)
            self._run_if_complete()

    def stop(self, error: BaseException) -> None:
        """Make every waiting and later request raise ``error`` (an interrupted search
        stops all its optimisers, not only the one that saw the interruption)."""
        with self._lock:
            self.stopped = error
            for worker in self.pending:
                self.answers[worker] = error
            self.pending = {}
            self._lock.notify_all()

    def _run_if_complete(self) -> None:
        if not self.pending or set(self.pending) != self.active:
            return
        order = sorted(self.pending)
        rows = [self.pending[w] for w in order]
        self.pending = {}
        try:
            out = self.predict(np.concatenate(rows))
            self.batches += 1
            edges = np.cumsum([len(r) for r in rows])[:-1]
            pieces = [np.split(part, edges) for part in out]
            for i, worker in enumerate(order):
                self.answers[worker] = [p[i] for p in pieces]
        except Exception as error:      # every waiting optimiser learns of the failure
            for worker in order:
                self.answers[worker] = error
        self._lock.notify_all()
