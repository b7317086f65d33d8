"""The layers and baselines that `speed.py` times, for one input shape.

The baselines live here; every layer case and its limits come from the
catalogue of layers (`tests/catalogue.py`, each entry's `speed`).
"""

import pathlib
import sys
import types

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

CHANNELS, BATCH = 16, 8

# Which baseline each group is compared with.
BASELINE = {
    "baseline": "keras ReLU",
    "masked": "keras ReLU",
    "fixed": "keras ReLU",
    "learnable": "keras PReLU",
}
NAIVE, FLOOR = "naive blend", "floor x*1.0"


def image_shape(elements):
    """A channels-last batch `(8, side, side, 16)` of about `elements` values."""
    side = max(4, round((elements / (BATCH * CHANNELS)) ** 0.5))
    return (BATCH, side, side, CHANNELS)


class Case:
    """A layer to time: `make()` builds a fresh layer; `second_input` adds `m`,
    at twice the image's resolution with `fine_mask`."""

    def __init__(self, group, make, second_input=False, fine_mask=False):
        self.group, self.make, self.second_input = group, make, second_input
        self.fine_mask = fine_mask


def limits():
    """{case name: its `Limit`s} for every catalogued speed case."""
    from catalogue import ENTRIES

    return {case.name: case.limits for entry in ENTRIES for case in entry.speed}


def masks(h, w):
    """The masks the catalogue's speed cases are built from, for `h x w` images."""
    from keras_masked_relu.regions import Circle

    rng = np.random.default_rng(0)
    region = Circle((0.5, 0.5), 0.4, relative=True)
    return types.SimpleNamespace(
        binary=(rng.random((h, w)) > 0.5).astype("float32"),
        weighted=rng.random((h, w)).astype("float32"),
        weighted_fine=rng.random((2 * h, 2 * w)).astype("float32"),
        region=region,
        region_as_array=region.to_numpy(h, w),
    )


def cases(shape):
    """Returns {name: Case} for the baselines and every catalogued speed case."""
    import keras
    from catalogue import ENTRIES

    _, h, w, _ = shape
    m = masks(h, w)

    class NaiveBlend(keras.layers.Layer):
        """The seed's formulation, `m * relu(x - t) + (1 - m) * relu(x)`."""

        def __init__(self):
            super().__init__()
            self.mask = self.add_weight(
                shape=(h, w, 1),
                initializer=keras.initializers.Constant(m.binary[..., None]),
                trainable=False,
            )

        def call(self, x):
            relu, mask = keras.ops.relu, self.mask
            return mask * relu(x - 0.3) + (1 - mask) * relu(x)

    class Floor(keras.layers.Layer):
        """The cheapest elementwise op: what reading and writing the tensor costs."""

        def call(self, x):
            return x * 1.0

    found = {
        FLOOR: Case("baseline", Floor),
        "keras ReLU": Case("baseline", keras.layers.ReLU),
        "keras PReLU": Case("baseline", lambda: keras.layers.PReLU(shared_axes=[1, 2])),
        NAIVE: Case("baseline", NaiveBlend),
    }
    for entry in ENTRIES:
        for case in entry.speed:
            found[case.name] = Case(
                case.group, lambda make=case.make: make(m), case.second_input, case.fine_mask
            )
    return found
