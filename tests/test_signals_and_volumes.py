"""Masks for 1-D signals `(L, C)` and 3-D volumes `(D, H, W, C)` (SPEC 3.4, 3.5).

Regions are checked voxel by voxel against `reference.py`; layers against
`reference.masked_relu` with those masks; resized masks against
`reference.resize`. None of the expected values comes from the package.
"""

import json

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import layer_gradients, to_numpy

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import (
    Box,
    Circle,
    Cuboid,
    Ellipsoid,
    Interval,
    Sphere,
    Union,
)

D, H, W = 5, 6, 7
L = 11

VOLUMES = {
    "sphere": (Sphere((3, 2, 2), 2.2), lambda *s: ref.sphere(*s, (3, 2, 2), 2.2)),
    "sphere_soft_relative": (
        Sphere((0.5, 0.4, 0.6), 0.3, relative=True, softness=1.5),
        lambda *s: ref.sphere(*s, (0.5, 0.4, 0.6), 0.3, relative=True, softness=1.5),
    ),
    "ellipsoid": (
        Ellipsoid((3, 2.5, 2), (3, 2, 1.5)),
        lambda *s: ref.ellipsoid(*s, (3, 2.5, 2), (3, 2, 1.5)),
    ),
    "ellipsoid_soft_relative": (
        Ellipsoid((0.5, 0.5, 0.5), (0.3, 0.2, 0.25), relative=True, softness=2.0),
        lambda *s: ref.ellipsoid(*s, (0.5, 0.5, 0.5), (0.3, 0.2, 0.25), True, 2.0),
    ),
    "cuboid": (Cuboid((1, 2, 0), (4, 4, 2)), lambda *s: ref.cuboid(*s, (1, 2, 0), (4, 4, 2))),
    "cuboid_soft": (
        Cuboid((1.5, 1, 1), (3, 4.5, 2), softness=2.5),
        lambda *s: ref.cuboid(*s, (1.5, 1, 1), (3, 4.5, 2), softness=2.5),
    ),
}

SIGNALS = {
    "interval": (Interval(2, 6), lambda n: ref.interval(n, 2, 6)),
    "interval_soft": (
        Interval(3.5, 5, softness=2.0),
        lambda n: ref.interval(n, 3.5, 5, False, 2.0),
    ),
    "interval_relative": (
        Interval(0.2, 0.7, relative=True),
        lambda n: ref.interval(n, 0.2, 0.7, relative=True),
    ),
}


# --- Regions against the reference ----------------------------------------------------


@pytest.mark.parametrize("name", VOLUMES)
def test_volume_region_matches_reference(name):
    region, reference = VOLUMES[name]
    for size in [(D, H, W), (8, 4, 9)]:
        expected = reference(*size)
        assert 0 < expected.sum() < np.prod(size)
        np.testing.assert_allclose(region.to_numpy(*size), expected, atol=1e-5)
        np.testing.assert_allclose(to_numpy(region.rasterize(*size)), expected, atol=1e-5)


@pytest.mark.parametrize("name", SIGNALS)
def test_signal_region_matches_reference(name):
    region, reference = SIGNALS[name]
    for n in (L, 20):
        expected = reference(n)
        assert 0 < expected.sum() < n
        np.testing.assert_allclose(region.to_numpy(n), expected, atol=1e-6)
        np.testing.assert_allclose(to_numpy(region.rasterize(n)), expected, atol=1e-6)


def test_closed_forms():
    # The centre and its six neighbours; every voxel of a 2 x 3 x 4 block.
    assert Sphere((4, 4, 4), 1).to_numpy(9, 9, 9).sum() == 7
    assert Cuboid((1, 1, 1), (2, 3, 4)).to_numpy(6, 6, 6).sum() == 24
    assert Interval(2, 5).to_numpy(8).tolist() == [0, 0, 1, 1, 1, 1, 0, 0]


