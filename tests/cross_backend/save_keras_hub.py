"""Saves keras-hub models holding masked activations: `save_keras_hub.py FOLDER`.

- `classifier.keras`: keras-hub's `ImageClassifier` on a retrofitted ResNet whose
  ReLUs became ELUs inside a field of view (trained one step);
- `deeplab_v3.keras`: a `DeepLabV3Backbone` on that retrofitted ResNet (its
  `pyramid_outputs` kept by `FeaturePyramidModel`).
"""

import pathlib
import sys

import keras
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from keras_hub_backbones import classifier, deeplab_v3, resnet_v2  # noqa: E402

from keras_masked_relu import MaskedActivation, replace_activations  # noqa: E402
from keras_masked_relu.regions import Circle  # noqa: E402

folder = pathlib.Path(sys.argv[1])
keras.utils.set_random_seed(0)
fov = Circle(center=(0.5, 0.5), radius=0.4, relative=True, softness=1.0)
encoder = replace_activations(
    resnet_v2(),
    lambda original: MaskedActivation(fov, inside="elu", outside=original),
    strict=True,  # a ResNet holds nothing out of reach
)
model = classifier(encoder)
model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
images = np.random.default_rng(0).normal(size=(8, 32, 32, 3)).astype("float32")
model.train_on_batch(images, np.arange(8) % 3)
model.save(folder / "classifier.keras")
deeplab_v3(image_encoder=encoder).save(folder / "deeplab_v3.keras")
