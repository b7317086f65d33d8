"""Where a masked layer's mask comes from: an array, a region, a second input,
or learned logits.

Each source checks its argument when the layer is made, creates what it needs
when the layer is built (`build(layer, input_shape)`), gives the mask for an
input (`split(inputs)` returns `x` and a mask of x's dtype that broadcasts
against it) and describes itself in the layer's config (`get_config()`).
"""

import collections

import keras
import numpy as np
from keras import ops

from keras_masked_relu.layers._channels import channel_axis, spatial_axes
from keras_masked_relu.ops import resize_mask
from keras_masked_relu.regions import Region

ArrayPlaceholder = collections.namedtuple("ArrayPlaceholder", ["shape"])
ArrayPlaceholder.__doc__ = "The shape of an array whose values are held in a weights file."

# Starting probabilities of a learned mask are kept this far from 0 and 1, so
# that their logits are finite (about +-6.9) and still receive gradient.
_LOGIT_MARGIN = 1e-3

_INPUT_FORMS = {
    1: "(batch, length, channels)",
    2: "(batch, height, width, channels)",
    3: "(batch, depth, height, width, channels)",
}


def mask_source(mask, trainable, data_format, interpolation=None):
    """The source for a layer's `mask` argument.

    Args:
        mask: An array or tensor, a region, `None` (a second input), or the
            config that `MaskSource.get_config()` wrote.
        trainable: Whether the mask is learned from its starting value.
        data_format: `"channels_last"` or `"channels_first"`.
        interpolation: `None`, or how a mask of another spatial size is
            resized to the input's: `"nearest"`, `"bilinear"` or `"area"`.

    Returns:
        A `MaskSource`.
    """
    if mask is None:
        if trainable:
            raise ValueError(
                "`trainable_mask=True` needs a starting mask (an array or a "
                "region). Received: mask=None"
            )
        return InputMask(data_format, interpolation)
    if isinstance(mask, dict) and "array_shape" in mask:
        # The config of an array: its values come from the weights file. (Files
        # written by earlier versions also carry a "binary" entry, not needed.)
        array = ArrayPlaceholder(tuple(mask["array_shape"]))
        start = ArrayMask(array, data_format, interpolation)
    elif isinstance(mask, dict):
        # A region is drawn at the input's size: it never needs resizing.
        start = RegionMask(_region_from_config(mask), data_format)
    elif isinstance(mask, Region):
        start = RegionMask(mask, data_format)
    else:
        start = ArrayMask(checked_mask_array(mask), data_format, interpolation)
    return LearnedMask(start) if trainable else start


class MaskSource:
    """Base of the mask sources."""

    def __init__(self, data_format, interpolation=None):
        self.data_format = data_format
        self.interpolation = interpolation

    def build(self, layer, input_shape):
        """Checks the input shape and creates the source's weights on `layer`."""
        if _is_shape_list(input_shape):
            raise ValueError(
                f"Layer {layer.name} has a mask already and takes one input. "
                f"Received: {len(input_shape)} inputs"
            )

    def split(self, inputs):
        """Returns `x` and the mask, of x's dtype and broadcastable to `x`."""
        x, mask = self.inputs_and_mask(inputs)
        if self.interpolation is not None:
            # Resized in float32 at least, so a float16 compute dtype rounds once
            # (Keras's result_type would give float32 for float64 too).
            float64 = keras.backend.standardize_dtype(x.dtype) == "float64"
            wide = "float64" if float64 else "float32"
            mask = self.resized(ops.cast(mask, wide), x)
        return x, ops.cast(mask, x.dtype)

    def inputs_and_mask(self, inputs):
        """Returns `x` and the mask as the source holds it."""
        return inputs, self.mask_for(inputs)

    def mask_for(self, x):
        raise NotImplementedError

    def resized(self, mask, x):
        """The mask with its spatial axes resized to x's; size-1 axes broadcast."""
        rank = len(x.shape)
        offset = rank - len(mask.shape)
        axes, sizes = [], []
        for axis in spatial_axes(rank, self.data_format):
            if mask.shape[axis - offset] == 1:
                continue
            size = x.shape[axis]
            axes.append(axis - offset)
            sizes.append(size if isinstance(size, int) else ops.shape(x)[axis])
        return resize_mask(mask, sizes, self.interpolation, axes)

    def is_binary(self, mask):
        """Whether `mask`, as `split` returned it, holds only 0 and 1.

        `True` allows faster forms of the layer's formula that are exact only
        for such a mask; `False` (the default) is always exact.
        """
        return False

    def data_shape(self, input_shape):
        """The shape of `x` among the layer's input shapes."""
        return input_shape

    def get_config(self):
        """The layer config's `mask` entry: plain JSON, or `None`."""
        return None


