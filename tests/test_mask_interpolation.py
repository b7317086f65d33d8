"""Masks at another resolution (SPEC 3.5): `ops.resize_mask` and `mask_interpolation`.

Every expected value comes from `reference.resize` (half-pixel centres, written
as explicit index formulas and interval overlaps in float64) or from a closed
form (block means), never from the code under test. Cases are looped inside
tests rather than parametrized where they are cheap, to keep the file fast.
"""

import io
import json
import zipfile

import h5py
import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import central_differences, layer_gradients, to_numpy

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.ops import resize_mask
from keras_masked_relu.regions import Box, Circle

INTERPOLATIONS = ["nearest", "bilinear", "area"]
MASK_SIZE = 16  # the mask's resolution: twice the 8x8 feature maps below
ATOL_MASK = 1e-6  # float32 values in [0, 1]
ATOL_OUT = 1e-5  # float32 activations of inputs of magnitude up to ~3


def resized(mask, size, interpolation, axes=(0, 1)):
    return to_numpy(resize_mask(keras.ops.convert_to_tensor(mask), size, interpolation, axes))


def soft_mask(rng, shape=(MASK_SIZE, MASK_SIZE)):
    return rng.random(shape).astype("float32")


def checkerboard(n):
    return (np.add.outer(np.arange(n), np.arange(n)) % 2).astype("float32")


def spatial_mask(mask2d, data_format="channels_last"):
    """A (H, W) mask as it broadcasts against a (batch, H, W, C) or (batch, C, H, W) input."""
    return mask2d[None, :, :, None] if data_format == "channels_last" else mask2d[None, None]


# --- 1. `resize_mask` against the reference -------------------------------------------


def test_area_integer_factor_is_block_mean(rng):
    mask = soft_mask(rng)
    for factor in (2, 4):
        n = MASK_SIZE // factor
        got = resized(mask, (n, n), "area")
        block_mean = mask.astype(np.float64).reshape(n, factor, n, factor).mean((1, 3))
        np.testing.assert_allclose(got, block_mean, atol=ATOL_MASK, err_msg=f"factor {factor}")
        np.testing.assert_allclose(got, ref.resize(mask, (n, n), "area"), atol=ATOL_MASK)


RESIZE_CASES = {
    "area": [
        ((10, 10), (4, 4)),  # factor 2.5: area-weighted
        ((7, 7), (3, 3)),
        ((10, 7), (4, 3)),  # a different non-integer factor per axis
        ((3, 3), (7, 7)),  # upsampling
        ((5, 6), (13, 4)),  # up on one axis, down on the other
    ],
    "nearest": [
        ((9, 9), (3, 3)),  # factor 3, no ties
        ((3, 3), (9, 9)),
        ((7, 5), (3, 8)),
    ],
    "bilinear": [
        ((16, 16), (8, 8)),
        ((3, 3), (8, 8)),
        ((16, 16), (4, 4)),  # no antialiasing: only 2 of each 4 source rows used
        ((7, 5), (3, 11)),
    ],
}


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_resize_mask_matches_reference(interpolation, rng):
    for in_shape, out_shape in RESIZE_CASES[interpolation]:
        what = f"{interpolation} {in_shape} -> {out_shape}"
        mask = soft_mask(rng, in_shape)
        got = resized(mask, out_shape, interpolation)
        assert got.shape == out_shape and got.dtype == np.float32, what
        expected = ref.resize(mask, out_shape, interpolation)
        np.testing.assert_allclose(got, expected, atol=ATOL_MASK, err_msg=what)


