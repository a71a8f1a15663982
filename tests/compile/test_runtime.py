"""Runtime helpers of generated code that must agree bit for bit with numpy.

Expected numbers: numpy's own ``np.sum`` on the same arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from sdflow.compile.runtime import sum_over


@pytest.mark.parametrize("shape", [(50, 6, 6), (500, 7), (1, 5, 3), (40, 8, 3), (100, 1, 6),
                                   (3, 12), (200, 3, 4)])
def test_sum_over_is_bit_identical_to_numpy(shape):
    rng = np.random.default_rng(1)
    a = rng.normal(size=shape) * 1e3
    for arr in (a, np.swapaxes(a, 1, -1), -np.abs(a) * 0.0):
        for axis in range(1, arr.ndim):
            expected, got = np.sum(arr, axis=axis), sum_over(arr, axis)
            assert got.dtype == expected.dtype and got.shape == expected.shape
            assert np.array_equal(got, expected)
            assert np.array_equal(np.signbit(got), np.signbit(expected))  # -0.0 too


def test_sum_over_keeps_numpy_for_booleans():
    flags = np.array([[True, False, True]])
    assert sum_over(flags, 1).dtype == np.sum(flags, axis=1).dtype
