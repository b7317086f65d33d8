"""`MaskedReLU`: a ReLU with its own parameters inside a mask."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import check_number
from keras_masked_relu.layers.masked_layer import MaskedLayer


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class MaskedReLU(MaskedLayer):
    """A ReLU that uses its own parameters inside a mask.

    Formula:
    ``` python
    inside(x) = keras.activations.relu(
        x - shift, negative_slope, max_value, threshold
    )
    outside(x) = relu(x)
    f(x) = mask * inside(x) + (1 - mask) * outside(x)
    ```

    A binary mask picks one rule per element; a weighted mask (values in
    [0, 1]) blends the two. This is the fast special case of
    `MaskedActivation(mask, inside=..., outside="relu")`.

    Args:
        mask: Where the inside rule applies: an array broadcastable to one
            sample (a spatial mask such as `(H, W)` gains a channel axis of
            1; a leading batch axis of 1 is dropped), a region from
            `keras_masked_relu.regions`, or `None` to call the layer on two
            inputs, `layer([x, mask])`.
        shift: Subtracted from the input inside the mask.
        negative_slope: Float >= 0, slope below `threshold` inside the mask.
        max_value: Float >= 0 or `None`, saturation value inside the mask.
        threshold: Float, threshold of the ReLU inside the mask.
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
    >>> from keras_masked_relu import MaskedReLU
    >>> import numpy as np
    >>> mask = np.zeros((10, 10), "float32")
    >>> mask[3:7, 3:7] = 1.0
    >>> layer = MaskedReLU(mask, shift=0.3)
    >>> layer(np.ones((1, 10, 10, 3), "float32"))[0, 5, 5, 0]
    0.7
    """

    def __init__(
        self,
        mask=None,
        *,
        shift=0.0,
        negative_slope=0.0,
        max_value=None,
        threshold=0.0,
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
        self.shift = check_number("shift", shift)
        self.negative_slope = check_number("negative_slope", negative_slope, minimum=0.0)
        self.max_value = check_number("max_value", max_value, minimum=0.0, allow_none=True)
        self.threshold = check_number("threshold", threshold)

    def activate(self, x, mask):
        return kmr_ops.masked_relu(
            x,
            mask,
            shift=self.shift,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
            binary=self.mask_source.is_binary(mask),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "shift": self.shift,
                "negative_slope": self.negative_slope,
                "max_value": self.max_value,
                "threshold": self.threshold,
            }
        )
        return config
