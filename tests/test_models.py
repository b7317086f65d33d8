"""The layers inside models: dynamic sizes, fit, mixed precision, Keras masking."""

import keras
import numpy as np
import pytest

import reference as ref
from backend_utils import to_numpy
from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Circle, Ellipse


def test_dynamic_spatial_size_with_relative_region(rng):
    region = Circle((0.5, 0.5), 0.35, relative=True, softness=1.0)
    x_in = keras.Input((None, None, 2))
    model = keras.Model(x_in, MaskedReLU(region, shift=0.4)(x_in))
    for h, w in [(8, 8), (13, 20)]:
        x = rng.normal(size=(2, h, w, 2)).astype("float32")
        mask = ref.circle(h, w, (0.5, 0.5), 0.35, relative=True, softness=1.0)[None, :, :, None]
        np.testing.assert_allclose(to_numpy(model(x)), ref.masked_relu(x, mask, shift=0.4), atol=1e-5)


def test_dynamic_spatial_size_in_compiled_predict(rng):
    """predict() traces the model, so the region is drawn with keras.ops there."""
    region = Ellipse((0.5, 0.5), (0.4, 0.25), angle=20, relative=True)
    x_in = keras.Input((None, None, 1))
    model = keras.Model(x_in, MaskedActivation(region, inside="elu", outside="linear")(x_in))
    for h, w in [(10, 12), (17, 9)]:
        x = rng.normal(size=(3, h, w, 1)).astype("float32")
        mask = ref.ellipse(h, w, (0.5, 0.5), (0.4, 0.25), 20, relative=True)[None, :, :, None]
        expected = mask * ref.elu(x) + (1 - mask) * x
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-5)


def small_model(mask_layer, second_input=False):
    x_in = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(4, 3, padding="same")(x_in)
    if second_input:
        m_in = keras.Input((8, 8))
        h = mask_layer([h, m_in])
        inputs = [x_in, m_in]
    else:
        h = mask_layer(h)
        inputs = x_in
    out = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(h))
    return keras.Model(inputs, out)


@pytest.mark.parametrize("source", ["array", "region", "input", "learned"])
def test_fit_step(source, rng, jit_compile=False):
    keras.utils.set_random_seed(0)
    mask = rng.random((8, 8)).astype("float32")
    if source == "input":
        layer = MaskedReLU(shift=0.1)
    elif source == "region":
        layer = MaskedReLU(Circle((4, 4), 3), shift=0.1)
    else:
        layer = MaskedReLU(mask, shift=0.1, negative_slope=0.1, trainable_mask=source == "learned")
    model = small_model(layer, second_input=source == "input")
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", jit_compile=jit_compile)
    x = rng.normal(size=(16, 8, 8, 1)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    inputs = [x, rng.random((16, 8, 8)).astype("float32")] if source == "input" else x
    before = [to_numpy(w).copy() for w in layer.trainable_weights]
    history = model.fit(inputs, y, epochs=3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    for old, new in zip(before, layer.trainable_weights):
        assert np.abs(old - to_numpy(new)).max() > 1e-6, "a trainable mask did not move"


def test_compiled_fit_step_with_every_mask_source(rng):
    """One jit_compile=True model holds every mask source (one compile per backend)."""
    keras.utils.set_random_seed(0)
    x_in, m_in = keras.Input((8, 8, 1)), keras.Input((8, 8))
    h = keras.layers.Conv2D(4, 3, padding="same")(x_in)
    h = MaskedReLU(rng.random((8, 8)).astype("float32"), shift=0.1)(h)
    h = MaskedReLU(Circle((4, 4), 3), negative_slope=0.1)(h)
    h = MaskedReLU(shift=0.2)([h, m_in])
    # d(output)/d(mask) = tanh(h) - h, nonzero wherever h is.
    learned = MaskedActivation(
        Circle((3, 4), 2.5, softness=3.0), inside="tanh", outside="linear", trainable_mask=True
    )
    h = learned(h)
    out = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(h))
    model = keras.Model([x_in, m_in], out)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", jit_compile=True)
    inputs = [rng.normal(size=(16, 8, 8, 1)).astype("float32"), rng.random((16, 8, 8)).astype("float32")]
    before = to_numpy(learned.mask_logits).copy()
    history = model.fit(inputs, rng.normal(size=(16, 1)).astype("float32"), epochs=3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    # Moved: by far more than float32 rounding at these magnitudes (~1e-7).
    assert np.abs(before - to_numpy(learned.mask_logits)).max() > 1e-6


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("source", ["array", "region", "input", "learned"])
def test_mixed_precision(policy, source, rng):
    keras.config.set_dtype_policy(policy)
    mask = rng.random((8, 8)).astype("float32")
    if source == "input":
        layer = MaskedReLU(shift=0.5, max_value=100.0)
        call = lambda x: layer([x, np.stack([mask, mask])])  # noqa: E731
    else:
        arg = Circle((4, 4), 3, softness=1) if source == "region" else mask
        layer = MaskedReLU(arg, shift=0.5, negative_slope=0.2, trainable_mask=source == "learned")
        call = layer
    compute = policy.split("_")[1]
    largest = 6e4 if compute == "float16" else 1e30  # near the top of each dtype
    x = keras.ops.cast(rng.uniform(-largest, largest, size=(2, 8, 8, 3)), compute)
    y = call(x)
    assert keras.backend.standardize_dtype(y.dtype) == compute
    assert np.isfinite(to_numpy(keras.ops.cast(y, "float32"))).all()
    for weight in layer.weights:
        assert weight.dtype == "float32"


def test_masked_activation_mixed_precision_with_inner_layer(rng):
    keras.config.set_dtype_policy("mixed_float16")
    layer = MaskedActivation(rng.random((4, 4)), inside=keras.layers.PReLU(), outside="elu")
    y = layer(keras.ops.cast(rng.normal(size=(2, 4, 4, 2)), "float16"))
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    assert all(w.dtype == "float32" for w in layer.weights)


def test_sequence_mask_does_not_leak_into_the_spatial_mask(rng):
    """An upstream Keras mask is passed on, never used as the activation mask."""
    tokens = np.array([[3, 5, 0, 0, 0, 0], [1, 2, 3, 4, 0, 0]])
    spatial = rng.random(6).astype("float32")
    embed = keras.layers.Embedding(10, 4, mask_zero=True)
    layer = MaskedReLU(spatial, shift=0.3)
    h = embed(tokens)
    y = layer(h)
    expected = ref.masked_relu(to_numpy(h), spatial[None, :, None], shift=0.3)
    np.testing.assert_allclose(to_numpy(y), expected, atol=1e-6)
    np.testing.assert_array_equal(to_numpy(layer.compute_mask(h, tokens != 0)), tokens != 0)

    x_in = keras.Input((6, 2))
    masked = keras.layers.Masking(mask_value=0.0)(x_in)
    out = keras.layers.LSTM(3)(MaskedReLU(spatial, negative_slope=0.5)(masked))
    model = keras.Model(x_in, out)
    x = rng.normal(size=(2, 6, 2)).astype("float32")
    x[:, 4:] = 0.0
    truncated = keras.Model(x_in, out)(x)
    assert np.isfinite(to_numpy(truncated)).all()
    # The padded steps are skipped: the LSTM output equals that of the first 4 steps.
    short_in = keras.Input((4, 2))
    lstm = model.layers[-1]
    short = keras.Model(short_in, lstm(MaskedReLU(spatial[:4], negative_slope=0.5)(short_in)))
    np.testing.assert_allclose(to_numpy(model(x)), to_numpy(short(x[:, :4])), atol=1e-6)
