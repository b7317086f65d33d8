"""Every export format Keras offers for this backend, run in its own runtime.

Each artifact serves batches of 1, 4 and 7 but LiteRT from PyTorch, which keeps the
batch it was exported with. The every-layer image model and a volume model (3-D
convolutions, a sphere and a resized calibration volume) are both checked.
"""

import keras
import numpy as np
import pytest
from all_layers import build_model, sample_inputs

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Cuboid, Sphere
from keras_masked_relu.tools.export_check import (
    FIXED_BATCH,
    FORMATS,
    NOT_AVAILABLE,
    VOLUMES_NOT_AVAILABLE,
    export_artifact,
    run_artifact,
)

BACKEND = keras.backend.backend()


BATCH = 4


@pytest.fixture(scope="module")
def model_and_inputs():
    model = build_model()
    inputs = sample_inputs(BATCH, seed=3)
    expected = np.asarray(keras.ops.convert_to_numpy(model(inputs)))
    return model, inputs, expected


@pytest.mark.parametrize(
    "name,export_format,runtime", FORMATS[BACKEND], ids=[f[0] for f in FORMATS[BACKEND]]
)
def test_artifact_reproduces_keras(name, export_format, runtime, model_and_inputs, tmp_path):
    model, _, _ = model_and_inputs
    path = export_artifact(model, export_format, str(tmp_path), batch_size=BATCH)
    batches = [BATCH] if (BACKEND, export_format) in FIXED_BATCH else [1, BATCH, 7]
    for batch in batches:
        inputs = sample_inputs(batch, seed=batch)
        expected = np.asarray(keras.ops.convert_to_numpy(model(inputs)))
        actual = run_artifact(runtime, path, inputs)
        assert actual.shape == expected.shape == (batch, 1)
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5, err_msg=f"batch {batch}")


@pytest.mark.skipif(
    BACKEND != "torch", reason="Keras converts to LiteRT through litert-torch only under PyTorch"
)
def test_litert_from_torch_cannot_take_a_free_batch(tmp_path):
    """The FIXED_BATCH cell: litert-torch fails on a plain Keras model with a free batch."""
    import torch

    x = keras.Input((8, 8, 3))
    y = keras.layers.Lambda(lambda t: t * keras.ops.mean(t, axis=-1, keepdims=True))(x)
    model = keras.Model(x, y)
    signature = [keras.InputSpec(shape=(2, 8, 8, 3), dtype="float32")]
    # The free batch reaches the lowering as -2**63.
    with pytest.raises(RuntimeError, match="-9223372036854775808"):
        model.export(
            str(tmp_path / "free_batch.tflite"),
            format="litert",
            verbose=False,
            input_signature=signature,
            dynamic_shapes=[({0: torch.export.Dim("batch")},)],
        )


def volume_model(data_format="channels_last"):
    """Volumes `(6, 8, 8, 2)`: 3-D regions, and a calibration volume at twice the size."""
    keras.utils.set_random_seed(0)
    calibration = np.random.default_rng(0).random((12, 16, 16)).astype("float32")
    options = {"data_format": data_format}
    x_in = keras.Input((6, 8, 8, 2) if data_format == "channels_last" else (2, 6, 8, 8))
    h = keras.layers.Conv3D(4, 3, padding="same", **options)(x_in)
    sphere = Sphere((0.5, 0.5, 0.5), 0.4, relative=True, softness=1.0)
    h = MaskedReLU(sphere, shift=0.2, **options)(h)
    h = MaskedReLU(calibration, negative_slope=0.1, mask_interpolation="area", **options)(h)
    h = MaskedActivation(~Cuboid((1, 1, 1), (4, 5, 3)), inside="elu", **options)(h)
    h = keras.layers.Conv3D(4, 3, strides=2, padding="same", **options)(h)
    h = MaskedReLU(calibration, shift=0.1, mask_interpolation="bilinear", **options)(h)
    h = keras.layers.GlobalAveragePooling3D(**options)(h)
    return keras.Model(x_in, keras.layers.Dense(1)(h))


def volumes(batch, data_format="channels_last"):
    x = np.random.default_rng(batch).normal(size=(batch, 6, 8, 8, 2)).astype("float32")
    return [x if data_format == "channels_last" else np.moveaxis(x, -1, 1)]


def check_volume_export(export_format, runtime, directory, data_format="channels_last"):
    directory.mkdir(exist_ok=True)
    model = volume_model(data_format)
    model(volumes(BATCH, data_format))  # Keras exports only models that have been called
    path = export_artifact(model, export_format, str(directory), batch_size=BATCH)
    batches = [BATCH] if (BACKEND, export_format) in FIXED_BATCH else [1, BATCH]
    for batch in batches:
        inputs = volumes(batch, data_format)
        expected = np.asarray(keras.ops.convert_to_numpy(model(inputs)))
        actual = run_artifact(runtime, path, inputs)
        assert actual.shape == expected.shape == (batch, 1)
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5, err_msg=f"batch {batch}")


# What the exporters raise on 3-D convolutions where they cannot take them.
VOLUME_ERRORS = {
    ("jax", "onnx"): "Unsupported conv layouts",
    ("jax", "openvino (from onnx)"): "Unsupported conv layouts",
    ("torch", "onnx"): "onnx memory_format support is not implemented",
}


def test_every_volume_limitation_has_an_expected_error():
    assert set(VOLUME_ERRORS) == set(VOLUMES_NOT_AVAILABLE)


@pytest.mark.parametrize(
    "name,export_format,runtime", FORMATS[BACKEND], ids=[f[0] for f in FORMATS[BACKEND]]
)
def test_volume_artifact_reproduces_keras(name, export_format, runtime, tmp_path):
    if (BACKEND, name) not in VOLUMES_NOT_AVAILABLE:
        check_volume_export(export_format, runtime, tmp_path)
        return
    # The documented limitation is real; channels first is the way out where there is one.
    with pytest.raises(Exception, match=VOLUME_ERRORS[(BACKEND, name)]):
        check_volume_export(export_format, runtime, tmp_path / "last")
    if BACKEND == "torch":
        check_volume_export(export_format, runtime, tmp_path / "first", "channels_first")


# What Keras raises for each cell the README marks as unavailable.
LIMIT_ERRORS = {
    ("jax", "openvino"): "XlaCallModule",
    ("jax", "litert"): "LiteRT export requires TensorFlow or PyTorch",
    ("jax", "torch"): "Torch export requires PyTorch",
    ("tensorflow", "torch"): "Torch export requires PyTorch",
    # With one input Keras asks for torch_xla; with two it fails before that.
    ("torch", "tf_saved_model"): "torch_xla|has no attribute 'shape'",
}
LIMITS = [fmt for (backend, fmt) in NOT_AVAILABLE if backend == BACKEND]


def test_every_limitation_has_an_expected_error():
    assert set(LIMIT_ERRORS) == set(NOT_AVAILABLE)


@pytest.mark.parametrize("export_format", LIMITS)
def test_documented_limitation_is_real(export_format, model_and_inputs, tmp_path):
    """The README's 'does not work' cells fail in Keras itself, as stated."""
    model, _, _ = model_and_inputs
    with pytest.raises(Exception, match=LIMIT_ERRORS[(BACKEND, export_format)]):
        suffix = {"openvino": ".xml", "litert": ".tflite", "torch": ".pt2"}.get(export_format, "")
        model.export(str(tmp_path / f"artifact{suffix}"), format=export_format, verbose=False)
