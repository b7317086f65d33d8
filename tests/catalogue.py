"""Every public layer of the package, declared once.

An `Entry` holds what the tests know of one layer: the cases the Keras harness
builds (`tests/test_keras_harness.py`), its learnable cases with their NumPy
references and parameter ranges (the learnable, float64, model and compared
activation tests), and its bad arguments with the errors they raise
(`tests/test_catalogue.py`). `tests/test_catalogue.py` fails when a public
layer has no entry, and when the every-layer model, the speed benchmark or the
differential test leaves a catalogued layer out.
"""

import dataclasses

import keras
import numpy as np
import reference as ref

import keras_masked_relu as kmr
from keras_masked_relu.regions import Circle

SHAPE = (2, 4, 5, 3)
WEIGHTED = np.linspace(0, 1, 20).reshape(4, 5)
ONES = np.ones((6, 5))


@dataclasses.dataclass(frozen=True)
class Harness:
    """A case of `keras.src.testing.TestCase.run_layer_test`."""

    id: str
    kwargs: dict
    input_shape: object = SHAPE
    trainable_weights: int = 0
    non_trainable_weights: int = 0


@dataclasses.dataclass(frozen=True)
class BadArgument:
    """Arguments of the constructor that raise `error` with a message matching `message`."""

    id: str
    kwargs: dict
    error: type
    message: str


@dataclasses.dataclass(frozen=True)
class Entry:
    layer: type
    harness: tuple
    # id -> {"make": ..., "params": {weight name: (low, high)}, "reference": (x, params) -> y}
    learnable: dict = dataclasses.field(default_factory=dict)
    bad_arguments: tuple = ()
    # Built when made, as Keras's own weightless activation layers are.
    built_when_made: bool = False


def _learnable(make, params, reference):
    return {"make": make, "params": params, "reference": reference}


_RATIONAL = {"numerator": (-0.5, 0.5), "denominator": (-0.5, 0.5)}
_LEARNABLE_RELU = {"alpha": (0.0, 0.5), "scale": (0.5, 2.0)}