def test_resize_mask_chosen_axes_and_tensor_sizes(rng):
    """Only `axes` change; sizes may be scalar tensors; other axes pass through."""
    mask = soft_mask(rng, (2, 10, 7, 3))
    first = np.moveaxis(mask, 3, 1)
    sizes = (keras.ops.convert_to_tensor(4, "int32"), keras.ops.convert_to_tensor(5, "int32"))
    for interpolation in INTERPOLATIONS:
        expected = ref.resize(mask, (4, 5), interpolation, axes=(1, 2))
        for got in [
            resized(mask, (4, 5), interpolation, (1, 2)),
            resized(mask, sizes, interpolation, (1, 2)),
            np.moveaxis(resized(first, (4, 5), interpolation, (2, 3)), 1, 3),  # channels first
        ]:
            np.testing.assert_allclose(got, expected, atol=ATOL_MASK, err_msg=interpolation)
        np.testing.assert_allclose(
            resized(mask, (5,), interpolation, (2,)),
            ref.resize(mask, (5,), interpolation, axes=(2,)),
            atol=ATOL_MASK,
            err_msg=interpolation,
        )


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_values_stay_in_unit_interval(interpolation):
    """SPEC 3.5, "Values stay in [0, 1]": a mask of ones is at most exactly 1 after
    resizing, and zeros stay zeros (so that `1 - m` never turns negative)."""
    for in_size, out_size in [(7, 3), (3, 7), (5, 3), (7, 6), (1, 7), (21, 38), (38, 21)]:
        for value in (0.0, 1.0):
            mask = np.full((in_size, in_size), value, "float32")
            got = resized(mask, (out_size, out_size), interpolation)
            what = f"{interpolation} {in_size} -> {out_size} of {value}: [{got.min()}, {got.max()}]"
            assert got.min() >= 0.0 and got.max() <= 1.0, what
            np.testing.assert_allclose(got, value, atol=ATOL_MASK, err_msg=what)


def test_only_nearest_keeps_binary():
    board = checkerboard(8)
    for out_size in (4, 5, 3, 12):
        for interpolation in INTERPOLATIONS:
            what = f"{interpolation} 8 -> {out_size}"
            got = resized(board, (out_size, out_size), interpolation)
            expected = ref.resize(board, (out_size, out_size), interpolation)
            np.testing.assert_allclose(got, expected, atol=ATOL_MASK, err_msg=what)
            if interpolation == "nearest":
                assert np.isin(got, (0.0, 1.0)).all(), what
            else:
                assert ((got > 1e-3) & (got < 1.0 - 1e-3)).any(), what


