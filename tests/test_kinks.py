"""Derivatives exactly at every kink, against the package's one convention.

At a kink of a piecewise-linear rule the derivative is the slope on the side of
smaller inputs (`relu'(0) = 0`); `|u|` has derivative 0 at `u = 0`; FReLU's
`max(x, T(x))` gives a tie's gradient to `T(x)`; the clip that keeps a resized
mask in [0, 1] passes the gradient straight through. The expected values below
are written from that convention alone, and must hold on every backend.
Inputs are binary fractions, so `x - shift` lands exactly on a kink in float32.
"""

import numpy as np
import pytest
from backend_utils import layer_gradients

from keras_masked_relu import (
    AdaptiveMixture,
    FunnelReLU,
    LearnableReLU,
    MaskedActivation,
    MaskedReLU,
    RationalActivation,
    ScaledReLU,
)


def relu_slope(z):
    return (z > 0).astype(np.float64)


def inside_slope(z, negative_slope=0.0, max_value=None, threshold=0.0):
    """The derivative of `keras.activations.relu(z, ...)`, left slope at kinks."""
    if max_value is None:
        above = np.ones_like(z)
    else:
        above = ((z > 0) & (z <= max_value)).astype(np.float64)
    return np.where(z > threshold, above, negative_slope)


PARAMS = [
    dict(shift=0.25),
    dict(shift=-0.25),
    dict(negative_slope=0.125),
    dict(max_value=1.0),
    dict(threshold=0.5, negative_slope=0.125),
    dict(threshold=-0.5, max_value=1.0),
    dict(shift=0.25, negative_slope=0.125, max_value=1.25, threshold=0.25),
]


def kinks_of(shift=0.0, negative_slope=0.0, max_value=None, threshold=0.0):
    points = {0.0, shift, shift + threshold, shift + 0.0}
    if max_value is not None:
        points.add(shift + max_value)
    return sorted(points)


