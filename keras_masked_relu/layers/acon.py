"""`ACON`: ACON-C, a learned switch between two linear functions."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import (
    get_initializer,
    standardize_data_format,
    standardize_shared_axes,
)
from keras_masked_relu.layers._channels import input_spec_for, parameter_shape


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class ACON(keras.layers.Layer):
    """ACON-C ("activate or not"): a smooth, learned `max(p1 * x, p2 * x)`.

    Formula:
    ``` python
    d = (p1 - p2) * x
    f(x) = d * sigmoid(beta * d) + p2 * x
    ```

    `p1`, `p2` and `beta` are learned, one value per channel unless
    `shared_axes` says otherwise. At the start (`p1 = 1`, `p2 = 0`,
    `beta = 1`) it is Swish; a large `beta` makes it `max(p1 * x, p2 * x)`
    and `beta = 0` their mean (Ma et al., 2021).

    Args:
        p1_initializer: Starting `p1`: a float or a Keras initializer.
        p2_initializer: Starting `p2`: a float or a Keras initializer.
        beta_initializer: Starting `beta`: a float or a Keras initializer.
        shared_axes: `None` for one set of parameters per channel, or the
            axes along which parameters are shared, as in `keras.layers.PReLU`.
        data_format: `"channels_last"` or `"channels_first"`: where the
            channel axis is when `shared_axes=None`. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import ACON
    >>> layer = ACON(p2_initializer=0.25, beta_initializer=100.0)
    >>> layer(np.array([[-2.0, 2.0]]))  # max(x, 0.25 * x)
    [[-0.5, 2.0]]
    """

    def __init__(
        self,
        p1_initializer="ones",
        p2_initializer="zeros",
        beta_initializer="ones",
        shared_axes=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.p1_initializer = get_initializer("p1_initializer", p1_initializer)
        self.p2_initializer = get_initializer("p2_initializer", p2_initializer)
        self.beta_initializer = get_initializer("beta_initializer", beta_initializer)
        self.shared_axes = standardize_shared_axes(shared_axes)
        self.data_format = standardize_data_format(data_format)

    def build(self, input_shape):
        shape = parameter_shape(input_shape, self.shared_axes, self.data_format)
        self.p1 = self.add_weight(shape=shape, initializer=self.p1_initializer, name="p1")
        self.p2 = self.add_weight(shape=shape, initializer=self.p2_initializer, name="p2")
        self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer, name="beta")
        self.input_spec = input_spec_for(input_shape, shape)

    def call(self, inputs):
        return kmr_ops.acon(inputs, self.p1, self.p2, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "p1_initializer": keras.initializers.serialize(self.p1_initializer),
                "p2_initializer": keras.initializers.serialize(self.p2_initializer),
                "beta_initializer": keras.initializers.serialize(self.beta_initializer),
                "shared_axes": self.shared_axes,
                "data_format": self.data_format,
            }
        )
        return config
