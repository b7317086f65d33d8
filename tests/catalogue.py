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
from keras_masked_relu.regions import Circle, Interval, Sphere

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
class Limit:
    """What a speed case may cost at 1e7 elements, forward+backward in the mode
    `benchmarks/speed_report.py` counts: `ratio` times the time of `versus`
    (the baseline of the case's group when `None`); `eager_ratio` in eager mode
    (PyTorch's), where it is checked there."""

    target: str
    ratio: float
    versus: str = None
    eager_ratio: float = None


@dataclasses.dataclass(frozen=True)
class Speed:
    """A case of `benchmarks/speed.py`: `make(masks)` builds a fresh layer from
    the masks of the input's size (`benchmarks/speed_cases.py`); `second_input`
    calls it on `[x, m]`, `m` at twice the image's resolution with `fine_mask`."""

    name: str
    group: str
    make: object
    second_input: bool = False
    fine_mask: bool = False
    limits: tuple = ()


@dataclasses.dataclass(frozen=True)
class Differential:
    """How the differential test (`tests/differential/models.py`) draws the layer:
    `options(draw, plan, rule)` gives its constructor's options (`rule()` draws
    a `MaskedActivation` rule); `masked` layers also get a mask source;
    `weight` is its chance against the others; `ranks` the input ranks it takes."""

    options: object
    masked: bool = False
    weight: float = 1.0
    ranks: tuple = (3, 4, 5)


def _no_options(d, plan, rule):
    return {}


@dataclasses.dataclass(frozen=True)
class Entry:
    layer: type
    harness: tuple
    # id -> {"make": ..., "params": {weight name: (low, high)}, "reference": (x, params) -> y}
    learnable: dict = dataclasses.field(default_factory=dict)
    bad_arguments: tuple = ()
    # Built when made, as Keras's own weightless activation layers are.
    built_when_made: bool = False
    # `model(masks)`: the layers it adds to the every-layer model (`tests/all_layers.py`);
    # a pair `(layer, input name)` is called on `[h, that input]`.
    model: object = None
    speed: tuple = ()
    differential: Differential = Differential(_no_options)


def _learnable(make, params, reference):
    return {"make": make, "params": params, "reference": reference}


# The options the differential test draws, one function per layer. `d` is its
# seeded draw (`tests/differential/models.py`, `_Draw`), `plan` the model's plan.


def _masked_relu_options(d, plan, rule):
    options = {
        "shift": d.choice((0.0, 0.0, 0.3, -0.25, 0.5, 1.0)),
        "negative_slope": d.choice((0.0, 0.0, 0.1, 0.2)),
        "threshold": d.choice((0.0, 0.0, 0.5, -0.5, 0.25)),
        "max_value": d.choice((None, None, 1.0, 0.5, 2.0, 6.0)),
    }
    if options["max_value"] is not None and options["max_value"] <= options["threshold"]:
        options["max_value"] = options["threshold"] + 1.0
    for option, default in (
        ("shift", 0.0),
        ("negative_slope", 0.0),
        ("max_value", None),
        ("threshold", 0.0),
    ):
        if options[option] != default:
            d.feature(f"relu:{option}")
    return options


def _masked_activation_options(d, plan, rule):
    inside = rule()
    return {"inside": inside, "outside": rule() if d.chance(0.7) else "relu"}


def _scaled_relu_options(d, plan, rule):
    return {
        "scale": d.choice((1.0, 1.2, 0.5, 2.0)),
        "shift": d.choice((0.0, 0.1, -0.25, 0.5, 0.3)),
    }


def _soft_clip_options(d, plan, rule):
    return {"scale": d.choice((1.0, 0.5, 4.0))}


def _learnable_relu_options(d, plan, rule):
    return {
        "alpha_initializer": d.choice((0.25, 0.1, -0.2)),
        "scale_initializer": d.choice((1.0, 0.5, 1.5)),
        "learnable_shift": d.chance(0.5),
        "shared_axes": d.shared_axes(plan),
    }


_MIXTURE_NAMES = ("relu", "tanh", "linear", "sigmoid", "elu", "silu", "gelu", "softplus")


def _adaptive_mixture_options(d, plan, rule):
    names = d.allowed(_MIXTURE_NAMES)
    picks = d.rng.choice(len(names), size=int(d.rng.integers(2, 5)), replace=False)
    return {"activations": [names[int(i)] for i in picks], "per_channel": d.chance(0.5)}


def _polynomial_options(d, plan, rule):
    return {"degree": int(d.rng.integers(1, 6))}


