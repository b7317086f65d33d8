"""`AdaptiveMixture`: a learned softmax mixture of activations."""

import keras
from keras import ops

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import check_bool, get_activation, standardize_data_format
from keras_masked_relu.layers._channels import per_channel_shape


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class AdaptiveMixture(keras.layers.Layer):
    """A learned, softmax-weighted mixture of activations.

    Formula:
    ``` python
    f(x) = sum(softmax(w)[i] * activations[i](x) for i in range(n))
    ```

    The mixing logits `w` start equal, so every activation starts with
    weight `1 / n`.

    Args:
        activations: Two or more Keras activation names or functions.
        per_channel: If `True`, each channel learns its own mixture.
        data_format: `"channels_last"` or `"channels_first"`: where the
            channel axis is with `per_channel=True`. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import AdaptiveMixture
    >>> AdaptiveMixture(("relu", "tanh", "linear"))(np.array([[-1.0, 1.0]]))
    [[-0.587, 0.921]]
    """

    def __init__(
        self,
        activations=("relu", "tanh", "linear"),
        per_channel=False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(activations, str) or not isinstance(activations, (list, tuple)):
            raise TypeError(
                "`activations` must be a list of activation names or functions. "
                f"Received: activations={activations!r}"
            )
        if len(activations) < 2:
            raise ValueError(
                f"`activations` needs at least two entries. Received: activations={activations!r}"
            )
        self.activations = [get_activation("activations", a) for a in activations]
        self.per_channel = check_bool("per_channel", per_channel)
        self.data_format = standardize_data_format(data_format)

    def build(self, input_shape):
        shape = per_channel_shape(input_shape, self.per_channel, self.data_format)
        self.mixing_logits = self.add_weight(
            shape=(len(self.activations),) + shape, initializer="zeros", name="mixing_logits"
        )

    def call(self, inputs):
        return kmr_ops.adaptive_mixture(inputs, self.mixing_logits, self.activations)

    def mixing_weights(self):
        """The current mixture weights, `softmax(w)`."""
        return ops.softmax(self.mixing_logits, axis=0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "activations": [keras.activations.serialize(a) for a in self.activations],
                "per_channel": self.per_channel,
                "data_format": self.data_format,
            }
        )
        return config
