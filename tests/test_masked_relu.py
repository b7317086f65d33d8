"""MaskedReLU and MaskedActivation against the NumPy reference."""

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Circle

B, H, W, C = 2, 6, 5, 3
PARAMS = {
    "shift": dict(shift=0.3),
    "negative_shift": dict(shift=-0.6),
    "steep_slope": dict(negative_slope=1.7),
    "negative_slope": dict(negative_slope=0.1),
    "max_value": dict(max_value=0.8),
    "threshold": dict(threshold=0.2),
    "shift_negative_slope": dict(shift=-0.4, negative_slope=0.2),
    "everything": dict(shift=0.25, negative_slope=0.05, max_value=1.5, threshold=0.1),
}


def spatial_mask(kind, rng):
    if kind == "binary":
        return (rng.random((H, W)) > 0.5).astype("float32")
    return rng.random((H, W)).astype("float32")


def region(kind):
    softness = 0.0 if kind == "binary" else 1.5
    return Circle(center=(2, 3), radius=2, softness=softness)


def to_format(x, data_format):
    """(B, H, W, C) -> the layout of `data_format`."""
    return x if data_format == "channels_last" else np.moveaxis(x, -1, 1)


def make_case(source, kind, data_format, rng):
    """A layer argument, the call inputs and the (B, H, W, 1) mask the reference uses."""
    x = rng.normal(size=(B, H, W, C)).astype("float32")
    if source == "region":
        r = region(kind)
        spatial = ref.circle(H, W, r.center, r.radius, softness=r.softness)
        return r, to_format(x, data_format), spatial[None, :, :, None]
    mask = spatial_mask(kind, rng)
    if source == "array":
        return mask, to_format(x, data_format), mask[None, :, :, None]
    if source == "learned":
        return mask, to_format(x, data_format), ref.learned_start(mask)[None, :, :, None]
    per_sample = np.stack([mask, spatial_mask(kind, rng)])
    return None, [to_format(x, data_format), per_sample], per_sample[..., None]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kind", ["binary", "weighted"])
@pytest.mark.parametrize("source", ["array", "region", "input", "learned"])
@pytest.mark.parametrize("params", PARAMS.values(), ids=PARAMS.keys())
def test_masked_relu_matches_reference(source, kind, data_format, params, rng):
    mask_arg, inputs, mask = make_case(source, kind, data_format, rng)
    layer = MaskedReLU(
        mask_arg, trainable_mask=source == "learned", data_format=data_format, **params
    )
    y = to_numpy(layer(inputs))
    x = inputs[0] if source == "input" else inputs
    x_last = x if data_format == "channels_last" else np.moveaxis(x, 1, -1)
    expected = to_format(ref.masked_relu(x_last, mask, **params), data_format)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("kind", ["binary", "weighted"])
@pytest.mark.parametrize("source", ["array", "region", "input", "learned"])
def test_masked_activation_elu_inside(source, kind, rng):
    mask_arg, inputs, mask = make_case(source, kind, "channels_last", rng)
    layer = MaskedActivation(mask_arg, inside="elu", trainable_mask=source == "learned")
    y = to_numpy(layer(inputs))
    x = inputs[0] if source == "input" else inputs
    expected = mask * ref.elu(x) + (1 - mask) * np.maximum(x, 0)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6)


def test_masked_activation_with_prelu_layer_inside(rng):
    mask = spatial_mask("weighted", rng)
    prelu = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.3))
    layer = MaskedActivation(mask, inside=prelu, outside="tanh")
    x = rng.normal(size=(B, H, W, C)).astype("float32")
    y = to_numpy(layer(x))
    m = mask[None, :, :, None]
    expected = m * np.where(x >= 0, x, 0.3 * x) + (1 - m) * np.tanh(x)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6)
    assert len(layer.trainable_weights) == 1
    assert layer.trainable_weights[0].shape == (H, W, C)


def test_masked_activation_with_masked_layer_inside(rng):
    """A layer of this package can be the inside rule of another."""
    inner = MaskedReLU(Circle((2, 2), 2), negative_slope=0.2)
    layer = MaskedActivation(Circle((2, 3), 1.5, softness=1.0), inside=inner, outside="linear")
    x = rng.normal(size=(B, H, W, C)).astype("float32")
    inner_mask = ref.circle(H, W, (2, 2), 2)[None, :, :, None]
    outer_mask = ref.circle(H, W, (2, 3), 1.5, softness=1.0)[None, :, :, None]
    inner_y = ref.masked_relu(x, inner_mask, negative_slope=0.2)
    expected = outer_mask * inner_y + (1 - outer_mask) * x
    np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=0, atol=1e-6)


