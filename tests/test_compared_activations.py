"""FReLU, ACON-C, Meta-ACON and the rational variants (SPEC 4.2) against NumPy.

The elementwise layers (ACON, Meta-ACON, rational version A and groups) run the
shared learnable checks of `learnable_cases.py` (values, float64 gradients,
large inputs, mixed precision); this file checks what is particular to each.
"""

import json
import zipfile

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import central_differences, layer_gradients, to_numpy
from catalogue import LEARNABLE_CASES as CASES
from catalogue import randomize

from keras_masked_relu import (
    ACON,
    FunnelReLU,
    MaskedActivation,
    MetaACON,
    RationalActivation,
    replace_activations,
)
from keras_masked_relu._rational_fits import fit_rational

SHAPE = (2, 5, 6, 4)


def funnel_with_statistics(rng, dtype="float32", **kwargs):
    """A built FunnelReLU with a random kernel and non-trivial batch-norm statistics."""
    layer = FunnelReLU(dtype=dtype, **kwargs)
    layer.build(SHAPE)
    channels = SHAPE[-1]
    values = {
        "kernel": rng.normal(scale=0.5, size=(3, 3, channels, 1)),
        "gamma": rng.uniform(0.5, 1.5, channels),
        "beta": rng.uniform(-0.5, 0.5, channels),
        "moving_mean": rng.uniform(-0.3, 0.3, channels),
        "moving_variance": rng.uniform(0.5, 2.0, channels),
    }
    for weight in layer.weights:
        weight.assign(values[weight.path.split("/")[-1]].astype(dtype))
    return layer, values


def funnel_reference(x, v, epsilon=1e-3):
    return ref.funnel_relu(
        x,
        v["kernel"][:, :, :, 0],
        v["gamma"],
        v["beta"],
        v["moving_mean"],
        v["moving_variance"],
        epsilon=epsilon,
    )


# --- FunnelReLU ----------------------------------------------------------------------


def test_funnel_relu_inference_matches_reference(rng):
    layer, values = funnel_with_statistics(rng)
    x = rng.normal(size=SHAPE).astype("float32")
    expected = funnel_reference(x.astype(np.float64), values)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-5)
    assert (expected > x).any() and (expected == x).any()  # both branches are taken


def test_funnel_relu_weights_and_training_mode(rng):
    layer, values = funnel_with_statistics(rng)
    assert sorted(w.path.split("/")[-1] for w in layer.trainable_weights) == [
        "beta",
        "gamma",
        "kernel",
    ]
    assert len(layer.non_trainable_weights) == 2
    # In training mode the batch's own statistics normalise the condition.
    x = rng.normal(size=SHAPE).astype("float64")
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    conv = sum(
        padded[:, i : i + SHAPE[1], j : j + SHAPE[2], :] * values["kernel"][i, j, :, 0]
        for i in range(3)
        for j in range(3)
    )
    mean, variance = conv.mean(axis=(0, 1, 2)), conv.var(axis=(0, 1, 2))
    condition = values["gamma"] * (conv - mean) / np.sqrt(variance + 1e-3) + values["beta"]
    y = to_numpy(layer(x.astype("float32"), training=True))
    np.testing.assert_allclose(y, np.maximum(x, condition), atol=1e-5)


def test_funnel_relu_reference_code_batch_norm(rng):
    # FReLU's reference code normalises with epsilon=1e-5 and momentum=0.9.
    layer, values = funnel_with_statistics(rng, epsilon=1e-5, momentum=0.9)
    x = rng.normal(size=SHAPE).astype("float32")
    expected = funnel_reference(x.astype(np.float64), values, epsilon=1e-5)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-5)
    # With a small moving variance, Keras's default epsilon gives another result.
    assert np.abs(expected - funnel_reference(x, values, epsilon=1e-3)).max() > 1e-4
    # One training call moves the statistics by (1 - momentum) towards the batch's.
    layer(x, training=True)
    padded = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
    conv = sum(
        padded[:, i : i + SHAPE[1], j : j + SHAPE[2], :] * values["kernel"][i, j, :, 0]
        for i in range(3)
        for j in range(3)
    )
    expected_mean = 0.9 * values["moving_mean"] + 0.1 * conv.mean(axis=(0, 1, 2))
    np.testing.assert_allclose(
        to_numpy(layer.batch_norm.moving_mean), expected_mean, rtol=1e-5, atol=1e-6
    )