def test_combinations_and_sizes_known_at_run_time():
    a, b = VOLUMES["sphere_soft_relative"][0], VOLUMES["cuboid"][0]
    expected = np.minimum(
        ref.sphere(D, H, W, (0.5, 0.4, 0.6), 0.3, relative=True, softness=1.5),
        1 - ref.cuboid(D, H, W, (1, 2, 0), (4, 4, 2)),
    )
    sizes = [keras.ops.convert_to_tensor(n) for n in (D, H, W)]
    np.testing.assert_allclose(to_numpy((a - b).rasterize(*sizes)), expected, atol=1e-5)
    signal = Interval(1, 3) | Interval(7, 8)
    expected = np.maximum(ref.interval(L, 1, 3), ref.interval(L, 7, 8))
    np.testing.assert_array_equal(signal.to_numpy(L), expected)
    np.testing.assert_array_equal(to_numpy((~signal).rasterize(L)), 1 - expected)


def test_config_is_a_few_numbers_and_round_trips():
    for region in (
        Sphere((1, 2, 3), 2, softness=1.0) - Cuboid((0, 0, 0), (1, 1, 1)),
        ~Interval(1, 4),
    ):
        text = json.dumps(keras.saving.serialize_keras_object(region))
        assert len(text) < 1000
        restored = keras.saving.deserialize_keras_object(json.loads(text), safe_mode=True)
        assert restored == region
        assert restored.dimensions == region.dimensions


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: Circle((1, 1), 1) | Sphere((1, 1, 1), 1), ValueError, r"Circle \(2-D\), Sphere"),
        (lambda: Union(Interval(0, 1), Box((0, 0), (1, 1))), ValueError, "one dimensionality"),
        (lambda: Sphere((1, 1), 2), ValueError, r"center.*\(x, y, z\)"),
        (lambda: Sphere((1, 1, 1), -2), ValueError, "radius=-2"),
        (lambda: Ellipsoid((1, 1, 1), (1, 2)), ValueError, r"radii=\(1, 2\)"),
        (lambda: Cuboid((2, 0, 0), (1, 1, 1)), ValueError, "end"),
        (lambda: Interval(5, 2), ValueError, "start=5, end=2"),
        (lambda: Interval((1,), 2), TypeError, r"start=\(1,\)"),
        (lambda: Sphere((1, 1, 1), 1).to_numpy(4, 4), ValueError, r"sizes=\(4, 4\)"),
    ],
)
def test_bad_regions(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    "region, shape",
    [
        (Sphere((1, 1, 1), 1), (2, 4, 4, 3)),
        (Circle((1, 1), 1), (2, 4, 4, 4, 3)),
        (Interval(0, 1), (2, 4, 4, 3)),
        (Circle((1, 1), 1), (2, 4, 3)),
    ],
)
def test_a_region_of_another_dimensionality_than_the_input(region, shape):
    with pytest.raises(ValueError, match=f"{region.dimensions}-D region.*rank {len(shape)}"):
        MaskedReLU(region)(np.zeros(shape, "float32"))


# --- Masked layers on volumes and signals -----------------------------------------------


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_sphere_in_a_volume(data_format, rng):
    region, reference = VOLUMES["sphere_soft_relative"]
    x = rng.normal(size=(2, D, H, W, 3)).astype("float32")
    expected = ref.masked_relu(x, reference(D, H, W)[None, ..., None], shift=0.3)
    layer = MaskedReLU(region, shift=0.3, data_format=data_format)
    if data_format == "channels_first":
        y = np.moveaxis(to_numpy(layer(np.moveaxis(x, -1, 1))), 1, -1)
    else:
        y = to_numpy(layer(x))
    np.testing.assert_allclose(y, expected, atol=1e-5)


def test_volume_sizes_known_at_run_time(rng):
    region, reference = VOLUMES["ellipsoid_soft_relative"]
    inputs = keras.Input((None, None, None, 2))
    model = keras.Model(inputs, MaskedActivation(region, inside="elu")(inputs))
    for size in [(D, H, W), (4, 8, 3)]:
        x = rng.normal(size=(2, *size, 2)).astype("float32")
        expected = ref.masked_activation(x, reference(*size)[None, ..., None], "elu")
        np.testing.assert_allclose(to_numpy(model(x)), expected, atol=1e-5)


def test_interval_in_a_signal(rng):
    region, reference = SIGNALS["interval_soft"]
    x = rng.normal(size=(3, L, 2)).astype("float32")
    expected = ref.masked_relu(x, reference(L)[None, :, None], negative_slope=0.1)
    y = MaskedReLU(region, negative_slope=0.1)(x)
    np.testing.assert_allclose(to_numpy(y), expected, atol=1e-6)


