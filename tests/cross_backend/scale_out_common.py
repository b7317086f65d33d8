"""What both scale-out scripts share: the data and a training run.

Import it only after the devices are configured: it imports Keras.
"""

import keras
import numpy as np


def make_data():
    rng = np.random.default_rng(0)
    inputs = [
        rng.normal(size=(32, 8, 8, 2)).astype("float32"),
        rng.random((32, 8, 8)).astype("float32"),
    ]
    return inputs, rng.normal(size=(32, 1)).astype("float32")


def train(build, initial, data):
    """Two epochs of SGD from `initial` weights; returns the weights after."""
    model = build()
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    model.fit(data[0], data[1], epochs=2, batch_size=8, shuffle=False, verbose=0)
    return [np.asarray(w) for w in model.get_weights()]


def largest_difference(weights_a, weights_b):
    return max(float(np.abs(a - b).max()) for a, b in zip(weights_a, weights_b))
