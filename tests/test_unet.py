"""One mask at every scale of a U-Net (SPEC 3.5): training, saving, and each scale's numbers.

Expected values come from `reference.masked_relu` and `reference.resize` (NumPy,
float64), applied to the pre-activations that a sub-model reads out of the
network, or from closed forms (a mask of zeros is ReLU, of ones a shifted ReLU).
"""

import io
import zipfile

import h5py
import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy
from unet import (
    MASKED_LAYERS,
    ROI_LAYER,
    SHIFT,
    build_unet,
    make_calibration,
    sample_images,
    smooth_target,
)

from keras_masked_relu import MaskedReLU
from keras_masked_relu.regions import Sphere

INTERPOLATIONS = ["nearest", "bilinear", "area"]
IMAGE = 64
ATOL = 1e-5  # float32 activations of magnitude up to a few units


def saved_weight_shapes(path):
    """Shapes of every array in a `.keras` file's `model.weights.h5`, read with h5py."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    shapes = []
    with h5py.File(io.BytesIO(data), "r") as weights:
        weights.visititems(
            lambda _, item: (
                shapes.append(tuple(item.shape)) if isinstance(item, h5py.Dataset) else None
            )
        )
    return shapes


def scales_model(model, layers=MASKED_LAYERS):
    """A sub-model giving each masked layer's input and output, in `layers` order."""
    outputs = []
    for conv_name, masked_name, _ in layers:
        outputs += [model.get_layer(conv_name).output, model.get_layer(masked_name).output]
    return keras.Model(model.input, outputs)


def pairs(arrays):
    """(pre-activation, masked output) pairs from `scales_model`'s outputs."""
    arrays = [np.asarray(to_numpy(a), np.float64) for a in arrays]
    return list(zip(arrays[0::2], arrays[1::2]))


# --- 1. Training, the calibration weights, and the saved file ---------------------------