class ArrayMask(MaskSource):
    """A fixed mask given as an array, stored as a non-trainable weight.

    The weight is the only holder of the mask's values: every call reads it
    (and resizes it, with an interpolation), so any change of the weight
    reaches the next call.

    Args:
        array: Float32 NumPy array with values in [0, 1], or an
            `ArrayPlaceholder` whose values come from a weights file.
        data_format: `"channels_last"` or `"channels_first"`.
        interpolation: `None`, or how the mask is resized to the input's
            spatial size (`"nearest"`, `"bilinear"`, `"area"`).
    """

    def __init__(self, array, data_format, interpolation=None):
        super().__init__(data_format, interpolation)
        self.array = array
        self.shape = tuple(array.shape)
        self.variable = None

    def aligned_shape(self, input_shape):
        return align_mask_shape(
            self.shape,
            tuple(input_shape[1:]),
            self.data_format,
            resizable=self.interpolation is not None,
        )

    def initial_values(self, input_shape):
        """The values, of the aligned shape; zeros for a placeholder."""
        shape = self.aligned_shape(input_shape)
        if isinstance(self.array, ArrayPlaceholder):
            return np.zeros(shape, "float32")
        return self.array.reshape(shape)

    def build(self, layer, input_shape):
        super().build(layer, input_shape)
        self.variable = layer.add_weight(
            shape=self.aligned_shape(input_shape),
            initializer=keras.initializers.Constant(self.initial_values(input_shape)),
            trainable=False,
            name="mask",
        )
        self.array = ArrayPlaceholder(self.shape)  # from now on, the weight holds it

    def mask_for(self, x):
        return self.variable

    def is_binary(self, mask):
        # The weight can be given any values in [0, 1] after build, so
        # binariness is read from the values this call uses, where a call
        # can read them: eagerly. A traced call (a compiled step, an export)
        # takes the general form, which compiles to one fused kernel as well.
        return _holds_only_zeros_and_ones(mask)

    def get_config(self):
        # The values live in the weights file; the config keeps their shape.
        return {"array_shape": list(self.shape)}


class RegionMask(MaskSource):
    """A mask drawn from a region for the input's spatial size.

    A static size is drawn once, with NumPy, when the layer is built or first
    meets it; a size known only at run time is drawn with `keras.ops`.

    Args:
        region: A `keras_masked_relu.regions.Region`.
        data_format: `"channels_last"` or `"channels_first"`.
    """

    def __init__(self, region, data_format):
        super().__init__(data_format)
        self.region = region
        self._drawn = {}

    def region_axes(self, rank):
        """The spatial axes of an input of `rank` axes, which the region's must match."""
        if rank - 2 != self.region.dimensions:
            raise ValueError(
                f"A {self.region.dimensions}-D region mask needs inputs with "
                f"{self.region.dimensions} spatial axes, "
                f"{_INPUT_FORMS[self.region.dimensions]} or channels first. Received: "
                f"input of rank {rank} for {self.region!r}"
            )
        return spatial_axes(rank, self.data_format)

    def static_size(self, input_shape):
        """The spatial sizes, or `None` when one is known only at run time."""
        sizes = tuple(input_shape[axis] for axis in self.region_axes(len(input_shape)))
        return sizes if all(isinstance(size, int) for size in sizes) else None

    def drawn(self, sizes):
        """The mask for one static size, with the sample's channel axis of 1."""
        if sizes not in self._drawn:
            channel = channel_axis(len(sizes) + 2, self.data_format) - 1
            self._drawn[sizes] = np.expand_dims(self.region.to_numpy(*sizes), channel)
        return self._drawn[sizes]

    def build(self, layer, input_shape):
        super().build(layer, input_shape)
        sizes = self.static_size(input_shape)
        if sizes is not None:
            # Drawn here, outside any traced function, for the size known now.
            self.drawn(sizes)

    def mask_for(self, x):
        sizes = self.static_size(tuple(x.shape))
        if sizes is not None:
            return ops.convert_to_tensor(self.drawn(sizes), dtype=x.dtype)
        rank = len(x.shape)
        shape = ops.shape(x)
        mask = self.region.rasterize(*[shape[axis] for axis in self.region_axes(rank)])
        return ops.expand_dims(mask, channel_axis(rank, self.data_format) - 1)

    def is_binary(self, mask):
        return self.region.is_binary

    def get_config(self):
        return keras.saving.serialize_keras_object(self.region)


