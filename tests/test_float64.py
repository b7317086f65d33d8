"""Every layer under the float64 policy: float64 out, float64 digits in.

Each layer runs on a float64 input with float64 weights; its output must have
dtype float64 and agree with the NumPy reference by SPEC 5's float64 rule,
`max|y - ref| <= 1e-12 * (1 + max|ref|)`. A constant left in float32 (0.3
becomes 0.30000001) or a Keras op that rounds float64 to float32 fails it.
"""

import keras
import numpy as np
import pytest
import reference as ref
from catalogue import LEARNABLE_CASES as CASES
from catalogue import randomize

from keras_masked_relu import (
    FunnelReLU,
    MaskedActivation,
    MaskedReLU,
    ScaledReLU,
    SoftClip,
    SqrtTanh,
)
from keras_masked_relu.regions import Circle
from keras_masked_relu.tools.rule import TOLERANCES, scaled_difference

TOL = TOLERANCES["float64"].outputs
SHAPE = (2, 6, 6, 5)


@pytest.fixture(autouse=True)
def _float64_policy():
    keras.config.set_dtype_policy("float64")
    yield
    keras.config.set_dtype_policy("float32")


def check(y, expected):
    assert keras.backend.standardize_dtype(y.dtype) == "float64"
    difference = scaled_difference(keras.ops.convert_to_numpy(y), expected)
    assert difference <= TOL, f"scaled difference {difference:.3g} > {TOL:g}"


def sample(rng):
    return rng.normal(size=SHAPE) * 2.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_learnable_layer(name, rng):
    case = CASES[name]
    x = sample(rng)
    layer = case["make"]()
    layer.build(x.shape)
    params = randomize(layer, case, rng, dtype="float64")
    check(layer(x), case["reference"](x, params))


FIXED = {
    "sqrt_tanh": (SqrtTanh, ref.sqrt_tanh),
    "soft_clip": (lambda: SoftClip(scale=0.7), lambda x: 0.7 * np.tanh(x / 0.7)),
    "scaled_relu": (
        lambda: ScaledReLU(scale=1.3, shift=0.3),
        lambda x: 1.3 * np.maximum(x + 0.3, 0),
    ),
}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_layer(name, rng):
    make, reference = FIXED[name]
    x = sample(rng)
    check(make()(x), reference(x))


MASKED_RELU = [
    dict(shift=0.3),
    dict(shift=-0.3),
    dict(negative_slope=0.3),
    dict(shift=0.3, negative_slope=0.1, max_value=1.7, threshold=0.3),
]


@pytest.mark.parametrize("params", MASKED_RELU, ids=str)
@pytest.mark.parametrize("kind", ["binary", "weighted"])
def test_masked_relu(kind, params, rng):
    mask = rng.random(SHAPE[1:3])
    if kind == "binary":
        mask = (mask > 0.5).astype("float64")
    x = sample(rng)
    check(MaskedReLU(mask, **params)(x), ref.masked_relu(x, mask[..., None], **params))


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "area"])
def test_masked_relu_with_a_resized_mask(interpolation, rng):
    mask = rng.random((9, 15))
    x = sample(rng)
    layer = MaskedReLU(mask, shift=0.3, mask_interpolation=interpolation)
    resized = ref.resize(mask, SHAPE[1:3], interpolation)
    check(layer(x), ref.masked_relu(x, resized[..., None], shift=0.3))


def test_masked_activation_with_keras_rules(rng):
    mask = rng.random(SHAPE[1:3])
    x = sample(rng)
    layer = MaskedActivation(mask, inside="tanh", outside="elu")
    m = mask[..., None]
    check(layer(x), m * np.tanh(x) + (1 - m) * ref.elu(x))


def test_masked_activation_with_a_region(rng):
    x = sample(rng)
    region = Circle((2.5, 3.0), 2.2)  # soft edges are drawn in float32
    layer = MaskedActivation(region, inside=SoftClip(0.7), outside="relu")
    m = ref.circle(6, 6, (2.5, 3.0), 2.2)[..., None]
    check(layer(x), m * 0.7 * np.tanh(x / 0.7) + (1 - m) * np.maximum(x, 0))


@pytest.mark.skipif(
    keras.backend.backend() in ("jax", "torch"),
    reason="keras.layers.BatchNormalization, FReLU's condition, is float64 to only 2e-7 (JAX) "
    "and 5e-7 (PyTorch): measured against NumPy, upstream",
)
def test_funnel_relu(rng):
    x = sample(rng)
    layer = FunnelReLU()
    layer.build(x.shape)
    kernel = rng.normal(size=(3, 3, SHAPE[-1], 1))
    gamma, beta = rng.uniform(0.5, 1.5, SHAPE[-1]), rng.normal(size=SHAPE[-1])
    mean, variance = rng.normal(size=SHAPE[-1]), rng.uniform(0.5, 2.0, SHAPE[-1])
    layer.depthwise.kernel.assign(kernel)
    for weight, value in zip(layer.batch_norm.weights, (gamma, beta, mean, variance), strict=True):
        weight.assign(value)
    expected = ref.funnel_relu(x, kernel[..., 0], gamma, beta, mean, variance)
    check(layer(x), expected)