def test_learned_sphere_trains_saves_and_reloads(tmp_path, rng):
    region, reference = VOLUMES["sphere_soft_relative"]
    inputs = keras.Input((D, H, W, 2))
    layer = MaskedReLU(region, shift=0.5, trainable_mask=True, name="masked")
    model = keras.Model(inputs, layer(keras.layers.Conv3D(2, 3, padding="same")(inputs)))
    assert tuple(layer.trainable_weights[0].shape) == (D, H, W, 1)
    start = ref.learned_start(reference(D, H, W))
    x = rng.normal(size=(2, D, H, W, 2)).astype("float32")
    _, (gradient,) = layer_gradients(layer, x, np.ones_like(x))
    assert np.abs(gradient).max() > 0
    np.testing.assert_allclose(
        ref.sigmoid(to_numpy(layer.trainable_weights[0]))[..., 0], start, atol=1e-6
    )
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    model.fit(x, np.zeros_like(x), epochs=2, verbose=0)
    path = tmp_path / "volume.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))
    assert restored.get_layer("masked").mask_source.start.region == region


# --- Masks at another resolution, 1-D and 3-D ---------------------------------------------


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "area"])
def test_array_masks_resized_along_each_axis(interpolation, rng):
    fine_volume = rng.random((2 * D, 3, W + 3)).astype("float32")
    x = rng.normal(size=(2, D, H, W, 3)).astype("float32")
    mask = ref.resize(fine_volume, (D, H, W), interpolation)
    layer = MaskedReLU(fine_volume, shift=0.4, mask_interpolation=interpolation)
    np.testing.assert_allclose(
        to_numpy(layer(x)), ref.masked_relu(x, mask[None, ..., None], shift=0.4), atol=1e-5
    )
    fine_signal = rng.random((2 * L + 1,)).astype("float32")
    x = rng.normal(size=(2, 3, L)).astype("float32")  # channels first
    mask = ref.resize(fine_signal, (L,), interpolation)
    layer = MaskedReLU(
        fine_signal, shift=0.4, mask_interpolation=interpolation, data_format="channels_first"
    )
    np.testing.assert_allclose(
        to_numpy(layer(x)), ref.masked_relu(x, mask[None, None, :], shift=0.4), atol=1e-5
    )


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "area"])
def test_second_input_volumes_resized_in_the_graph(interpolation, rng):
    x_in, m_in = keras.Input((None, None, None, 2)), keras.Input((2 * D, 2 * H, 2 * W))
    layer = MaskedReLU(negative_slope=0.2, mask_interpolation=interpolation)
    model = keras.Model([x_in, m_in], layer([x_in, m_in]))
    x = rng.normal(size=(2, D, H, W, 2)).astype("float32")
    m = rng.random((2, 2 * D, 2 * H, 2 * W)).astype("float32")
    mask = ref.resize(m, (D, H, W), interpolation, axes=(1, 2, 3))
    expected = ref.masked_relu(x, mask[..., None], negative_slope=0.2)
    np.testing.assert_allclose(to_numpy(model([x, m])), expected, atol=1e-5)


def test_learned_volume_mask_keeps_its_resolution(rng):
    fine = rng.random((2 * D, 2 * H, 2 * W)).astype("float32")
    layer = MaskedReLU(fine, shift=0.3, trainable_mask=True, mask_interpolation="bilinear")
    x = rng.normal(size=(2, D, H, W, 2)).astype("float32")
    mask = ref.resize(ref.learned_start(fine), (D, H, W), "bilinear")
    np.testing.assert_allclose(
        to_numpy(layer(x)), ref.masked_relu(x, mask[None, ..., None], shift=0.3), atol=1e-5
    )
    (logits,) = layer.trainable_weights
    assert tuple(logits.shape) == (2 * D, 2 * H, 2 * W, 1)
    _, (gradient,) = layer_gradients(layer, x, np.ones_like(x))
    # Bilinear weights at a factor of 2 reach every source voxel.
    assert (np.abs(gradient) > 0).mean() > 0.9
