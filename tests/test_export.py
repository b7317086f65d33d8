"""Every export format Keras offers for this backend, run in its own runtime."""

import keras
import numpy as np
import pytest
from all_layers import build_model, sample_inputs

from keras_masked_relu.tools.export_check import (
    FORMATS,
    NOT_AVAILABLE,
    export_artifact,
    run_artifact,
)

BACKEND = keras.backend.backend()


@pytest.fixture(scope="module")
def model_and_inputs():
    model = build_model()
    inputs = sample_inputs(4, seed=3)
    expected = np.asarray(keras.ops.convert_to_numpy(model(inputs)))
    return model, inputs, expected


@pytest.mark.parametrize(
    "name,export_format,runtime", FORMATS[BACKEND], ids=[f[0] for f in FORMATS[BACKEND]]
)
def test_artifact_reproduces_keras(name, export_format, runtime, model_and_inputs, tmp_path):
    model, inputs, expected = model_and_inputs
    path = export_artifact(model, export_format, str(tmp_path), batch_size=4)
    actual = run_artifact(runtime, path, inputs)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)


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
