"""The base of the masked layers: a mask source and a rule to apply under it."""

import keras

from keras_masked_relu._validation import check_bool, check_choice, standardize_data_format
from keras_masked_relu.layers._mask_sources import mask_source
from keras_masked_relu.ops import INTERPOLATIONS


class MaskedLayer(keras.layers.Layer):
    """Base of the layers that act differently inside and outside a mask.

    Subclasses implement `activate(x, mask)`. The mask can be:

    - an array (NumPy or tensor), stored as a non-trainable weight;
    - a `keras_masked_relu.regions` region, drawn for the input's size;
    - `None`, in which case the layer is called as `layer([x, mask])`;
    - an array or region made trainable with `trainable_mask=True`, learned
      as `sigmoid(logits)`.

    An array's or learned mask's value lives in its weight alone: every call
    reads the weight, so the next call after any change of it
    (`set_weights`, `variable.assign`, `load_weights`, an optimizer step, a
    distribution strategy's copy) uses the new value. A mask known to hold
    only 0 and 1 takes faster forms that are exact for it: a region with
    hard edges always, an array when an eager call finds its current values
    all 0 or 1. Any other mask, and an array in a traced call, takes the
    general form. `layer.mask_source` holds the source.

    Args:
        mask: The mask source, see above.
        trainable_mask: If `True`, the mask is learned from its starting value.
        mask_interpolation: `None` (the mask must match the input's spatial
            size or broadcast), or `"nearest"`, `"bilinear"` or `"area"`: a
            mask of another spatial size is resized to the input's. An
            array's weight keeps its resolution and is resized from the
            weight on every call (a few small matrix products, or a block
            mean for integer factors); a second input is resized on every
            call too; a learned mask is resized after the sigmoid. A region is drawn at the
            input's size and ignores it.
        data_format: `"channels_last"` or `"channels_first"`; the position of
            the channel axis, used to align masks of spatial rank. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        mask=None,
        *,
        trainable_mask=False,
        mask_interpolation=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.data_format = standardize_data_format(data_format)
        self.trainable_mask = check_bool("trainable_mask", trainable_mask)
        self.mask_interpolation = check_choice(
            "mask_interpolation", mask_interpolation, INTERPOLATIONS, allow_none=True
        )
        self.mask_source = mask_source(
            mask, trainable_mask, self.data_format, self.mask_interpolation
        )

    def build(self, input_shape):
        self.mask_source.build(self, input_shape)

    def activate(self, x, mask):
        """Applies the layer's rule to `x` under a mask aligned to it."""
        raise NotImplementedError

    def call(self, inputs):
        return self.activate(*self.mask_source.split(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(self.mask_source.data_shape(input_shape))

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            return mask[0]
        return mask

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "mask": self.mask_source.get_config(),
                "trainable_mask": self.trainable_mask,
                "mask_interpolation": self.mask_interpolation,
                "data_format": self.data_format,
            }
        )
        return config