ENTRIES = (
    Entry(
        kmr.MaskedReLU,
        harness=(
            Harness("masked_relu_array", {"mask": WEIGHTED, "shift": 0.2}, non_trainable_weights=1),
            Harness("masked_relu_region", {"mask": Circle((2, 2), 1.5), "shift": 0.2}),
            Harness("masked_relu_second_input", {"negative_slope": 0.1}, [SHAPE, SHAPE[:3]]),
            Harness(
                "masked_relu_learned_region",
                {"mask": Circle((2, 2), 1.5), "negative_slope": 0.1, "trainable_mask": True},
                trainable_weights=1,
            ),
        ),
        bad_arguments=(
            BadArgument(
                "values above 1", {"mask": np.full((6, 5), 1.5)}, ValueError, r"\[0, 1\].*1.5"
            ),
            BadArgument(
                "negative values", {"mask": np.full((6, 5), -0.1)}, ValueError, r"\[0, 1\]"
            ),
            BadArgument("NaN", {"mask": np.array([[0.5, np.nan]])}, ValueError, "NaN"),
            BadArgument("string mask", {"mask": "circle"}, TypeError, "mask"),
            BadArgument("scalar mask", {"mask": 0.5}, ValueError, "scalar"),
            BadArgument(
                "negative slope",
                {"mask": ONES, "negative_slope": -0.1},
                ValueError,
                "negative_slope=-0.1",
            ),
            BadArgument(
                "negative max_value", {"mask": ONES, "max_value": -1}, ValueError, "max_value=-1"
            ),
            BadArgument(
                "shift not a number", {"mask": ONES, "shift": "0.3"}, TypeError, "shift='0.3'"
            ),
            BadArgument(
                "infinite threshold",
                {"mask": ONES, "threshold": float("inf")},
                TypeError,
                "threshold=inf",
            ),
            BadArgument(
                "bad data_format",
                {"mask": ONES, "data_format": "NHWC"},
                ValueError,
                "data_format='NHWC'",
            ),
            BadArgument(
                "trainable without a mask", {"trainable_mask": True}, ValueError, "mask=None"
            ),
            BadArgument(
                "trainable_mask not bool",
                {"mask": ONES, "trainable_mask": 1},
                TypeError,
                "trainable_mask=1",
            ),
        ),
    ),
    Entry(
        kmr.MaskedActivation,
        harness=(
            Harness(
                "masked_activation_region",
                {"mask": Circle((2, 2), 1.5, softness=1.0), "inside": "elu", "outside": "tanh"},
            ),
            Harness(
                "masked_activation_learned_array_inner_layer",
                {
                    "mask": WEIGHTED,
                    # A config, so that each layer the harness makes gets its own inner layer.
                    "inside": keras.saving.serialize_keras_object(kmr.LearnableReLU()),
                    "trainable_mask": True,
                },
                trainable_weights=3,
            ),
        ),
        bad_arguments=(
            BadArgument(
                "unknown inside",
                {"mask": ONES, "inside": "no_such_act"},
                ValueError,
                "inside='no_such_act'",
            ),
            BadArgument("inside of wrong type", {"mask": ONES, "inside": 3}, TypeError, "inside=3"),
            BadArgument(
                "unknown outside",
                {"mask": ONES, "inside": "elu", "outside": "nope"},
                ValueError,
                "outside='nope'",
            ),
        ),
    ),
    Entry(kmr.SqrtTanh, harness=(Harness("sqrt_tanh", {}),), built_when_made=True),
    Entry(
        kmr.ScaledReLU,
        harness=(Harness("scaled_relu", {"scale": 2.0, "shift": 0.1}),),
        bad_arguments=(BadArgument("scale a string", {"scale": "a"}, TypeError, "scale='a'"),),
        built_when_made=True,
    ),
    Entry(
        kmr.SoftClip,
        harness=(Harness("soft_clip", {"scale": 3.0}),),
        bad_arguments=(BadArgument("scale=0", {"scale": 0.0}, ValueError, r"scale=0\.0"),),
        built_when_made=True,
    ),
    Entry(
        kmr.LearnableReLU,
        harness=(
            Harness("learnable_relu", {"learnable_shift": True}, trainable_weights=3),
            Harness("learnable_relu_shared_axes", {"shared_axes": [1, 2, 3]}, trainable_weights=2),
        ),
        bad_arguments=(
            BadArgument("shared_axes a string", {"shared_axes": "x"}, TypeError, "shared_axes='x'"),
        ),
        learnable={
            "learnable_relu": _learnable(
                lambda **kw: kmr.LearnableReLU(learnable_shift=True, **kw),
                {**_LEARNABLE_RELU, "shift": (-0.5, 0.5)},
                lambda x, p: ref.learnable_relu(x, p["alpha"], p["scale"], p["shift"]),
            ),
            "learnable_relu_per_pixel": _learnable(
                lambda **kw: kmr.LearnableReLU(shared_axes=[3], **kw),
                _LEARNABLE_RELU,
                lambda x, p: ref.learnable_relu(x, p["alpha"], p["scale"]),
            ),
            "learnable_relu_all_shared": _learnable(
                lambda **kw: kmr.LearnableReLU(shared_axes=[1, 2, 3], **kw),
                _LEARNABLE_RELU,
                lambda x, p: ref.learnable_relu(x, p["alpha"], p["scale"]),
            ),
        },
    ),
    Entry(
        kmr.AdaptiveMixture,
        harness=(Harness("adaptive_mixture", {"per_channel": True}, trainable_weights=1),),
        bad_arguments=(
            BadArgument("one activation", {"activations": ("relu",)}, ValueError, "two entries"),
        ),
        learnable={
            "adaptive_mixture": _learnable(
                lambda **kw: kmr.AdaptiveMixture(("relu", "tanh", "linear"), **kw),
                {"mixing_logits": (-1.5, 1.5)},
                lambda x, p: ref.mixture(x, p["mixing_logits"], ("relu", "tanh", "linear")),
            ),
            "adaptive_mixture_per_channel": _learnable(
                lambda **kw: kmr.AdaptiveMixture(("elu", "sigmoid"), per_channel=True, **kw),
                {"mixing_logits": (-1.5, 1.5)},
                lambda x, p: ref.mixture(x, p["mixing_logits"], ("elu", "sigmoid")),
            ),
        },
    ),
    Entry(
        kmr.PolynomialActivation,
        harness=(Harness("polynomial", {"degree": 4}, trainable_weights=1),),
        bad_arguments=(BadArgument("degree=0", {"degree": 0}, ValueError, "degree=0"),),
        learnable={
            "polynomial": _learnable(
                lambda **kw: kmr.PolynomialActivation(degree=4, **kw),
                {"coefficients": (-0.5, 0.5)},
                lambda x, p: ref.power_sum(x, p["coefficients"]),
            ),
        },
    ),
    Entry(
        kmr.RationalActivation,
        harness=(
            Harness("rational", {"approximate": "tanh"}, trainable_weights=2),
            Harness(
                "rational_grouped_version_a", {"version": "A", "groups": 3}, trainable_weights=2
            ),
        ),
        learnable={
            "rational": _learnable(
                lambda **kw: kmr.RationalActivation(**kw),
                _RATIONAL,
                lambda x, p: ref.rational(x, p["numerator"], p["denominator"]),
            ),
            "rational_version_a": _learnable(
                lambda **kw: kmr.RationalActivation(version="A", **kw),
                _RATIONAL,
                lambda x, p: ref.rational_a(x, p["numerator"], p["denominator"]),
            ),
            # 5 channels in 5 groups, each with its own coefficients.
            "rational_groups": _learnable(
                lambda **kw: kmr.RationalActivation(groups=5, **kw),
                _RATIONAL,
                lambda x, p: ref.grouped(ref.rational, x, p["numerator"], p["denominator"]),
            ),
            "rational_groups_version_a": _learnable(
                lambda **kw: kmr.RationalActivation(version="A", groups=5, **kw),
                _RATIONAL,
                lambda x, p: ref.grouped(ref.rational_a, x, p["numerator"], p["denominator"]),
            ),
        },
        bad_arguments=(
            BadArgument("groups=0", {"groups": 0}, ValueError, "groups=0"),
            BadArgument("groups float", {"groups": 2.0}, TypeError, "groups=2.0"),
            BadArgument("version C", {"version": "C"}, ValueError, "version='C'"),
        ),
    ),
    Entry(
        kmr.LearnableSwish,
        harness=(Harness("learnable_swish", {"per_channel": True}, trainable_weights=1),),
        bad_arguments=(
            BadArgument("per_channel not bool", {"per_channel": 1}, TypeError, "per_channel=1"),
        ),
        learnable={
            "learnable_swish": _learnable(
                lambda **kw: kmr.LearnableSwish(**kw),
                {"beta": (0.5, 2.0)},
                lambda x, p: ref.swish(x, p["beta"]),
            ),
            "learnable_swish_per_channel": _learnable(
                lambda **kw: kmr.LearnableSwish(per_channel=True, **kw),
                {"beta": (0.5, 2.0)},
                lambda x, p: ref.swish(x, p["beta"]),
            ),
        },
    ),
    Entry(
        kmr.FunnelReLU,
        harness=(
            Harness(
                "funnel_relu", {"kernel_size": 3}, trainable_weights=3, non_trainable_weights=2
            ),
        ),
        bad_arguments=(
            BadArgument("kernel_size=2", {"kernel_size": 2}, ValueError, "kernel_size=2"),
            BadArgument("kernel_size=0", {"kernel_size": 0}, ValueError, "kernel_size=0"),
            BadArgument("kernel_size tuple", {"kernel_size": (3, 3)}, TypeError, "kernel_size"),
        ),
    ),
    Entry(
        kmr.ACON,
        harness=(Harness("acon", {"shared_axes": [1, 2]}, trainable_weights=3),),
        learnable={
            "acon": _learnable(
                lambda **kw: kmr.ACON(**kw),
                {"p1": (0.5, 1.5), "p2": (-0.5, 0.5), "beta": (0.2, 2.0)},
                lambda x, p: ref.acon(x, p["p1"], p["p2"], p["beta"]),
            ),
        },
        bad_arguments=(
            BadArgument("bad initializer", {"beta_initializer": "nope"}, ValueError, "nope"),
        ),
    ),
    Entry(
        kmr.MetaACON,
        harness=(Harness("meta_acon", {"reduction": 2}, trainable_weights=6),),
        learnable={
            "meta_acon": _learnable(
                lambda **kw: kmr.MetaACON(reduction=2, **kw),
                {
                    "p1": (0.5, 1.5),
                    "p2": (-0.5, 0.5),
                    "w1": (-1.0, 1.0),
                    "b1": (-0.5, 0.5),
                    "w2": (-1.0, 1.0),
                    "b2": (-0.5, 0.5),
                },
                lambda x, p: ref.meta_acon(x, p["p1"], p["p2"], p["w1"], p["b1"], p["w2"], p["b2"]),
            ),
        },
        bad_arguments=(
            BadArgument("reduction=0", {"reduction": 0}, ValueError, "reduction=0"),
            BadArgument("bad data_format", {"data_format": "NHWC"}, ValueError, "NHWC"),
        ),
    ),
)

CATALOGUE = {entry.layer: entry for entry in ENTRIES}
LEARNABLE_CASES = {name: case for entry in ENTRIES for name, case in entry.learnable.items()}


def public_layers():
    """The `keras.layers.Layer` classes that `keras_masked_relu` exports."""
    return {
        value
        for value in vars(kmr).values()
        if isinstance(value, type) and issubclass(value, keras.layers.Layer)
    }


def randomize(layer, case, rng, dtype="float32"):
    """Gives each weight random values from the case's ranges; returns them by name."""
    values = {}
    for weight in layer.weights:
        name = weight.path.split("/")[-1]
        low, high = case["params"][name]
        values[name] = rng.uniform(low, high, size=weight.shape).astype(dtype)
        weight.assign(values[name])
    return values
