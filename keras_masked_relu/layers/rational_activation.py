"""`RationalActivation`: a learned safe Padé activation."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._rational_fits import TARGETS, fit_rational
from keras_masked_relu._validation import check_int


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class RationalActivation(keras.layers.Layer):
    """A learned rational function without poles (the "safe" Padé activation).

    Formula:
    ``` python
    P(x) = sum(a[k] * x ** k for k in range(numerator_degree + 1))
    Q(x) = sum(b[j] * x ** j for j in range(1, denominator_degree + 1))
    f(x) = P(x) / (1 + abs(Q(x)))
    ```

    The coefficients start from a least-squares fit of this form to the
    activation named by `approximate` on [-3, 3].

    Args:
        numerator_degree: Int >= 1, the degree of `P`.
        denominator_degree: Int >= 1, the degree of `Q`.
        approximate: The activation fitted for the starting coefficients: one
            of `"relu"`, `"leaky_relu"` (slope 0.2, Keras's default),
            `"tanh"`, `"sigmoid"`, `"gelu"`, `"swish"`, `"silu"`,
            `"identity"`, `"linear"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> layer = RationalActivation(approximate="tanh")
    >>> layer(np.array([1.0]))  # about tanh(1)
    [0.7616]
    """

    def __init__(
        self, numerator_degree=5, denominator_degree=4, approximate="leaky_relu", **kwargs
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

    def build(self, input_shape):
        a, b, _ = fit_rational(self.approximate, self.numerator_degree, self.denominator_degree)
        self.numerator = self.add_weight(
            shape=a.shape, initializer=keras.initializers.Constant(a), name="numerator"
        )
        self.denominator = self.add_weight(
            shape=b.shape, initializer=keras.initializers.Constant(b), name="denominator"
        )

    def call(self, inputs):
        return kmr_ops.rational(inputs, self.numerator, self.denominator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "numerator_degree": self.numerator_degree,
            "denominator_degree": self.denominator_degree,
            "approximate": self.approximate,
        }