class InputMask(MaskSource):
    """A mask given with each call, `layer([x, mask])`: per sample, any values."""

    def build(self, layer, input_shape):
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(
                f"Layer {layer.name} has mask=None, so it must be called on two "
                f"inputs, `layer([x, mask])`. Received: input_shape={input_shape}"
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
            channel = channel_axis(len(x_shape), self.data_format) - 1
            sample = sample[:channel] + (1,) + sample[channel:]
        if not _broadcasts(sample, x_shape[1:], self.data_format, self.interpolation):
            raise ValueError(
                f"The mask input of shape {mask_shape} cannot broadcast against "
                f"x of shape {x_shape}."
            )

    def inputs_and_mask(self, inputs):
        x, mask = inputs
        if len(mask.shape) == len(x.shape) - 1:
            mask = ops.expand_dims(mask, channel_axis(len(x.shape), self.data_format))
        return x, mask

    def data_shape(self, input_shape):
        return input_shape[0]


class LearnedMask(MaskSource):
    """A mask learned as `sigmoid(logits)` from an array's or region's start.

    Args:
        start: The `ArrayMask` or `RegionMask` that gives the starting mask.
    """

    def __init__(self, start):
        super().__init__(start.data_format, start.interpolation)
        self.start = start
        self.logits = None

    def build(self, layer, input_shape):
        super().build(layer, input_shape)
        if isinstance(self.start, RegionMask):
            sizes = self.start.static_size(input_shape)
            if sizes is None:
                raise ValueError(
                    "A trainable region mask needs a fixed image size to "
                    f"learn. Received: input of shape {tuple(input_shape)}"
                )
            start = self.start.drawn(sizes)
        else:
            start = self.start.initial_values(input_shape)
            self.start.array = ArrayPlaceholder(self.start.shape)  # the logits hold it now
        p = np.clip(start, _LOGIT_MARGIN, 1.0 - _LOGIT_MARGIN)
        self.logits = layer.add_weight(
            shape=start.shape,
            initializer=keras.initializers.Constant(np.log(p) - np.log1p(-p)),
            trainable=True,
            name="mask_logits",
        )

    def mask_for(self, x):
        return ops.sigmoid(ops.cast(self.logits, x.dtype))

    def get_config(self):
        return self.start.get_config()


def checked_mask_array(mask):
    """Checks a mask given as an array and returns it as float64 NumPy (the
    weight then holds it in the variable dtype)."""
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
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"`mask` must hold numbers. Received: mask with dtype {array.dtype}")
    array = array.astype("float64")
    if array.ndim == 0:
        raise ValueError("`mask` must have at least one axis. Received: a scalar mask")
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


def align_mask_shape(mask_shape, sample_shape, data_format, resizable=False):
    """Reshapes a mask's shape so that it broadcasts against one sample.

    A mask with one axis fewer than the sample covers the spatial axes and
    gains a channel axis of 1; a leading axis of size 1 (a batch of one) is
    dropped.

    Args:
        mask_shape: Shape of the mask, without a batch axis.
        sample_shape: Shape of one input sample (no batch axis); `None` for
            sizes known only at run time.
        data_format: `"channels_last"` or `"channels_first"`.
        resizable: Whether the mask's spatial axes are resized to the
            sample's, so only its channel axis must broadcast.

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
            f"The mask must have the sample's spatial rank ({rank - 1}), its full "
            f"rank ({rank}), or a leading batch axis of 1. Received: mask of "
            f"shape {mask_shape} for input samples of shape {tuple(sample_shape)}"
        )
    if not _broadcasts(mask_shape, sample_shape, data_format, resizable):
        raise ValueError(
            f"The mask of shape {mask_shape} cannot broadcast against input "
            f"samples of shape {tuple(sample_shape)}."
        )
    return mask_shape


def _broadcasts(mask_sample, x_sample, data_format, resizable):
    """Whether a mask broadcasts against a sample (sizes may be `None`); with
    `resizable`, only the channel axis is checked."""
    channel = channel_axis(len(x_sample) + 1, data_format) - 1
    for axis, (m, d) in enumerate(zip(mask_sample, x_sample)):
        if resizable and axis != channel:
            continue
        if m is not None and d is not None and m != 1 and m != d:
            return False
    return True


def _region_from_config(config):
    region = keras.saving.deserialize_keras_object(config)
    if not isinstance(region, Region):
        raise TypeError(
            f"A `mask` config must describe a region or an array. Received: mask={config!r}"
        )
    return region


def _holds_only_zeros_and_ones(mask):
    """Whether `mask` holds only 0 and 1, if its values can be read now.

    `False` when they cannot: inside a traced function or a symbolic call.
    """
    if not _has_values(mask):
        return False
    zero_or_one = ops.all(ops.logical_or(ops.equal(mask, 0.0), ops.equal(mask, 1.0)))
    # Under JAX, ops inside a trace are traced even on concrete arguments.
    return _has_values(zero_or_one) and bool(ops.convert_to_numpy(zero_or_one))


def _has_values(tensor):
    """Whether `tensor` holds values (an eager call), not a placeholder for
    values that a traced graph computes later."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return not isinstance(tensor, jax.core.Tracer)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.executing_eagerly()
    if backend == "torch":
        import torch

        # Compiling and exporting trace with fake tensors; Keras's symbolic
        # calls run on the "meta" device.
        return not torch.compiler.is_compiling() and tensor.device.type != "meta"
    return backend == "numpy"


def _is_shape_list(input_shape):
    return isinstance(input_shape, (list, tuple)) and (
        len(input_shape) > 0 and isinstance(input_shape[0], (list, tuple))
    )
