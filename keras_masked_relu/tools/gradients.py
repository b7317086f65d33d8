"""Vector-Jacobian products of a Keras layer or model, written once per backend.

The product at `inputs` and `cotangents` is the gradient of
`sum(outputs * cotangents)` with respect to the inputs and to the trainable
weights: by `tf.GradientTape` under TensorFlow, by `stateless_call` and
`jax.vjp` under JAX, and by `torch.autograd.grad` under PyTorch.

This module imports the backend in use when a product is built: it is a tool,
not part of a layer.
"""

import keras
import numpy as np


def vjp(layer, inputs, cotangents, differentiated_inputs=None, compiled=False):
    """Computes the vector-Jacobian product of `layer`, as NumPy arrays.

    Args:
        layer: A Keras layer or model; built by this call if it is not yet.
        inputs: An array or a list of arrays, passed to the layer as given.
        cotangents: An array shaped like the output, or a list with one per
            output of the layer.
        differentiated_inputs: Positions, in the flattened inputs, of the
            inputs to differentiate; `None` for all of them.
        compiled: Whether to compile the product (see `vjp_function`);
            eagerly by default.

    Returns:
        `(input_grads, weight_grads)`: a list of NumPy arrays with one per
        differentiated input and a list with one per trainable weight of the
        layer, in the order of `layer.trainable_variables`.
    """
    product = vjp_function(layer, differentiated_inputs, compiled)
    input_grads, weight_grads = product(inputs, cotangents)
    to_numpy = lambda grad: np.asarray(keras.ops.convert_to_numpy(grad))  # noqa: E731
    return [to_numpy(g) for g in input_grads], [to_numpy(g) for g in weight_grads]


def vjp_function(layer, differentiated_inputs=None, compiled=False):
    """Builds the vector-Jacobian product of `layer` under the backend in use.

    Args:
        layer: A Keras layer or model; built on the first call if it is not yet.
        differentiated_inputs: Positions, in the flattened inputs, of the
            inputs to differentiate; `None` for all of them. The others are
            data, such as a mask given as a second input.
        compiled: Whether to compile the product, with
            `tf.function(jit_compile=True)` under TensorFlow or `jax.jit` under
            JAX. PyTorch runs it eagerly only.

    Returns:
        A function `vjp(inputs, cotangents)`. `inputs` is a tensor or a list of
        tensors (NumPy arrays too), passed to the layer as given; `cotangents`
        is a tensor shaped like the output, or a list with one per output. It
        returns `(input_grads, weight_grads)`: a list of backend tensors with
        one per differentiated input and a list with one per trainable weight,
        read from the layer at each call.

    Raises:
        ValueError: for `compiled=True` under PyTorch, or another backend.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        product = _tensorflow_vjp(layer, differentiated_inputs, compiled)
    elif backend == "jax":
        product = _jax_vjp(layer, differentiated_inputs, compiled)
    elif backend == "torch":
        if compiled:
            raise ValueError("A compiled vector-Jacobian product needs TensorFlow or JAX")
        product = _torch_vjp(layer, differentiated_inputs)
    else:
        raise ValueError(f"Gradients are not available for backend {backend!r}")

    def built_vjp(inputs, cotangents):
        if not layer.built:
            layer(inputs)
        return product(inputs, cotangents)

    return built_vjp


def stateless_vjp(layer, differentiated_inputs=None):
    """Builds the vector-Jacobian product as a pure JAX function of the variables.

    Args:
        layer: A built Keras layer or model, under the JAX backend.
        differentiated_inputs: Positions, in the flattened inputs, of the
            inputs to differentiate; `None` for all of them.

    Returns:
        A function `vjp(trainable, non_trainable, inputs, cotangents)` fit for
        `jax.jit`, where `trainable` and `non_trainable` are lists of the values
        of `layer.trainable_variables` and `layer.non_trainable_variables`. It
        returns `(input_grads, weight_grads)` as lists of JAX arrays.
    """
    import jax
    import jax.numpy as jnp

    def product(trainable, non_trainable, inputs, cotangents):
        flat = [jnp.asarray(x) for x in keras.tree.flatten(inputs)]
        positions = _positions(differentiated_inputs, flat)

        def forward(differentiated, trainable):
            xs = list(flat)
            for position, x in zip(positions, differentiated):
                xs[position] = x
            outputs, _ = layer.stateless_call(
                trainable, non_trainable, keras.tree.pack_sequence_as(inputs, xs)
            )
            return keras.tree.flatten(outputs)

        outputs, pullback = jax.vjp(forward, [flat[i] for i in positions], list(trainable))
        input_grads, weight_grads = pullback(
            [jnp.asarray(c, o.dtype) for o, c in zip(outputs, keras.tree.flatten(cotangents))]
        )
        return list(input_grads), list(weight_grads)

    return product


def _positions(differentiated_inputs, flat_inputs):
    if differentiated_inputs is None:
        return list(range(len(flat_inputs)))
    return list(differentiated_inputs)


def _tensorflow_vjp(layer, differentiated_inputs, compiled):
    import tensorflow as tf

    def product(inputs, cotangents):
        flat = [tf.convert_to_tensor(x) for x in keras.tree.flatten(inputs)]
        sources = [flat[i] for i in _positions(differentiated_inputs, flat)]
        weights = [w.value for w in layer.trainable_variables]
        with tf.GradientTape() as tape:
            tape.watch(sources)
            outputs = keras.tree.flatten(layer(keras.tree.pack_sequence_as(inputs, flat)))
        grads = tape.gradient(
            outputs,
            sources + weights,
            output_gradients=[
                tf.cast(c, o.dtype) for o, c in zip(outputs, keras.tree.flatten(cotangents))
            ],
            unconnected_gradients=tf.UnconnectedGradients.ZERO,
        )
        return grads[: len(sources)], grads[len(sources) :]

    return tf.function(product, jit_compile=True) if compiled else product


def _jax_vjp(layer, differentiated_inputs, compiled):
    import jax

    pure = stateless_vjp(layer, differentiated_inputs)
    if compiled:
        pure = jax.jit(pure)

    def product(inputs, cotangents):
        trainable = [v.value for v in layer.trainable_variables]
        non_trainable = [v.value for v in layer.non_trainable_variables]
        return pure(trainable, non_trainable, inputs, cotangents)

    return product


def _torch_vjp(layer, differentiated_inputs):
    import torch

    def as_tensor(x):
        if torch.is_tensor(x):
            return x
        return keras.ops.convert_to_tensor(x, dtype=keras.backend.standardize_dtype(x.dtype))

    def product(inputs, cotangents):
        flat = [as_tensor(x) for x in keras.tree.flatten(inputs)]
        positions = _positions(differentiated_inputs, flat)
        for position in positions:
            flat[position] = flat[position].detach().requires_grad_(True)
        weights = [w.value for w in layer.trainable_variables]
        outputs = keras.tree.flatten(layer(keras.tree.pack_sequence_as(inputs, flat)))
        grads = torch.autograd.grad(
            outputs,
            [flat[i] for i in positions] + weights,
            grad_outputs=[
                torch.as_tensor(c, dtype=o.dtype, device=o.device)
                for o, c in zip(outputs, keras.tree.flatten(cotangents))
            ],
            materialize_grads=True,
        )
        return list(grads[: len(positions)]), list(grads[len(positions) :])

    return product