# Keras's own choice of step per backend (`jit_compile="auto"`): compiled and eager
# steps are each trained on every backend with every mask source in `test_models.py`.
def test_unet_fits_keeps_calibration_and_saves_it_once(tmp_path):
    calibration = make_calibration(IMAGE)
    keras.utils.set_random_seed(0)
    model = build_unet(calibration, image=IMAGE, interpolation="area")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x = sample_images(16, IMAGE, seed=1)
    y = smooth_target(x)
    first = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0)
    last = model.evaluate(x, y, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert np.isfinite(last) and last < 0.7 * first, (first, last)

    masked = [model.get_layer(name) for _, name, _ in MASKED_LAYERS]
    for layer in masked:
        assert layer.trainable_weights == []
        (weight,) = layer.non_trainable_weights
        assert tuple(weight.shape) == (IMAGE, IMAGE, 1)
        np.testing.assert_array_equal(to_numpy(weight), calibration[:, :, None])

    path = tmp_path / "unet.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    z = sample_images(3, IMAGE, seed=2)
    np.testing.assert_array_equal(to_numpy(restored(z)), to_numpy(model(z)))
    np.testing.assert_array_equal(restored.predict(z, verbose=0), model.predict(z, verbose=0))
    for _, name, _ in MASKED_LAYERS:
        layer = restored.get_layer(name)
        assert layer.get_config()["mask_interpolation"] == "area"
        (weight,) = layer.non_trainable_weights
        np.testing.assert_array_equal(to_numpy(weight), calibration[:, :, None])

    # The file holds the mask once per masked layer, at 64x64, and never resized.
    shapes = saved_weight_shapes(path)
    assert shapes.count((IMAGE, IMAGE, 1)) == len(MASKED_LAYERS), shapes
    assert not [s for s in shapes if s[:2] in ((32, 32), (16, 16))], shapes
    assert not [s for s in shapes if len(s) >= 2 and s[:2] == (IMAGE, IMAGE) and s[2:] != (1,)]


# --- 2. Array masks: each scale against the reference -----------------------------------


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_stride_two_conv_then_full_resolution_mask(interpolation):
    """`Conv2D(strides=2)` on a 64x64 image, then the 64x64 calibration resized to 32x32."""
    calibration = make_calibration(IMAGE)
    keras.utils.set_random_seed(0)
    x_in = keras.Input((IMAGE, IMAGE, 1))
    conv_out = keras.layers.Conv2D(2, 3, strides=2, padding="same")(x_in)
    layer = MaskedReLU(calibration, shift=0.3, mask_interpolation=interpolation)
    model = keras.Model(x_in, layer(conv_out))
    conv_model = keras.Model(x_in, conv_out)
    x = sample_images(2, IMAGE, seed=3)
    h = np.asarray(to_numpy(conv_model(x)), np.float64)
    assert h.shape == (2, 32, 32, 2)
    m = ref.resize(calibration, (32, 32), interpolation)[None, :, :, None]
    expected = ref.masked_relu(h, m, shift=0.3)
    np.testing.assert_allclose(to_numpy(model(x)), expected, atol=ATOL)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=ATOL)
    assert [tuple(w.shape) for w in layer.non_trainable_weights] == [(IMAGE, IMAGE, 1)]


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_array_unet_every_scale_against_reference(interpolation):
    """Each of the five MaskedReLUs applies the calibration resized to its feature map."""
    calibration = make_calibration(IMAGE)
    keras.utils.set_random_seed(0)
    model = build_unet(calibration, image=IMAGE, channels=2, interpolation=interpolation)
    x = sample_images(2, IMAGE, channels=2, seed=4)
    outputs = scales_model(model)(x)
    for (pre, got), (_, name, factor) in zip(pairs(outputs), MASKED_LAYERS):
        size = (IMAGE // factor, IMAGE // factor)
        assert pre.shape[1:3] == size, name
        m = ref.resize(calibration, size, interpolation)[None, :, :, None]
        np.testing.assert_allclose(got, ref.masked_relu(pre, m, shift=SHIFT), atol=ATOL)
    assert model(x).shape == (2, IMAGE, IMAGE, 1)


# --- 3. The mask as a second input, at sizes known only at run time ---------------------


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("size", [(64, 64), (32, 48)], ids=["64x64", "32x48"])
def test_second_input_unet_against_reference(size, interpolation):
    keras.utils.set_random_seed(0)
    model = build_unet(None, channels=2, interpolation=interpolation, second_input=True)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, *size, 2)).astype("float32")
    m = rng.random((2, *size)).astype("float32")
    y = model.predict([x, m], verbose=0)
    assert y.shape == (2, *size, 1)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(to_numpy(model([x, m])), y, atol=ATOL)

    scale_pairs = pairs(scales_model(model)([x, m]))
    # Full resolution: the mask as given (every interpolation is the identity there).
    pre, got = scale_pairs[0]
    np.testing.assert_allclose(got, ref.masked_relu(pre, m[..., None], shift=SHIFT), atol=ATOL)
    for (pre, got), (_, name, factor) in zip(scale_pairs, MASKED_LAYERS):
        small = (size[0] // factor, size[1] // factor)
        assert pre.shape[1:3] == small, name
        m_small = ref.resize(m, small, interpolation, axes=(1, 2))[..., None]
        np.testing.assert_allclose(got, ref.masked_relu(pre, m_small, shift=SHIFT), atol=ATOL)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_mask_input_reaches_every_scale(interpolation):
    """A mask of zeros gives ReLU at every scale, a mask of ones ReLU shifted by 0.2."""
    keras.utils.set_random_seed(0)
    model = build_unet(None, channels=1, interpolation=interpolation, second_input=True)
    scales = scales_model(model)
    x = np.random.default_rng(6).normal(size=(2, 32, 48, 1)).astype("float32")
    zeros = pairs(scales.predict([x, np.zeros((2, 32, 48), "float32")], verbose=0))
    ones = pairs(scales.predict([x, np.ones((2, 32, 48), "float32")], verbose=0))
    for (pre0, out0), (pre1, out1), (_, name, _) in zip(zeros, ones, MASKED_LAYERS):
        np.testing.assert_allclose(out0, np.maximum(pre0, 0.0), atol=ATOL, err_msg=name)
        np.testing.assert_allclose(out1, np.maximum(pre1 - SHIFT, 0.0), atol=ATOL, err_msg=name)
        assert np.abs(out0 - out1).max() > 0.05, name
    # The first layer sees the same input under both masks; there, only the mask differs.
    np.testing.assert_array_equal(zeros[0][0], ones[0][0])


# --- 4. Volumes: one calibration volume at every scale, and a spherical region -----------

VOLUME = 16


def test_volume_unet_every_scale_and_region_against_reference(tmp_path):
    # One interpolation: each one's 3-D resize is checked in test_signals_and_volumes.py.
    interpolation = "area"
    calibration = make_calibration(VOLUME, dimensions=3)
    roi = Sphere((0.5, 0.5, 0.5), 0.35, relative=True, softness=1.0)
    keras.utils.set_random_seed(0)
    model = build_unet(calibration, VOLUME, interpolation=interpolation, dimensions=3, roi=roi)
    x = sample_images(2, VOLUME, seed=4, dimensions=3)
    layers = MASKED_LAYERS + (ROI_LAYER,)
    scale_pairs = pairs(scales_model(model, layers)(x))
    for (pre, got), (_, name, factor) in zip(scale_pairs[:-1], MASKED_LAYERS):
        size = (VOLUME // factor,) * 3
        assert pre.shape[1:4] == size, name
        m = ref.resize(calibration, size, interpolation)[None, ..., None]
        np.testing.assert_allclose(got, ref.masked_relu(pre, m, shift=SHIFT), atol=ATOL)
    pre, got = scale_pairs[-1]
    sphere = ref.sphere(VOLUME, VOLUME, VOLUME, (0.5, 0.5, 0.5), 0.35, True, 1.0)
    expected = ref.masked_relu(pre, sphere[None, ..., None], shift=SHIFT)
    np.testing.assert_allclose(got, expected, atol=ATOL)

    # Training a volume model: test_signals_and_volumes.py, and the 3-D U-Net saved
    # after training by tests/cross_backend/save_unet.py.
    path = tmp_path / "volume.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))
    # The calibration volume is saved once per masked layer at its own size; the
    # region as a few numbers in the config.
    shapes = saved_weight_shapes(path)
    assert shapes.count((VOLUME,) * 3 + (1,)) == len(MASKED_LAYERS), shapes
    assert restored.get_layer("masked_roi").get_config()["mask"]["class_name"] == "Sphere"
