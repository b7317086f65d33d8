"""`FunnelReLU`: FReLU, a ReLU whose condition is a learned spatial function."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import check_int, check_number, standardize_data_format
from keras_masked_relu.layers._channels import channel_axis


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class FunnelReLU(keras.layers.Layer):
    """FReLU: the maximum of the input and a learned function of its neighbourhood.

    Formula:
    ``` python
    T = BatchNormalization(DepthwiseConv2D(kernel_size, padding="same", use_bias=False))
    f(x) = maximum(x, T(x))
    ```

    Where ReLU compares each value with 0, FReLU compares it with a
    per-channel `kernel_size x kernel_size` convolution of its neighbourhood,
    batch-normalised (Ma et al., 2020). It takes 4-D image batches; the
    batch normalisation trains and infers as `keras.layers.BatchNormalization`
    does (`training=True` in `fit`), with Keras's defaults for `epsilon` and
    `momentum`. FReLU's reference code uses `epsilon=1e-5, momentum=0.9`:
    pass those to reproduce weights trained there.

    Args:
        kernel_size: Odd int >= 1, the size of the depthwise kernel.
        epsilon: Float > 0 added to the variance by the batch normalisation.
        momentum: Float in [0, 1], the batch normalisation's momentum for its
            moving mean and variance.
        data_format: `"channels_last"` or `"channels_first"`. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import keras
    >>> import numpy as np
    >>> from keras_masked_relu import FunnelReLU
    >>> layer = FunnelReLU()
    >>> x = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    >>> bool(keras.ops.all(keras.ops.greater_equal(layer(x), x)))
    True
    """

    def __init__(self, kernel_size=3, epsilon=1e-3, momentum=0.99, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.kernel_size = check_int("kernel_size", kernel_size, minimum=1)
        if self.kernel_size % 2 == 0:
            raise ValueError(
                "`kernel_size` must be odd, so that the neighbourhood is centred on each "
                f"pixel. Received: kernel_size={kernel_size!r}"
            )
        self.epsilon = check_number("epsilon", epsilon, positive=True)
        self.momentum = check_number("momentum", momentum, minimum=0.0)
        if self.momentum > 1:
            raise ValueError(f"`momentum` must be <= 1. Received: momentum={momentum!r}")
        self.data_format = standardize_data_format(data_format)
        self.depthwise = keras.layers.DepthwiseConv2D(
            self.kernel_size,
            padding="same",
            use_bias=False,
            data_format=self.data_format,
            dtype=self.dtype_policy,
            name="depthwise",
        )
        self.batch_norm = keras.layers.BatchNormalization(
            axis=channel_axis(4, self.data_format),
            epsilon=self.epsilon,
            momentum=self.momentum,
            dtype=self.dtype_policy,
            name="batch_norm",
        )

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                "FunnelReLU takes 4-D inputs (batch, height, width, channels) or "
                f"(batch, channels, height, width). Received: input_shape={tuple(input_shape)}"
            )
        self.depthwise.build(input_shape)
        self.batch_norm.build(input_shape)

    def call(self, inputs, training=None):
        condition = self.batch_norm(self.depthwise(inputs), training=training)
        return kmr_ops.funnel_relu(inputs, condition)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "kernel_size": self.kernel_size,
                "epsilon": self.epsilon,
                "momentum": self.momentum,
                "data_format": self.data_format,
            }
        )
        return config
