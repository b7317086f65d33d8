"""Package-wide settings, in the manner of `keras.config`.

Eager fusion (off by default): when it is on, a function of
`keras_masked_relu.ops` (and so a layer) called eagerly runs as one compiled
kernel, forward and backward, under JAX (`jax.jit`) and TensorFlow
(`tf.function(jit_compile=True)`), instead of op by op. It speeds up eager
calls, `model(x)` and `layer(x)`, by 1.3x to 14x
(`benchmarks/results/eager_fusion.md`); `fit`, `predict`, `jax.jit`,
`tf.function` and exports compile the plain ops anyway and gain nothing.
PyTorch runs the ops as written either way. The environment variable
`KERAS_MASKED_RELU_EAGER_FUSION=1` switches it on from the start.

Example:
>>> import keras_masked_relu
>>> keras_masked_relu.config.enable_eager_fusion()
>>> keras_masked_relu.config.is_eager_fusion_enabled()
True
>>> keras_masked_relu.config.disable_eager_fusion()
"""

import os

_eager_fusion = os.environ.get("KERAS_MASKED_RELU_EAGER_FUSION", "0") == "1"


def enable_eager_fusion():
    """Runs eager calls of the package's ops as compiled kernels (TensorFlow and JAX)."""
    global _eager_fusion
    _eager_fusion = True


def disable_eager_fusion():
    """Runs eager calls of the package's ops op by op, as written (the default)."""
    global _eager_fusion
    _eager_fusion = False


def is_eager_fusion_enabled():
    """Whether eager calls of the package's ops run as compiled kernels.

    Returns:
        A bool.
    """
    return _eager_fusion
