"""Checks of constructor arguments, with errors in Keras's style.

Every check names the argument and what was received, in Keras's style
(`"... Received: radius=-3"`): a number or flag of the wrong type is a
`TypeError`, a value out of range or an unknown name a `ValueError`.
"""

import math
import numbers

import keras
import numpy as np


def is_real(value):
    """Whether `value` is a finite real number (a bool is not)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def check_number(name, value, minimum=None, positive=False, allow_none=False):
    """A finite float, optionally `>= minimum` or `> 0`."""
    if value is None and allow_none:
        return None
    if not is_real(value):
        raise TypeError(f"`{name}` must be a finite number. Received: {name}={value!r}")
    if positive and value <= 0:
        raise ValueError(f"`{name}` must be > 0. Received: {name}={value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}. Received: {name}={value!r}")
    return float(value)


def check_int(name, value, minimum):
    """An int `>= minimum`."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be an int. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}. Received: {name}={value!r}")
    return int(value)


def check_bool(name, value):
    """A bool (not merely truthy)."""
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be a bool. Received: {name}={value!r}")
    return value


def check_choice(name, value, choices, allow_none=False):
    """One of `choices` (strings), or `None` when allowed."""
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in ((None,) if allow_none else ()) + tuple(choices))
        raise ValueError(f"`{name}` must be one of {allowed}. Received: {name}={value!r}")
    return value


_POINT_FORMS = {2: "(x, y) of two numbers", 3: "(x, y, z) of three numbers"}


def check_point(name, value, dimensions=2):
    """A point of `dimensions` finite numbers (`(x, y)` or `(x, y, z)`), as a tuple of floats."""
    if (
        not isinstance(value, (list, tuple, np.ndarray))
        or len(value) != dimensions
        or not all(is_real(v) for v in value)
    ):
        raise ValueError(
            f"`{name}` must be a point {_POINT_FORMS[dimensions]}. Received: {name}={value!r}"
        )
    return tuple(float(v) for v in value)


def standardize_data_format(data_format):
    """Returns `data_format`, or Keras's image data format when it is `None`."""
    if data_format is None:
        return keras.config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def standardize_shared_axes(shared_axes):
    """`None`, or a list of ints (a single int is accepted)."""
    if shared_axes is None:
        return None
    axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
    for axis in axes:
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"`shared_axes` must hold ints. Received: shared_axes={shared_axes!r}")
    return axes


def get_initializer(name, value):
    """A Keras initializer; a plain number means `Constant(number)`."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return keras.initializers.Constant(check_number(name, value))
    try:
        return keras.initializers.get(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`{name}` must be a number or a Keras initializer. Received: {name}={value!r}"
        ) from error


def get_regularizer(name, value):
    """A Keras regularizer, or `None`."""
    return _get_optional(keras.regularizers, "regularizer", name, value)


def get_constraint(name, value):
    """A Keras constraint, or `None`."""
    return _get_optional(keras.constraints, "constraint", name, value)


def _get_optional(module, kind, name, value):
    try:
        return module.get(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`{name}` must be a Keras {kind} or None. Received: {name}={value!r}"
        ) from error


def get_activation(name, value):
    """A Keras activation function from a name, a function or its config."""
    if isinstance(value, dict):
        value = keras.saving.deserialize_keras_object(value)
    if isinstance(value, str):
        try:
            return keras.activations.get(value)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"`{name}` is not a known Keras activation. Received: {name}={value!r}"
            ) from error
    if callable(value) and not isinstance(value, type):
        return value
    raise TypeError(
        f"`{name}` must be an activation name or function. Received: {name}={value!r} "
        f"of type {type(value).__name__}"
    )