# --- 2. Array masks --------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_array_mask_channels_last(interpolation, rng):
    x = rng.normal(size=(2, 8, 8, 3)).astype("float32")
    soft = soft_mask(rng)
    binary = (rng.random((MASK_SIZE, MASK_SIZE)) > 0.5).astype("float32")
    for mask, params in [(soft, dict(shift=0.3)), (binary, dict(shift=0.3, negative_slope=0.1))]:
        layer = MaskedReLU(mask, mask_interpolation=interpolation, **params)
        m = spatial_mask(ref.resize(mask, (8, 8), interpolation))
        np.testing.assert_allclose(
            to_numpy(layer(x)), ref.masked_relu(x, m, **params), atol=ATOL_OUT
        )
        assert [tuple(w.shape) for w in layer.non_trainable_weights] == [(16, 16, 1)]
        assert layer.trainable_weights == []
    layer = MaskedActivation(soft, inside="elu", outside="tanh", mask_interpolation=interpolation)
    m = spatial_mask(ref.resize(soft, (8, 8), interpolation))
    np.testing.assert_allclose(
        to_numpy(layer(x)), ref.masked_activation(x, m, "elu", "tanh"), atol=ATOL_OUT
    )
    assert [tuple(w.shape) for w in layer.non_trainable_weights] == [(16, 16, 1)]
    # A mask with the input's channels keeps them; each spatial axis has its own factor.
    mask = soft_mask(rng, (12, 20, 3))
    x = rng.normal(size=(2, 6, 5, 3)).astype("float32")
    layer = MaskedReLU(mask, shift=0.3, mask_interpolation=interpolation)
    m = ref.resize(mask, (6, 5), interpolation)[None]
    np.testing.assert_allclose(to_numpy(layer(x)), ref.masked_relu(x, m, shift=0.3), atol=ATOL_OUT)
    assert [tuple(w.shape) for w in layer.non_trainable_weights] == [(12, 20, 3)]


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_array_mask_channels_first(interpolation, rng):
    mask = soft_mask(rng)
    x = rng.normal(size=(2, 3, 8, 8)).astype("float32")
    layer = MaskedReLU(
        mask, shift=0.3, mask_interpolation=interpolation, data_format="channels_first"
    )
    m = spatial_mask(ref.resize(mask, (8, 8), interpolation), "channels_first")
    np.testing.assert_allclose(to_numpy(layer(x)), ref.masked_relu(x, m, shift=0.3), atol=ATOL_OUT)
    assert [tuple(w.shape) for w in layer.non_trainable_weights] == [(1, 16, 16)]
    # A per-channel mask (C, H0, W0) and a non-square input.
    mask = soft_mask(rng, (3, 12, 20))
    x = rng.normal(size=(2, 3, 6, 5)).astype("float32")
    layer = MaskedReLU(
        mask, shift=0.3, mask_interpolation=interpolation, data_format="channels_first"
    )
    m = ref.resize(mask, (6, 5), interpolation, axes=(1, 2))[None]
    np.testing.assert_allclose(to_numpy(layer(x)), ref.masked_relu(x, m, shift=0.3), atol=ATOL_OUT)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_array_mask_dynamic_size(interpolation, rng):
    """With `(None, None, C)` inputs the mask is resized to each size met, the mask's own
    size included (where every interpolation is the identity)."""
    mask = soft_mask(rng)
    x_in = keras.Input((None, None, 3))
    model = keras.Model(x_in, MaskedReLU(mask, shift=0.3, mask_interpolation=interpolation)(x_in))
    for size in [(8, 8), (4, 6), (16, 16)]:
        x = rng.normal(size=(2, *size, 3)).astype("float32")
        m = spatial_mask(ref.resize(mask, size, interpolation))
        expected = ref.masked_relu(x, m, shift=0.3)
        np.testing.assert_allclose(to_numpy(model(x)), expected, atol=ATOL_OUT)
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=ATOL_OUT)


