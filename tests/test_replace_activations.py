"""`replace_activations` (SPEC §7): activations swapped in existing Keras models.

The expected values are NumPy computations from the models' weights, or the
original model's outputs where the replacement computes the same function;
the activations are counted from the models' own layers and configs.
"""

import re

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy

import keras_masked_relu
from keras_masked_relu import MaskedActivation, MaskedReLU, replace_activations
from keras_masked_relu.regions import Circle

EMPTY = Circle(center=(-100, -100), radius=1)  # no pixel of any image lies inside
FOV = Circle((0.5, 0.5), 0.4, relative=True)


class Recorder:
    """A `make_layer` that records what it receives and returns `rule(original)`."""

    def __init__(self, rule):
        self.rule = rule
        self.received = []

    def __call__(self, original):
        self.received.append(original)
        return self.rule(original)


def count_relus(model):
    """Standalone ReLU / Activation("relu") layers plus layers whose activation is relu."""
    return sum(
        isinstance(layer, keras.layers.ReLU) or layer.get_config().get("activation") == "relu"
        for layer in model.layers
    )


def class_counts(model):
    counts = {}
    for layer in model.layers:
        counts[type(layer).__name__] = counts.get(type(layer).__name__, 0) + 1
    return counts


def assert_no_shared_state(new_model, model):
    def layer_ids(m):
        return {id(layer) for layer in m._flatten_layers(include_self=False)}

    assert not layer_ids(new_model) & layer_ids(model)
    assert not {id(v) for v in new_model.weights} & {id(v) for v in model.weights}


def calibrated(model):
    """`model` with the moving statistics of its batch normalizations set from one batch.

    Freshly initialized, they hold mean 0 and variance 1, so that at inference
    the signal fades layer after layer (MobileNetV2's logits are ~1e-10): no
    comparison of outputs would mean anything.
    """
    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.momentum = 0.0
    model(np.random.default_rng(3).normal(size=(8, 32, 32, 3)).astype("float32"), training=True)
    for layer, momentum in zip(layers, momenta):
        layer.momentum = momentum
    return model


@pytest.fixture(scope="module")
def resnet():
    return calibrated(
        keras.applications.ResNet50(
            weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None
        )
    )


@pytest.fixture(scope="module")
def mobilenet():
    return calibrated(
        keras.applications.MobileNetV2(
            weights=None,
            input_shape=(32, 32, 3),
            alpha=0.35,
            classes=10,
            classifier_activation=None,
        )
    )


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(1).normal(size=(2, 32, 32, 3)).astype("float32")


def test_resnet50(resnet, images):
    before = resnet.predict(images, verbose=0)
    assert before.std() > 1.0  # logits, not a faded signal
    layers_before = list(resnet.layers)
    assert count_relus(resnet) == 49  # stem + 16 bottleneck blocks of three ReLUs each

    empty = Recorder(lambda original: MaskedReLU(EMPTY, shift=0.5))
    new_model = replace_activations(resnet, empty)
    assert len(empty.received) == 49
    originals = [layer for layer in resnet.layers if isinstance(layer, keras.layers.Activation)]
    assert [layer.name for layer in empty.received] == [layer.name for layer in originals]
    for copy, original in zip(empty.received, originals):
        assert type(copy) is keras.layers.Activation and copy is not original
        assert copy.get_config()["activation"] == "relu"
    counts = class_counts(new_model)
    assert counts["MaskedReLU"] == 49 and "Activation" not in counts
    assert counts["Add"] == 16 and counts["Conv2D"] == 53
    assert new_model.name == resnet.name and new_model.layers[0].name == resnet.layers[0].name
    for layer in resnet.layers:  # every other layer is there, with equal weights
        if not isinstance(layer, keras.layers.Activation):
            kept = new_model.get_layer(layer.name)
            assert type(kept) is type(layer)
            for a, b in zip(kept.get_weights(), layer.get_weights(), strict=True):
                np.testing.assert_array_equal(a, b)
    assert_no_shared_state(new_model, resnet)
    np.testing.assert_allclose(new_model.predict(images, verbose=0), before, atol=1e-5)

    fov = replace_activations(resnet, lambda original: MaskedReLU(FOV, shift=0.5))
    assert np.abs(fov.predict(images, verbose=0) - before).max() > 1e-4

    # The original is as it was.
    assert resnet.layers == layers_before
    assert count_relus(resnet) == 49
    np.testing.assert_array_equal(resnet.predict(images, verbose=0), before)


