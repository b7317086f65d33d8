"""Builds a U-Net, trains it 2 epochs, saves it: `save_unet.py PATH [volume]`.

Without `volume`, the 2-D U-Net with one 64x64 calibration map; with it, the
3-D U-Net with one 16x16x16 calibration volume at every scale and a spherical
region of interest. Also writes PATH with the suffix `.inputs.npy`: inputs on
which the saved model's pre-activations keep away from every kink, to compare
gradients on.
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

from keras_masked_relu.regions import Sphere  # noqa: E402

path = pathlib.Path(sys.argv[1])
volume = sys.argv[2:] == ["volume"]
dimensions, image = (3, 16) if volume else (2, 64)
roi = Sphere((0.5, 0.5, 0.5), 0.35, relative=True, softness=1.0) if volume else None

keras.utils.set_random_seed(1)
# One calibration map, resized ("area") by the MaskedReLU at every scale.
calibration = make_calibration(image, dimensions=dimensions)
model = build_unet(calibration, image=image, interpolation="area", dimensions=dimensions, roi=roi)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
images = sample_images(8, image, seed=2, dimensions=dimensions)
model.fit(images, smooth_target(images), epochs=2, batch_size=4, verbose=0)
model.save(path)
np.save(path.with_suffix(".inputs.npy"), images_away_from_kinks(model, image=image)[0])
