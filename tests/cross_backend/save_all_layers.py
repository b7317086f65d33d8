"""Builds the all-layers model, trains it a few steps, saves it: `save_all_layers.py PATH`."""

import sys

import keras
import numpy as np

from keras_masked_relu.all_layers import build_model, sample_inputs

model = build_model(seed=1)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
inputs = sample_inputs(16, seed=2)
labels = (np.random.default_rng(3).random((16, 1)) > 0.5).astype("float32")
model.fit(inputs, labels, epochs=2, batch_size=8, verbose=0)  # moves every trainable weight
model.save(sys.argv[1])