def test_funnel_relu_gradients_match_central_differences(rng):
    layer, values = funnel_with_statistics(rng, dtype="float64")
    x = rng.normal(size=SHAPE)
    cot = rng.normal(size=SHAPE)
    (gx,), gws = layer_gradients(layer, x, cot)
    np.testing.assert_allclose(
        gx, central_differences(lambda v: np.sum(funnel_reference(v, values) * cot), x), atol=1e-6
    )
    for weight, g in zip(layer.trainable_weights, gws):
        name = weight.path.split("/")[-1]

        def loss(value, name=name):
            return np.sum(funnel_reference(x, {**values, name: value}) * cot)

        expected = central_differences(loss, values[name])
        np.testing.assert_allclose(g, expected, atol=1e-6, err_msg=name)


def test_funnel_relu_channels_first_and_dynamic_size(rng):
    layer, values = funnel_with_statistics(rng)
    first = FunnelReLU(data_format="channels_first")
    x_in = keras.Input((SHAPE[-1], None, None))
    model = keras.Model(x_in, first(x_in))
    for weight, source in zip(first.weights, layer.weights):
        weight.assign(to_numpy(source))
    for height, width in [(5, 6), (7, 3)]:
        x = rng.normal(size=(2, height, width, SHAPE[-1])).astype("float32")
        expected = funnel_reference(x.astype(np.float64), values)
        y = to_numpy(model(np.transpose(x, (0, 3, 1, 2))))
        np.testing.assert_allclose(np.transpose(y, (0, 2, 3, 1)), expected, atol=1e-5)


