"""A small CNN retrofitted with `replace_activations`, trained 1 epoch, saved:
`save_retrofit.py PATH`.

Every ReLU (two fused into `Conv2D(..., activation="relu")`, one `ReLU()`
layer) becomes a `MaskedReLU` with a soft relative circle.
"""

import sys

import keras
import numpy as np

from keras_masked_relu import MaskedReLU, replace_activations
from keras_masked_relu.regions import Circle

keras.utils.set_random_seed(1)
x_in = keras.Input((16, 16, 2))
h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(x_in)
h = keras.layers.Conv2D(4, 3, strides=2, padding="same")(h)
h = keras.layers.ReLU()(h)
h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(h)
out = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(h))
original = keras.Model(x_in, out)

model = replace_activations(
    original,
    lambda original: MaskedReLU(Circle((0.5, 0.5), 0.4, relative=True, softness=1.0), shift=0.1),
)
replaced = [layer for layer in model.layers if isinstance(layer, MaskedReLU)]
if len(replaced) != 3:
    sys.exit(f"replace_activations made {len(replaced)} MaskedReLU layers, not 3")

model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
rng = np.random.default_rng(2)
images = rng.normal(size=(16, 16, 16, 2)).astype("float32")
targets = images.mean(axis=(1, 2, 3))[:, None].astype("float32")
model.fit(images, targets, epochs=1, batch_size=8, verbose=0)
model.save(sys.argv[1])