def test_mobilenet_v2_keeps_relu6_outside(mobilenet, images):
    before = mobilenet.predict(images, verbose=0)
    assert before.std() > 1.0
    relus = [layer for layer in mobilenet.layers if isinstance(layer, keras.layers.ReLU)]
    assert count_relus(mobilenet) == len(relus) == 35

    def rule(region):
        return Recorder(lambda original: MaskedActivation(region, inside="relu", outside=original))

    empty = rule(EMPTY)
    new_model = replace_activations(mobilenet, empty)
    assert [layer.name for layer in empty.received] == [layer.name for layer in relus]
    for copy, original in zip(empty.received, relus):
        assert type(copy) is keras.layers.ReLU and copy is not original
        assert copy.get_config()["max_value"] == 6.0
    counts, counts_before = class_counts(new_model), class_counts(mobilenet)
    assert counts.pop("MaskedActivation") == counts_before.pop("ReLU") == 35
    assert counts == counts_before  # Add, DepthwiseConv2D, ZeroPadding2D, ... all kept
    assert_no_shared_state(new_model, mobilenet)
    np.testing.assert_allclose(new_model.predict(images, verbose=0), before, atol=1e-5)

    fov = replace_activations(mobilenet, rule(FOV))
    assert np.abs(fov.predict(images, verbose=0) - before).max() > 1e-4
    assert all(layer.max_value == 6.0 for layer in relus)


def test_trains_saves_and_reloads(mobilenet, images, tmp_path):
    new_model = replace_activations(
        mobilenet,
        lambda original: MaskedActivation(FOV, inside="relu", outside=original),
    )
    new_model.compile(optimizer=keras.optimizers.SGD(1e-3), loss="mse")
    start = [w.copy() for w in new_model.get_weights()]
    targets = np.random.default_rng(2).random((2, 10)).astype("float32")
    history = new_model.fit(images, targets, epochs=1, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(a, b) for a, b in zip(start, new_model.get_weights()))

    path = tmp_path / "replaced.keras"
    new_model.save(path)
    reloaded = keras.models.load_model(path, safe_mode=True)
    assert class_counts(reloaded)["MaskedActivation"] == 35
    np.testing.assert_allclose(
        reloaded.predict(images, verbose=0), new_model.predict(images, verbose=0), atol=1e-6
    )


def conv_valid(x, kernel, bias):
    """A stride-1 'valid' 2-D convolution (cross-correlation), NHWC, in float64."""
    kh, kw = kernel.shape[:2]
    h, w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((x.shape[0], h, w, kernel.shape[3]))
    for i in range(h):
        for j in range(w):
            patch = x[:, i : i + kh, j : j + kw, :].astype(np.float64)
            out[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, kernel)
    return out + bias


def fused_model():
    inputs = keras.Input((7, 7, 2))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs)


def test_fused_activation(rng):
    model = fused_model()
    x = rng.normal(size=(2, 7, 7, 2)).astype("float32")
    kernel, bias = model.get_layer("conv").get_weights()
    head_kernel, head_bias = model.get_layer("head").get_weights()

    def expected(activation):
        return ref.softmax(activation(conv_valid(x, kernel, bias)) @ head_kernel + head_bias, -1)

    np.testing.assert_allclose(to_numpy(model(x)), expected(ref.keras_relu), atol=1e-5)

    recorder = Recorder(lambda original: MaskedReLU(FOV, shift=0.5, name="fov"))
    new_model = replace_activations(model, recorder)
    (received,) = recorder.received
    assert type(received) is keras.layers.Activation
    assert received.get_config()["activation"] == "relu"
    assert [type(layer).__name__ for layer in new_model.layers] == [
        "InputLayer",
        "Conv2D",
        "MaskedReLU",
        "Dense",
    ]
    conv, replacement, head = new_model.layers[1:]
    assert conv.name == "conv" and conv.activation is keras.activations.linear
    assert replacement.name == "fov"
    assert head.name == "head" and head.activation is keras.activations.softmax
    for new, old in [(conv, model.get_layer("conv")), (head, model.get_layer("head"))]:
        assert new is not old
        for a, b in zip(new.get_weights(), old.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    mask = ref.circle(5, 5, (0.5, 0.5), 0.4, relative=True)[None, :, :, None]
    assert 0 < mask.sum() < 25

    def fov_relu(h):
        return ref.masked_relu(h, mask, shift=0.5)

    np.testing.assert_allclose(to_numpy(new_model(x)), expected(fov_relu), atol=1e-5)

    same = replace_activations(model, lambda original: original)
    assert same.layers[2] is not model.get_layer("conv")
    np.testing.assert_allclose(to_numpy(same(x)), expected(ref.keras_relu), atol=1e-5)

    # The original model is unchanged.
    assert model.get_layer("conv").activation is keras.activations.relu
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer",
        "Conv2D",
        "Dense",
    ]
    np.testing.assert_allclose(to_numpy(model(x)), expected(ref.keras_relu), atol=1e-5)


