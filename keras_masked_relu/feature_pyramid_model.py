"""`FeaturePyramidModel`: a functional model that keeps keras-hub's `pyramid_outputs`."""

import keras


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class FeaturePyramidModel(keras.Model):
    """A functional model with feature-pyramid outputs, as keras-hub's backbones have.

    keras-hub's `FeaturePyramidBackbone`s (ResNet, CSPNet, ...) carry a
    `pyramid_outputs` dict, `{"P2": tensor, "P3": tensor, ...}`, which
    `DeepLabV3Backbone`, `RetinaNetBackbone` and other tasks read from their
    `image_encoder`. `replace_activations` returns a model of this class for
    such a backbone, so that a task can be built on the retrofitted backbone,
    saved and loaded again: the pyramid is saved in the config, each level as
    the layer (and call) that produces it.

    Args:
        inputs: The model's inputs, as for a functional `keras.Model`.
        outputs: The model's outputs.
        pyramid_outputs: A dict from level names to tensors of the model's
            graph.
        **kwargs: Other arguments of `keras.Model`, such as `name`.

    Example:
    >>> import keras
    >>> import numpy as np
    >>> from keras_masked_relu import FeaturePyramidModel
    >>> inputs = keras.Input((16, 16, 3))
    >>> p1 = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="p1")(inputs)
    >>> p2 = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="p2")(p1)
    >>> model = FeaturePyramidModel(inputs, p2, pyramid_outputs={"P1": p1, "P2": p2})
    >>> features = keras.Model(model.inputs, model.pyramid_outputs)
    >>> tuple(features(np.zeros((1, 16, 16, 3)))["P1"].shape)
    (1, 8, 8, 4)
    """

    def __init__(self, *args, pyramid_outputs=None, **kwargs):
        super().__init__(*args, **kwargs)
        pyramid_outputs = {} if pyramid_outputs is None else pyramid_outputs
        if not isinstance(pyramid_outputs, dict) or not all(
            isinstance(key, str) and isinstance(value, keras.KerasTensor)
            for key, value in pyramid_outputs.items()
        ):
            raise TypeError(
                "`pyramid_outputs` must be a dict from level names to tensors of the "
                f"model's graph. Received: pyramid_outputs={pyramid_outputs!r}"
            )
        self.pyramid_outputs = dict(pyramid_outputs)

    def get_config(self):
        config = super().get_config()
        levels = {}
        for key, tensor in self.pyramid_outputs.items():
            layer, node_index, tensor_index = tensor._keras_history
            levels[key] = [layer.name, node_index, tensor_index]
        config["pyramid_outputs"] = levels
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        levels = config.pop("pyramid_outputs", {})
        model = super().from_config(config, custom_objects=custom_objects)
        pyramid = {}
        for key, (name, node_index, tensor_index) in levels.items():
            node = model.get_layer(name)._inbound_nodes[node_index]
            pyramid[key] = node.output_tensors[tensor_index]
        model.pyramid_outputs = pyramid
        return model
