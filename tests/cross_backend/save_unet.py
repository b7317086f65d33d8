"""Builds the array-mask U-Net, trains it 2 epochs, saves it: `save_unet.py PATH`.

Also writes PATH with the suffix `.inputs.npy`: images on which the saved
model's pre-activations keep away from every kink, to compare gradients on.
"""

import pathlib
import sys

import keras
import numpy as np

# Run as a script, not by pytest: `unet` lies in the tests folder above.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from unet import (  # noqa: E402
    build_unet,
    images_away_from_kinks,
    make_calibration,
    sample_images,
    smooth_target,
)

keras.utils.set_random_seed(1)
# One 64x64 calibration map, resized ("area") by the MaskedReLU at every scale.
model = build_unet(make_calibration(64), image=64, interpolation="area")
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
images = sample_images(8, 64, seed=2)
model.fit(images, smooth_target(images), epochs=2, batch_size=4, verbose=0)
model.save(sys.argv[1])
np.save(pathlib.Path(sys.argv[1]).with_suffix(".inputs.npy"), images_away_from_kinks(model)[0])