def mlp():
    """Four relus, fused and standalone, in this order: d1, r1, d3, a1."""
    inputs = keras.Input((5,))
    x = keras.layers.Dense(4, activation="relu", name="d1")(inputs)
    x = keras.layers.Dense(4, name="d2")(x)
    x = keras.layers.ReLU(name="r1")(x)
    x = keras.layers.Dense(4, activation="relu", name="d3")(x)
    x = keras.layers.Dense(3, name="d4")(x)
    outputs = keras.layers.Activation("relu", name="a1")(x)
    return keras.Model(inputs, outputs)


def mlp_reference(model, x, activations):
    """The MLP in NumPy, with `activations[i]` for its i-th relu."""
    h = np.asarray(x, np.float64)
    acts = iter(activations)
    for name in ["d1", "d2", "d3", "d4"]:
        kernel, bias = model.get_layer(name).get_weights()
        h = h @ kernel + bias
        if name != "d2":  # d2 is followed by the ReLU layer r1, counted next
            h = next(acts)(h)
        if name == "d2":
            h = next(acts)(h)
    return h


def relu(h):
    return np.maximum(h, 0.0)


def test_none_keeps_the_activation(rng):
    model = mlp()
    x = rng.normal(size=(6, 5)).astype("float32")
    every_other = Recorder(
        lambda original: (
            keras.layers.Activation("tanh") if len(every_other.received) % 2 == 1 else None
        )
    )
    new_model = replace_activations(model, every_other)
    assert [layer.name for layer in every_other.received] == ["d1_relu", "r1", "d3_relu", "a1"]
    kinds = [(type(layer).__name__, layer.name) for layer in new_model.layers]
    assert [kind for kind, _ in kinds] == [
        "InputLayer",
        "Dense",
        "Activation",
        "Dense",
        "ReLU",
        "Dense",
        "Activation",
        "Dense",
        "Activation",
    ]
    assert new_model.get_layer("d1").activation is keras.activations.linear
    assert new_model.get_layer("d3").activation is keras.activations.linear
    assert new_model.get_layer("a1").activation is keras.activations.relu
    assert new_model.layers[2].activation is keras.activations.tanh
    np.testing.assert_allclose(
        to_numpy(new_model(x)), mlp_reference(model, x, [np.tanh, relu, np.tanh, relu]), atol=1e-5
    )

    keep_all = Recorder(lambda original: None)
    kept = replace_activations(model, keep_all)
    assert len(keep_all.received) == 4
    assert [type(layer) for layer in kept.layers] == [type(layer) for layer in model.layers]
    assert kept.get_layer("d1").activation is keras.activations.relu
    np.testing.assert_allclose(to_numpy(kept(x)), mlp_reference(model, x, [relu] * 4), atol=1e-5)


