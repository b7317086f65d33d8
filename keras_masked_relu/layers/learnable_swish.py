"""`LearnableSwish`: Swish with a learned sharpness."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import (
    check_bool,
    get_initializer,
    standardize_data_format,
)
from keras_masked_relu.layers._channels import per_channel_shape


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class LearnableSwish(keras.layers.Layer):
    """Swish whose sharpness `beta` is learned.

    Formula:
    ``` python
    f(x) = x * sigmoid(beta * x)
    ```

    Args:
        beta_initializer: Starting `beta`: a float or a Keras initializer.
        per_channel: If `True`, each channel learns its own `beta`.
        data_format: `"channels_last"` or `"channels_first"`: where the
            channel axis is with `per_channel=True`. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import LearnableSwish
    >>> LearnableSwish()(np.array([0.0, 2.0]))
    [0.0, 1.7616]
    """

    def __init__(self, beta_initializer=1.0, per_channel=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.beta_initializer = get_initializer("beta_initializer", beta_initializer)
        self.per_channel = check_bool("per_channel", per_channel)
        self.data_format = standardize_data_format(data_format)

    def build(self, input_shape):
        shape = per_channel_shape(input_shape, self.per_channel, self.data_format)
        self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer, name="beta")

    def call(self, inputs):
        return kmr_ops.learnable_swish(inputs, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta_initializer": keras.initializers.serialize(self.beta_initializer),
                "per_channel": self.per_channel,
                "data_format": self.data_format,
            }
        )
        return config
