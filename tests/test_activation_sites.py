"""`replace_activations` tells the truth (SPEC §7): what it cannot reach, and where
each activation sits.

The models here are small and hand-written; expected values are NumPy
computations from their weights or closed forms, and the expected paths are
written out by hand.
"""

import warnings

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy

from keras_masked_relu import ActivationSite, MaskedReLU, replace_activations
from keras_masked_relu.regions import Circle

FOV = Circle((0.5, 0.5), 0.4, relative=True)


class Block(keras.layers.Layer):
    """A block of another package: sublayers held as attributes, and an activation
    applied inside `call` (as keras-hub's `FeaturePyramid` does)."""

    def __init__(self, units=3, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.dense = keras.layers.Dense(units, activation="relu", name="inner_dense")
        self.relu = keras.layers.ReLU(name="inner_relu")

    def call(self, x):
        return self.activation(self.relu(self.dense(x)) - 0.5)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "activation": "relu"})
        return config


def block_model():
    inputs = keras.Input((4,))
    h = keras.layers.Dense(3, activation="relu", name="dense")(inputs)
    h = Block(name="block")(h)
    return keras.Model(inputs, keras.layers.ReLU(name="relu")(h))


EXPECTED_UNREACHABLE = [
    "'block': Block applies 'relu' inside its call",
    "'block/inner_dense': Dense ('relu') held by Block 'block'",
    "'block/inner_relu': ReLU ('relu') held by Block 'block'",
]


def keep(original):
    return None


def test_activations_inside_a_block_are_named_in_a_warning(rng):
    model = block_model()
    with pytest.warns(UserWarning, match="cannot reach 3 of the activations") as caught:
        new_model = replace_activations(model, lambda original: MaskedReLU(np.ones(3)))
    (warning,) = [w for w in caught if "cannot reach" in str(w.message)]
    for where in EXPECTED_UNREACHABLE:
        assert where in str(warning.message)
    # The block is not taken for a fused activation although its config has one: it is
    # copied whole, and computes what it did.
    new_block = new_model.get_layer("block")
    assert new_block.activation is keras.activations.relu
    x = rng.normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(to_numpy(new_model(x)), to_numpy(model(x)), atol=1e-6)
    assert [type(layer).__name__ for layer in new_model.layers] == [
        "InputLayer",
        "Dense",
        "MaskedReLU",
        "Block",
        "MaskedReLU",
    ]


def test_strict_raises_naming_every_unreachable_activation():
    with pytest.raises(ValueError, match="strict=True") as raised:
        replace_activations(block_model(), keep, strict=True)
    for where in EXPECTED_UNREACHABLE:
        assert where in str(raised.value)
    with pytest.raises(TypeError, match="strict=1"):
        replace_activations(block_model(), keep, strict=1)


def test_no_warning_when_everything_is_reached(recwarn):
    inputs = keras.Input((4,))
    h = keras.layers.Dense(3, activation="relu")(inputs)
    replace_activations(keras.Model(inputs, keras.layers.ReLU()(h)), keep, strict=True)
    assert not [w for w in recwarn if "cannot reach" in str(w.message)]
    # Activations of other names inside a block are not reported.
    replace_activations(block_model(), keep, activations=("elu",), strict=True)


def test_recurrent_activation_is_named():
    inputs = keras.Input((5, 2))
    rnn = keras.layers.SimpleRNN(3, activation="relu", name="rnn")
    model = keras.Model(inputs, rnn(inputs))
    with pytest.raises(ValueError, match="'rnn': SimpleRNN applies 'relu' inside its call"):
        replace_activations(model, keep, strict=True)


def test_make_layer_receives_the_site():
    inputs = keras.Input((8, 8, 2), name="image")
    h = keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="conv")(inputs)
    inner_in = keras.Input((8, 8, 3))
    inner = keras.Model(inner_in, keras.layers.ReLU(name="relu")(inner_in), name="inner")
    h = keras.layers.Flatten()(inner(h))
    h = keras.layers.Dense(4, activation="relu", name="dense")(h)
    model = keras.Model(inputs, h)
    sites = []

    def make_layer(original, site):
        sites.append(site)
        return MaskedReLU(FOV, shift=0.2) if len(site.input_shape) == 4 else None

    new_model = replace_activations(model, make_layer)
    assert [(s.path, s.input_shape) for s in sites] == [
        ("conv", (None, 8, 8, 3)),
        ("inner/relu", (None, 8, 8, 3)),
        ("dense", (None, 4)),
    ]
    assert sites[0].fused_into is model.get_layer("conv")
    assert sites[1].fused_into is None
    assert sites[2].fused_into is model.get_layer("dense")
    assert "fused into Dense 'dense'" in str(sites[2])
    # A spatial mask only where the input is an image; the dense ReLU kept.
    assert new_model.get_layer("dense").activation is keras.activations.relu
    assert isinstance(new_model.get_layer("inner").layers[1], MaskedReLU)


def test_site_is_passed_only_when_asked_for():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.ReLU()(inputs))
    received = []
    # A second parameter with a default is a closure's binding, not a site.
    replace_activations(model, lambda original, shift=0.3: received.append(shift))
    replace_activations(model, lambda original, **kwargs: received.append(kwargs))
    replace_activations(model, lambda *args: received.append(len(args)))
    replace_activations(model, lambda original, *, site: received.append(site.path))
    assert received[:3] == [0.3, {}, 2]
    assert received[3].startswith("re_lu")


def test_errors_name_the_site():
    inputs = keras.Input((8, 8, 2))
    h = keras.layers.Conv2D(3, 3, activation="relu", name="conv")(inputs)
    h = keras.layers.Dense(4, activation="relu", name="dense")(keras.layers.Flatten()(h))
    model = keras.Model(inputs, h)
    # A region mask on the rank-2 input of the dense layer's activation.
    with pytest.raises(ValueError, match=r"at 'dense' \(fused into Dense 'dense'\), input shape"):
        replace_activations(model, lambda original: MaskedReLU(FOV))

    def failing(original, site):
        raise KeyError("no rule")

    with pytest.raises(KeyError, match="`make_layer` failed for the activation at 'conv'"):
        replace_activations(model, failing)

    sequential = keras.Sequential([keras.Input((3,)), keras.layers.ReLU(name="relu")])
    with pytest.raises(ValueError, match="at 'relu', input shape \\(None, 3\\)"):
        replace_activations(sequential, lambda original: MaskedReLU(FOV))


def test_the_site_is_a_plain_value():
    site = ActivationSite("a/b", None, (None, 4))
    assert site == ActivationSite("a/b", None, (None, 4))
    with pytest.raises(AttributeError):
        site.path = "c"


def test_a_site_dependent_replacement_computes_what_it_should(rng):
    inputs = keras.Input((6, 6, 1))
    h = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="conv")(inputs)
    model = keras.Model(inputs, h)

    def make_layer(original, site):
        return MaskedReLU(np.ones(site.input_shape[1:3]), shift=0.5)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        new_model = replace_activations(model, make_layer)
    assert not [w for w in caught if "cannot reach" in str(w.message)]
    x = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    pre = keras.Model(new_model.inputs, new_model.get_layer("conv").output)(x)
    expected = ref.masked_relu(to_numpy(pre), np.ones((1, 6, 6, 1)), shift=0.5)
    np.testing.assert_allclose(to_numpy(new_model(x)), expected, atol=1e-6)
