"""The one rule by which two runs give "the same numbers".

For each compared array `a` and its reference `ref` (an output, or the
gradient for one input or one trainable weight):

    max|a - ref| <= tol * (1 + max|ref|)

with `tol` from `TOLERANCES` for the arrays' dtype. The `1 +` keeps the rule
absolute for arrays near zero and relative for large ones; a weight's gradient
is a sum over the batch, with cancellation, hence its larger `tol`.

Example:
>>> import numpy as np
>>> from keras_masked_relu.tools.rule import scaled_difference, TOLERANCES
>>> scaled_difference(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 3e-6]))
1e-06
>>> TOLERANCES["float32"]
Tolerances(outputs=1e-05, gradients=0.0001)
"""

import collections

import numpy as np

Tolerances = collections.namedtuple("Tolerances", ["outputs", "gradients"])

TOLERANCES = {
    "float32": Tolerances(outputs=1e-5, gradients=1e-4),
    "float64": Tolerances(outputs=1e-12, gradients=1e-10),
}
"""`tol` for outputs and for gradients, by the dtype the model computes in."""


def scaled_difference(a, ref):
    """`max|a - ref| / (1 + max|ref|)`: the number the rule bounds by `tol`.

    Args:
        a: The array to check.
        ref: The reference array, of the same shape.

    Returns:
        A float: 0.0 for empty arrays; `inf` when the shapes differ or when
        either array holds a NaN or an infinity the other does not hold at
        the same place.
    """
    a = np.asarray(a, np.float64)
    ref = np.asarray(ref, np.float64)
    if a.shape != ref.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    finite = np.isfinite(ref)
    if not (
        np.array_equal(np.isfinite(a), finite)
        and np.array_equal(a[~finite], ref[~finite], equal_nan=True)
    ):
        return float("inf")
    if not finite.any():
        return 0.0
    difference = np.abs(a[finite] - ref[finite]).max()
    return float(difference / (1.0 + np.abs(ref[finite]).max()))


def within(a, ref, tol):
    """Whether `a` agrees with `ref` by the rule, for the given `tol`."""
    return scaled_difference(a, ref) <= tol