def saved_weight_shapes(path):
    """Shapes of the layers' arrays in a `.keras` file's weights (read with h5py), the
    optimizer's left out."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    shapes = []

    def visit(name, item):
        if isinstance(item, h5py.Dataset) and not name.startswith("optimizer"):
            shapes.append(tuple(item.shape))

    with h5py.File(io.BytesIO(data), "r") as weights:
        weights.visititems(visit)
    return shapes


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_keras_file_keeps_mask_once_at_its_resolution(interpolation, tmp_path, rng):
    mask = soft_mask(rng)
    x_in = keras.Input((8, 8, 3))
    layer = MaskedReLU(mask, shift=0.3, mask_interpolation=interpolation, name="masked")
    model = keras.Model(x_in, layer(x_in))
    x = rng.normal(size=(2, 8, 8, 3)).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))
    restored_layer = restored.get_layer("masked")
    assert restored_layer.get_config()["mask_interpolation"] == interpolation
    assert [tuple(w.shape) for w in restored_layer.non_trainable_weights] == [(16, 16, 1)]
    np.testing.assert_array_equal(
        to_numpy(restored_layer.non_trainable_weights[0]), mask[:, :, None]
    )
    assert saved_weight_shapes(path) == [(16, 16, 1)]
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    assert f'"mask_interpolation": "{interpolation}"' in json.dumps(config)


def test_get_config_round_trip(rng):
    x = rng.normal(size=(2, 8, 8, 3)).astype("float32")
    assert MaskedReLU(soft_mask(rng)).get_config()["mask_interpolation"] is None
    assert MaskedActivation(inside="elu").get_config()["mask_interpolation"] is None
    for interpolation in [None, *INTERPOLATIONS]:
        mask = soft_mask(rng, (8, 8)) if interpolation is None else soft_mask(rng)
        cases = [
            (MaskedReLU(mask, shift=0.3, mask_interpolation=interpolation), True),
            (MaskedActivation(mask, inside="elu", mask_interpolation=interpolation), True),
            (MaskedReLU(shift=0.3, mask_interpolation=interpolation), False),
            (MaskedReLU(Circle((4, 4), 3), mask_interpolation=interpolation), False),
        ]
        for layer, has_array in cases:
            config = layer.get_config()
            assert config["mask_interpolation"] == interpolation
            json.dumps(config)  # plain JSON
            clone = type(layer).from_config(config)
            assert clone.get_config()["mask_interpolation"] == interpolation
            if has_array:  # the array's values come from the weights, as from a file
                layer(x)
                clone.build(x.shape)
                clone.set_weights(layer.get_weights())
                np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(layer(x)))


# --- 3. Second-input masks ---------------------------------------------------------------


def test_second_input_at_full_resolution(rng):
    """A mask at the image's resolution for a layer after 2x2 pooling, any image size."""
    x_in = keras.Input((None, None, 3))
    m_in = keras.Input((None, None))
    x_half = keras.layers.AveragePooling2D(2)(x_in)
    y = MaskedReLU(shift=0.2, mask_interpolation="area")([x_half, m_in])
    model = keras.Model([x_in, m_in], y)
    for height, width in [(8, 8), (12, 16)]:
        h, w = height // 2, width // 2
        x = rng.normal(size=(2, height, width, 3)).astype("float32")
        m = rng.random((2, height, width)).astype("float32")
        x_ref = x.astype(np.float64).reshape(2, h, 2, w, 2, 3).mean((2, 4))
        m_ref = ref.resize(m, (h, w), "area", axes=(1, 2))[..., None]
        block = m.astype(np.float64).reshape(2, h, 2, w, 2).mean((2, 4))
        np.testing.assert_allclose(m_ref[..., 0], block, atol=1e-12)
        expected = ref.masked_relu(x_ref, m_ref, shift=0.2)
        np.testing.assert_allclose(to_numpy(model([x, m])), expected, atol=ATOL_OUT)
        np.testing.assert_allclose(model.predict([x, m], verbose=0), expected, atol=ATOL_OUT)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_second_input_any_resolution(interpolation, rng):
    """Eager calls: (batch, H0, W0) and (batch, H0, W0, 1) masks; one layer, two sizes;
    channels first too."""
    params = dict(shift=0.2, negative_slope=0.1)
    for channel_axis in (False, True):
        layer = MaskedReLU(mask_interpolation=interpolation, **params)
        for x_size, m_size in [((6, 5), (11, 17)), ((4, 4), (8, 8))]:
            x = rng.normal(size=(2, *x_size, 3)).astype("float32")
            m = rng.random((2, *m_size)).astype("float32")
            m_ref = ref.resize(m, x_size, interpolation, axes=(1, 2))[..., None]
            expected = ref.masked_relu(x, m_ref, **params)
            y = to_numpy(layer([x, m[..., None] if channel_axis else m]))
            np.testing.assert_allclose(y, expected, atol=ATOL_OUT)
    x = rng.normal(size=(2, 3, 4, 6)).astype("float32")
    m = rng.random((2, 8, 12)).astype("float32")
    m_ref = ref.resize(m, (4, 6), interpolation, axes=(1, 2))[:, None]
    for m_arg in (m, m[:, None]):
        layer = MaskedReLU(mask_interpolation=interpolation, data_format="channels_first", **params)
        np.testing.assert_allclose(
            to_numpy(layer([x, m_arg])), ref.masked_relu(x, m_ref, **params), atol=ATOL_OUT
        )