def test_nested_functional_and_sequential(rng):
    b_in = keras.Input((6, 6, 2))
    b = keras.layers.Conv2D(3, 3, activation="relu", name="b_conv")(b_in)
    b = keras.layers.ReLU(max_value=0.5, name="b_relu")(b)
    backbone = keras.Model(b_in, b, name="backbone")
    head = keras.Sequential(
        [keras.layers.Flatten(), keras.layers.Dense(4, activation="relu", name="h_dense")],
        name="head",
    )
    inputs = keras.Input((6, 6, 2))
    x = backbone(inputs)
    x = keras.layers.Activation("relu", name="outer_relu")(x)
    outputs = keras.layers.Dense(2, name="out")(head(x))
    model = keras.Model(inputs, outputs)
    x_in = rng.normal(size=(3, 6, 6, 2)).astype("float32")
    before = to_numpy(model(x_in))

    recorder = Recorder(lambda original: keras.layers.Activation("tanh"))
    new_model = replace_activations(model, recorder)
    assert [layer.name for layer in recorder.received] == [
        "b_conv_relu",
        "b_relu",
        "outer_relu",
        "h_dense_relu",
    ]
    assert recorder.received[1].max_value == 0.5
    new_backbone, new_head = new_model.get_layer("backbone"), new_model.get_layer("head")
    assert new_backbone is not backbone and new_head is not head
    assert isinstance(new_head, keras.Sequential)
    assert [type(layer).__name__ for layer in new_backbone.layers] == [
        "InputLayer",
        "Conv2D",
        "Activation",
        "Activation",
    ]
    assert [type(layer).__name__ for layer in new_head.layers] == [
        "Flatten",
        "Dense",
        "Activation",
    ]
    assert_no_shared_state(new_model, model)

    kernel, bias = backbone.get_layer("b_conv").get_weights()
    h = np.tanh(np.tanh(conv_valid(x_in, kernel, bias)))
    h = np.tanh(h).reshape(3, -1)
    kernel, bias = head.get_layer("h_dense").get_weights()
    h = np.tanh(h @ kernel + bias)
    kernel, bias = model.get_layer("out").get_weights()
    np.testing.assert_allclose(to_numpy(new_model(x_in)), h @ kernel + bias, atol=1e-5)

    # The original, its nested models included, is unchanged.
    assert backbone.get_layer("b_conv").activation is keras.activations.relu
    assert [type(layer).__name__ for layer in head.layers] == ["Flatten", "Dense"]
    np.testing.assert_array_equal(to_numpy(model(x_in)), before)


@pytest.mark.parametrize("with_input", [True, False])
def test_sequential_model(with_input, rng):
    layers = [
        keras.layers.Dense(4, activation="relu", name="d1"),
        keras.layers.LeakyReLU(negative_slope=0.2, name="leaky"),
        keras.layers.Dense(2, name="d2"),
    ]
    model = keras.Sequential(([keras.Input((3,))] if with_input else []) + layers)
    recorder = Recorder(lambda original: keras.layers.Activation("tanh"))
    new_model = replace_activations(model, recorder, activations=("relu", "leaky_relu"))
    assert isinstance(new_model, keras.Sequential)
    assert [layer.name for layer in recorder.received] == ["d1_relu", "leaky"]
    assert [type(layer).__name__ for layer in new_model.layers] == [
        "Dense",
        "Activation",
        "Activation",
        "Dense",
    ]
    x = rng.normal(size=(5, 3)).astype("float32")
    if not with_input:
        assert not new_model.built
        model(x)  # builds the original: its weights come first
        new_model = replace_activations(model, recorder, activations=("relu", "leaky_relu"))
    (k1, b1), (k2, b2) = model.get_layer("d1").get_weights(), model.get_layer("d2").get_weights()
    expected = np.tanh(np.tanh(x @ k1 + b1)) @ k2 + b2
    np.testing.assert_allclose(to_numpy(new_model(x)), expected, atol=1e-5)


def test_standalone_layer_kinds_and_names(rng):
    """Each kind of activation layer by name, with copies that carry the weights."""
    inputs = keras.Input((4,))
    x = keras.layers.Dense(4, name="dense")(inputs)
    x = keras.layers.LeakyReLU(negative_slope=0.3, name="leaky")(x)
    x = keras.layers.ELU(name="elu")(x)
    prelu = keras.layers.PReLU(name="prelu")
    x = prelu(x)
    x = keras.layers.Activation("swish", name="swish")(x)
    x = keras.layers.Activation("relu6", name="relu6")(x)
    outputs = keras.layers.ReLU(name="relu")(x)
    model = keras.Model(inputs, outputs)
    alpha = np.array([0.1, 0.2, 0.3, 0.4], "float32")
    prelu.set_weights([alpha])

    recorder = Recorder(lambda original: None)
    replace_activations(model, recorder, activations=["leaky_relu", "elu", "prelu", "silu"])
    assert [layer.name for layer in recorder.received] == ["leaky", "elu", "prelu", "swish"]
    copy = recorder.received[2]
    assert copy is not prelu and copy.built
    np.testing.assert_array_equal(copy.get_weights()[0], alpha)
    assert recorder.received[0].get_config()["negative_slope"] == pytest.approx(0.3)

    # A single string is one name; "relu" leaves relu6 alone.
    recorder = Recorder(lambda original: None)
    replace_activations(model, recorder, activations="relu")
    assert [layer.name for layer in recorder.received] == ["relu"]


