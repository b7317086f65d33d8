"""`LearnableReLU`: a PReLU with a learned output scale and optional offset."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu.layers.arguments import check_bool, get_initializer
from keras_masked_relu.layers.channels import (
    input_spec_for,
    parameter_shape,
    standardize_data_format,
    standardize_shared_axes,
)


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class LearnableReLU(keras.layers.Layer):
    """A PReLU whose output scale (and offset) are learned too.

    Formula:
    ``` python
    f(x) = scale * (relu(x) - alpha * relu(-x)) + shift
    ```

    `alpha`, `scale` (and `shift` with `learnable_shift=True`) are learned,
    one value per channel unless `shared_axes` says otherwise. For a plain
    learned slope, `keras.layers.PReLU` is the built-in.

    Args:
        alpha_initializer: Starting slope below zero: a float or a Keras
            initializer.
        scale_initializer: Starting output scale: a float or an initializer.
        learnable_shift: If `True`, an output offset is learned, starting at 0.
        shared_axes: `None` for one set of parameters per channel, or the
            axes along which parameters are shared, as in `keras.layers.PReLU`
            (for `(batch, H, W, C)` inputs, `[1, 2]` is per channel and `[3]`
            per pixel).
        data_format: `"channels_last"` or `"channels_first"`: where the
            channel axis is when `shared_axes=None`. Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> layer = LearnableReLU(alpha_initializer=0.25, scale_initializer=2.0)
    >>> layer(np.array([[-2.0, 2.0]]))
    [[-1.0, 4.0]]
    """

    def __init__(
        self,
        alpha_initializer=0.25,
        scale_initializer=1.0,
        learnable_shift=False,
        shared_axes=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = get_initializer("alpha_initializer", alpha_initializer)
        self.scale_initializer = get_initializer("scale_initializer", scale_initializer)
        self.learnable_shift = check_bool("learnable_shift", learnable_shift)
        self.shared_axes = standardize_shared_axes(shared_axes)
        self.data_format = standardize_data_format(data_format)

    def build(self, input_shape):
        shape = parameter_shape(input_shape, self.shared_axes, self.data_format)
        self.alpha = self.add_weight(shape=shape, initializer=self.alpha_initializer, name="alpha")
        self.scale = self.add_weight(shape=shape, initializer=self.scale_initializer, name="scale")
        self.shift = None
        if self.learnable_shift:
            self.shift = self.add_weight(shape=shape, initializer="zeros", name="shift")
        self.input_spec = input_spec_for(input_shape, shape)

    def call(self, inputs):
        return kmr_ops.learnable_relu(inputs, self.alpha, self.scale, self.shift)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": keras.initializers.serialize(self.alpha_initializer),
            "scale_initializer": keras.initializers.serialize(self.scale_initializer),
            "learnable_shift": self.learnable_shift,
            "shared_axes": self.shared_axes,
            "data_format": self.data_format,
        }
