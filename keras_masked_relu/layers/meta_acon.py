"""`MetaACON`: ACON-C whose switching factor is computed from the input."""

import keras
from keras import ops

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import check_int, standardize_data_format
from keras_masked_relu.layers._channels import (
    channel_axis,
    input_spec_for,
    parameter_shape,
    spatial_axes,
)


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class MetaACON(keras.layers.Layer):
    """Meta-ACON: ACON-C with `beta` predicted per sample and channel.

    Formula:
    ``` python
    s = mean(x, spatial axes)                 # (batch, channels)
    beta = sigmoid((s @ w1 + b1) @ w2 + b2)   # (batch, channels)
    d = (p1 - p2) * x
    f(x) = d * sigmoid(beta * d) + p2 * x
    ```

    `p1`, `p2` (one per channel, starting at 1 and 0: Swish with a learned
    `beta`), `w1` `(channels, width)`, `b1`, `w2` `(width, channels)` and `b2`
    are learned, with `width = max(reduction, channels // reduction)`
    (Ma et al., 2021).

    Args:
        reduction: Int >= 1, sets the width of the small network that
            predicts `beta`.
        data_format: `"channels_last"` or `"channels_first"`: where the
            channel axis is. Defaults to `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import MetaACON
    >>> layer = MetaACON(reduction=2)
    >>> y = layer(np.ones((1, 4, 4, 8)))
    >>> y.shape
    (1, 4, 4, 8)
    """

    def __init__(self, reduction=16, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.reduction = check_int("reduction", reduction, minimum=1)
        self.data_format = standardize_data_format(data_format)

    def build(self, input_shape):
        shape = parameter_shape(input_shape, None, self.data_format)
        channels = input_shape[channel_axis(len(input_shape), self.data_format)]
        width = max(self.reduction, channels // self.reduction)
        self.p1 = self.add_weight(shape=shape, initializer="ones", name="p1")
        self.p2 = self.add_weight(shape=shape, initializer="zeros", name="p2")
        self.w1 = self.add_weight(shape=(channels, width), initializer="glorot_uniform", name="w1")
        self.b1 = self.add_weight(shape=(width,), initializer="zeros", name="b1")
        self.w2 = self.add_weight(shape=(width, channels), initializer="glorot_uniform", name="w2")
        self.b2 = self.add_weight(shape=(channels,), initializer="zeros", name="b2")
        self.input_spec = input_spec_for(input_shape, shape)

    def call(self, inputs):
        spatial = list(spatial_axes(len(inputs.shape), self.data_format))
        summary = kmr_ops.mean(inputs, axis=spatial) if spatial else inputs
        hidden = ops.add(kmr_ops.matmul(summary, self.w1), self.b1)
        beta = ops.sigmoid(ops.add(kmr_ops.matmul(hidden, self.w2), self.b2))
        for a in spatial:  # (batch, channels) broadcast against the input
            beta = ops.expand_dims(beta, a)
        return kmr_ops.acon(inputs, self.p1, self.p2, beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "reduction": self.reduction,
                "data_format": self.data_format,
            }
        )
        return config
