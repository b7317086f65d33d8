"""`MaskedActivation`: any activation inside a mask, another outside it."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import get_activation
from keras_masked_relu.layers.masked_layer import MaskedLayer


def _resolve_rule(name, value):
    """A layer stays a layer; anything else becomes a Keras activation function."""
    if isinstance(value, dict) and value.get("class_name") not in (None, "function"):
        value = keras.saving.deserialize_keras_object(value)
    if isinstance(value, keras.layers.Layer):
        return value
    return get_activation(name, value)


def _serialize_activation(value):
    if isinstance(value, keras.layers.Layer):
        return keras.saving.serialize_keras_object(value)
    return keras.activations.serialize(value)


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class MaskedActivation(MaskedLayer):
    """Applies one activation inside a mask and another outside it.

    Formula:
    ``` python
    f(x) = mask * inside(x) + (1 - mask) * outside(x)
    ```

    Args:
        mask: Where `inside` applies: an array broadcastable to one sample, a
            region from `keras_masked_relu.regions`, or `None` to call the
            layer on two inputs, `layer([x, mask])`. See `MaskedReLU`.
        inside: The rule inside the mask: a Keras activation name (`"elu"`,
            `"silu"`, ...), an activation function, or a Keras layer (such as
            `keras.layers.PReLU` or a layer of this package), whose weights
            are then trained and saved with this layer.
        outside: The rule outside the mask, in the same forms. Defaults to
            `"relu"`.
        trainable_mask: If `True`, the mask is learned from its starting value
            as `sigmoid(logits)`.
        mask_interpolation: `None`, or `"nearest"`, `"bilinear"` or `"area"`
            to resize a mask of another spatial size to the input's (a
            calibration map at the image's resolution used after a
            downsampling). See `MaskedLayer`.
        data_format: `"channels_last"` or `"channels_first"`. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> from keras_masked_relu import MaskedActivation
    >>> import numpy as np
    >>> from keras_masked_relu.regions import Circle
    >>> layer = MaskedActivation(Circle((16, 16), 12), inside="elu")
    >>> layer(np.full((1, 32, 32, 1), -1.0, "float32"))[0, 16, 16, 0]
    -0.632
    """

    def __init__(
        self,
        mask=None,
        *,
        inside,
        outside="relu",
        trainable_mask=False,
        mask_interpolation=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(
            mask,
            trainable_mask=trainable_mask,
            mask_interpolation=mask_interpolation,
            data_format=data_format,
            **kwargs,
        )
        self.inside = _resolve_rule("inside", inside)
        self.outside = _resolve_rule("outside", outside)

    def build(self, input_shape):
        super().build(input_shape)
        x_shape = self.mask_source.data_shape(input_shape)
        for rule in (self.inside, self.outside):
            if isinstance(rule, keras.layers.Layer) and not rule.built:
                rule.build(x_shape)

    def activate(self, x, mask):
        return kmr_ops.masked_activation(
            x, mask, self.inside, self.outside, binary=self.mask_source.is_binary(mask)
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "inside": _serialize_activation(self.inside),
                "outside": _serialize_activation(self.outside),
            }
        )
        return config