def test_second_input_masked_activation_dynamic(rng):
    x_in = keras.Input((None, None, 2))
    m_in = keras.Input((None, None, 1))
    layer = MaskedActivation(inside="elu", outside="relu", mask_interpolation="bilinear")
    model = keras.Model([x_in, m_in], layer([x_in, m_in]))
    for size, mask_size in [((4, 4), (8, 8)), ((6, 3), (3, 7))]:
        x = rng.normal(size=(2, *size, 2)).astype("float32")
        m = rng.random((2, *mask_size, 1)).astype("float32")
        m_ref = ref.resize(m, size, "bilinear", axes=(1, 2))
        expected = ref.masked_activation(x, m_ref, "elu", "relu")
        np.testing.assert_allclose(model.predict([x, m], verbose=0), expected, atol=ATOL_OUT)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_second_input_one_static_axis(interpolation, rng):
    """Height known when the model is built, width only at run time: the height
    is resized by its integer factor, the width by the weights matrix."""
    x_in = keras.Input((4, None, 2))
    m_in = keras.Input((12, None))
    layer = MaskedReLU(shift=0.3, mask_interpolation=interpolation)
    model = keras.Model([x_in, m_in], layer([x_in, m_in]))
    for width, mask_width in [(3, 6), (5, 4)]:
        x = rng.normal(size=(2, 4, width, 2)).astype("float32")
        m = rng.random((2, 12, mask_width)).astype("float32")
        m_ref = ref.resize(m, (4, width), interpolation, axes=(1, 2))[..., None]
        expected = ref.masked_relu(x, m_ref, shift=0.3)
        np.testing.assert_allclose(model.predict([x, m], verbose=0), expected, atol=ATOL_OUT)


# --- 4. Learned masks --------------------------------------------------------------------


def logit(p):
    return np.log(p) - np.log1p(-p)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("size", [8, 4], ids=["half", "quarter"])
def test_learned_mask_gradient(interpolation, size, rng):
    params = dict(shift=0.3, negative_slope=0.1)
    # An array mask is stored as float32 (SPEC 3.4), so start from float32 values.
    start = rng.uniform(0.1, 0.9, size=(MASK_SIZE, MASK_SIZE)).astype("float32")
    x = rng.uniform(-2.0, 2.0, size=(2, size, size, 2))
    for kink in (0.0, 0.3):  # keep x off the kinks of relu(x) and relu(x - 0.3)
        x[np.abs(x - kink) < 0.02] += 0.05
    cot = rng.normal(size=x.shape)
    layer = MaskedReLU(
        start, trainable_mask=True, mask_interpolation=interpolation, dtype="float64", **params
    )
    (gx,), (glogits,) = layer_gradients(layer, x, cot)
    assert tuple(layer.trainable_weights[0].shape) == (MASK_SIZE, MASK_SIZE, 1)
    logits0 = to_numpy(layer.trainable_weights[0])[:, :, 0]  # the layer's starting point
    np.testing.assert_allclose(logits0, logit(ref.learned_start(start)), atol=1e-5)

    def forward(logits):
        m = ref.resize(ref.sigmoid(logits), (size, size), interpolation)
        return ref.masked_relu(x, spatial_mask(m), **params)

    np.testing.assert_allclose(to_numpy(layer(x)), forward(logits0), atol=1e-6)
    expected = central_differences(lambda z: np.sum(forward(z) * cot), logits0)
    np.testing.assert_allclose(glogits.reshape(expected.shape), expected, atol=1e-6)
    m = spatial_mask(ref.resize(ref.sigmoid(logits0), (size, size), interpolation))
    expected_x = central_differences(lambda v: np.sum(ref.masked_relu(v, m, **params) * cot), x)
    np.testing.assert_allclose(gx, expected_x, atol=1e-6)
    reached = np.abs(glogits.reshape(expected.shape)) > 1e-9
    if interpolation == "area":
        assert reached.all()  # every source pixel contributes to the average
    else:
        # Without antialiasing only the sampled source pixels receive gradient:
        # nearest takes floor((i + 0.5) * 16 / size); bilinear at c = (i + 0.5) * 16 / size
        # - 0.5 mixes floor(c) and floor(c) + 1 (all pixels at factor 2, half at 4).
        centres = (np.arange(size) + 0.5) * MASK_SIZE / size
        if interpolation == "nearest":
            rows = np.floor(centres)
        else:
            rows = np.concatenate([np.floor(centres - 0.5), np.floor(centres - 0.5) + 1])
        sampled = np.zeros((MASK_SIZE, MASK_SIZE), bool)
        sampled[np.ix_(rows.astype(int), rows.astype(int))] = True
        np.testing.assert_array_equal(reached, sampled)


