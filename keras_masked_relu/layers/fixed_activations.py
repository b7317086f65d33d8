"""Activations with fixed settings: `SqrtTanh`, `ScaledReLU`, `SoftClip`."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import check_number


class _Elementwise(keras.layers.Layer):
    """An activation without weights, built at init as Keras's own are.

    The output has the input's shape; a Keras mask is passed on.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._build_at_init()

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class SqrtTanh(_Elementwise):
    """Smooth activation, about linear near 0 and the identity for large |x|.

    Formula:
    ``` python
    f(x) = x * tanh(sqrt(x ** 2 + 1))
    ```

    Args:
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import SqrtTanh
    >>> SqrtTanh()(np.array([0.0, 1.0, 100.0]))
    [0.0, 0.8884, 100.0]
    """

    def call(self, inputs):
        return kmr_ops.sqrt_tanh(inputs)


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class ScaledReLU(_Elementwise):
    """A ReLU of the shifted input, scaled.

    Formula:
    ``` python
    f(x) = scale * relu(x + shift)
    ```

    Args:
        scale: Float, factor applied to the output.
        shift: Float, added to the input before the ReLU.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import ScaledReLU
    >>> ScaledReLU(scale=2.0, shift=0.5)(np.array([-1.0, 1.0]))
    [0.0, 3.0]
    """

    def __init__(self, scale=1.0, shift=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_number("scale", scale)
        self.shift = check_number("shift", shift)

    def call(self, inputs):
        return kmr_ops.scaled_relu(inputs, self.scale, self.shift)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "shift": self.shift})
        return config


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class SoftClip(_Elementwise):
    """Bounds the input smoothly to (-scale, scale); gradients flow everywhere.

    Formula:
    ``` python
    f(x) = scale * tanh(x / scale)
    ```

    Args:
        scale: Float > 0, the bound.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import SoftClip
    >>> SoftClip(scale=5.0)(np.array([-100.0, 0.0, 100.0]))
    [-5.0, 0.0, 5.0]
    """

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_number("scale", scale, positive=True)

    def call(self, inputs):
        return kmr_ops.soft_clip(inputs, self.scale)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale})
        return config
