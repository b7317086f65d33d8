"""Gradients through a layer, and central differences to check them against.

The gradients come from `keras_masked_relu.tools.gradients`, which takes them
with the backend's own autodiff (`tf.GradientTape`, `jax.vjp`,
`torch.autograd`) rather than through the code under test.
"""

import keras
import numpy as np

from keras_masked_relu.tools.gradients import vjp


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def layer_gradients(layer, inputs, cotangent):
    """Gradients of `sum(layer(inputs) * cotangent)`.

    Args:
        layer: A layer; built by this call if it is not yet.
        inputs: A NumPy array, or a list of them for a layer with two inputs.
        cotangent: NumPy array shaped like the output.

    Returns:
        `(input_grads, weight_grads)`: a list with one array per input and a
        list with one array per trainable weight of the layer.
    """
    return vjp(layer, inputs, cotangent)


def central_differences(fn, x, eps=1e-6):
    """Gradient of the scalar `fn` at `x` by central differences."""
    x = np.array(x, np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = fn(x)
        flat[i] = keep - eps
        down = fn(x)
        flat[i] = keep
        gflat[i] = (up - down) / (2 * eps)
    return grad
