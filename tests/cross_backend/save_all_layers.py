"""Builds the all-layers model, trains it a few steps, saves it: `save_all_layers.py PATH`."""

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
