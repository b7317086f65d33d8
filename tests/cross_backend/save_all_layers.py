"""Builds the all-layers model, trains it a few steps, saves it: `save_all_layers.py PATH`.

Beside it, `PATH` with suffix `.layers.keras` holds the same layers with one output per
layer of the package, for the checks that compare every layer's outputs.
"""

import pathlib
import sys

import keras
import numpy as np

# Run as a script, not by pytest: `all_layers` lies in the tests folder above.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from all_layers import build_model, sample_inputs  # noqa: E402

model = build_model(seed=1)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
inputs = sample_inputs(16, seed=2)
labels = (np.random.default_rng(3).random((16, 1)) > 0.5).astype("float32")
model.fit(inputs, labels, epochs=2, batch_size=8, verbose=0)  # moves every trainable weight
model.save(sys.argv[1])
ours = [layer for layer in model.layers if type(layer).__module__.startswith("keras_masked_relu")]
every_layer = keras.Model(model.inputs, [layer.output for layer in ours], name="every_layer")
every_layer.save(pathlib.Path(sys.argv[1]).with_suffix(".layers.keras"))
