"""`PolynomialActivation`: a learned polynomial."""

import keras
import numpy as np

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import check_int


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class PolynomialActivation(keras.layers.Layer):
    """A polynomial with learned coefficients.

    Formula:
    ``` python
    f(x) = sum(a[k] * x ** k for k in range(degree + 1))
    ```

    The coefficients start at `a[1] = 0.5` and 0 elsewhere (`f(x) = x / 2`).
    It is evaluated by Horner's rule.

    Args:
        degree: Int >= 1, the highest power.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import PolynomialActivation
    >>> PolynomialActivation(degree=3)(np.array([2.0]))
    [1.0]
    """

    def __init__(self, degree=3, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.degree = check_int("degree", degree, minimum=1)

    def build(self, input_shape):
        start = np.zeros(self.degree + 1, "float32")
        start[1] = 0.5
        self.coefficients = self.add_weight(
            shape=(self.degree + 1,),
            initializer=keras.initializers.Constant(start),
            name="coefficients",
        )

    def call(self, inputs):
        return kmr_ops.polynomial(inputs, self.coefficients)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"degree": self.degree})
        return config
