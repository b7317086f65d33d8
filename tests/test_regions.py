"""Regions drawn by keras.ops and NumPy against a per-pixel reference."""

import json

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy

from keras_masked_relu.regions import (
    Box,
    Circle,
    Difference,
    Ellipse,
    Intersection,
    Invert,
    Polygon,
    Union,
)

SHAPES = {
    "circle": (Circle((5, 4), 3.5), lambda h, w: ref.circle(h, w, (5, 4), 3.5)),
    "circle_soft": (
        Circle((5, 4), 3, softness=2.5),
        lambda h, w: ref.circle(h, w, (5, 4), 3, softness=2.5),
    ),
    "ellipse": (
        Ellipse((6, 4), (5, 2), angle=30),
        lambda h, w: ref.ellipse(h, w, (6, 4), (5, 2), angle=30),
    ),
    "ellipse_soft": (
        Ellipse((6, 4), (5, 2), angle=-20, softness=2),
        lambda h, w: ref.ellipse(h, w, (6, 4), (5, 2), angle=-20, softness=2),
    ),
    "box": (Box((2, 1), (7, 5)), lambda h, w: ref.box(h, w, (2, 1), (7, 5))),
    "box_soft": (
        Box((2.5, 1), (7, 5.5), softness=3),
        lambda h, w: ref.box(h, w, (2.5, 1), (7, 5.5), softness=3),
    ),
    "polygon": (
        Polygon([(1, 1), (9, 2), (5, 8), (3, 5)]),
        lambda h, w: ref.polygon(h, w, [(1, 1), (9, 2), (5, 8), (3, 5)]),
    ),
    "polygon_soft": (
        Polygon([(1, 1), (9, 2), (5, 8)], softness=2),
        lambda h, w: ref.polygon(h, w, [(1, 1), (9, 2), (5, 8)], softness=2),
    ),
    "polygon_star": (
        Polygon([(5, 0), (7, 9), (0, 3), (10, 3), (3, 9)]),
        lambda h, w: ref.polygon(h, w, [(5, 0), (7, 9), (0, 3), (10, 3), (3, 9)]),
    ),
}


@pytest.mark.parametrize("name", SHAPES)
def test_shape_matches_reference(name):
    region, reference = SHAPES[name]
    expected = reference(10, 12)
    np.testing.assert_allclose(region.to_numpy(10, 12), expected, atol=1e-6)
    np.testing.assert_allclose(to_numpy(region.rasterize(10, 12)), expected, atol=1e-6)


def test_seed_circle():
    rows, cols = np.mgrid[0:10, 0:10]
    expected = ((rows - 5) ** 2 + (cols - 5) ** 2 <= 9).astype("float32")
    mask = to_numpy(Circle(center=(5, 5), radius=3).rasterize(10, 10))
    np.testing.assert_array_equal(mask, expected)
    assert mask.sum() == 29


@pytest.mark.parametrize("size", [(8, 8), (24, 40)])
def test_relative_coordinates_at_two_resolutions(size):
    h, w = size
    for region, reference in [
        (Circle((0.5, 0.5), 0.3, relative=True), ref.circle(h, w, (0.5, 0.5), 0.3, True)),
        (
            Box((0.25, 0.25), (0.75, 0.75), relative=True),
            ref.box(h, w, (0.25, 0.25), (0.75, 0.75), True),
        ),
        (
            Ellipse((0.4, 0.6), (0.3, 0.2), angle=15, relative=True, softness=1.0),
            ref.ellipse(h, w, (0.4, 0.6), (0.3, 0.2), 15, True, 1.0),
        ),
        (
            Polygon([(0.1, 0.1), (0.9, 0.2), (0.5, 0.9)], relative=True),
            ref.polygon(h, w, [(0.1, 0.1), (0.9, 0.2), (0.5, 0.9)], True),
        ),
    ]:
        # float32 coordinates up to 40 px carry ~5e-6 of rounding into soft edges.
        np.testing.assert_allclose(to_numpy(region.rasterize(h, w)), reference, atol=1e-5)


def test_relative_box_covers_the_same_fraction_at_every_size():
    for size in (8, 16, 64):
        mask = Box((0.25, 0.25), (0.75, 0.75), relative=True).to_numpy(size, size)
        assert mask.mean() == 0.25


def test_combinations_match_reference():
    a = Circle((5, 4), 3, softness=1.5)
    b = Box((4, 2), (9, 7))
    c = Polygon([(0, 0), (6, 0), (0, 6)])
    ra, rb, rc = (
        ref.circle(10, 12, (5, 4), 3, softness=1.5),
        ref.box(10, 12, (4, 2), (9, 7)),
        ref.polygon(10, 12, [(0, 0), (6, 0), (0, 6)]),
    )
    cases = {
        "union": (a | b, np.maximum(ra, rb)),
        "union3": (Union(a, b, c), np.maximum(np.maximum(ra, rb), rc)),
        "intersection": (a & b, np.minimum(ra, rb)),
        "difference": (a - b, np.minimum(ra, 1 - rb)),
        "invert": (~c, 1 - rc),
        "nested": ((a | c) - ~b, np.minimum(np.maximum(ra, rc), rb)),
    }
    for name, (region, expected) in cases.items():
        np.testing.assert_allclose(
            to_numpy(region.rasterize(10, 12)), expected, atol=1e-6, err_msg=name
        )
        np.testing.assert_allclose(region.to_numpy(10, 12), expected, atol=1e-6, err_msg=name)
    assert isinstance(a | b, Union) and isinstance(a & b, Intersection)
    assert isinstance(a - b, Difference) and isinstance(~a, Invert)


def test_binary_flag():
    assert Circle((1, 1), 1).is_binary
    assert not Circle((1, 1), 1, softness=1).is_binary
    assert (Circle((1, 1), 1) | Box((0, 0), (1, 1))).is_binary
    assert not (~Circle((1, 1), 1, softness=0.5)).is_binary


def test_config_is_a_few_numbers_and_round_trips():
    region = (Circle((5, 5), 3, softness=1.0) | Box((0, 0), (2, 2), relative=True)) - Polygon(
        [(0, 0), (4, 0), (0, 4)]
    )
    config = keras.saving.serialize_keras_object(region)
    text = json.dumps(config)
    assert len(text) < 1500
    restored = keras.saving.deserialize_keras_object(json.loads(text), safe_mode=True)
    assert restored == region
    np.testing.assert_array_equal(restored.to_numpy(9, 9), region.to_numpy(9, 9))


def test_rasterize_with_sizes_given_as_tensors():
    """Sizes known only at run time arrive as scalar tensors."""
    region = Ellipse((0.5, 0.4), (0.3, 0.2), angle=10, relative=True, softness=1.0) | Polygon(
        [(0.1, 0.1), (0.4, 0.1), (0.1, 0.5)], relative=True
    )
    h, w = keras.ops.convert_to_tensor(11), keras.ops.convert_to_tensor(14)
    expected = np.maximum(
        ref.ellipse(11, 14, (0.5, 0.4), (0.3, 0.2), 10, True, 1.0),
        ref.polygon(11, 14, [(0.1, 0.1), (0.4, 0.1), (0.1, 0.5)], True),
    )
    np.testing.assert_allclose(to_numpy(region.rasterize(h, w)), expected, atol=1e-5)