def test_masks_of_rank_one_and_three(rng):
    """A 1-D signal (L, C) and a 3-D volume (D, H, W, C) take spatial masks too."""
    signal = rng.normal(size=(2, 7, 4)).astype("float32")
    mask_1d = rng.random(7).astype("float32")
    y = to_numpy(MaskedReLU(mask_1d, shift=0.5)(signal))
    np.testing.assert_allclose(
        y, ref.masked_relu(signal, mask_1d[None, :, None], shift=0.5), rtol=0, atol=1e-6
    )
    volume = rng.normal(size=(2, 3, 4, 5, 2)).astype("float32")
    mask_3d = (rng.random((3, 4, 5)) > 0.5).astype("float32")
    y = to_numpy(MaskedReLU(mask_3d, negative_slope=0.3)(volume))
    np.testing.assert_allclose(
        y,
        ref.masked_relu(volume, mask_3d[None, ..., None], negative_slope=0.3),
        rtol=0,
        atol=1e-6,
    )
    per_channel = rng.random((3, 4, 5, 2)).astype("float32")
    y = to_numpy(MaskedReLU(per_channel, max_value=0.5, shift=0.1)(volume))
    np.testing.assert_allclose(
        y,
        ref.masked_relu(volume, per_channel[None], max_value=0.5, shift=0.1),
        rtol=0,
        atol=1e-6,
    )


def test_second_input_mask_with_channels(rng):
    x = rng.normal(size=(B, H, W, C)).astype("float32")
    for mask in (rng.random((B, H, W, 1)), rng.random((B, H, W, C))):
        mask = mask.astype("float32")
        y = to_numpy(MaskedReLU(shift=0.2, negative_slope=0.1)([x, mask]))
        np.testing.assert_allclose(
            y, ref.masked_relu(x, mask, shift=0.2, negative_slope=0.1), rtol=0, atol=1e-6
        )


class TestSeedExamples:
    """The three worked examples of the seed, written as SPEC section 3.2 gives them."""

    def test_binary_mask_custom_threshold(self, rng):
        x = rng.normal(size=(1, 3, 10, 10)).astype("float32")
        mask = np.zeros((1, 1, 10, 10), "float32")
        mask[:, :, 3:7, 3:7] = 1
        layer = MaskedReLU(mask, shift=0.3, data_format="channels_first")
        expected = np.where(mask == 1, np.maximum(x - 0.3, 0), np.maximum(x, 0))
        np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=0, atol=1e-6)

    def test_weighted_mask_leaky_inside(self, rng):
        x = rng.normal(size=(1, 3, 10, 10)).astype("float32")
        weights = rng.random((1, 1, 10, 10)).astype("float32")
        layer = MaskedReLU(weights, negative_slope=0.1, data_format="channels_first")
        leaky = np.where(x > 0, x, 0.1 * x)
        expected = (1 - weights) * np.maximum(x, 0) + weights * leaky
        np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=0, atol=1e-6)

    def test_circle_from_coordinates(self, rng):
        x = rng.normal(size=(1, 10, 10, 3)).astype("float32")
        layer = MaskedReLU(Circle(center=(5, 5), radius=3), negative_slope=0.1)
        rows, cols = np.mgrid[0:10, 0:10]
        mask = (((rows - 5) ** 2 + (cols - 5) ** 2) <= 9)[None, :, :, None]
        expected = np.where(mask, np.where(x > 0, x, 0.1 * x), np.maximum(x, 0))
        np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(negative_slope=0.1),
        dict(max_value=6.0),
        dict(max_value=0.7),
        dict(threshold=0.3),
        dict(threshold=-0.4, max_value=2.0),
        dict(negative_slope=0.2, threshold=0.5),
        dict(negative_slope=0.3, max_value=1.0, threshold=-0.2),
    ],
)
def test_inside_rule_is_keras_relu(params, rng):
    """The inside rule means exactly what keras.activations.relu means."""
    from keras_masked_relu.ops import shifted_relu

    x = rng.normal(scale=2.0, size=(4, 50)).astype("float32")
    # Near the kinks (x - 0.25 is rounded); exactly on them: *_exactly_on_the_kinks.
    x[0, :8] = [0.0, 0.3, -0.4, 0.5, -0.2, 1.0, 2.0, 6.0]
    expected = to_numpy(keras.activations.relu(x - 0.25, **params))
    np.testing.assert_allclose(to_numpy(shifted_relu(x, shift=0.25, **params)), expected, atol=1e-7)