def _rational_options(d, plan, rule):
    from keras_masked_relu._rational_fits import TARGETS

    options = {
        "numerator_degree": int(d.rng.integers(1, 7)),
        "denominator_degree": int(d.rng.integers(1, 6)),
        "approximate": d.choice(sorted(TARGETS)),
        "version": d.choice(("A", "B")),
        "groups": d.choice([g for g in (1, 2, 4) if plan["channels"] % g == 0]),
    }
    if options["groups"] > 1:
        options["shared_numerator"] = d.chance(0.5)
    d.feature(f"rational:{options['version']}")
    if options["groups"] > 1:
        d.feature("rational:groups")
    return options


def _swish_options(d, plan, rule):
    return {"beta_initializer": d.choice((1.0, 0.5, 2.0)), "per_channel": d.chance(0.5)}


def _acon_options(d, plan, rule):
    return {"shared_axes": d.shared_axes(plan)}


def _meta_acon_options(d, plan, rule):
    return {"reduction": d.choice((1, 2, 4, 16))}


def _funnel_relu_options(d, plan, rule):
    return {"kernel_size": d.choice((1, 3, 5)), "epsilon": d.choice((1e-3, 1e-5))}


# Every masked speed case is also held to half the time of the naive blend, eagerly
# (`benchmarks/speed_report.py`).
_STATIC_MASK = Limit("static mask vs ReLU", 1.10, eager_ratio=1.5)
_LEARNABLE_SPEED = Limit("learnable vs PReLU", 1.25)


_RATIONAL = {"numerator": (-0.5, 0.5), "denominator": (-0.5, 0.5)}
_LEARNABLE_RELU = {"alpha": (0.0, 0.5), "scale": (0.5, 2.0)}

