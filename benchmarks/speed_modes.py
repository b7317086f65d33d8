"""What one timed call is, per mode and backend.

Each function takes a built layer (inside a one-layer model) and backend tensors
and returns a callable that does the work once and waits for its result.

- `eager forward`: `layer(x)`.
- `eager forward+backward`: the layer's vector-Jacobian product with respect
  to its input `x` and its trainable weights, op by op
  (`keras_masked_relu.tools.gradients.vjp_function`). A mask given as a
  second input is data here, as in a train step: it gets no gradient.
- `compiled forward`: `layer(x)` under `tf.function(jit_compile=True)` or
  `jax.jit`.
- `compiled forward+backward`: the same product under
  `tf.function(jit_compile=True)` or `jax.jit`.
- `compiled train_step`: `model.train_on_batch` with SGD, an MSE loss and
  `jit_compile=True` (XLA; `torch.compile` under PyTorch). A layer without
  weights has no backward pass here.
- `eager train_step`: the same step without compiling (PyTorch).
"""

import keras

from keras_masked_relu.tools.gradients import vjp_function


def compile_counter(mode, layer):
    """A function returning how many times `layer` has been traced for `mode`.

    Eager modes have none (`None`). Under TensorFlow and JAX `layer.call` is
    wrapped to count its Python runs, which a compiled function makes only
    while tracing. Under PyTorch that wrapper would itself break the
    `torch.compile` graph, so Dynamo's own count of compiled graphs is read.
    """
    if mode.startswith("eager"):
        return lambda: None
    if keras.backend.backend() == "torch":
        from torch._dynamo.utils import counters

        return lambda: counters["stats"]["unique_graphs"]
    call, count = layer.call, [0]

    def counted(*args, **kwargs):
        count[0] += 1
        return call(*args, **kwargs)

    object.__setattr__(layer, "call", counted)
    return lambda: count[0]


def modes():
    backend = keras.backend.backend()
    names = ["eager forward", "eager forward+backward"]
    if backend in ("tensorflow", "jax"):
        return names + ["compiled forward", "compiled forward+backward", "compiled train_step"]
    return names + ["eager train_step", "compiled train_step"]


def timed_call(mode, model, layer, inputs, cotangent, target):
    """The callable that `mode` times for this layer."""
    backend = keras.backend.backend()
    arg = inputs if len(inputs) == 2 else inputs[0]
    if mode == "eager forward":
        return lambda: _wait(layer(arg))
    if mode.endswith("forward+backward"):
        product = vjp_function(
            layer, differentiated_inputs=[0], compiled=mode.startswith("compiled")
        )
        return lambda: _wait(product(arg, cotangent))
    if mode == "compiled forward":
        return _compiled_forward(backend, layer, arg)
    if mode.endswith("train_step"):
        if backend == "torch" and mode.startswith("compiled"):
            import torch._dynamo

            # Every model's step is the same code object; Dynamo keeps 8
            # compiled versions of it by default and runs the rest eagerly.
            torch._dynamo.config.cache_size_limit = 64
            torch._dynamo.config.accumulated_cache_size_limit = 512
        model.compile(
            optimizer=keras.optimizers.SGD(1e-4),
            loss="mse",
            jit_compile=mode.startswith("compiled"),
        )
        return lambda: model.train_on_batch(arg, target)
    raise ValueError(f"Unknown mode: {mode!r}")


def _wait(result):
    """Waits for every tensor of `result` (JAX dispatches asynchronously)."""
    for tensor in keras.tree.flatten(result):
        if hasattr(tensor, "block_until_ready"):
            tensor.block_until_ready()
    return result


def _compiled_forward(backend, layer, arg):
    if backend == "tensorflow":
        import tensorflow as tf

        forward = tf.function(layer.__call__, jit_compile=True)
        return lambda: forward(arg)
    import jax

    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    forward = jax.jit(lambda t, n, x: layer.stateless_call(t, n, x)[0])
    return lambda: forward(trainable, non_trainable, arg).block_until_ready()
