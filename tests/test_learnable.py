"""Learnable and configurable activations against NumPy references."""

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import central_differences, layer_gradients, to_numpy
from catalogue import LEARNABLE_CASES as CASES
from catalogue import randomize

from keras_masked_relu import (
    LearnableReLU,
    MaskedActivation,
    RationalActivation,
    ScaledReLU,
    SoftClip,
    SqrtTanh,
)
from keras_masked_relu._rational_fits import TARGETS, fit_rational

SHAPE = (2, 3, 4, 5)


def away_from_zero(rng, shape, scale=2.5):
    x = rng.uniform(-scale, scale, size=shape)
    x[np.abs(x) < 0.02] += 0.05
    return x


def test_fixed_activations(rng):
    x = rng.normal(scale=3.0, size=SHAPE).astype("float32")
    np.testing.assert_allclose(to_numpy(SqrtTanh()(x)), ref.sqrt_tanh(x), atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(
        to_numpy(ScaledReLU(scale=1.7, shift=-0.4)(x)),
        1.7 * np.maximum(x - 0.4, 0),
        atol=1e-6,
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        to_numpy(SoftClip(scale=2.5)(x)), 2.5 * np.tanh(x / 2.5), atol=1e-6, rtol=1e-6
    )
    big = np.array([-1e4, -30.0, 30.0, 1e4], "float32")
    np.testing.assert_allclose(to_numpy(SqrtTanh()(big)), big, rtol=1e-7)
    np.testing.assert_allclose(
        to_numpy(SoftClip(scale=5.0)(big)), 5.0 * np.tanh(big / 5.0), rtol=1e-6
    )


def test_fixed_activation_gradients(rng):
    x = away_from_zero(rng, SHAPE)
    cot = rng.normal(size=SHAPE)
    for layer, fn in [
        (SqrtTanh(dtype="float64"), ref.sqrt_tanh),
        (ScaledReLU(scale=1.3, shift=0.2, dtype="float64"), lambda v: 1.3 * np.maximum(v + 0.2, 0)),
        (SoftClip(scale=1.5, dtype="float64"), lambda v: 1.5 * np.tanh(v / 1.5)),
    ]:
        (gx,), _ = layer_gradients(layer, x, cot)
        expected = central_differences(lambda v, fn=fn: np.sum(fn(v) * cot), x)
        np.testing.assert_allclose(gx, expected, atol=1e-6, err_msg=type(layer).__name__)


@pytest.mark.parametrize("name", CASES)
def test_matches_reference(name, rng):
    case = CASES[name]
    x = rng.normal(scale=2.0, size=SHAPE).astype("float32")
    layer = case["make"]()
    layer.build(SHAPE)
    params = randomize(layer, case, rng)
    expected = case["reference"](
        x.astype(np.float64), {k: v.astype(np.float64) for k, v in params.items()}
    )
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("name", CASES)
def test_gradients_match_central_differences(name, rng):
    case = CASES[name]
    x = away_from_zero(rng, SHAPE)
    cot = rng.normal(size=SHAPE)
    layer = case["make"](dtype="float64")
    layer.build(SHAPE)
    params = randomize(layer, case, rng, dtype="float64")
    (gx,), gws = layer_gradients(layer, x, cot)
    expected_x = central_differences(lambda v: np.sum(case["reference"](v, params) * cot), x)
    np.testing.assert_allclose(gx, expected_x, atol=1e-6)
    names = [w.path.split("/")[-1] for w in layer.trainable_weights]
    assert sorted(names) == sorted(case["params"])
    for weight_name, g in zip(names, gws):

        def loss(value, weight_name=weight_name):
            return np.sum(case["reference"](x, {**params, weight_name: value}) * cot)

        expected = central_differences(loss, params[weight_name])
        np.testing.assert_allclose(g, expected, atol=1e-6, rtol=1e-6, err_msg=weight_name)


@pytest.mark.parametrize("name", CASES)
def test_gradients_finite_for_large_inputs_and_kinks(name, rng):
    case = CASES[name]
    x = np.array([-1e4, -300.0, -1.0, 0.0, 1.0, 300.0, 1e4], "float32").reshape(1, 7, 1, 1)
    x = np.tile(x, (2, 1, 4, 5))[:, :3]
    x = np.concatenate([x, np.zeros_like(x)], axis=0)[:2]
    layer = case["make"]()
    layer.build(x.shape)
    randomize(layer, case, rng)
    (gx,), gws = layer_gradients(layer, x, np.ones(x.shape, "float32"))
    assert np.isfinite(to_numpy(layer(x))).all()
    assert np.isfinite(gx).all()
    for g in gws:
        assert np.isfinite(g).all()


def test_starting_values(rng):
    """Spec'd starts: equal mixture weights, a_1 = 0.5 polynomial, PReLU slope 0.25."""
    x = rng.normal(size=SHAPE).astype("float32")
    np.testing.assert_allclose(
        to_numpy(CASES["adaptive_mixture"]["make"]()(x)),
        (np.maximum(x, 0) + np.tanh(x) + x) / 3.0,
        atol=1e-6,
    )
    np.testing.assert_allclose(to_numpy(CASES["polynomial"]["make"]()(x)), 0.5 * x, atol=1e-7)
    np.testing.assert_allclose(
        to_numpy(CASES["learnable_relu"]["make"]()(x)), np.where(x > 0, x, 0.25 * x), atol=1e-7
    )
    np.testing.assert_allclose(
        to_numpy(CASES["learnable_swish"]["make"]()(x)), ref.swish(x, 1.0), atol=1e-6
    )


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_rational_start_approximates_its_activation(name):
    x = np.linspace(-3, 3, 301).astype("float32")
    layer = RationalActivation(approximate=name)
    _, _, max_error = fit_rational(name, 5, 4)
    fitted = to_numpy(layer(x))
    np.testing.assert_allclose(fitted, TARGETS[name](x.astype(np.float64)), atol=max_error + 1e-5)
    tolerance = {"relu": 0.05, "leaky_relu": 0.05, "gelu": 2e-3}.get(name, 1e-4)
    assert max_error < tolerance


def test_per_channel_follows_data_format(rng):
    x = rng.normal(size=(2, 5, 4, 3)).astype("float32")  # channels_first: 5 channels
    layer = CASES["learnable_relu"]["make"](data_format="channels_first")
    layer.build(x.shape)
    assert layer.alpha.shape == (5, 1, 1)
    params = randomize(layer, CASES["learnable_relu"], rng)
    expected = ref.learnable_relu(x, params["alpha"], params["scale"], params["shift"])
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-6, rtol=1e-6)