ENTRIES = (
    Entry(
        kmr.MaskedReLU,
        model=lambda m: [
            kmr.MaskedReLU(m.binary, shift=0.2, name="binary_array"),
            kmr.MaskedReLU(
                m.weighted, negative_slope=0.1, max_value=3.0, threshold=0.05, name="weighted_array"
            ),
            kmr.MaskedReLU((m.fov - m.notch) | m.corner, shift=-0.1, name="region"),
            (kmr.MaskedReLU(shift=0.3, negative_slope=0.2, name="second_input"), "mask"),
            kmr.MaskedReLU(m.lens, shift=0.1, trainable_mask=True, name="learned_region"),
            kmr.MaskedReLU(
                m.fine_binary, shift=0.1, mask_interpolation="nearest", name="resized_nearest"
            ),
            kmr.MaskedReLU(
                m.fine_weighted,
                negative_slope=0.1,
                trainable_mask=True,
                mask_interpolation="bilinear",
                name="resized_learned",
            ),
            (
                kmr.MaskedReLU(shift=0.2, mask_interpolation="area", name="resized_input"),
                "fine_mask",
            ),
        ],
        speed=(
            Speed(
                "MaskedReLU binary array",
                "masked",
                lambda m: kmr.MaskedReLU(m.binary, shift=0.3),
                limits=(_STATIC_MASK,),
            ),
            Speed(
                "MaskedReLU weighted array",
                "masked",
                lambda m: kmr.MaskedReLU(m.weighted, shift=0.3),
                limits=(_STATIC_MASK,),
            ),
            Speed(
                "MaskedReLU weighted slope",
                "masked",
                lambda m: kmr.MaskedReLU(m.weighted, negative_slope=0.1),
                limits=(_STATIC_MASK,),
            ),
            Speed(
                "MaskedReLU region",
                "masked",
                lambda m: kmr.MaskedReLU(m.region, shift=0.3),
                limits=(
                    _STATIC_MASK,
                    Limit(
                        "region vs the same mask as an array",
                        1.05,
                        versus="MaskedReLU region as array",
                        eager_ratio=1.05,
                    ),
                ),
            ),
            Speed(
                "MaskedReLU region as array",
                "masked",
                lambda m: kmr.MaskedReLU(m.region_as_array, shift=0.3),
            ),
            Speed(
                "MaskedReLU second input",
                "masked",
                lambda m: kmr.MaskedReLU(shift=0.3),
                second_input=True,
                limits=(Limit("second input vs ReLU", 1.25),),
            ),
            Speed(
                "MaskedReLU resized array",
                "masked",
                lambda m: kmr.MaskedReLU(m.weighted_fine, shift=0.3, mask_interpolation="area"),
                limits=(
                    Limit(
                        "resized array vs the same at the input's size",
                        1.05,
                        versus="MaskedReLU weighted array",
                    ),
                ),
            ),
            Speed(
                "MaskedReLU resized second input",
                "masked",
                lambda m: kmr.MaskedReLU(shift=0.3, mask_interpolation="area"),
                second_input=True,
                fine_mask=True,
                limits=(Limit("resized second input vs ReLU", 1.3),),
            ),
            Speed(
                "MaskedReLU learned",
                "masked",
                lambda m: kmr.MaskedReLU(m.weighted, shift=0.3, trainable_mask=True),
            ),
        ),
        differential=Differential(_masked_relu_options, masked=True, weight=3.0),
        harness=(
            Harness("masked_relu_array", {"mask": WEIGHTED, "shift": 0.2}, non_trainable_weights=1),
            Harness("masked_relu_region", {"mask": Circle((2, 2), 1.5), "shift": 0.2}),
            Harness("masked_relu_second_input", {"negative_slope": 0.1}, [SHAPE, SHAPE[:3]]),
            Harness(
                "masked_relu_learned_region",
                {"mask": Circle((2, 2), 1.5), "negative_slope": 0.1, "trainable_mask": True},
                trainable_weights=1,
            ),
            Harness(
                "masked_relu_volume_region",
                {"mask": Sphere((1, 2, 1), 1.5, softness=1.0), "shift": 0.2},
                input_shape=(2, 3, 4, 5, 2),
            ),
            Harness(
                "masked_relu_signal_region",
                {"mask": Interval(1, 3), "negative_slope": 0.1},
                input_shape=(2, 6, 3),
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
        model=lambda m: [
            kmr.MaskedActivation(
                m.weighted, inside="elu", outside="relu", trainable_mask=True, name="learned_array"
            ),
            kmr.MaskedActivation(
                m.fov,
                inside=kmr.LearnableReLU(learnable_shift=True),
                outside=kmr.RationalActivation(approximate="leaky_relu"),
                name="nested",
            ),
            (
                kmr.MaskedActivation(
                    inside=kmr.LearnableSwish(per_channel=True), outside="silu", name="nested_input"
                ),
                "mask",
            ),
        ],
        speed=(
            Speed(
                "MaskedActivation elu",
                "masked",
                lambda m: kmr.MaskedActivation(m.weighted, inside="elu"),
            ),
        ),
        differential=Differential(_masked_activation_options, masked=True, weight=2.0),
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
    Entry(
        kmr.SqrtTanh,
        harness=(Harness("sqrt_tanh", {}),),
        built_when_made=True,
        model=lambda m: [kmr.SqrtTanh()],
        speed=(Speed("SqrtTanh", "fixed", lambda m: kmr.SqrtTanh()),),
    ),
    Entry(
        kmr.ScaledReLU,
        model=lambda m: [kmr.ScaledReLU(scale=1.2, shift=0.1)],
        speed=(Speed("ScaledReLU", "fixed", lambda m: kmr.ScaledReLU(scale=2.0, shift=0.1)),),
        differential=Differential(_scaled_relu_options),
        harness=(Harness("scaled_relu", {"scale": 2.0, "shift": 0.1}),),
        bad_arguments=(BadArgument("scale a string", {"scale": "a"}, TypeError, "scale='a'"),),
        built_when_made=True,
    ),
    Entry(
        kmr.SoftClip,
        model=lambda m: [kmr.SoftClip(scale=4.0)],
        speed=(Speed("SoftClip", "fixed", lambda m: kmr.SoftClip(scale=3.0)),),
        differential=Differential(_soft_clip_options),
        harness=(Harness("soft_clip", {"scale": 3.0}),),
        bad_arguments=(BadArgument("scale=0", {"scale": 0.0}, ValueError, r"scale=0\.0"),),
        built_when_made=True,
    ),
    Entry(
        kmr.LearnableReLU,
        model=lambda m: [kmr.LearnableReLU(shared_axes=[3])],
        speed=(
            Speed(
                "LearnableReLU",
                "learnable",
                lambda m: kmr.LearnableReLU(),
                limits=(_LEARNABLE_SPEED,),
            ),
        ),
        differential=Differential(_learnable_relu_options),
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
        model=lambda m: [kmr.AdaptiveMixture(per_channel=True)],
        speed=(
            Speed(
                "AdaptiveMixture",
                "learnable",
                lambda m: kmr.AdaptiveMixture(per_channel=True),
                limits=(_LEARNABLE_SPEED,),
            ),
        ),
        differential=Differential(_adaptive_mixture_options),
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
        model=lambda m: [kmr.PolynomialActivation(degree=3)],
        speed=(
            Speed(
                "PolynomialActivation",
                "learnable",
                lambda m: kmr.PolynomialActivation(),
                limits=(_LEARNABLE_SPEED,),
            ),
        ),
        differential=Differential(_polynomial_options),
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
        model=lambda m: [
            kmr.RationalActivation(approximate="gelu"),
            kmr.RationalActivation(approximate="tanh", version="A", groups=4),
        ],
        speed=(
            Speed(
                "RationalActivation",
                "learnable",
                lambda m: kmr.RationalActivation(),
                limits=(Limit("learnable vs PReLU", 2.0),),
            ),
            Speed(
                "RationalActivation 4 groups",
                "learnable",
                lambda m: kmr.RationalActivation(groups=4),
                limits=(
                    Limit("learnable vs PReLU", 2.0),
                    Limit(
                        "grouped rational vs shared",
                        1.2,
                        versus="RationalActivation",
                        eager_ratio=1.2,
                    ),
                ),
            ),
        ),
        differential=Differential(_rational_options),
        harness=(
            Harness("rational", {"approximate": "tanh"}, trainable_weights=2),
            Harness(
                "rational_grouped_version_a", {"version": "A", "groups": 3}, trainable_weights=2
            ),
            Harness(
                "rational_grouped_shared_numerator",
                {"groups": 3, "shared_numerator": True},
                trainable_weights=2,
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
            # One numerator for the 5 groups, a denominator per group (KAT's form).
            "rational_groups_shared_numerator": _learnable(
                lambda **kw: kmr.RationalActivation(groups=5, shared_numerator=True, **kw),
                _RATIONAL,
                lambda x, p: ref.grouped_shared_numerator(
                    ref.rational, x, p["numerator"], p["denominator"]
                ),
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
            BadArgument(
                "shared_numerator not bool",
                {"groups": 2, "shared_numerator": 1},
                TypeError,
                "shared_numerator=1",
            ),
        ),
    ),
    Entry(
        kmr.LearnableSwish,
        model=lambda m: [kmr.LearnableSwish()],
        speed=(
            Speed(
                "LearnableSwish",
                "learnable",
                lambda m: kmr.LearnableSwish(per_channel=True),
                limits=(_LEARNABLE_SPEED,),
            ),
        ),
        differential=Differential(_swish_options),
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
        kmr.ACON,
        model=lambda m: [kmr.ACON()],
        speed=(
            Speed(
                "ACON",
                "learnable",
                lambda m: kmr.ACON(),
                limits=(Limit("learnable vs PReLU", 2.5),),
            ),
        ),
        differential=Differential(_acon_options),
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
        model=lambda m: [kmr.MetaACON(reduction=2)],
        speed=(
            Speed(
                "MetaACON",
                "learnable",
                lambda m: kmr.MetaACON(),
                limits=(Limit("learnable vs PReLU", 2.5),),
            ),
        ),
        differential=Differential(_meta_acon_options),
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
    Entry(
        kmr.FunnelReLU,
        model=lambda m: [kmr.FunnelReLU()],
        speed=(
            Speed(
                "FunnelReLU",
                "learnable",
                lambda m: kmr.FunnelReLU(),
                limits=(Limit("learnable vs PReLU", 3.0),),
            ),
        ),
        differential=Differential(_funnel_relu_options, ranks=(4,)),
        harness=(
            Harness(
                "funnel_relu", {"kernel_size": 3}, trainable_weights=3, non_trainable_weights=2
            ),
            Harness(
                "funnel_relu_reference_batch_norm",
                {"epsilon": 1e-5, "momentum": 0.9},
                trainable_weights=3,
                non_trainable_weights=2,
            ),
        ),
        bad_arguments=(
            BadArgument("kernel_size=2", {"kernel_size": 2}, ValueError, "kernel_size=2"),
            BadArgument("kernel_size=0", {"kernel_size": 0}, ValueError, "kernel_size=0"),
            BadArgument("kernel_size tuple", {"kernel_size": (3, 3)}, TypeError, "kernel_size"),
            BadArgument("epsilon=0", {"epsilon": 0.0}, ValueError, r"epsilon=0\.0"),
            BadArgument("momentum above 1", {"momentum": 1.5}, ValueError, r"momentum=1\.5"),
            BadArgument("momentum a string", {"momentum": "0.9"}, TypeError, "momentum='0.9'"),
        ),
    ),
)

CATALOGUE = {entry.layer: entry for entry in ENTRIES}
LEARNABLE_CASES = {name: case for entry in ENTRIES for name, case in entry.learnable.items()}


def public_layers():
    """The `keras.layers.Layer` classes that `keras_masked_relu` exports (its models aside)."""
    return {
        value
        for value in vars(kmr).values()
        if isinstance(value, type)
        and issubclass(value, keras.layers.Layer)
        and not issubclass(value, keras.Model)
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
