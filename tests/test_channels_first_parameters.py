"""Per-channel parameters land on the channel axis when it is not the last one.

With channels first and a last spatial size equal to the channel count, a
parameter of shape `(1, C, 1, 1)` added by Keras's TensorFlow `add` as its
second argument goes along the last axis (it is taken for a bias). The
layers must add it along the channel axis on every backend.
"""

import keras
import numpy as np
import reference as ref

from keras_masked_relu import LearnableReLU, RationalActivation

SHAPE = (2, 4, 3, 4)  # (batch, channels, height, width): width == channels


def to_last(x):
    return np.moveaxis(x, 1, -1)


def test_learnable_relu_shift_per_channel(rng):
    x = rng.normal(size=SHAPE).astype("float32")
    layer = LearnableReLU(learnable_shift=True, data_format="channels_first")
    layer.build(SHAPE)
    alpha, scale, shift = (rng.uniform(0.1, 2.0, size=w.shape) for w in layer.weights)
    for weight, value in zip(layer.weights, (alpha, scale, shift)):
        weight.assign(value.astype("float32"))
    flat = lambda w: w.reshape(-1)  # noqa: E731
    expected = ref.learnable_relu(to_last(x), flat(alpha), flat(scale), flat(shift))
    y = to_last(keras.ops.convert_to_numpy(layer(x)))
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_grouped_rational_per_group(rng):
    x = rng.normal(size=SHAPE).astype("float32")
    layer = RationalActivation(groups=4, data_format="channels_first")
    layer.build(SHAPE)
    numerator = rng.uniform(-0.5, 0.5, size=(4, 6))
    denominator = rng.uniform(-0.5, 0.5, size=(4, 4))
    layer.numerator.assign(numerator.astype("float32"))
    layer.denominator.assign(denominator.astype("float32"))
    expected = ref.grouped(ref.rational, to_last(x), numerator, denominator)
    y = to_last(keras.ops.convert_to_numpy(layer(x)))
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