@pytest.mark.parametrize("kernel_size", [1, 5])
def test_funnel_relu_kernel_sizes(kernel_size, rng):
    layer = FunnelReLU(kernel_size=kernel_size)
    layer.build(SHAPE)
    assert layer.depthwise.kernel.shape == (kernel_size, kernel_size, SHAPE[-1], 1)
    x = rng.normal(size=SHAPE).astype("float32")
    kernel = to_numpy(layer.depthwise.kernel)[:, :, :, 0]
    padded = np.pad(x, ((0, 0),) + ((kernel_size // 2,) * 2,) * 2 + ((0, 0),))
    conv = sum(
        padded[:, i : i + SHAPE[1], j : j + SHAPE[2], :] * kernel[i, j]
        for i in range(kernel_size)
        for j in range(kernel_size)
    )
    expected = np.maximum(x, conv / np.sqrt(1.0 + 1e-3))  # fresh statistics: mean 0, variance 1
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-5)


def test_funnel_relu_trains_and_saves(tmp_path, rng):
    x_in = keras.Input(SHAPE[1:])
    model = keras.Model(x_in, FunnelReLU()(keras.layers.Conv2D(SHAPE[-1], 1)(x_in)))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x = rng.normal(size=(16,) + SHAPE[1:]).astype("float32")
    target = np.abs(x)
    first = model.evaluate(x, target, verbose=0)
    model.fit(x, target, epochs=10, batch_size=8, verbose=0)
    assert model.evaluate(x, target, verbose=0) < 0.8 * first
    funnel = model.layers[-1]
    assert np.abs(to_numpy(funnel.batch_norm.moving_mean)).max() > 0  # statistics were updated
    path = tmp_path / "frelu.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))


# --- ACON and Meta-ACON --------------------------------------------------------------


def test_acon_starts_as_swish_and_tends_to_maximum(rng):
    x = rng.normal(scale=2.0, size=SHAPE).astype("float32")
    np.testing.assert_allclose(to_numpy(ACON()(x)), x / (1 + np.exp(-x)), atol=1e-6)
    steep = ACON(p1_initializer=1.0, p2_initializer=0.25, beta_initializer=200.0)
    np.testing.assert_allclose(to_numpy(steep(x)), np.maximum(x, 0.25 * x), atol=1e-2)


def test_acon_shared_axes_and_channels_first(rng):
    layer = ACON(shared_axes=[1, 2, 3])
    layer.build(SHAPE)
    assert layer.p1.shape == (1, 1, 1)
    x = rng.normal(size=(2, 4, 5, 6)).astype("float32")  # channels first: 4 channels
    layer = ACON(data_format="channels_first")
    layer.build(x.shape)
    assert layer.beta.shape == (4, 1, 1)
    params = randomize(layer, CASES["acon"], rng)
    np.testing.assert_allclose(
        to_numpy(layer(x)), ref.acon(x, params["p1"], params["p2"], params["beta"]), atol=1e-6
    )


def test_meta_acon_beta_per_sample_and_channel(rng):
    layer = MetaACON(reduction=2)
    layer.build(SHAPE)
    assert layer.w1.shape == (4, 2) and layer.w2.shape == (2, 4)
    params = randomize(layer, CASES["meta_acon"], rng)
    x = rng.normal(size=SHAPE)
    x[1] += 1.5  # the two samples have different means, so different betas
    summary = x.mean(axis=(1, 2))
    beta = ref.sigmoid((summary @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"])
    assert beta.shape == (2, 4) and ((0 < beta) & (beta < 1)).all()
    assert np.abs(beta[0] - beta[1]).min() > 1e-3
    expected = ref.acon(x, params["p1"], params["p2"], beta[:, None, None, :])
    np.testing.assert_allclose(to_numpy(layer(x.astype("float32"))), expected, atol=1e-5)


def test_meta_acon_width_and_channels_first(rng):
    for channels, width in [(64, 16), (512, 32)]:  # max(reduction, channels // reduction)
        layer = MetaACON()  # reduction 16
        layer.build((2, 3, 3, channels))
        assert layer.w1.shape == (channels, width)
    first = MetaACON(reduction=2, data_format="channels_first")
    x = rng.normal(size=(2, 4, 3, 5)).astype("float32")
    first.build(x.shape)
    params = randomize(first, CASES["meta_acon"], rng)
    per_channel = {**params, "p1": params["p1"].reshape(-1), "p2": params["p2"].reshape(-1)}
    expected = ref.meta_acon(
        np.transpose(x, (0, 2, 3, 1)), *[per_channel[k] for k in CASES["meta_acon"]["params"]]
    )
    np.testing.assert_allclose(to_numpy(first(x)), np.transpose(expected, (0, 3, 1, 2)), atol=1e-5)


def test_meta_acon_dynamic_spatial_size(rng):
    x_in = keras.Input((None, None, 4))
    layer = MetaACON(reduction=2)
    model = keras.Model(x_in, layer(x_in))
    params = randomize(layer, CASES["meta_acon"], rng)
    for size in [(3, 3), (5, 7)]:
        x = rng.normal(size=(2, *size, 4)).astype("float32")
        expected = ref.meta_acon(x, *[params[k] for k in CASES["meta_acon"]["params"]])
        np.testing.assert_allclose(to_numpy(model(x)), expected, atol=1e-5)


# --- Rational: version A and groups -------------------------------------------------


def test_rational_version_a_start_and_formula(rng):
    a, b, _ = fit_rational("leaky_relu", 5, 4, version="A")
    layer = RationalActivation(version="A")
    layer.build(SHAPE)
    np.testing.assert_allclose(to_numpy(layer.denominator), b, rtol=1e-6)
    x = np.linspace(-3, 3, 61).astype("float32")
    expected = ref.power_sum(x, a) / (1 + ref.power_sum(np.abs(x), np.abs(b), first_power=1))
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-5)


def test_rational_groups_start_from_one_fit_and_learn_apart(rng):
    layer = RationalActivation(approximate="tanh", groups=2)
    layer.build((None, 6))
    a, b, _ = fit_rational("tanh", 5, 4)
    assert layer.numerator.shape == (2, 6) and layer.denominator.shape == (2, 4)
    np.testing.assert_allclose(to_numpy(layer.numerator), np.stack([a, a]), atol=1e-7)
    x = rng.normal(size=(3, 6)).astype("float32")
    np.testing.assert_allclose(to_numpy(layer(x)), np.tanh(x), atol=1e-4)
    layer.numerator.assign(np.stack([a, 2 * a]).astype("float32"))
    y = to_numpy(layer(x))
    np.testing.assert_allclose(y[:, :3], ref.rational(x[:, :3], a, b), atol=1e-5)
    np.testing.assert_allclose(y[:, 3:], ref.rational(x[:, 3:], 2 * a, b), atol=1e-5)


def test_rational_shared_numerator_shapes_start_and_formula(rng):
    layer = RationalActivation(approximate="tanh", groups=2, shared_numerator=True)
    layer.build((None, 6))
    a, b, _ = fit_rational("tanh", 5, 4)
    assert layer.numerator.shape == (6,) and layer.denominator.shape == (2, 4)
    np.testing.assert_allclose(to_numpy(layer.numerator), a, atol=1e-7)
    np.testing.assert_allclose(to_numpy(layer.denominator), np.stack([b, b]), atol=1e-7)
    x = rng.normal(size=(3, 6)).astype("float32")
    layer.denominator.assign(np.stack([b, 2 * b]).astype("float32"))
    y = to_numpy(layer(x))
    np.testing.assert_allclose(y[:, :3], ref.rational(x[:, :3], a, b), atol=1e-5)
    np.testing.assert_allclose(y[:, 3:], ref.rational(x[:, 3:], a, 2 * b), atol=1e-5)


def test_rational_groups_channels_first(rng):
    x = rng.normal(size=(2, 6, 3, 4)).astype("float32")  # channels first: 6 channels
    layer = RationalActivation(groups=3, data_format="channels_first")
    layer.build(x.shape)
    params = randomize(layer, CASES["rational_groups"], rng)
    last = np.transpose(x, (0, 2, 3, 1))
    expected = ref.grouped(ref.rational, last, params["numerator"], params["denominator"])
    np.testing.assert_allclose(to_numpy(layer(x)), np.transpose(expected, (0, 3, 1, 2)), atol=1e-5)


def test_rational_saved_with_former_defaults_still_loads(tmp_path, rng):
    """A file whose config has no `version`, `groups` or `data_format` (as saved
    before they existed) loads as version B with one group, weights unchanged."""
    x_in = keras.Input((4,))
    model = keras.Model(x_in, RationalActivation(name="rational")(x_in))
    path = tmp_path / "model.keras"
    model.save(path)
    old = tmp_path / "old.keras"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(old, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "config.json":
                config = json.loads(data)
                for layer in config["config"]["layers"]:
                    if layer["class_name"] == "RationalActivation":
                        for key in ("version", "groups", "data_format"):
                            del layer["config"][key]
                data = json.dumps(config).encode()
            target.writestr(item, data)
    restored = keras.saving.load_model(old, safe_mode=True)
    rational = restored.get_layer("rational")
    assert (rational.version, rational.groups) == ("B", 1)
    assert rational.numerator.shape == (6,) and rational.denominator.shape == (4,)
    x = rng.normal(size=(3, 4)).astype("float32")
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))


# --- With the rest of the package ----------------------------------------------------


@pytest.mark.parametrize("make", [ACON, lambda: MetaACON(reduction=2), FunnelReLU])
def test_inside_masked_activation(make, rng):
    inner = make()
    mask = rng.random((5, 6)).astype("float32")
    layer = MaskedActivation(mask, inside=inner, outside="relu")
    x = rng.normal(size=SHAPE).astype("float32")
    y = to_numpy(layer(x))
    m = mask[None, :, :, None]
    inside = to_numpy(inner(x))
    np.testing.assert_allclose(y, m * inside + (1 - m) * np.maximum(x, 0), atol=1e-5)
    assert {id(w) for w in inner.trainable_weights} <= {id(w) for w in layer.trainable_weights}


@pytest.mark.parametrize("make", [ACON, lambda: MetaACON(reduction=2), FunnelReLU])
def test_replace_activations_puts_them_in(make, rng):
    x_in = keras.Input((6, 6, 3))
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(x_in)
    h = keras.layers.Conv2D(4, 3, padding="same")(h)
    h = keras.layers.ReLU()(h)
    model = keras.Model(x_in, h)
    new = replace_activations(model, lambda original: make())
    made = [layer for layer in new.layers if isinstance(layer, (ACON, MetaACON, FunnelReLU))]
    assert len(made) == 2
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    assert to_numpy(new(x)).shape == (2, 6, 6, 4)


def test_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"groups=4.*\(2, 6\).*6 channels"):
        RationalActivation(groups=4)(np.zeros((2, 6), "float32"))


def test_funnel_relu_needs_images():
    with pytest.raises(ValueError, match=r"4-D inputs.*\(2, 6\)"):
        FunnelReLU()(np.zeros((2, 6), "float32"))
