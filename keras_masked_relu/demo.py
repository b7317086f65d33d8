"""The main job: train a small image model with masked activations, save it, reload it."""

import os
import tempfile
import time

import keras
import numpy as np

from keras_masked_relu.layers import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Box, Circle

IMAGE = 32


def synthetic_images(n, seed=0):
    """Noisy images whose label says whether a bright blob lies inside the field of view.

    Returns images `(n, 32, 32, 1)`, per-image cloud masks `(n, 32, 32)` in
    [0, 1] and binary labels `(n, 1)`.
    """
    rng = np.random.default_rng(seed)
    images = rng.normal(0.0, 0.3, size=(n, IMAGE, IMAGE, 1)).astype("float32")
    clouds = np.zeros((n, IMAGE, IMAGE), "float32")
    labels = rng.integers(0, 2, size=(n, 1)).astype("float32")
    rows, cols = np.mgrid[0:IMAGE, 0:IMAGE]
    for i in range(n):
        r, c = rng.integers(8, IMAGE - 8, size=2)
        blob = np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / 8.0)
        images[i, :, :, 0] += (1.5 if labels[i, 0] else 0.4) * blob
        cr, cc = rng.integers(0, IMAGE, size=2)
        clouds[i] = np.clip(1.2 - np.hypot(rows - cr, cols - cc) / 6.0, 0, 1)
    return images, clouds, labels


def build_model():
    """A small classifier with a field-of-view region and a per-image cloud mask."""
    image = keras.Input((IMAGE, IMAGE, 1), name="image")
    cloud = keras.Input((IMAGE, IMAGE), name="cloud")
    fov = Circle(center=(0.5, 0.5), radius=0.45, relative=True, softness=2.0)
    h = keras.layers.Conv2D(8, 3, padding="same")(image)
    h = MaskedReLU(fov - Box((0, 0), (5, 5)), shift=0.1, negative_slope=0.05, name="fov_relu")(h)
    h = keras.layers.Conv2D(8, 3, padding="same")(h)
    h = MaskedActivation(inside="elu", outside="relu", name="cloud_act")([h, cloud])
    h = keras.layers.GlobalMaxPooling2D()(h)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model([image, cloud], out)


def run_demo(epochs=5, directory=None):
    """Trains, saves and reloads the demo model; returns a summary dict.

    Raises:
        AssertionError: when the reloaded model's outputs differ from the
            trained model's.
    """
    keras.utils.set_random_seed(0)
    images, clouds, labels = synthetic_images(512)
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit([images, clouds], labels, epochs=epochs, batch_size=32, verbose=0)
    train_s = time.perf_counter() - start
    directory = directory or tempfile.mkdtemp()
    path = os.path.join(directory, "demo.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    probe = [images[:16], clouds[:16]]
    difference = float(
        np.max(np.abs(keras.ops.convert_to_numpy(model(probe)) - keras.ops.convert_to_numpy(restored(probe))))
    )
    assert difference == 0.0, f"reloaded model differs by {difference}"
    return {
        "backend": keras.backend.backend(),
        "loss": [round(float(v), 4) for v in history.history["loss"]],
        "accuracy": round(float(history.history["accuracy"][-1]), 4),
        "train_seconds": round(train_s, 2),
        "saved": path,
        "reload_max_abs_diff": difference,
    }
