"""What both scale-out scripts share: the data and a training run.

Import it only after the devices are configured: it imports Keras.
"""

import keras
import numpy as np

from keras_masked_relu.tools.rule import scaled_difference


def make_data():
    rng = np.random.default_rng(0)
    inputs = [
        rng.normal(size=(32, 8, 8, 2)).astype("float32"),
        rng.random((32, 8, 8)).astype("float32"),
    ]
    return inputs, rng.normal(size=(32, 1)).astype("float32")


def train(build, initial, data):
    """Two epochs of SGD from `initial` weights; returns `(path, value)` of each weight after."""
    model = build()
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    model.fit(data[0], data[1], epochs=2, batch_size=8, shuffle=False, verbose=0)
    return [(w.path, np.asarray(v)) for w, v in zip(model.weights, model.get_weights())]


def largest_difference(reference, weights):
    """`[path, scaled difference]` of the weight farthest from its reference, by the rule.

    Weights are matched by position (a model built again may number its layers anew);
    the path is the reference's.
    """
    assert len(reference) == len(weights), ([p for p, _ in reference], [p for p, _ in weights])
    differences = [[p, scaled_difference(w, r)] for (p, r), (_, w) in zip(reference, weights)]
    return max(differences, key=lambda difference: difference[1])
