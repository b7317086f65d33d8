"""The layers inside models: dynamic sizes, fit, mixed precision, Keras masking."""

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy
from precision import assert_within_roundings

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Circle, Ellipse


def test_dynamic_spatial_size_with_relative_region(rng):
    region = Circle((0.5, 0.5), 0.35, relative=True, softness=1.0)
    x_in = keras.Input((None, None, 2))
    model = keras.Model(x_in, MaskedReLU(region, shift=0.4)(x_in))
    for h, w in [(8, 8), (13, 20)]:
        x = rng.normal(size=(2, h, w, 2)).astype("float32")
        mask = ref.circle(h, w, (0.5, 0.5), 0.35, relative=True, softness=1.0)[None, :, :, None]
        np.testing.assert_allclose(
            to_numpy(model(x)), ref.masked_relu(x, mask, shift=0.4), atol=1e-5
        )


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
    """Fit lowers the loss; a fixed mask stays exactly as given, a learned one moves."""
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
    # A target the model can learn: an affine function of the image mean.
    y = (2.0 * x.mean(axis=(1, 2, 3), keepdims=True)[:, :, 0, 0] + 0.5).astype("float32")
    inputs = [x, rng.random((16, 8, 8)).astype("float32")] if source == "input" else x
    assert len(layer.trainable_weights) == (1 if source == "learned" else 0)
    before = [to_numpy(w).copy() for w in layer.trainable_weights]
    first = model.evaluate(inputs, y, verbose=0)
    history = model.fit(inputs, y, epochs=20, batch_size=8, verbose=0)
    last = model.evaluate(inputs, y, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert last < 0.5 * first, (first, last)
    for old, new in zip(before, layer.trainable_weights):
        # Moved (by about 1e-4 here): far more than float32 rounding of logits of
        # magnitude < 8 (spacing 5e-7).
        assert np.abs(old - to_numpy(new)).max() > 1e-5, "the learned mask did not move"
    if source == "array":
        # The given mask is a non-trainable weight, left exactly as it was.
        (weight,) = layer.non_trainable_weights
        np.testing.assert_array_equal(to_numpy(weight), mask[:, :, None])
    else:
        assert layer.non_trainable_weights == []
    if source in ("array", "region"):
        # After training the layer still applies the given mask.
        z = rng.normal(size=(2, 8, 8, 4)).astype("float32")
        if source == "array":
            expected = ref.masked_relu(z, mask[None, :, :, None], shift=0.1, negative_slope=0.1)
        else:
            expected = ref.masked_relu(z, ref.circle(8, 8, (4, 4), 3)[None, :, :, None], shift=0.1)
        np.testing.assert_allclose(to_numpy(layer(z)), expected, atol=1e-6)


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
    inputs = [
        rng.normal(size=(16, 8, 8, 1)).astype("float32"),
        rng.random((16, 8, 8)).astype("float32"),
    ]
    before = to_numpy(learned.mask_source.logits).copy()
    history = model.fit(
        inputs, rng.normal(size=(16, 1)).astype("float32"), epochs=3, batch_size=8, verbose=0
    )
    assert np.isfinite(history.history["loss"]).all()
    # Moved: by far more than float32 rounding at these magnitudes (~1e-7).
    assert np.abs(before - to_numpy(learned.mask_source.logits)).max() > 1e-6


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


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("source", ["array", "region", "input", "learned"])
def test_mixed_precision_values(policy, source, rng):
    """Values in float16 and bfloat16 against the float64 reference.

    Each output is a few roundings (the input's cast, `x - shift`, the mask's
    cast, the blend's products and sum) of numbers no larger than
    `|x| + |shift| + 1`, and the function is 1-Lipschitz in `x` and bounded by
    that in the mask, so the error stays below
    `4 * epsilon * (|x| + |shift| + 1)`, epsilon being 2^-10 for float16 and
    2^-7 for bfloat16. No threshold: a rounding could move a point across its
    jump.
    """
    keras.config.set_dtype_policy(policy)
    compute = policy.split("_")[1]
    params = dict(shift=0.5, negative_slope=0.2, max_value=3.0)
    x = rng.normal(scale=2.0, size=(2, 8, 8, 3))
    mask = rng.random((8, 8)).astype("float32")
    if source == "input":
        per_sample = np.stack([mask, rng.random((8, 8)).astype("float32")])
        y = MaskedReLU(**params)([keras.ops.cast(x, compute), per_sample])
        m = per_sample[..., None]
    else:
        if source == "region":
            arg, m = Circle((4, 3), 3, softness=2.0), ref.circle(8, 8, (4, 3), 3, softness=2.0)
        else:
            arg, m = mask, mask if source == "array" else ref.learned_start(mask)
        layer = MaskedReLU(arg, trainable_mask=source == "learned", **params)
        y = layer(keras.ops.cast(x, compute))
        m = m[None, :, :, None]
    assert keras.backend.standardize_dtype(y.dtype) == compute
    expected = ref.masked_relu(x, m, **params)
    assert_within_roundings(y, expected, np.abs(x) + params["shift"] + 1.0, compute)


def test_masked_activation_mixed_precision_with_inner_layer(rng):
    keras.config.set_dtype_policy("mixed_float16")
    mask = rng.random((4, 4))
    layer = MaskedActivation(mask, inside=keras.layers.PReLU(), outside="elu")
    x = rng.normal(scale=2.0, size=(2, 4, 4, 2))
    y = layer(keras.ops.cast(x, "float16"))
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    assert all(w.dtype == "float32" for w in layer.weights)
    # PReLU starts with alpha = 0: a ReLU inside, ELU outside.
    m = mask[None, :, :, None]
    expected = m * np.maximum(x, 0.0) + (1 - m) * ref.elu(x)
    assert_within_roundings(y, expected, np.abs(x) + 1.0, "float16")


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