def test_dynamic_spatial_size(rng):
    x_in = keras.Input((None, None, 3))
    model = keras.Model(x_in, CASES["learnable_relu"]["make"]()(x_in))
    for size in [(4, 4), (7, 9)]:
        x = rng.normal(size=(2,) + size + (3,)).astype("float32")
        np.testing.assert_allclose(to_numpy(model(x)), np.where(x > 0, x, 0.25 * x), atol=1e-6)


@pytest.mark.parametrize("name", ["learnable_relu", "rational", "adaptive_mixture_per_channel"])
def test_inside_masked_activation(name, rng):
    case = CASES[name]
    inner = case["make"]()
    mask = rng.random((3, 4)).astype("float32")
    layer = MaskedActivation(mask, inside=inner, outside="relu")
    x = rng.normal(size=SHAPE).astype("float32")
    layer(x)
    params = randomize(inner, case, rng)
    m = mask[None, :, :, None]
    expected = m * case["reference"](x.astype(np.float64), params) + (1 - m) * np.maximum(x, 0)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-6, rtol=1e-6)
    assert {id(w) for w in inner.trainable_weights} <= {id(w) for w in layer.trainable_weights}


def test_learnable_relu_regularizers_and_constraints_as_in_prelu(rng):
    layer = LearnableReLU(
        alpha_regularizer=keras.regularizers.L2(0.1),
        alpha_constraint=keras.constraints.NonNeg(),
        scale_regularizer=keras.regularizers.L1(0.01),
        learnable_shift=True,
        shift_regularizer="l2",
        shift_constraint=keras.constraints.MaxNorm(0.5, axis=1),
    )
    layer(rng.normal(size=(4, 5, 3)).astype("float32"))
    # alpha = 0.25, scale = 1, shift = 0 on 3 channels.
    losses = sorted(float(to_numpy(loss)) for loss in layer.losses)
    np.testing.assert_allclose(losses, [0.0, 0.1 * 3 * 0.25**2, 0.03], rtol=1e-6)
    gradients = [keras.ops.full((1, 3), 10.0), keras.ops.full((1, 3), -2.0)]
    keras.optimizers.SGD(1.0).apply(gradients, [layer.alpha, layer.shift])
    # alpha: 0.25 - 10, clipped at 0; shift: 2 per channel, scaled to a norm of 0.5.
    np.testing.assert_array_equal(to_numpy(layer.alpha), np.zeros((1, 3)))
    np.testing.assert_allclose(to_numpy(layer.shift), np.full((1, 3), 0.5 / np.sqrt(3)), rtol=1e-5)
    clone = LearnableReLU.from_config(layer.get_config())
    assert isinstance(clone.alpha_regularizer, keras.regularizers.L2)
    assert clone.alpha_regularizer.l2 == pytest.approx(0.1)
    assert isinstance(clone.shift_constraint, keras.constraints.MaxNorm)
    assert clone.scale_constraint is None
