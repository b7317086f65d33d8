"""Every export format Keras offers for this backend, run in its own runtime.

Each artifact serves batches of 1, 4 and 7 but LiteRT from PyTorch, which keeps the
batch it was exported with.
"""

import keras
import numpy as np
import pytest
from all_layers import build_model, sample_inputs

from keras_masked_relu.tools.export_check import (
    FIXED_BATCH,
    FORMATS,
    NOT_AVAILABLE,
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
