"""Checks of constructor arguments, with errors in Keras's style."""

import math
import numbers

import keras


def check_number(name, value, minimum=None, positive=False, allow_none=False):
    """A finite float, optionally `>= minimum` or `> 0`."""
    if value is None and allow_none:
        return None
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or not math.isfinite(value)
    ):
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
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be a bool. Received: {name}={value!r}")
    return value


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