def test_learned_mask_trains_and_saves(tmp_path, rng):
    start = rng.uniform(0.1, 0.9, size=(MASK_SIZE, MASK_SIZE)).astype("float32")
    x_in = keras.Input((8, 8, 2))
    layer = MaskedReLU(
        start, trainable_mask=True, mask_interpolation="area", shift=0.3, name="masked"
    )
    model = keras.Model(x_in, layer(x_in))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    x = rng.normal(size=(8, 8, 8, 2)).astype("float32")
    target = ref.masked_relu(x, 1.0, shift=0.3).astype("float32")  # mask 1 everywhere
    before = to_numpy(layer.trainable_weights[0]).copy()
    model.fit(x, target, epochs=3, batch_size=4, verbose=0)
    after = to_numpy(layer.trainable_weights[0])
    assert after.shape == (MASK_SIZE, MASK_SIZE, 1)
    assert (np.abs(after - before) > 0).all()  # every logit moved
    path = tmp_path / "learned.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))
    restored_shapes = [tuple(w.shape) for w in restored.get_layer("masked").trainable_weights]
    assert restored_shapes == [(MASK_SIZE, MASK_SIZE, 1)]
    assert saved_weight_shapes(path) == [(MASK_SIZE, MASK_SIZE, 1)]


# --- 5. Regions ignore mask_interpolation ------------------------------------------------


def test_region_ignores_interpolation(rng):
    regions = [
        (Circle((4, 4), 3, softness=1.5), lambda h, w: ref.circle(h, w, (4, 4), 3, softness=1.5)),
        (
            Box((0.25, 0.25), (0.75, 0.5), relative=True),
            lambda h, w: ref.box(h, w, (0.25, 0.25), (0.75, 0.5), relative=True),
        ),
    ]
    sizes = [(8, 8), (10, 12)]
    xs = [rng.normal(size=(2, h, w, 3)).astype("float32") for h, w in sizes]
    for region, drawn in regions:
        plain = MaskedReLU(region, shift=0.3)
        for interpolation in INTERPOLATIONS:
            layer = MaskedReLU(region, shift=0.3, mask_interpolation=interpolation)
            x_in = keras.Input((None, None, 3))
            dynamic = keras.Model(
                x_in, MaskedReLU(region, shift=0.3, mask_interpolation=interpolation)(x_in)
            )
            for (height, width), x in zip(sizes, xs):
                m = spatial_mask(drawn(height, width))
                expected = ref.masked_relu(x, m, shift=0.3)
                y = to_numpy(layer(x))
                np.testing.assert_array_equal(y, to_numpy(plain(x)))
                np.testing.assert_allclose(y, expected, atol=ATOL_OUT)
                np.testing.assert_allclose(to_numpy(dynamic(x)), expected, atol=ATOL_OUT)


# --- 6. Bad arguments and shapes ---------------------------------------------------------

X = np.zeros((2, 8, 8, 3), "float32")

MAKERS = {
    "array": lambda v: MaskedReLU(np.ones((16, 16)), mask_interpolation=v),
    "input": lambda v: MaskedReLU(mask_interpolation=v),
    "region": lambda v: MaskedReLU(Circle((4, 4), 3), mask_interpolation=v),
    "learned": lambda v: MaskedReLU(
        np.full((16, 16), 0.5), trainable_mask=True, mask_interpolation=v
    ),
    "activation": lambda v: MaskedActivation(np.ones((16, 16)), inside="elu", mask_interpolation=v),
}


