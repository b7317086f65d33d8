"""`LearnableReLU`: a PReLU with a learned output scale and optional offset."""

import keras

from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._validation import (
    check_bool,
    get_constraint,
    get_initializer,
    get_regularizer,
    standardize_data_format,
    standardize_shared_axes,
)
from keras_masked_relu.layers._channels import input_spec_for, parameter_shape


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class LearnableReLU(keras.layers.Layer):
    """A PReLU whose output scale (and offset) are learned too.

    Formula:
    ``` python
    f(x) = scale * (relu(x) - alpha * relu(-x)) + shift
    ```

    `alpha`, `scale` (and `shift` with `learnable_shift=True`) are learned,
    one value per channel unless `shared_axes` says otherwise. Note that
    `shared_axes=None` means per channel here, where `keras.layers.PReLU`
    learns one slope per element. For a plain learned slope,
    `keras.layers.PReLU` is the built-in.

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
        alpha_regularizer: Regularizer of `alpha`, or `None`.
        alpha_constraint: Constraint on `alpha`, or `None`.
        scale_regularizer: Regularizer of `scale`, or `None`.
        scale_constraint: Constraint on `scale`, or `None`.
        shift_regularizer: Regularizer of `shift`, or `None`.
        shift_constraint: Constraint on `shift`, or `None`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Example:
    >>> import numpy as np
    >>> from keras_masked_relu import LearnableReLU
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
        alpha_regularizer=None,
        alpha_constraint=None,
        scale_regularizer=None,
        scale_constraint=None,
        shift_regularizer=None,
        shift_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = get_initializer("alpha_initializer", alpha_initializer)
        self.scale_initializer = get_initializer("scale_initializer", scale_initializer)
        self.learnable_shift = check_bool("learnable_shift", learnable_shift)
        self.shared_axes = standardize_shared_axes(shared_axes)
        self.data_format = standardize_data_format(data_format)
        self.alpha_regularizer = get_regularizer("alpha_regularizer", alpha_regularizer)
        self.alpha_constraint = get_constraint("alpha_constraint", alpha_constraint)
        self.scale_regularizer = get_regularizer("scale_regularizer", scale_regularizer)
        self.scale_constraint = get_constraint("scale_constraint", scale_constraint)
        self.shift_regularizer = get_regularizer("shift_regularizer", shift_regularizer)
        self.shift_constraint = get_constraint("shift_constraint", shift_constraint)

    def build(self, input_shape):
        shape = parameter_shape(input_shape, self.shared_axes, self.data_format)
        self.alpha = self.add_weight(
            shape=shape,
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
            name="alpha",
        )
        self.scale = self.add_weight(
            shape=shape,
            initializer=self.scale_initializer,
            regularizer=self.scale_regularizer,
            constraint=self.scale_constraint,
            name="scale",
        )
        self.shift = None
        if self.learnable_shift:
            self.shift = self.add_weight(
                shape=shape,
                initializer="zeros",
                regularizer=self.shift_regularizer,
                constraint=self.shift_constraint,
                name="shift",
            )
        self.input_spec = input_spec_for(input_shape, shape)

    def call(self, inputs):
        return kmr_ops.learnable_relu(inputs, self.alpha, self.scale, self.shift)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "alpha_initializer": keras.initializers.serialize(self.alpha_initializer),
                "scale_initializer": keras.initializers.serialize(self.scale_initializer),
                "learnable_shift": self.learnable_shift,
                "shared_axes": self.shared_axes,
                "data_format": self.data_format,
                "alpha_regularizer": keras.regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": keras.constraints.serialize(self.alpha_constraint),
                "scale_regularizer": keras.regularizers.serialize(self.scale_regularizer),
                "scale_constraint": keras.constraints.serialize(self.scale_constraint),
                "shift_regularizer": keras.regularizers.serialize(self.shift_regularizer),
                "shift_constraint": keras.constraints.serialize(self.shift_constraint),
            }
        )
        return config
