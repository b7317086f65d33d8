"""`RationalActivation`: a learned safe Padé activation."""

import keras
import numpy as np
from keras import ops

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._rational_fits import TARGETS, fit_rational
from keras_masked_relu._validation import (
    check_bool,
    check_choice,
    check_int,
    standardize_data_format,
)
from keras_masked_relu.layers._channels import channel_axis

VERSIONS = ("A", "B")


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class RationalActivation(keras.layers.Layer):
    """A learned rational function without poles (the "safe" Padé activation).

    Formula:
    ``` python
    P(x) = sum(a[k] * x ** k for k in range(numerator_degree + 1))
    Q(x) = sum(b[j] * x ** j for j in range(1, denominator_degree + 1))
    f(x) = P(x) / (1 + abs(Q(x)))  # version "B"
    f(x) = P(x) / (1 + sum(abs(b[j]) * abs(x) ** j for j in range(1, denominator_degree + 1)))
    # version "A"
    ```

    The coefficients start from a least-squares fit of the layer's own
    version to the activation named by `approximate` on [-3, 3] (for version
    A, with every `b_j` at least `2 ** -24`: at 0 its gradient would be 0).
    With `groups=g` the channels are split into `g` contiguous groups, each
    with its own coefficients, all starting from the same fit. With
    `shared_numerator=True` (KAT's `KAT_Group` form), one numerator serves
    every group and only the denominators are per group.

    Args:
        numerator_degree: Int >= 1, the degree of `P`.
        denominator_degree: Int >= 1, the degree of `Q`.
        approximate: The activation fitted for the starting coefficients: one
            of `"relu"`, `"leaky_relu"` (slope 0.2, Keras's default),
            `"tanh"`, `"sigmoid"`, `"gelu"`, `"swish"`, `"silu"`,
            `"identity"`, `"linear"`.
        version: `"B"` (the absolute value of the denominator's sum) or `"A"`
            (a sum of absolute values, the PAU reference code's default).
        groups: Int >= 1, the number of channel groups with their own
            coefficients. The number of channels must divide by it.
        shared_numerator: If `True`, the numerator has shape
            `(numerator_degree + 1,)` for all groups and the denominator
            `(groups, denominator_degree)`; if `False`, both are per group.
        data_format: `"channels_last"` or `"channels_first"`: where the
            channel axis is for `groups > 1`. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import RationalActivation
    >>> layer = RationalActivation(approximate="tanh")
    >>> layer(np.array([1.0]))  # about tanh(1)
    [0.7616]
    >>> grouped = RationalActivation(approximate="tanh", groups=2)
    >>> grouped(np.array([[1.0, 1.0, -1.0, -1.0]]))
    [[0.7616, 0.7616, -0.7616, -0.7616]]
    """

    def __init__(
        self,
        numerator_degree=5,
        denominator_degree=4,
        approximate="leaky_relu",
        version="B",
        groups=1,
        shared_numerator=False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.numerator_degree = check_int("numerator_degree", numerator_degree, minimum=1)
        self.denominator_degree = check_int("denominator_degree", denominator_degree, minimum=1)
        if approximate not in TARGETS:
            raise ValueError(
                f"`approximate` must name an activation with a fit, one of {sorted(TARGETS)}. "
                f"Received: approximate={approximate!r}"
            )
        self.approximate = approximate
        self.version = check_choice("version", version, VERSIONS)
        self.groups = check_int("groups", groups, minimum=1)
        self.shared_numerator = check_bool("shared_numerator", shared_numerator)
        self.data_format = standardize_data_format(data_format)

    def build(self, input_shape):
        a, b, _ = fit_rational(
            self.approximate, self.numerator_degree, self.denominator_degree, self.version
        )
        if self.groups > 1:
            axis = channel_axis(len(input_shape), self.data_format)
            channels = input_shape[axis]
            if channels is None or channels % self.groups:
                raise ValueError(
                    f"The number of channels must divide by `groups`. Received: groups="
                    f"{self.groups} for inputs of shape {tuple(input_shape)} "
                    f"({channels} channels on axis {axis})"
                )
            if not self.shared_numerator:
                a = np.tile(a, (self.groups, 1))
            b = np.tile(b, (self.groups, 1))
        self.numerator = self.add_weight(
            shape=a.shape, initializer=keras.initializers.Constant(a), name="numerator"
        )
        self.denominator = self.add_weight(
            shape=b.shape, initializer=keras.initializers.Constant(b), name="denominator"
        )

    def call(self, inputs):
        numerator, denominator = self.numerator, self.denominator
        if self.groups > 1:
            if not self.shared_numerator:
                numerator = self._per_channel(numerator, inputs)
            denominator = self._per_channel(denominator, inputs)
        return kmr_ops.rational(inputs, numerator, denominator, version=self.version)

    def _per_channel(self, coefficients, inputs):
        """`(groups, k)` coefficients as `(k, channels)`, broadcastable to `inputs`."""
        rank = len(inputs.shape)
        axis = channel_axis(rank, self.data_format)
        per_channel = ops.repeat(coefficients, inputs.shape[axis] // self.groups, axis=0)
        trailing = rank - 1 - axis
        return ops.reshape(ops.transpose(per_channel), (-1, inputs.shape[axis]) + (1,) * trailing)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "numerator_degree": self.numerator_degree,
                "denominator_degree": self.denominator_degree,
                "approximate": self.approximate,
                "version": self.version,
                "groups": self.groups,
                "shared_numerator": self.shared_numerator,
                "data_format": self.data_format,
            }
        )
        return config
