"""The base of the masked layers: where the mask comes from and how it is aligned."""

import keras
import numpy as np
from keras import ops

from keras_masked_relu.layers.channels import standardize_data_format
from keras_masked_relu.regions import Region

# Starting probabilities of a learned mask are kept this far from 0 and 1, so
# that their logits are finite (about +-6.9) and still receive gradient.
_LOGIT_MARGIN = 1e-3


def _checked_mask_array(mask):
    """Checks a mask given as an array and returns it as float32 NumPy."""
    try:
        if isinstance(mask, (list, tuple, np.ndarray, np.generic, float, int)):
            array = np.asarray(mask)
        else:
            array = np.asarray(ops.convert_to_numpy(mask))
    except Exception as error:
        raise TypeError(
            "`mask` must be an array, a tensor, a `keras_masked_relu.regions` "
            f"region or None. Received: mask of type {type(mask).__name__}"
        ) from error
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise TypeError(
            "`mask` must hold numbers. "
            f"Received: mask with dtype {array.dtype}"
        )
    array = array.astype("float32")
    if array.ndim == 0:
        raise ValueError(
            "`mask` must have at least one axis. Received: a scalar mask"
        )
    if np.isnan(array).any():
        raise ValueError(
            f"`mask` must not contain NaN. Received: {int(np.isnan(array).sum())} "
            f"NaN values in a mask of shape {array.shape}"
        )
    if array.min() < 0 or array.max() > 1:
        raise ValueError(
            "`mask` values must lie in [0, 1]. Received: values from "
            f"{array.min()} to {array.max()}"
        )
    return array


def align_mask_shape(mask_shape, sample_shape, data_format, what="mask"):
    """Reshapes a mask's shape so that it broadcasts against one sample.

    A mask with one axis fewer than the sample covers the spatial axes and
    gains a channel axis of 1; a leading axis of size 1 (a batch of one) is
    dropped.

    Args:
        mask_shape: Shape of the mask, without a batch axis.
        sample_shape: Shape of one input sample (no batch axis); `None` for
            sizes known only at run time.
        data_format: `"channels_last"` or `"channels_first"`.
        what: Name of the mask in error messages.

    Returns:
        A tuple with as many axes as `sample_shape`.
    """
    mask_shape = tuple(int(d) for d in mask_shape)
    rank = len(sample_shape)
    if len(mask_shape) == rank + 1 and mask_shape[0] == 1:
        mask_shape = mask_shape[1:]
    if len(mask_shape) == rank - 1:
        if data_format == "channels_last":
            mask_shape = mask_shape + (1,)
        else:
            mask_shape = (1,) + mask_shape
    if len(mask_shape) != rank:
        raise ValueError(
            f"The {what} must have the sample's spatial rank ({rank - 1}), its full "
            f"rank ({rank}), or a leading batch axis of 1. Received: {what} of "
            f"shape {mask_shape} for input samples of shape {tuple(sample_shape)}"
        )
    for m, d in zip(mask_shape, sample_shape):
        if m != 1 and d is not None and m != d:
            raise ValueError(
                f"The {what} of shape {mask_shape} cannot broadcast against input "
                f"samples of shape {tuple(sample_shape)}."
            )
    return mask_shape


