"""Tolerances for float16 and bfloat16 results, derived from each dtype's epsilon."""

import keras
import numpy as np

# Machine epsilon of each compute dtype: the spacing of numbers in [1, 2).
EPSILON = {"float16": 2.0**-10, "bfloat16": 2.0**-7}


def assert_within_roundings(y, expected, scale, compute, roundings=4):
    """Checks `|y - expected| <= roundings * epsilon * scale`, element by element.

    Args:
        y: The result, a tensor of dtype `compute`.
        expected: The float64 reference.
        scale: Array broadcastable to `expected`: a bound on the magnitudes
            that the result is rounded from (so that the bound holds near
            zeros of the result too).
        compute: `"float16"` or `"bfloat16"`.
        roundings: How many roundings of that size the computation makes.
    """
    y = np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(y, "float32")), np.float64)
    bound = roundings * EPSILON[compute] * np.asarray(scale, np.float64)
    excess = np.abs(y - expected) / bound
    worst = np.unravel_index(np.argmax(excess), excess.shape)
    assert excess.max() <= 1.0, (
        f"{compute}: error {excess.max():.2f} x the bound of {roundings} roundings at "
        f"{worst}: got {y[worst]}, expected {np.broadcast_to(expected, y.shape)[worst]}"
    )
