"""Shapes of per-channel parameters, in the sense of `keras.layers.PReLU`."""

import keras


def channel_axis(rank, data_format):
    """The channel axis of an input of `rank` axes, batch axis included."""
    return rank - 1 if data_format == "channels_last" else 1


def spatial_axes(rank, data_format):
    """The spatial axes of an input of `rank` axes, batch axis included."""
    if data_format == "channels_last":
        return tuple(range(1, rank - 1))
    return tuple(range(2, rank))


def parameter_shape(input_shape, shared_axes, data_format):
    """The shape of a parameter that is shared along `shared_axes`.

    With `shared_axes=None` the parameter has one value per channel (the
    channel axis given by `data_format`) and is shared along every other axis;
    otherwise it has the input's size along every axis not in `shared_axes`,
    as in `keras.layers.PReLU`.

    Args:
        input_shape: The full input shape, batch axis first.
        shared_axes: `None` or a list of axes (1 is the first axis after the
            batch; negative axes count from the end).
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A tuple of `len(input_shape) - 1` ints, broadcastable to one sample.
    """
    rank = len(input_shape)
    if rank < 2:
        raise ValueError(
            "Inputs need a batch axis and at least one more. "
            f"Received: input_shape={tuple(input_shape)}"
        )
    if shared_axes is None:
        kept = {channel_axis(rank, data_format)}
    else:
        shared = set()
        for axis in shared_axes:
            positive = axis + rank if axis < 0 else axis
            if not 1 <= positive < rank:
                raise ValueError(
                    f"`shared_axes` must lie in [1, {rank - 1}] (or count from the end) for "
                    f"inputs of rank {rank}. Received: shared_axes={shared_axes!r}"
                )
            shared.add(positive)
        kept = set(range(1, rank)) - shared
    shape = []
    for axis in range(1, rank):
        if axis not in kept:
            shape.append(1)
        elif input_shape[axis] is None:
            raise ValueError(
                f"Axis {axis} carries its own parameters, so its size must be known. "
                f"Received: input_shape={tuple(input_shape)}; share it with `shared_axes`"
            )
        else:
            shape.append(int(input_shape[axis]))
    return tuple(shape)


def input_spec_for(input_shape, parameter_shape_):
    """An InputSpec that fixes the sizes the parameters depend on."""
    axes = {
        axis: input_shape[axis] for axis, size in enumerate(parameter_shape_, start=1) if size != 1
    }
    return keras.layers.InputSpec(ndim=len(input_shape), axes=axes)


def per_channel_shape(input_shape, per_channel, data_format):
    """`()` for one shared value, or one value per channel (`parameter_shape`)."""
    if not per_channel:
        return ()
    return parameter_shape(input_shape, None, data_format)
