"""Learnable layers in models: training, saving, mixed precision, bad arguments."""

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy
from catalogue import LEARNABLE_CASES as CASES
from catalogue import randomize
from precision import assert_within_roundings

from keras_masked_relu import (
    ACON,
    AdaptiveMixture,
    LearnableReLU,
    LearnableSwish,
    MaskedActivation,
    MetaACON,
    PolynomialActivation,
    RationalActivation,
    ScaledReLU,
    SoftClip,
    SqrtTanh,
)
from keras_masked_relu.regions import Circle

LEARNABLE = {
    "LearnableReLU": lambda: LearnableReLU(learnable_shift=True),
    "AdaptiveMixture": lambda: AdaptiveMixture(per_channel=True),
    "PolynomialActivation": lambda: PolynomialActivation(degree=3),
    "RationalActivation": lambda: RationalActivation(),
    "LearnableSwish": lambda: LearnableSwish(per_channel=True),
    "ACON": ACON,
    "MetaACON": lambda: MetaACON(reduction=4),
    "RationalActivation grouped": lambda: RationalActivation(version="A", groups=4),
}
FIXED = {
    "SqrtTanh": SqrtTanh,
    "ScaledReLU": lambda: ScaledReLU(1.5, 0.1),
    "SoftClip": lambda: SoftClip(3.0),
}