def test_name_clashes(rng):
    """A replacement keeps its name unless the model has it already; then `_1`, `_2`..."""
    model = mlp()
    new_model = replace_activations(model, lambda original: keras.layers.ReLU(name="fov"))
    names = [layer.name for layer in new_model.layers]
    assert names == ["input_layer", "d1", "fov", "d2", "fov_1", "d3", "fov_2", "d4", "fov_3"]

    new_model = replace_activations(model, lambda original: keras.layers.ReLU(name="d2"))
    names = [layer.name for layer in new_model.layers]
    assert names == ["input_layer", "d1", "d2_1", "d2", "d2_2", "d3", "d2_3", "d4", "d2_4"]

    # The name of a replaced standalone layer is free for its replacement.
    same = replace_activations(model, lambda original: keras.layers.ReLU(name=original.name))
    names = [layer.name for layer in same.layers]
    assert names == ["input_layer", "d1", "d1_relu", "d2", "r1", "d3", "d3_relu", "d4", "a1"]
    x = rng.normal(size=(3, 5)).astype("float32")
    np.testing.assert_allclose(to_numpy(same(x)), mlp_reference(model, x, [relu] * 4), atol=1e-5)


def test_shared_layer_is_replaced_once(rng):
    inputs = keras.Input((3,))
    shared = keras.layers.ReLU(name="shared")
    a = shared(keras.layers.Dense(3, name="a")(inputs))
    b = shared(keras.layers.Dense(3, name="b")(inputs))
    outputs = keras.layers.Concatenate(name="cat")([a, b])
    model = keras.Model(inputs, outputs)
    recorder = Recorder(lambda original: keras.layers.Activation("tanh"))
    new_model = replace_activations(model, recorder)
    assert len(recorder.received) == 1
    x = rng.normal(size=(4, 3)).astype("float32")
    (ka, ba), (kb, bb) = model.get_layer("a").get_weights(), model.get_layer("b").get_weights()
    expected = np.concatenate([np.tanh(x @ ka + ba), np.tanh(x @ kb + bb)], axis=-1)
    np.testing.assert_allclose(to_numpy(new_model(x)), expected, atol=1e-5)


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(2, activation="relu")

    def call(self, x):
        return self.dense(x)


def keep(original):
    return original


def bad_cases():
    model = mlp()
    inner = Subclassed()
    inputs = keras.Input((3,))
    nested_subclassed = keras.Model(inputs, inner(inputs))
    return [
        (dict(model=3, make_layer=keep), TypeError, "model=3"),
        (dict(model=Subclassed(), make_layer=keep), ValueError, "Received: model="),
        (dict(model=nested_subclassed, make_layer=keep), ValueError, "Received: model="),
        (dict(model=model, make_layer="relu"), TypeError, "Received: make_layer='relu'"),
        (dict(model=model, make_layer=lambda original: "relu"), TypeError, "`make_layer`"),
        (
            dict(model=model, make_layer=lambda original: model.get_layer("d2")),
            ValueError,
            "`make_layer` must return a new layer",
        ),
        (dict(model=model, make_layer=keep, activations=("nope",)), ValueError, "'nope'"),
        (dict(model=model, make_layer=keep, activations=5), TypeError, "activations=5"),
        (dict(model=model, make_layer=keep, activations=()), ValueError, "activations=()"),
        (dict(model=model, make_layer=keep, activations=[1]), TypeError, "activations=[1]"),
        (
            dict(model=model, make_layer=keep, activations=("linear",)),
            ValueError,
            "activations=('linear',)",
        ),
    ]


def test_bad_arguments():
    for kwargs, error, message in bad_cases():
        model = kwargs.pop("model")
        make_layer = kwargs.pop("make_layer")
        with pytest.raises(error, match=re.escape(message)):
            replace_activations(model, make_layer, **kwargs)


def test_exported():
    assert keras_masked_relu.replace_activations is replace_activations
