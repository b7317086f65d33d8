"""Package-wide settings, in the manner of `keras.config`.

Eager fusion: when a function of `keras_masked_relu.ops` (and so a layer) is
called eagerly, it runs as one compiled kernel under JAX (`jax.jit`) and
TensorFlow (`tf.function(jit_compile=True)`), forward and backward, instead of
op by op. Results are the same either way; switch it off to step through the
math with a debugger, or when compiling is unwanted. Inside `fit`, `predict`,
`jax.jit`, `tf.function` and exports nothing changes: the surrounding compiler
sees the plain ops. The environment variable `KERAS_MASKED_RELU_EAGER_FUSION=0`
switches it off from the start.

Example:
>>> import keras_masked_relu
>>> keras_masked_relu.config.disable_eager_fusion()
>>> keras_masked_relu.config.is_eager_fusion_enabled()
False
>>> keras_masked_relu.config.enable_eager_fusion()
"""

import os

_eager_fusion = os.environ.get("KERAS_MASKED_RELU_EAGER_FUSION", "1") != "0"


def enable_eager_fusion():
    """Runs eager calls of the package's ops as compiled kernels (the default)."""
    global _eager_fusion
    _eager_fusion = True


def disable_eager_fusion():
    """Runs eager calls of the package's ops op by op, as written."""
    global _eager_fusion
    _eager_fusion = False


def is_eager_fusion_enabled():
    """Whether eager calls of the package's ops run as compiled kernels.

    Returns:
        A bool.
    """
    return _eager_fusion
