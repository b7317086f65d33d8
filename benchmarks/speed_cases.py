"""The layers and baselines that `speed.py` times, for one input shape."""

import numpy as np

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


def cases(shape):
    """Returns {name: Case} for every layer of the package and the baselines."""
    import keras

    import keras_masked_relu as kmr
    from keras_masked_relu.regions import Circle

    _, h, w, _ = shape
    rng = np.random.default_rng(0)
    binary = (rng.random((h, w)) > 0.5).astype("float32")
    weighted = rng.random((h, w)).astype("float32")
    weighted_fine = rng.random((2 * h, 2 * w)).astype("float32")
    region = Circle((0.5, 0.5), 0.4, relative=True)
    region_as_array = region.to_numpy(h, w)

    class NaiveBlend(keras.layers.Layer):
        """The seed's formulation, `m * relu(x - t) + (1 - m) * relu(x)`."""

        def __init__(self):
            super().__init__()
            self.mask = self.add_weight(
                shape=(h, w, 1),
                initializer=keras.initializers.Constant(binary[..., None]),
                trainable=False,
            )

        def call(self, x):
            relu, m = keras.ops.relu, self.mask
            return m * relu(x - 0.3) + (1 - m) * relu(x)

    class Floor(keras.layers.Layer):
        """The cheapest elementwise op: what reading and writing the tensor costs."""

        def call(self, x):
            return x * 1.0

    relu_with = lambda mask, **kw: lambda: kmr.MaskedReLU(mask, **kw)  # noqa: E731
    return {
        FLOOR: Case("baseline", Floor),
        "keras ReLU": Case("baseline", keras.layers.ReLU),
        "keras PReLU": Case("baseline", lambda: keras.layers.PReLU(shared_axes=[1, 2])),
        NAIVE: Case("baseline", NaiveBlend),
        "MaskedReLU binary array": Case("masked", relu_with(binary, shift=0.3)),
        "MaskedReLU weighted array": Case("masked", relu_with(weighted, shift=0.3)),
        "MaskedReLU weighted slope": Case("masked", relu_with(weighted, negative_slope=0.1)),
        "MaskedReLU region": Case("masked", relu_with(region, shift=0.3)),
        "MaskedReLU region as array": Case("masked", relu_with(region_as_array, shift=0.3)),
        "MaskedReLU second input": Case("masked", relu_with(None, shift=0.3), second_input=True),
        "MaskedReLU resized array": Case(
            "masked", relu_with(weighted_fine, shift=0.3, mask_interpolation="area")
        ),
        "MaskedReLU resized second input": Case(
            "masked",
            relu_with(None, shift=0.3, mask_interpolation="area"),
            second_input=True,
            fine_mask=True,
        ),
        "MaskedReLU learned": Case("masked", relu_with(weighted, shift=0.3, trainable_mask=True)),
        "MaskedActivation elu": Case(
            "masked", lambda: kmr.MaskedActivation(weighted, inside="elu")
        ),
        "SqrtTanh": Case("fixed", kmr.SqrtTanh),
        "ScaledReLU": Case("fixed", lambda: kmr.ScaledReLU(scale=2.0, shift=0.1)),
        "SoftClip": Case("fixed", lambda: kmr.SoftClip(scale=3.0)),
        "LearnableReLU": Case("learnable", kmr.LearnableReLU),
        "AdaptiveMixture": Case("learnable", lambda: kmr.AdaptiveMixture(per_channel=True)),
        "PolynomialActivation": Case("learnable", kmr.PolynomialActivation),
        "RationalActivation": Case("learnable", kmr.RationalActivation),
        "RationalActivation 4 groups": Case("learnable", lambda: kmr.RationalActivation(groups=4)),
        "LearnableSwish": Case("learnable", lambda: kmr.LearnableSwish(per_channel=True)),
        "FunnelReLU": Case("learnable", kmr.FunnelReLU),
        "ACON": Case("learnable", kmr.ACON),
        "MetaACON": Case("learnable", kmr.MetaACON),
    }