# Inputs exactly on the kinks of the inside rule. Every number is a multiple of
# 1/8, so `x` and `x - shift` are exact in float32 and no rounding moves a point
# off its kink. The rule is Keras's code (`x > threshold`, strictly): at
# `x - shift == threshold` the inside output is 0, at `x - shift == max_value`
# it is `max_value`.
ON_KINKS = {
    "threshold_and_max_value": dict(shift=0.25, threshold=0.5, max_value=1.5),
    "with_slope": dict(shift=0.25, threshold=0.5, max_value=1.5, negative_slope=0.125),
    "negative_threshold": dict(shift=0.25, threshold=-0.5, max_value=1.0, negative_slope=0.5),
    "zero_threshold": dict(shift=0.25, max_value=1.0, negative_slope=0.25),
    "negative_shift": dict(shift=-0.75, threshold=0.5, max_value=2.0, negative_slope=0.25),
    # No max_value: the fast forms of `masked_relu` (a binary mask selects
    # relu(x - mask * shift), a weighted one subtracts mask * clip(x, 0, shift)).
    "shift_only": dict(shift=0.25),
    "shift_and_slope": dict(shift=0.25, negative_slope=0.125),
}
KINK_MASKS = {
    "binary": np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], "float32"),
    "weighted": np.array([[0.25, 0.5, 1.0], [0.0, 0.75, 0.125]], "float32"),
}


def top_of(params):
    """`max_value`, or 1 (where the rule gives 1 too) when there is none."""
    return 1.0 if params.get("max_value") is None else params["max_value"]


def on_kinks(params):
    """`(x, u)`: inputs whose `u = x - shift` lie on, and 1/8 either side of,
    the threshold, max_value and 0, one point per channel of a (2, 2, 3, P) batch."""
    t, top = params.get("threshold", 0.0), top_of(params)
    u = np.array([t, top, 0.0, t - 0.125, t + 0.125, top - 0.125, top + 0.125, -1.0])
    x = (u + params["shift"]).astype("float32")
    assert np.array_equal(x.astype(np.float64) - params["shift"], u)  # exact in float32
    return np.broadcast_to(x, (2, 2, 3, u.size)).copy(), u


@pytest.mark.parametrize("params", ON_KINKS.values(), ids=ON_KINKS.keys())
def test_shifted_relu_exactly_on_the_kinks(params):
    from keras_masked_relu.ops import shifted_relu

    x, u = on_kinks(params)
    shift = params["shift"]
    keras_params = {k: v for k, v in params.items() if k != "shift"}
    expected = ref.keras_relu(x - np.float64(shift), **keras_params)
    # Closed form of the rule at the two kinks: 0 at the threshold, max_value at the top.
    assert (expected[..., 0] == 0.0).all()
    assert (expected[..., 1] == top_of(params)).all()
    got = to_numpy(shifted_relu(x, **params))
    np.testing.assert_allclose(got, expected, rtol=0, atol=0)
    keras_y = to_numpy(keras.activations.relu(x - np.float32(shift), **keras_params))
    np.testing.assert_allclose(got, keras_y, rtol=0, atol=0)


@pytest.mark.parametrize("kind", KINK_MASKS)
@pytest.mark.parametrize("params", ON_KINKS.values(), ids=ON_KINKS.keys())
def test_masked_relu_exactly_on_the_kinks(params, kind):
    x, _ = on_kinks(params)
    mask = KINK_MASKS[kind]
    m = mask[None, :, :, None].astype(np.float64)
    y = to_numpy(MaskedReLU(mask, **params)(x))
    np.testing.assert_allclose(y, ref.masked_relu(x, m, **params), rtol=0, atol=1e-7)
    keras_params = {k: v for k, v in params.items() if k != "shift"}
    inside = to_numpy(keras.activations.relu(x - np.float32(params["shift"]), **keras_params))
    np.testing.assert_allclose(y, m * inside + (1 - m) * np.maximum(x, 0.0), rtol=0, atol=1e-7)
    # Where the mask is 1, the kinks give exactly 0 and max_value.
    inside_pixels = mask == 1.0
    assert (y[:, inside_pixels][..., 0] == 0.0).all()
    assert (y[:, inside_pixels][..., 1] == top_of(params)).all()
