"""The compiled scalar maximum and minimum give numpy's ufuncs' bits, signed zeros and NaN included."""

import itertools

import numpy as np

from critmin.engine.numpy_scalars import maximum, minimum

VALUES = (0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan, 5e-324)


def test_maximum_and_minimum_are_numpys_bit_for_bit():
    for a, b in itertools.product(VALUES, repeat=2):
        for ours, numpys in ((maximum, np.maximum), (minimum, np.minimum)):
            got, want = np.float64(ours(a, b)), numpys(np.float64(a), np.float64(b))
            assert got.tobytes() == want.tobytes(), (ours.__name__, a, b, got, want)
            vector = numpys(np.full(16, a), np.full(16, b))  # numpy's vector loop agrees
            assert (vector.view(np.uint64) == want.view(np.uint64)).all(), (numpys.__name__, a, b)