class MaskedLayer(keras.layers.Layer):
    """Base of the layers that act differently inside and outside a mask.

    Subclasses implement `activate(x, mask)`; this class turns the
    `mask` argument into a tensor broadcastable to the input. The mask can be:

    - an array (NumPy or tensor), stored as a non-trainable weight;
    - a `keras_masked_relu.regions` region, drawn for the input's size;
    - `None`, in which case the layer is called as `layer([x, mask])`;
    - an array or region made trainable with `trainable_mask=True`, learned
      as `sigmoid(logits)`.

    Args:
        mask: The mask source, see above.
        trainable_mask: If `True`, the mask is learned from its starting value.
        data_format: `"channels_last"` or `"channels_first"`; the position of
            the channel axis, used to align masks of spatial rank. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(self, mask=None, *, trainable_mask=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.data_format = standardize_data_format(data_format)
        if not isinstance(trainable_mask, bool):
            raise TypeError(
                f"`trainable_mask` must be a bool. Received: trainable_mask={trainable_mask!r}"
            )
        self.trainable_mask = trainable_mask
        if mask is None:
            if trainable_mask:
                raise ValueError(
                    "`trainable_mask=True` needs a starting mask (an array or a "
                    "region). Received: mask=None"
                )
            self.mask_source = "input"
            self._mask_array = None
        elif isinstance(mask, Region):
            self.mask_source = "region"
            self.region = mask
            self._region_masks = {}
        else:
            self.mask_source = "array"
            self._mask_array = _checked_mask_array(mask)
        self.mask_is_binary = not trainable_mask and self._starts_binary()

    def _starts_binary(self):
        if self.mask_source == "region":
            return self.region.is_binary
        if self.mask_source == "array":
            return bool(np.isin(self._mask_array, (0.0, 1.0)).all())
        return False

    def _channel_axis(self, rank):
        return rank - 1 if self.data_format == "channels_last" else 1

    def _spatial_size(self, sample_shape):
        if len(sample_shape) != 3:
            raise ValueError(
                "A region mask needs 2-D images: inputs of shape (batch, height, "
                f"width, channels) or channels first. Received: input of shape "
                f"{(None,) + tuple(sample_shape)}"
            )
        if self.data_format == "channels_last":
            return sample_shape[0], sample_shape[1]
        return sample_shape[1], sample_shape[2]

    def build(self, input_shape):
        if self.mask_source == "input":
            self._build_input_mask(input_shape)
            return
        if _is_shape_list(input_shape):
            raise ValueError(
                f"Layer {self.name} has a mask already and takes one input. "
                f"Received: {len(input_shape)} inputs"
            )
        sample_shape = tuple(input_shape[1:])
        if self.mask_source == "array":
            start = self._mask_array
            shape = align_mask_shape(start.shape, sample_shape, self.data_format)
        else:
            height, width = self._spatial_size(sample_shape)
            static = isinstance(height, int) and isinstance(width, int)
            if not static:
                if self.trainable_mask:
                    raise ValueError(
                        "A trainable region mask needs a fixed image size to "
                        f"learn. Received: input of shape {tuple(input_shape)}"
                    )
                return
            start = self.region.to_numpy(height, width)
            shape = align_mask_shape(start.shape, sample_shape, self.data_format)
            if not self.trainable_mask:
                channel = self._channel_axis(len(input_shape)) - 1
                self._static_region_mask(height, width, channel)
                return
        start = start.reshape(shape)
        if self.trainable_mask:
            p = np.clip(start, _LOGIT_MARGIN, 1.0 - _LOGIT_MARGIN)
            self.mask_logits = self.add_weight(
                shape=shape,
                initializer=_constant(np.log(p) - np.log1p(-p)),
                trainable=True,
                name="mask_logits",
            )
        else:
            self.mask_weight = self.add_weight(
                shape=shape,
                initializer=_constant(start),
                trainable=False,
                name="mask",
            )

    def _build_input_mask(self, input_shape):
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(
                f"Layer {self.name} has mask=None, so it must be called on two "
                "inputs, `layer([x, mask])`. Received: input_shape="
                f"{input_shape}"
            )
        x_shape, mask_shape = (tuple(s) for s in input_shape)
        if len(mask_shape) not in (len(x_shape) - 1, len(x_shape)):
            raise ValueError(
                "The mask input must have the rank of x, or one axis fewer (no "
                f"channel axis). Received: x of shape {x_shape} and mask input of "
                f"shape {mask_shape}"
            )
        sample = mask_shape[1:]
        if len(mask_shape) == len(x_shape) - 1:
            channel = self._channel_axis(len(x_shape)) - 1
            sample = sample[:channel] + (1,) + sample[channel:]
        for m, d in zip(sample, x_shape[1:]):
            if m is not None and d is not None and m != 1 and m != d:
                raise ValueError(
                    f"The mask input of shape {mask_shape} cannot broadcast against "
                    f"x of shape {x_shape}."
                )

    def mask_for(self, x, mask_input=None):
        """The mask as a tensor of x's dtype, broadcastable to `x`."""
        if self.mask_source == "input":
            mask = mask_input
            if len(mask.shape) == len(x.shape) - 1:
                mask = ops.expand_dims(mask, self._channel_axis(len(x.shape)))
        elif self.trainable_mask:
            mask = ops.sigmoid(ops.cast(self.mask_logits, x.dtype))
        elif self.mask_source == "array":
            mask = self.mask_weight
        else:
            mask = self._region_mask(x)
        return ops.cast(mask, x.dtype)

    def _region_mask(self, x):
        sample_shape = tuple(x.shape[1:])
        height, width = self._spatial_size(sample_shape)
        channel = self._channel_axis(len(x.shape)) - 1
        if isinstance(height, int) and isinstance(width, int):
            return ops.convert_to_tensor(
                self._static_region_mask(height, width, channel), dtype=x.dtype
            )
        shape = ops.shape(x)
        spatial = (1, 2) if self.data_format == "channels_last" else (2, 3)
        mask = self.region.rasterize(shape[spatial[0]], shape[spatial[1]])
        return ops.expand_dims(mask, channel)

    def _static_region_mask(self, height, width, channel):
        """The region drawn once per image size, with its channel axis."""
        key = (height, width)
        if key not in self._region_masks:
            mask = self.region.to_numpy(height, width)
            self._region_masks[key] = np.expand_dims(mask, channel)
        return self._region_masks[key]

    def activate(self, x, mask):
        """Applies the layer's rule to `x` under a mask aligned to it."""
        raise NotImplementedError

    def call(self, inputs):
        if self.mask_source == "input":
            x, mask_input = inputs
            return self.activate(x, self.mask_for(x, mask_input))
        return self.activate(inputs, self.mask_for(inputs))

    def compute_output_shape(self, input_shape):
        if _is_shape_list(input_shape):
            return tuple(input_shape[0])
        return tuple(input_shape)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            return mask[0]
        return mask

    def get_config(self):
        config = super().get_config()
        if self.mask_source == "region":
            mask_config = keras.saving.serialize_keras_object(self.region)
        elif self.mask_source == "array":
            # The values live in the weights file; the config keeps their shape.
            mask_config = {
                "array_shape": list(self._mask_array.shape),
                "binary": self.mask_is_binary,
            }
        else:
            mask_config = None
        config.update(
            {
                "mask": mask_config,
                "trainable_mask": self.trainable_mask,
                "data_format": self.data_format,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        mask = config.get("mask")
        if isinstance(mask, dict) and "array_shape" in mask:
            fill = 1.0 if mask.get("binary") else 0.5
            config["mask"] = np.full(mask["array_shape"], fill, "float32")
        elif isinstance(mask, dict):
            config["mask"] = keras.saving.deserialize_keras_object(mask)
        return cls(**config)


def _is_shape_list(input_shape):
    return isinstance(input_shape, (list, tuple)) and (
        len(input_shape) > 0 and isinstance(input_shape[0], (list, tuple))
    )


def _constant(value):
    def initializer(shape, dtype=None):
        return ops.cast(np.reshape(value, shape), dtype)

    return initializer
