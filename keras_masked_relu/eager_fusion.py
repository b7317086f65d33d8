"""Runs a function of `ops.py` as one compiled kernel when it is called eagerly.

An activation written as a few `keras.ops` calls reads and writes the whole
tensor once per call when run op by op. Compiled, the calls fuse into one
pass, forward and backward. Inside a compiled graph (a `fit` step, an export)
the surrounding compiler already fuses them, so nothing changes there.
"""

import functools

import keras


def fused_when_eager(*static_argnames):
    """Decorates an elementwise `ops.py` function so that eager calls fuse.

    Under JAX the function is wrapped in `jax.jit` (inside an outer trace the
    nested call is inlined by XLA). Under TensorFlow an eager call goes through
    `tf.function(jit_compile=True)`; graph-mode calls run the plain function,
    so saved graphs hold only standard ops. Under PyTorch it runs as is.

    Args:
        *static_argnames: Names of the keyword arguments that are Python
            values (floats, bools, `None`); one kernel is compiled per value.

    Returns:
        The decorator.

    Example:
    >>> @fused_when_eager("shift")
    ... def shifted(x, shift=0.0):
    ...     return keras.ops.relu(x - shift)
    """

    def decorate(function):
        compiled = {}

        def plain_arguments(args, kwargs):
            tensors = [
                keras.ops.convert_to_tensor(a) if isinstance(a, keras.Variable) else a
                for a in args
            ]
            return tensors, {
                k: keras.ops.convert_to_tensor(v) if isinstance(v, keras.Variable) else v
                for k, v in kwargs.items()
            }

        @functools.wraps(function)
        def run(*args, **kwargs):
            backend = keras.backend.backend()
            if backend == "jax":
                if "jax" not in compiled:
                    import jax

                    compiled["jax"] = jax.jit(function, static_argnames=static_argnames)
                args, kwargs = plain_arguments(args, kwargs)
                return compiled["jax"](*args, **kwargs)
            if backend == "tensorflow":
                import tensorflow as tf

                if tf.executing_eagerly():
                    if "tensorflow" not in compiled:
                        compiled["tensorflow"] = tf.function(function, jit_compile=True)
                    args, kwargs = plain_arguments(args, kwargs)
                    return compiled["tensorflow"](*args, **kwargs)
            return function(*args, **kwargs)

        return run

    return decorate