def assert_raises(errors, match, what, fn, *args):
    """`pytest.raises` around `fn(*args)`, saying which case of a loop did not raise."""
    try:
        fn(*args)
    except errors as error:
        assert match in str(error), f"{what}: {match!r} not in {str(error)!r}"
    else:
        pytest.fail(f"{what}: no {errors} raised")


@pytest.mark.parametrize(
    "value, errors",
    [
        ("cubicc", ValueError),
        ("", ValueError),
        ("bicubic", ValueError),  # a keras.ops.image.resize method, but not in SPEC 3.5
        (3, (TypeError, ValueError)),
        (True, (TypeError, ValueError)),
        (["area"], (TypeError, ValueError)),
    ],
    ids=["cubicc", "empty", "bicubic", "int", "bool", "list"],
)
def test_bad_interpolation_value(value, errors):
    for source, make in MAKERS.items():
        assert_raises(errors, "mask_interpolation", source, make, value)


def build_array_layer(mask, trainable):
    MaskedReLU(mask, trainable_mask=trainable, mask_interpolation="area")(X)


def build_input_layer(m):
    MaskedReLU(mask_interpolation="bilinear")([X, m])


def test_mask_that_cannot_align_even_with_interpolation():
    """The channel axis must still broadcast and the rank must still fit."""
    shapes = [(16, 16, 2), (1, 16, 16, 2), (2, 16, 16), (16,), (1, 1, 16, 16, 1), (2, 16, 16, 1)]
    for trainable in (False, True):
        for shape in shapes:
            what = f"mask of shape {shape}, trainable_mask={trainable}"
            mask = np.full(shape, 0.5, "float32")
            # At construction or at build.
            assert_raises(ValueError, "mask", what, build_array_layer, mask, trainable)
    for shape in [(2, 16, 16, 2), (2, 16), (2, 1, 16, 16, 1)]:
        m = np.full(shape, 0.5, "float32")
        assert_raises(ValueError, "mask", f"mask input of shape {shape}", build_input_layer, m)


@pytest.mark.parametrize("explicit", [False, True], ids=["default", "explicit_none"])
def test_no_interpolation_still_refuses_other_sizes(explicit):
    kwargs = {"mask_interpolation": None} if explicit else {}
    with pytest.raises(ValueError, match="cannot broadcast"):
        MaskedReLU(np.ones((16, 16), "float32"), **kwargs)(X)
    with pytest.raises(ValueError, match="cannot broadcast"):
        MaskedReLU(np.ones((16, 16), "float32"), trainable_mask=True, **kwargs)(X)
    with pytest.raises(ValueError, match="cannot broadcast"):
        MaskedReLU(**kwargs)([X, np.ones((2, 16, 16), "float32")])
    x_in = keras.Input((8, 8, 3))
    with pytest.raises(ValueError, match="cannot broadcast"):
        MaskedReLU(**kwargs)([x_in, keras.Input((16, 16))])


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "area"])
def test_weights_set_after_build_are_used_at_every_size(interpolation, rng):
    """The array is resized from its weight at every call, so setting the weight
    after build (as `replace_activations` and weight loading do) reaches every size."""
    first = rng.random((16, 16)).astype("float32")
    second = rng.random((16, 16)).astype("float32")
    layer = MaskedReLU(first, shift=0.3, mask_interpolation=interpolation)
    for h, w in [(8, 8), (4, 12)]:
        x = rng.normal(size=(2, h, w, 3)).astype("float32")
        mask = ref.resize(first, (h, w), interpolation)[None, :, :, None]
        np.testing.assert_allclose(
            to_numpy(layer(x)), ref.masked_relu(x, mask, shift=0.3), atol=1e-6
        )
    layer.set_weights([second[:, :, None]])
    for h, w in [(8, 8), (4, 12)]:
        x = rng.normal(size=(2, h, w, 3)).astype("float32")
        mask = ref.resize(second, (h, w), interpolation)[None, :, :, None]
        np.testing.assert_allclose(
            to_numpy(layer(x)), ref.masked_relu(x, mask, shift=0.3), atol=1e-6
        )
