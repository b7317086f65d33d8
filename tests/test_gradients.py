"""Gradients against central differences of the NumPy reference, in float64."""

import numpy as np
import pytest
import reference as ref
from backend_utils import central_differences, layer_gradients

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Circle

SHAPE = (2, 4, 5, 2)
# Binary fractions, so that x - shift lands exactly on a kink in float32.
PARAMS = dict(shift=0.25, negative_slope=0.125, max_value=1.25, threshold=0.25)
KINKS = (0.0, 0.25, -0.25, 0.5, 1.5)  # relu, shifts, shift + threshold, shift + max_value


def away_from_kinks(rng, shape):
    x = rng.uniform(-2.5, 2.5, size=shape)
    for kink in KINKS:
        near = np.abs(x - kink) < 0.02
        x[near] += 0.05
    return x


@pytest.mark.parametrize("kind", ["binary", "weighted"])
@pytest.mark.parametrize(
    "params",
    [
        dict(shift=0.25),
        dict(shift=-0.25),
        dict(negative_slope=0.1),
        dict(negative_slope=2.0),
        PARAMS,
    ],
    ids=["shift", "negative_shift", "slope", "steep_slope", "all"],
)
def test_input_gradient(kind, params, rng):
    mask = rng.random(SHAPE[1:3])
    if kind == "binary":
        mask = (mask > 0.5).astype(np.float64)
    x = away_from_kinks(rng, SHAPE)
    cot = rng.normal(size=SHAPE)
    layer = MaskedReLU(mask, dtype="float64", **params)
    (gx,), _ = layer_gradients(layer, x, cot)
    m = mask[None, :, :, None]
    expected = central_differences(lambda v: np.sum(ref.masked_relu(v, m, **params) * cot), x)
    np.testing.assert_allclose(gx, expected, atol=1e-6)


def test_trainable_mask_gradient(rng):
    start = rng.random(SHAPE[1:3])
    x = away_from_kinks(rng, SHAPE)
    cot = rng.normal(size=SHAPE)
    layer = MaskedReLU(start, trainable_mask=True, dtype="float64", **PARAMS)
    (gx,), (glogits,) = layer_gradients(layer, x, cot)
    logits0 = np.log(ref.learned_start(start)) - np.log1p(-ref.learned_start(start))

    def loss(logits):
        m = ref.sigmoid(logits)[None, :, :, None]
        return np.sum(ref.masked_relu(x, m, **PARAMS) * cot)

    expected = central_differences(loss, logits0)
    np.testing.assert_allclose(glogits.reshape(expected.shape), expected, atol=1e-6)


def test_second_input_mask_gradient(rng):
    x = away_from_kinks(rng, SHAPE)
    mask = rng.random(SHAPE[:3])
    cot = rng.normal(size=SHAPE)
    layer = MaskedReLU(dtype="float64", **PARAMS)
    (gx, gm), _ = layer_gradients(layer, [x, mask], cot)
    expected_x = central_differences(
        lambda v: np.sum(ref.masked_relu(v, mask[..., None], **PARAMS) * cot), x
    )
    expected_m = central_differences(
        lambda m: np.sum(ref.masked_relu(x, m[..., None], **PARAMS) * cot), mask
    )
    np.testing.assert_allclose(gx, expected_x, atol=1e-6)
    np.testing.assert_allclose(gm, expected_m, atol=1e-6)


def test_masked_activation_gradient(rng):
    mask = rng.random(SHAPE[1:3])
    x = away_from_kinks(rng, SHAPE)
    cot = rng.normal(size=SHAPE)
    layer = MaskedActivation(mask, inside="elu", outside="tanh", dtype="float64")
    (gx,), _ = layer_gradients(layer, x, cot)
    m = mask[None, :, :, None]
    expected = central_differences(
        lambda v: np.sum((m * ref.elu(v) + (1 - m) * np.tanh(v)) * cot), x
    )
    np.testing.assert_allclose(gx, expected, atol=1e-6)


@pytest.mark.parametrize("trainable", [False, True])
@pytest.mark.parametrize("mask", ["binary", "weighted", "region"])
def test_gradients_finite_at_kinks(mask, trainable, rng):
    """Inputs exactly on each kink, and masks that select, give finite gradients."""
    if mask == "region":
        mask_arg = Circle((2, 1), 1.5)
    elif mask == "binary":
        mask_arg = (rng.random(SHAPE[1:3]) > 0.5).astype("float32")
    else:
        mask_arg = rng.random(SHAPE[1:3]).astype("float32")
    x = rng.choice(np.array(KINKS + (-1.0,), "float32"), size=SHAPE)
    layer = MaskedReLU(mask_arg, trainable_mask=trainable, **PARAMS)
    (gx,), gws = layer_gradients(layer, x, np.ones(SHAPE, "float32"))
    assert np.isfinite(gx).all()
    for g in gws:
        assert np.isfinite(g).all()
