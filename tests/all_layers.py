"""A small image model that holds every layer of the package.

Used by the cross-backend checks and the export checks. The layers are those
of each catalogue entry's `model` (`tests/catalogue.py`): every mask source
(arrays, regions, second inputs, learned, resized from twice the image's
resolution), every learnable and fixed activation, and nested
`MaskedActivation`s.
"""

import types

import keras
import numpy as np
from catalogue import ENTRIES

from keras_masked_relu.regions import Box, Circle, Ellipse, Polygon

IMAGE = 16


def masks(image=IMAGE, seed=0):
    """The masks the entries build their layers from: arrays at the image's size and
    at twice it (`fine_*`), and regions."""
    rng = np.random.default_rng(seed)
    return types.SimpleNamespace(
        binary=(rng.random((image, image)) > 0.5).astype("float32"),
        weighted=rng.random((image, image)).astype("float32"),
        fine_binary=(rng.random((2 * image, 2 * image)) > 0.5).astype("float32"),
        fine_weighted=rng.random((2 * image, 2 * image)).astype("float32"),
        fov=Circle(center=(0.5, 0.5), radius=0.45, relative=True, softness=2.0),
        notch=Polygon([(0.0, 0.0), (0.4, 0.0), (0.0, 0.4)], relative=True),
        corner=Box((0, 0), (3, 3)),
        # A soft edge gives a learned mask room to move (docs/guides/masks.md).
        lens=Ellipse(center=(0.6, 0.4), radii=(0.3, 0.2), angle=25, relative=True, softness=3.0),
    )


def build_model(image=IMAGE, channels=3, width=8, seed=0):
    """Builds the model; inputs are an image and per-image masks in [0, 1].

    Args:
        image: Height and width of the square images.
        channels: Channels of the image input.
        width: Channels of the hidden feature maps.
        seed: Seed of the NumPy masks and of the weights.

    Returns:
        A functional `keras.Model` with inputs `image` of shape
        `(image, image, channels)`, `mask` of shape `(image, image)` and
        `fine_mask` of shape `(2 * image, 2 * image)`, and one sigmoid output.
    """
    keras.utils.set_random_seed(seed)
    m = masks(image, seed)
    x_in = keras.Input((image, image, channels), name="image")
    mask_inputs = {
        "mask": keras.Input((image, image), name="mask"),
        "fine_mask": keras.Input((2 * image, 2 * image), name="fine_mask"),
    }
    h = keras.layers.Conv2D(width, 3, padding="same")(x_in)
    for entry in ENTRIES:
        for layer in entry.model(m):
            if isinstance(layer, tuple):
                layer, mask_input = layer
                h = layer([h, mask_inputs[mask_input]])
            else:
                h = layer(h)
        if entry.differential.masked:
            h = keras.layers.Conv2D(width, 3, padding="same")(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model([x_in, *mask_inputs.values()], out, name="all_layers")


def sample_inputs(n, image=IMAGE, channels=3, seed=0):
    """Random inputs for the model: normal images and uniform masks."""
    rng = np.random.default_rng(seed)
    return [
        rng.normal(size=(n, image, image, channels)).astype("float32"),
        rng.random((n, image, image)).astype("float32"),
        rng.random((n, 2 * image, 2 * image)).astype("float32"),
    ]
