"""The protocol every fixed-step solver follows, and the state arithmetic they share."""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

#: f(t, y, commit) -> dy; commit=True only for the first evaluation of a step, which
#: advances discrete state (DELAY FIXED pipelines).
Derivative = Callable[[float, object, bool], object]


class FixedStepSolver(Protocol):
    """Advances the state by one step of ``dt``.

    ``dy`` is the derivative already computed at ``(t, y)`` (the first stage of every
    method); ``combine(y, [(h, d), ...])`` returns ``y + sum(h * d)`` for the backend's
    state type (numpy arrays, or lists of floats on the scalar path).
    """

    name: str
    order: int
    #: the method's Butcher tableau (`tableau.ButcherTableau`), which generated loops
    #: (the scalar path's fused loop, the numba backend) read to run the same method
    tableau: object

    def step(self, f: Derivative, t: float, y, dt: float, dy, combine) -> object: ...


def combine_arrays(y: np.ndarray, terms: Sequence[tuple[float, np.ndarray]]) -> np.ndarray:
    out = y + terms[0][0] * terms[0][1]
    for h, d in terms[1:]:
        out += h * d
    return out


def combine_floats(y: list, terms: Sequence[tuple[float, list]]) -> list:
    if len(terms) == 1:
        h, d = terms[0]
        return [a + h * b for a, b in zip(y, d)]
    out = list(y)
    for h, d in terms:
        out = [a + h * b for a, b in zip(out, d)]
    return out
