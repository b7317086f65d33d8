"""Bad arguments and shapes raise a clear error that names what was received."""

import keras
import numpy as np
import pytest

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Box, Circle, Ellipse, Polygon, Union

X = np.zeros((2, 6, 5, 3), "float32")


def build(layer, inputs=X):
    layer(inputs)


CONSTRUCTION = [
    ("values above 1", lambda: MaskedReLU(np.full((6, 5), 1.5)), ValueError, r"\[0, 1\].*1.5"),
    ("negative values", lambda: MaskedReLU(np.full((6, 5), -0.1)), ValueError, r"\[0, 1\]"),
    ("NaN", lambda: MaskedReLU(np.array([[0.5, np.nan]])), ValueError, "NaN"),
    ("string mask", lambda: MaskedReLU("circle"), TypeError, "mask"),
    ("scalar mask", lambda: MaskedReLU(0.5), ValueError, "scalar"),
    ("negative radius", lambda: Circle((5, 5), -3), ValueError, "radius=-3"),
    ("zero radius", lambda: Circle((5, 5), 0), ValueError, "radius=0"),
    ("bad center", lambda: Circle((5,), 3), ValueError, r"center=\(5,\)"),
    ("two-point polygon", lambda: Polygon([(0, 0), (4, 4)]), ValueError, "vertices"),
    ("collinear polygon", lambda: Polygon([(0, 0), (1, 1), (2, 2)]), ValueError, "one line"),
    ("box end before start", lambda: Box((5, 5), (2, 8)), ValueError, "end"),
    ("negative softness", lambda: Circle((1, 1), 1, softness=-1), ValueError, "softness=-1"),
    ("relative not bool", lambda: Box((0, 0), (1, 1), relative="yes"), TypeError, "relative='yes'"),
    ("ellipse one radius", lambda: Ellipse((1, 1), (2,)), ValueError, "radii"),
    (
        "union of a non-region",
        lambda: Union(Circle((1, 1), 1), np.ones((3, 3))),
        TypeError,
        "regions only",
    ),
    (
        "unknown inside",
        lambda: MaskedActivation(np.ones((6, 5)), inside="no_such_act"),
        ValueError,
        "inside='no_such_act'",
    ),
    (
        "inside of wrong type",
        lambda: MaskedActivation(np.ones((6, 5)), inside=3),
        TypeError,
        "inside=3",
    ),
    (
        "unknown outside",
        lambda: MaskedActivation(np.ones((6, 5)), inside="elu", outside="nope"),
        ValueError,
        "outside='nope'",
    ),
    (
        "negative slope",
        lambda: MaskedReLU(np.ones((6, 5)), negative_slope=-0.1),
        ValueError,
        "negative_slope=-0.1",
    ),
    (
        "negative max_value",
        lambda: MaskedReLU(np.ones((6, 5)), max_value=-1),
        ValueError,
        "max_value=-1",
    ),
    (
        "shift not a number",
        lambda: MaskedReLU(np.ones((6, 5)), shift="0.3"),
        TypeError,
        "shift='0.3'",
    ),
    (
        "infinite threshold",
        lambda: MaskedReLU(np.ones((6, 5)), threshold=float("inf")),
        TypeError,
        "threshold=inf",
    ),
    (
        "bad data_format",
        lambda: MaskedReLU(np.ones((6, 5)), data_format="NHWC"),
        ValueError,
        "data_format='NHWC'",
    ),
    ("trainable without a mask", lambda: MaskedReLU(trainable_mask=True), ValueError, "mask=None"),
    (
        "trainable_mask not bool",
        lambda: MaskedReLU(np.ones((6, 5)), trainable_mask=1),
        TypeError,
        "trainable_mask=1",
    ),
]


@pytest.mark.parametrize("case", CONSTRUCTION, ids=[c[0] for c in CONSTRUCTION])
def test_construction_errors(case):
    _, make, error, message = case
    with pytest.raises(error, match=message):
        make()


BUILD = [
    ("mask cannot broadcast", lambda: build(MaskedReLU(np.ones((4, 5)))), "cannot broadcast"),
    ("mask of wrong rank", lambda: build(MaskedReLU(np.ones((2, 2, 6, 5, 3)))), r"rank"),
    ("channels do not match", lambda: build(MaskedReLU(np.ones((6, 5, 2)))), "cannot broadcast"),
    (
        "region on a 1-D signal",
        lambda: build(MaskedReLU(Circle((1, 1), 1)), np.zeros((2, 7, 3), "float32")),
        "2-D images",
    ),
    (
        "second input of wrong rank",
        lambda: build(MaskedReLU(), [X, np.ones((2, 6), "float32")]),
        "rank of x",
    ),
    (
        "second input wrong size",
        lambda: build(MaskedReLU(), [X, np.ones((2, 4, 5), "float32")]),
        "cannot broadcast",
    ),
    ("mask=None with one input", lambda: build(MaskedReLU()), r"layer\(\[x, mask\]\)"),
    ("two inputs with a mask", lambda: build(MaskedReLU(np.ones((6, 5))), [X, X]), "one input"),
]


@pytest.mark.parametrize("case", BUILD, ids=[c[0] for c in BUILD])
def test_build_errors(case):
    _, run, message = case
    with pytest.raises(ValueError, match=message):
        run()


def test_trainable_region_needs_a_fixed_size():
    x_in = keras.Input((None, None, 3))
    with pytest.raises(ValueError, match="fixed image size"):
        MaskedReLU(Circle((0.5, 0.5), 0.3, relative=True), trainable_mask=True)(x_in)
