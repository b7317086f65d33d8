"""Bad arguments and shapes raise a clear error that names what was received."""

import keras
import numpy as np
import pytest

from keras_masked_relu import MaskedReLU
from keras_masked_relu.regions import Box, Circle, Ellipse, Polygon, Union

X = np.zeros((2, 6, 5, 3), "float32")


def build(layer, inputs=X):
    layer(inputs)


# Bad arguments of the layers are in the catalogue (tests/test_catalogue.py).
CONSTRUCTION = [
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
        "2-D region on a 1-D signal",
        lambda: build(MaskedReLU(Circle((1, 1), 1)), np.zeros((2, 7, 3), "float32")),
        r"2-D region mask needs inputs with 2 spatial axes.*Received: input of rank 3",
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