def two_moons(n=256, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t[: n // 2]), np.sin(t[: n // 2])], 1)
    lower = np.stack([1 - np.cos(t[n // 2 :]), 0.5 - np.sin(t[n // 2 :])], 1)
    x = np.concatenate([upper, lower]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([np.zeros(n // 2), np.ones(n - n // 2)])[:, None]
    return x.astype("float32"), y.astype("float32")


def train_on_two_moons(activations, jit_compile):
    """Dense(16) -> activation, one branch per activation, summed into Dense(1)."""
    keras.utils.set_random_seed(1)
    x, y = two_moons()
    x_in = keras.Input((2,))
    branches = [
        keras.layers.Dense(1)(activation(keras.layers.Dense(16)(x_in)))
        for activation in activations
    ]
    logit = branches[0] if len(branches) == 1 else keras.layers.Add()(branches)
    model = keras.Model(x_in, keras.layers.Activation("sigmoid")(logit))
    model.compile(
        optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy", jit_compile=jit_compile
    )
    weights = [w for a in activations for w in a.trainable_weights]
    before = [to_numpy(w).copy() for w in weights]

    def loss():  # of eager calls: `evaluate` would compile a second function
        return to_numpy(keras.ops.mean(keras.losses.binary_crossentropy(y, model(x))))

    first = loss()
    model.fit(x, y, epochs=15, batch_size=64, verbose=0)
    last = loss()
    assert last < 0.8 * first, (first, last)
    assert all(a.trainable_weights for a in activations), "an activation has no trainable weights"
    for old, weight in zip(before, weights):
        assert np.abs(old - to_numpy(weight)).max() > 1e-4, weight.path


# Keras's own choice of step per backend (`jit_compile="auto"`: compiled under JAX,
# eager under PyTorch); every layer is also trained in one compiled model below.
@pytest.mark.parametrize("name", LEARNABLE)
def test_training_on_two_moons(name):
    train_on_two_moons([LEARNABLE[name]()], jit_compile="auto")


def test_compiled_training_on_two_moons():
    """All learnable layers in one jit_compile=True model (one compile per backend)."""
    train_on_two_moons([make() for make in LEARNABLE.values()], jit_compile=True)


def model_with(activation, shape=(6, 5, 4)):
    x_in = keras.Input(shape)
    return keras.Model(x_in, activation(keras.layers.Conv2D(4, 1)(x_in)))


@pytest.mark.parametrize("name", list(LEARNABLE) + list(FIXED) + ["nested"])
def test_keras_file_round_trip(name, tmp_path, rng):
    if name == "nested":
        activation = MaskedActivation(
            Circle((2, 2), 2, softness=1.0),
            inside=RationalActivation(approximate="tanh"),
            outside=LearnableReLU(),
            trainable_mask=True,
        )
    else:
        activation = {**LEARNABLE, **FIXED}[name]()
    model = model_with(activation)
    for weight in model.weights:
        weight.assign(to_numpy(weight) + rng.normal(scale=0.1, size=weight.shape).astype("float32"))
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    x = rng.normal(size=(2, 6, 5, 4)).astype("float32")
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))
    assert len(restored.weights) == len(model.weights)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("name", list(LEARNABLE) + list(FIXED))
def test_mixed_precision(name, policy, rng):
    keras.config.set_dtype_policy(policy)
    layer = {**LEARNABLE, **FIXED}[name]()
    compute = policy.split("_")[1]
    bounded = name.startswith(("PolynomialActivation", "RationalActivation"))
    # Inputs whose outputs the compute dtype can hold (ScaledReLU scales by 1.5).
    largest = 10.0 if bounded else (4e4 if compute == "float16" else 1e30)
    grid = np.linspace(-largest, largest, 2 * 3 * 4 * 8).reshape(2, 3, 4, 8)
    y = layer(keras.ops.cast(grid, compute))
    assert keras.backend.standardize_dtype(y.dtype) == compute
    assert np.isfinite(to_numpy(keras.ops.cast(y, "float32"))).all()
    assert all(w.dtype == "float32" for w in layer.weights)


FIXED_REFERENCES = {
    "SqrtTanh": ref.sqrt_tanh,
    "ScaledReLU": lambda x: 1.5 * np.maximum(x + 0.1, 0.0),
    "SoftClip": lambda x: 3.0 * np.tanh(x / 3.0),
}


def rounding_scale(name, x, p):
    """A bound on the magnitudes each output is rounded from, and how many
    roundings of that size the layer makes, for `x` and the parameters `p`."""
    ax = np.abs(x)
    if name.startswith("learnable_relu"):
        top = np.max(p["scale"]) * (1.0 + np.max(p["alpha"]))
        return top * ax + np.max(np.abs(p.get("shift", 0.0))) + 1.0, 4
    if name == "polynomial":
        # Horner's rule: two roundings per degree, of at most sum |a_k| |x|^k.
        return ref.power_sum(ax, np.abs(p["coefficients"])) + 1.0, 8
    if name == "rational":
        q = 1.0 + np.abs(ref.power_sum(x, p["denominator"], first_power=1))
        numerator = ref.power_sum(ax, np.abs(p["numerator"]))
        denominator = ref.power_sum(ax, np.abs(p["denominator"]), first_power=1)
        numerator_value = np.abs(ref.power_sum(x, p["numerator"]))
        return numerator / q + numerator_value * denominator / q**2 + 1.0, 8
    if name.startswith("rational_"):
        # Any version and grouping: the largest coefficients of any group, and
        # a denominator of at least 1.
        a = np.abs(p["numerator"]).reshape(-1, p["numerator"].shape[-1]).max(axis=0)
        b = np.abs(p["denominator"]).reshape(-1, p["denominator"].shape[-1]).max(axis=0)
        numerator = ref.power_sum(ax, a)
        return numerator + numerator * ref.power_sum(ax, b, first_power=1) + 1.0, 8
    if name in ("acon", "meta_acon"):
        # (p1 - p2) x sigmoid(...) + p2 x, with |p1 - p2| + |p2| <= 2 here.
        return 2.0 * ax + 1.0, 6
    if name == "ScaledReLU":
        return 1.5 * (ax + 0.1) + 1.0, 4
    # Mixtures of relu, tanh, linear, elu and sigmoid, Swish, SqrtTanh and
    # SoftClip: every term is at most |x| + 1, with slopes at most about 1.
    return ax + 1.0, 4


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("name", list(CASES) + list(FIXED))
def test_mixed_precision_values(name, policy, rng):
    """Values in float16 and bfloat16 against the float64 reference.

    The error bound is `roundings * epsilon * scale`: epsilon is 2^-10 for
    float16 and 2^-7 for bfloat16, `scale` bounds the magnitudes an output
    is computed from (the sum of the absolute terms of a polynomial, |x| + 1
    for the bounded-slope activations) and `roundings` counts the roundings
    of that size: 4 for a few elementwise steps, 8 for Horner's rule.
    """
    keras.config.set_dtype_policy(policy)
    compute = policy.split("_")[1]
    x = rng.normal(scale=2.0, size=(2, 3, 4, 10))  # 10 channels: 5 groups of 2
    if name in CASES:
        case = CASES[name]
        layer = case["make"]()
        layer.build(x.shape)
        params = {k: v.astype(np.float64) for k, v in randomize(layer, case, rng).items()}
        expected = case["reference"](x, params)
    else:
        layer = FIXED[name]()
        params = {}
        expected = FIXED_REFERENCES[name](x)
    y = layer(keras.ops.cast(x, compute))
    assert keras.backend.standardize_dtype(y.dtype) == compute
    assert all(w.dtype == "float32" for w in layer.weights)
    scale, roundings = rounding_scale(name, x, params)
    assert_within_roundings(y, expected, scale, compute, roundings)


BAD = [
    ("degree=0", lambda: PolynomialActivation(degree=0), ValueError, "degree=0"),
    ("degree float", lambda: PolynomialActivation(degree=2.5), TypeError, "degree=2.5"),
    ("soft clip scale=0", lambda: SoftClip(scale=0), ValueError, "scale=0"),
    ("soft clip scale nan", lambda: SoftClip(scale=float("nan")), TypeError, "scale=nan"),
    ("scaled relu shift str", lambda: ScaledReLU(shift="1"), TypeError, "shift='1'"),
    (
        "unknown mixture entry",
        lambda: AdaptiveMixture(("relu", "nope")),
        ValueError,
        "activations='nope'",
    ),
    ("mixture of one", lambda: AdaptiveMixture(("relu",)), ValueError, "at least two"),
    ("mixture as a string", lambda: AdaptiveMixture("relu"), TypeError, "activations='relu'"),
    (
        "approximate without a fit",
        lambda: RationalActivation(approximate="softplus"),
        ValueError,
        "approximate='softplus'",
    ),
    (
        "numerator degree 0",
        lambda: RationalActivation(numerator_degree=0),
        ValueError,
        "numerator_degree=0",
    ),
    (
        "denominator degree str",
        lambda: RationalActivation(denominator_degree="4"),
        TypeError,
        "denominator_degree='4'",
    ),
    (
        "learnable_shift not bool",
        lambda: LearnableReLU(learnable_shift="yes"),
        TypeError,
        "learnable_shift='yes'",
    ),
    ("shared axes not ints", lambda: LearnableReLU(shared_axes=["h"]), TypeError, "shared_axes"),
    (
        "bad initializer",
        lambda: LearnableReLU(alpha_initializer="no_such_init"),
        ValueError,
        "alpha_initializer='no_such_init'",
    ),
    ("per_channel not bool", lambda: LearnableSwish(per_channel=1), TypeError, "per_channel=1"),
    (
        "bad data_format",
        lambda: LearnableSwish(data_format="NCHW"),
        ValueError,
        "data_format='NCHW'",
    ),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_arguments(case):
    _, make, error, message = case
    with pytest.raises(error, match=message):
        make()


def test_shared_axes_out_of_range():
    with pytest.raises(ValueError, match=r"shared_axes=\[4\]"):
        LearnableReLU(shared_axes=[4])(np.zeros((2, 3, 4, 5), "float32"))
    with pytest.raises(ValueError, match=r"shared_axes=\[0\]"):
        LearnableReLU(shared_axes=[0])(np.zeros((2, 3, 4, 5), "float32"))


def test_per_channel_needs_a_known_channel_count():
    with pytest.raises(ValueError, match="must be known"):
        LearnableReLU()(keras.Input((4, 4, None)))
