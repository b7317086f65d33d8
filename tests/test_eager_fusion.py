"""Eager calls of `ops.py` go through one compiled kernel; results must not change."""

import keras
import numpy as np

import reference as ref
from backend_utils import to_numpy
from keras_masked_relu import ops as kmr_ops
from keras_masked_relu.eager_fusion import fused_when_eager


def test_each_static_value_gets_its_own_kernel(rng):
    x = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    mask = (rng.random((5, 5, 1)) > 0.5).astype("float32")
    for shift in (0.3, -0.4, 0.3, 1.0):
        for binary in (True, False):
            got = to_numpy(kmr_ops.masked_relu(x, mask, shift=shift, binary=binary))
            np.testing.assert_allclose(got, ref.masked_relu(x, mask[None], shift=shift), atol=1e-6)


def test_positional_static_arguments_are_static(rng):
    x = rng.normal(size=(4, 3)).astype("float32")
    mask = np.ones((1, 3), "float32")
    got = to_numpy(kmr_ops.masked_relu(x, mask, 0.5, 0.0, None, 0.0, True))
    np.testing.assert_allclose(got, np.maximum(x - 0.5, 0.0), atol=1e-6)


def test_a_variable_is_read_at_each_call_not_baked_in(rng):
    x = rng.normal(size=(6, 4)).astype("float32")
    alpha = keras.Variable(np.full((4,), 0.25, "float32"))
    scale = keras.Variable(np.ones((4,), "float32"))
    first = to_numpy(kmr_ops.learnable_relu(x, alpha, scale))
    alpha.assign(np.full((4,), 0.5, "float32"))
    second = to_numpy(kmr_ops.learnable_relu(x, alpha, scale))
    np.testing.assert_allclose(first, np.where(x > 0, x, 0.25 * x), atol=1e-6)
    np.testing.assert_allclose(second, np.where(x > 0, x, 0.5 * x), atol=1e-6)


def test_shapes_and_dtypes_each_compile(rng):
    for shape, dtype in [((3, 4), "float32"), ((2, 3, 4), "float32"), ((3, 4), "float64")]:
        x = rng.normal(size=shape).astype(dtype)
        got = kmr_ops.polynomial(x, keras.ops.convert_to_tensor(np.array([1.0, -2.0, 0.5], dtype)))
        assert keras.backend.standardize_dtype(got.dtype) == dtype
        np.testing.assert_allclose(to_numpy(got), 1.0 - 2.0 * x + 0.5 * x**2, rtol=1e-6)


def test_plain_python_numbers_pass_through(rng):
    @fused_when_eager("power")
    def scaled_power(x, factor, power=1):
        return keras.ops.multiply(keras.ops.power(x, power), factor)

    x = rng.random((5,)).astype("float32")
    for factor, power in [(2.0, 1), (3.0, 2), (2.0, 2)]:
        np.testing.assert_allclose(to_numpy(scaled_power(x, factor, power=power)), factor * x**power, rtol=1e-6)
