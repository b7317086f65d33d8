"""Builds the array-mask U-Net, trains it 2 epochs, saves it: `save_unet.py PATH`."""

import pathlib
import sys

import keras

# Run as a script, not by pytest: `unet` lies in the tests folder above.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from unet import build_unet, make_calibration, sample_images, smooth_target  # noqa: E402

keras.utils.set_random_seed(1)
# One 64x64 calibration map, resized ("area") by the MaskedReLU at every scale.
model = build_unet(make_calibration(64), image=64, interpolation="area")
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
images = sample_images(8, 64, seed=2)
model.fit(images, smooth_target(images), epochs=2, batch_size=4, verbose=0)
model.save(sys.argv[1])