@pytest.mark.parametrize("mask_kind", ["binary", "weighted", "second input"])
@pytest.mark.parametrize("params", PARAMS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_masked_relu_at_its_kinks(mask_kind, params):
    kinks = kinks_of(**params)
    # Every kink, and a point on either side of it, in each pixel of a row.
    values = np.array(sorted({v + d for v in kinks for d in (-0.125, 0.0, 0.125)}), "float32")
    x = np.tile(values, (2, 4, 1))[..., None]  # (2, 4, n, 1): rows share the values
    mask = np.array([1.0, 0.0, 0.75, 0.25], "float32")[:, None]  # per row
    if mask_kind == "binary":
        mask = np.array([1.0, 0.0, 1.0, 0.0], "float32")[:, None]
    mask = np.broadcast_to(mask, x.shape[1:3]).copy()
    if mask_kind == "second input":
        layer = MaskedReLU(**params)
        (gx, _), _ = layer_gradients(
            layer, [x, np.broadcast_to(mask, x.shape[:3])], np.ones_like(x)
        )
    else:
        layer = MaskedReLU(mask, **params)
        (gx,), _ = layer_gradients(layer, x, np.ones_like(x))
    shift = params.get("shift", 0.0)
    rule = {k: v for k, v in params.items() if k != "shift"}
    m = mask[None, :, :, None]
    expected = m * inside_slope(x - shift, **rule) + (1 - m) * relu_slope(x)
    np.testing.assert_array_equal(gx, expected.astype("float32"))


def test_masked_activation_passes_a_layer_rule_at_its_kinks():
    x = np.array([[-0.5, 0.0, 0.5]], "float32")
    layer = MaskedActivation(np.array([1.0, 0.0, 0.5], "float32"), inside=ScaledReLU(2.0, 0.5))
    (gx,), _ = layer_gradients(layer, x, np.ones_like(x))
    # inside: 2 * relu(x + 0.5), slope 0 at x = -0.5; outside relu, slope 0 at 0.
    np.testing.assert_array_equal(gx, [[0.0, 0.0, 0.5 * 2.0 + 0.5 * 1.0]])


def test_learnable_relu_takes_its_negative_slope_at_zero():
    layer = LearnableReLU(alpha_initializer=0.25, scale_initializer=2.0)
    x = np.array([[-1.0, 0.0, 1.0]], "float32")
    (gx,), (g_alpha, g_scale) = layer_gradients(layer, x, np.ones_like(x))
    np.testing.assert_array_equal(gx, [[0.5, 0.5, 2.0]])  # scale * alpha at and below 0
    np.testing.assert_array_equal(g_alpha, [-2.0, 0.0, 0.0])  # scale * x below 0, none at 0
    np.testing.assert_array_equal(g_scale, [-0.25, 0.0, 1.0])


def test_scaled_relu_at_its_kink():
    x = np.array([-0.5, -0.25], "float32")
    (gx,), _ = layer_gradients(ScaledReLU(2.0, 0.5), x, np.ones_like(x))
    np.testing.assert_array_equal(gx, [0.0, 2.0])


def test_mixture_with_relu_at_zero():
    layer = AdaptiveMixture(("relu", "linear"))
    x = np.zeros((1, 3), "float32")
    (gx,), _ = layer_gradients(layer, x, np.ones_like(x))
    np.testing.assert_allclose(gx, 0.5 * 0.0 + 0.5 * 1.0, rtol=1e-7)


# a_0 != 0, as soon as training moves it; b_3 = 0 exactly.
NUMERATOR = np.array([0.3, 0.8, 0.2, 0.05, 0.0, 0.0])
DENOMINATOR = np.array([0.2, 0.1, 0.0, 0.01])


def rational_layer(version, numerator=NUMERATOR, denominator=DENOMINATOR):
    layer = RationalActivation(version=version)
    layer.build((None, 3))
    layer.numerator.assign(numerator.astype("float32"))
    layer.denominator.assign(denominator.astype("float32"))
    return layer


@pytest.mark.parametrize("version", ["A", "B"])
def test_rational_at_zero(version):
    x = np.zeros((1, 3), "float32")
    (gx,), (g_num, g_den) = layer_gradients(rational_layer(version), x, np.ones_like(x))
    # |u| has slope 0 at 0, so f'(0) = a_1 and nothing reaches the denominator.
    np.testing.assert_allclose(gx, NUMERATOR[1], rtol=1e-6)
    np.testing.assert_allclose(g_num, [3.0, 0, 0, 0, 0, 0], rtol=1e-7)
    np.testing.assert_array_equal(g_den, np.zeros(4))


def test_rational_a_at_a_zero_coefficient():
    x = np.full((1, 2), 1.5, "float32")
    _, (_, g_den) = layer_gradients(rational_layer("A"), x, np.ones_like(x))
    assert g_den[2] == 0.0  # |b_3| at b_3 = 0: slope 0
    assert np.all(g_den[[0, 1, 3]] < 0)


def test_rational_b_where_the_denominator_sum_vanishes():
    # Q(x) = 0.5 x - 0.5 x^2 is 0 at x = 1: there f'(1) = P'(1) / (1 + 0).
    numerator = np.array([0.25, 0.5, 0.25, 0.0, 0.0, 0.0])
    layer = rational_layer("B", numerator, np.array([0.5, -0.5, 0.0, 0.0]))
    x = np.ones((1, 2), "float32")
    (gx,), _ = layer_gradients(layer, x, np.ones_like(x))
    np.testing.assert_allclose(gx, 0.5 + 2 * 0.25, rtol=1e-6)


def test_funnel_relu_gives_a_tie_to_its_condition():
    layer = FunnelReLU(kernel_size=3)
    x = np.zeros((1, 4, 4, 2), "float32")
    layer.build(x.shape)
    kernel = np.zeros((3, 3, 2, 1), "float32")
    kernel[1, 1, :, 0] = [0.5, 2.0]
    layer.depthwise.kernel.assign(kernel)
    layer.batch_norm.gamma.assign(np.array([1.5, 0.25], "float32"))
    layer.batch_norm.moving_variance.assign(np.array([3.0, 0.5], "float32"))
    # x = 0 = T(0) everywhere: every pixel is a tie, and its gradient is T's.
    (gx,), _ = layer_gradients(layer, x, np.ones_like(x))
    slope = np.array([0.5 * 1.5, 2.0 * 0.25]) / np.sqrt(np.array([3.0, 0.5]) + 1e-3)
    np.testing.assert_allclose(gx, np.broadcast_to(slope, x.shape), rtol=1e-6)


def test_a_resized_mask_at_its_bounds_passes_the_gradient():
    # A second-input mask of ones, resized by 2 bilinearly, is exactly 1: the
    # clip to [0, 1] must not halve or stop its gradient there.
    layer = MaskedReLU(shift=0.5, mask_interpolation="bilinear")
    x = np.ones((1, 2, 2, 1), "float32")
    mask = np.ones((1, 4, 4), "float32")
    (_, gm), _ = layer_gradients(layer, [x, mask], np.ones_like(x))
    # d out / d m = inside - outside = relu(1 - 0.5) - relu(1) = -0.5 per output
    # pixel, spread over its 2x2 sources with weights 0.5 * 0.5.
    np.testing.assert_array_equal(gm, np.full((1, 4, 4), -0.125, "float32"))
