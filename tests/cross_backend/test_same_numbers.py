"""A model saved under each backend loads under each, with the same numbers (9 pairs).

The all-layers model and the U-Net (one 64x64 mask resized at every scale) are
saved under every backend; the model retrofitted by `replace_activations` under one.
Keras's inference-only backends, numpy and openvino, predict every layer of the
all-layers model saved under a training backend.
"""

import numpy as np
import pytest
from conftest import BACKENDS, RETROFIT_SAVED_UNDER

from keras_masked_relu.tools import compare
from keras_masked_relu.tools.compare import INFERENCE_BACKENDS

# Each set of saved models is made once, in the worker that runs its group; the
# U-Nets and the retrofitted model form a second group, for the second worker.


# The U-Net's weight gradients are sums over 64 x 64 pixels, up to ~160 in size, where
# float32 values are 1.5e-5 apart: backends that sum in another order differ there by up to
# 2e-4 (measured: ~1e-6 of the largest gradient). Its outputs keep the 1e-5 of the others.
# Its input keeps every pre-activation 4e-6 from a kink (`unet.images_away_from_kinks`): of
# 53k, one within rounding of a kink is likely, and has happened.
UNET_GRADIENTS_ATOL = 1e-3


def check_agreement(path, gradients_atol=1e-5, inputs=None):
    report = compare(path, inputs, backends=BACKENDS, gradients=True, atol=gradients_atol)
    assert [r.backend for r in report.results] == list(BACKENDS)
    assert report.passed, report.table()
    for result in report.results:
        assert result.outputs_abs <= 1e-5, report.table()
        assert result.ms_per_batch > 0
        assert np.isfinite(result.gradients_abs)


@pytest.mark.xdist_group("saved_models")
@pytest.mark.parametrize("saved_under", BACKENDS)
def test_outputs_and_gradients_agree_under_every_backend(saved_under, saved_models):
    check_agreement(saved_models / f"{saved_under}.keras")


# One saving backend: loading under every backend is what the 9 pairs above check.
INFERENCE_CHECKED_ON = "torch"


@pytest.mark.xdist_group("saved_models")
def test_inference_backends_predict_every_layer(saved_models):
    rng = np.random.default_rng(4)
    inputs = [
        rng.normal(size=(4, 16, 16, 3)).astype("float32"),
        rng.random((4, 16, 16)).astype("float32"),
    ]
    path = saved_models / f"{INFERENCE_CHECKED_ON}.layers.keras"
    backends = (INFERENCE_CHECKED_ON, *INFERENCE_BACKENDS)
    report = compare(path, inputs, backends=backends, repeats=1)
    assert [r.backend for r in report.results] == list(backends)
    assert report.passed, report.table()
    # Every layer of the package, hidden feature maps up to ~3 in size.
    assert max(r.outputs_abs for r in report.results) <= 1e-5, report.table()


@pytest.mark.xdist_group("saved_unets")
@pytest.mark.parametrize("saved_under", BACKENDS)
def test_unet_agrees_under_every_backend(saved_under, saved_unets):
    path = saved_unets / f"{saved_under}.keras"
    inputs = path.with_suffix(".inputs.npy")
    check_agreement(path, gradients_atol=UNET_GRADIENTS_ATOL, inputs=inputs)


@pytest.mark.xdist_group("saved_unets")
def test_retrofitted_model_agrees_under_every_backend(saved_retrofit):
    assert saved_retrofit.stem == RETROFIT_SAVED_UNDER
    check_agreement(saved_retrofit)
