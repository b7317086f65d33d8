"""Gradients through a layer, written once per backend.

The package itself never imports a backend; its tests need to, to take
gradients without going through the code under test.
"""

import keras
import numpy as np


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def layer_gradients(layer, inputs, cotangent):
    """Gradients of `sum(layer(inputs) * cotangent)`.

    Args:
        layer: A built layer.
        inputs: A NumPy array, or a list of them for a layer with two inputs.
        cotangent: NumPy array shaped like the output.

    Returns:
        `(input_grads, weight_grads)`: a list with one array per input and a
        list with one array per trainable weight of the layer.
    """
    backend = keras.backend.backend()
    many = isinstance(inputs, (list, tuple))
    arrays = list(inputs) if many else [inputs]
    if not layer.built:
        layer(inputs)
    weights = layer.trainable_variables
    if backend == "tensorflow":
        import tensorflow as tf

        xs = [tf.constant(a) for a in arrays]
        with tf.GradientTape() as tape:
            tape.watch(xs)
            out = layer(xs if many else xs[0])
            loss = tf.reduce_sum(out * tf.constant(cotangent, out.dtype))
        grads = tape.gradient(loss, xs + [w.value for w in weights])
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        non_trainable = [v.value for v in layer.non_trainable_variables]

        def loss_fn(xs, trainable):
            out, _ = layer.stateless_call(trainable, non_trainable, xs if many else xs[0])
            return jnp.sum(out * jnp.asarray(cotangent, out.dtype))

        gx, gw = jax.grad(loss_fn, argnums=(0, 1))(
            [jnp.asarray(a) for a in arrays], [w.value for w in weights]
        )
        grads = list(gx) + list(gw)
    else:
        import torch

        xs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = layer(xs if many else xs[0])
        loss = torch.sum(out * torch.tensor(cotangent, dtype=out.dtype))
        grads = torch.autograd.grad(loss, xs + [w.value for w in weights])
    grads = [to_numpy(g) for g in grads]
    return grads[: len(arrays)], grads[len(arrays):]


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
