"""`.keras` files with safe_mode=True: exact outputs, arrays in weights only."""

import json
import zipfile

import keras
import numpy as np
import pytest
from backend_utils import to_numpy

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Box, Circle, Polygon

H, W, C = 8, 9, 3


def build_model(layer, second_input=False):
    x = keras.Input((H, W, C))
    if second_input:
        m = keras.Input((H, W))
        return keras.Model([x, m], layer([x, m]))
    return keras.Model(x, layer(x))


def layers_to_save(rng):
    weighted = rng.random((H, W)).astype("float32")
    binary = (rng.random((H, W)) > 0.5).astype("float32")
    return {
        "array_weighted": (MaskedReLU(weighted, shift=0.2, max_value=2.0), False),
        "array_binary": (MaskedReLU(binary, shift=0.2), False),
        "region": (
            MaskedReLU(
                (Circle((4, 4), 3) | Box((0, 0), (2, 2))) - Polygon([(6, 0), (8, 0), (8, 3)]),
                negative_slope=0.1,
            ),
            False,
        ),
        "second_input": (MaskedReLU(threshold=0.1, negative_slope=0.2), True),
        "learned_array": (MaskedReLU(weighted, trainable_mask=True, shift=0.5), False),
        "learned_region": (
            MaskedActivation(Circle((4, 4), 3, softness=2), inside="selu", trainable_mask=True),
            False,
        ),
        "nested_prelu": (
            MaskedActivation(binary, inside=keras.layers.PReLU(), outside="silu"),
            False,
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "array_weighted",
        "array_binary",
        "region",
        "second_input",
        "learned_array",
        "learned_region",
        "nested_prelu",
    ],
)
def test_keras_file_round_trip(name, tmp_path, rng):
    layer, second_input = layers_to_save(rng)[name]
    model = build_model(layer, second_input)
    for weight in model.trainable_weights:  # move weights off their starting values
        noise = rng.normal(scale=0.3, size=weight.shape).astype("float32")
        weight.assign(to_numpy(weight) + noise)
    x = rng.normal(size=(2, H, W, C)).astype("float32")
    inputs = [x, rng.random((2, H, W)).astype("float32")] if second_input else x
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored(inputs)), to_numpy(model(inputs)))


def config_json(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read("config.json").decode()


def test_mask_array_lives_in_the_weights_file(tmp_path, rng):
    mask = rng.random((H, W)).astype("float32")
    model = build_model(MaskedReLU(mask, shift=0.2))
    path = tmp_path / "model.keras"
    model.save(path)
    text = config_json(path)
    layer_config = [
        c for c in json.loads(text)["config"]["layers"] if c["class_name"] == "MaskedReLU"
    ][0]
    assert layer_config["config"]["mask"] == {"array_shape": [H, W]}
    assert str(mask[0, 0])[:6] not in text
    assert len(text) < 4000
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored.layers[1].mask_source.variable)[..., 0], mask)


def test_region_config_is_a_few_numbers(tmp_path):
    model = build_model(MaskedReLU(Circle((4, 4), 3, softness=1.0), shift=0.1))
    path = tmp_path / "model.keras"
    model.save(path)
    layer_config = [
        c
        for c in json.loads(config_json(path))["config"]["layers"]
        if c["class_name"] == "MaskedReLU"
    ][0]
    mask_config = layer_config["config"]["mask"]
    assert mask_config["class_name"] == "Circle"
    assert mask_config["config"] == {
        "center": [4.0, 4.0],
        "radius": 3.0,
        "relative": False,
        "softness": 1.0,
    }
    assert model.layers[1].weights == []


def test_get_config_is_plain_json(rng):
    layer = MaskedActivation(
        rng.random((H, W)), inside=keras.layers.PReLU(), outside="elu", trainable_mask=True
    )
    json.dumps(layer.get_config())
    clone = MaskedActivation.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
