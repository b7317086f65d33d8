"""Runs a function of `ops.py` as one compiled kernel when it is called eagerly.

An activation written as a few `keras.ops` calls reads and writes the whole
tensor once per call when run op by op, forward and backward. Compiled, the
calls fuse into one pass each way. Inside a compiled graph (a `fit` step, an
export) the surrounding compiler already fuses them, so nothing changes there.
It is opt-in: `keras_masked_relu.config.enable_eager_fusion()`.
"""

import collections
import functools

import keras

from keras_masked_relu import config

_TENSOR = "<tensor>"

# TensorFlow kernels kept per fused function, least recently used dropped first: a
# forward and a backward kernel per static configuration and input signature met, so
# about half as many signatures. Eager calls over more keep compiling.
MAX_TENSORFLOW_KERNELS = 64


def fused_when_eager(*static_argnames):
    """Decorates an elementwise `ops.py` function so that eager calls fuse.

    Nothing changes unless `keras_masked_relu.config.enable_eager_fusion()`
    was called. Under JAX the function is then wrapped in `jax.jit` (inside an
    outer trace the nested call is inlined by XLA), whose own cache holds its
    compilations. Under TensorFlow an eager call runs as two
    `tf.function(jit_compile=True)` kernels, the forward pass and the
    vector-Jacobian product, joined by `tf.custom_gradient`; graph-mode calls
    run the plain function, so saved graphs hold only standard ops. At most
    `MAX_TENSORFLOW_KERNELS` kernels are kept per function. Under PyTorch it
    runs as is.

    Args:
        *static_argnames: Names of the arguments that are Python values
            (floats, bools, `None`, functions); one kernel is compiled per value.

    Returns:
        The decorator.

    Example:
    >>> from keras_masked_relu._eager_fusion import fused_when_eager
    >>> import keras
    >>> @fused_when_eager("shift")
    ... def shifted(x, shift=0.0):
    ...     return keras.ops.relu(x - shift)
    >>> shifted(keras.ops.convert_to_tensor([0.0, 1.0]), shift=0.5)
    [0.0, 0.5]
    """

    def decorate(function):
        tensorflow_kernels = _LeastRecentlyUsed(MAX_TENSORFLOW_KERNELS)

        @functools.cache
        def jax_kernel():
            import jax

            return jax.jit(function, static_argnames=static_argnames)

        @functools.wraps(function)
        def run(*args, **kwargs):
            if not config.is_eager_fusion_enabled():
                return function(*args, **kwargs)
            backend = keras.backend.backend()
            if backend == "jax":
                return jax_kernel()(*_read_variables(args), **_read_variables(kwargs))
            if backend == "tensorflow":
                import tensorflow as tf

                if tf.executing_eagerly():
                    return _tensorflow_call(
                        function,
                        tensorflow_kernels,
                        _read_variables(args),
                        _read_variables(kwargs),
                    )
            return function(*args, **kwargs)

        run._tensorflow_kernels = tensorflow_kernels
        return run

    return decorate


class _LeastRecentlyUsed(collections.OrderedDict):
    """A dict of at most `size` entries that drops the least recently used one."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def get_or_make(self, key, make):
        if key in self:
            self.move_to_end(key)
        else:
            self[key] = make()
            if len(self) > self.size:
                self.popitem(last=False)
        return self[key]


def _read_variables(values):
    read = lambda v: keras.ops.convert_to_tensor(v) if isinstance(v, keras.Variable) else v  # noqa: E731
    if isinstance(values, dict):
        return {k: read(v) for k, v in values.items()}
    return [read(v) for v in values]


def _rebuild(layout, tensors):
    """Arguments from a layout `(n_positional, names, statics)` and the tensors."""
    n_positional, names, statics = layout
    supply = iter(tensors)
    values = [next(supply) if s == _TENSOR else s for s in statics]
    return values[:n_positional], dict(zip(names, values[n_positional:]))


def _tensorflow_forward(function, layout, tensors):
    args, kwargs = _rebuild(layout, tensors)
    return function(*args, **kwargs)


def _tensorflow_backward(function, layout, wanted, tensors, upstream):
    import tensorflow as tf

    sources = [t for t, w in zip(tensors, wanted) if w]
    with tf.GradientTape() as tape:
        tape.watch(sources)
        y = _tensorflow_forward(function, layout, tensors)
    grads = iter(tape.gradient(y, sources, output_gradients=upstream))
    return [next(grads) if w else None for w in wanted]


def _tensorflow_kernel(kernels, signature, python_function, *static):
    """One `tf.function` per static configuration and input signature.

    Binding the configuration with `functools.partial` gives each kernel its
    own entry in TensorFlow's retracing statistics (they are kept per Python
    function), and each is traced for one signature (the shapes and dtypes of
    its tensors) only, so a layer called eagerly at many sizes raises no
    retracing warning. (`reduce_retracing` would relax the coefficient
    tensors' shapes too, which the functions read.)
    """
    import tensorflow as tf

    return kernels.get_or_make(
        (python_function, static, signature),
        lambda: tf.function(functools.partial(python_function, *static), jit_compile=True),
    )


def _tensorflow_call(function, kernels, args, kwargs):
    import tensorflow as tf

    names = tuple(kwargs)
    values = list(args) + [kwargs[k] for k in names]
    # Variables are read here, outside the kernels, so the tape sees the reads;
    # arrays and lists are data, never static settings.
    values = [
        tf.convert_to_tensor(v)
        if isinstance(v, (tf.Variable, list, tuple)) or hasattr(v, "__array__")
        else v
        for v in values
    ]
    tensors = [v for v in values if tf.is_tensor(v)]
    layout = (len(args), names, tuple(_TENSOR if tf.is_tensor(v) else v for v in values))
    signature = tuple((tuple(t.shape), t.dtype) for t in tensors)
    forward = _tensorflow_kernel(kernels, signature, _tensorflow_forward, function, layout)

    # Every floating input is differentiated (a constant mask too, at the cost of one
    # reduction); integer and boolean tensors have no gradient.
    wanted = tuple(t.dtype.is_floating for t in tensors)

    @tf.custom_gradient
    def call(*tensors):
        def grad(upstream):
            backward = _tensorflow_kernel(
                kernels, signature, _tensorflow_backward, function, layout, wanted
            )
            return backward(list(tensors), upstream)

        # Cut from the tape, or the kernel would be traced again to keep its
        # intermediates for a gradient that `grad` computes anyway.
        return forward([tf.stop_gradient(t) for t in tensors]), grad

    return call(*tensors)
