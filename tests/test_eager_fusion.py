"""With eager fusion on, eager calls of `ops.py` go through one compiled kernel; results must not
change. It is off unless asked for."""

import importlib.util
import logging

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy

from keras_masked_relu import MaskedActivation, MaskedReLU, RationalActivation
from keras_masked_relu import config as kmr_config
from keras_masked_relu import ops as kmr_ops
from keras_masked_relu._eager_fusion import MAX_TENSORFLOW_KERNELS, fused_when_eager


@pytest.fixture(autouse=True)
def eager_fusion_on():
    before = kmr_config.is_eager_fusion_enabled()
    kmr_config.enable_eager_fusion()
    yield
    (kmr_config.enable_eager_fusion if before else kmr_config.disable_eager_fusion)()


@pytest.mark.parametrize("value,enabled", [(None, False), ("0", False), ("1", True)])
def test_off_unless_asked_for(value, enabled, monkeypatch):
    """The switch is read from the environment when `config` is first imported."""
    monkeypatch.delenv("KERAS_MASKED_RELU_EAGER_FUSION", raising=False)
    if value is not None:
        monkeypatch.setenv("KERAS_MASKED_RELU_EAGER_FUSION", value)
    spec = importlib.util.spec_from_file_location("first_import_of_config", kmr_config.__file__)
    first_import = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first_import)
    assert first_import.is_eager_fusion_enabled() is enabled


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="only TensorFlow kernels are kept by the package; JAX's jit holds its own cache, "
    "and PyTorch runs the ops as written",
)
def test_the_tensorflow_kernel_cache_is_bounded(rng):
    traced = []

    @fused_when_eager("shift")
    def shifted(x, shift=0.0):
        traced.append(shift)
        return keras.ops.relu(x - shift)

    x = rng.normal(size=(3,)).astype("float32")
    shifts = [k / 8 for k in range(MAX_TENSORFLOW_KERNELS + 10)]
    for shift in shifts:
        np.testing.assert_allclose(to_numpy(shifted(x, shift=shift)), np.maximum(x - shift, 0))
        assert len(shifted._tensorflow_kernels) <= MAX_TENSORFLOW_KERNELS
    assert traced == shifts  # each configuration traced once
    # The most recent configuration is kept; the first one was dropped and is traced again.
    shifted(x, shift=shifts[-1])
    assert traced == shifts
    shifted(x, shift=shifts[0])
    assert traced == shifts + [shifts[0]]


def test_each_static_value_gets_its_own_kernel(rng):
    x = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    mask = (rng.random((5, 5, 1)) > 0.5).astype("float32")
    for shift in (0.3, -0.4, 0.3, 1.0):
        for binary in (True, False):
            got = to_numpy(kmr_ops.masked_relu(x, mask, shift=shift, binary=binary))
            np.testing.assert_allclose(got, ref.masked_relu(x, mask[None], shift=shift), atol=1e-6)


def test_positional_static_arguments_are_static(rng):
    x = rng.normal(size=(4, 3)).astype("float32")
    mask = np.ones((1, 3), "float32")
    got = to_numpy(kmr_ops.masked_relu(x, mask, 0.5, 0.0, None, 0.0, True))
    np.testing.assert_allclose(got, np.maximum(x - 0.5, 0.0), atol=1e-6)


def test_a_variable_is_read_at_each_call_not_baked_in(rng):
    x = rng.normal(size=(6, 4)).astype("float32")
    alpha = keras.Variable(np.full((4,), 0.25, "float32"))
    scale = keras.Variable(np.ones((4,), "float32"))
    first = to_numpy(kmr_ops.learnable_relu(x, alpha, scale))
    alpha.assign(np.full((4,), 0.5, "float32"))
    second = to_numpy(kmr_ops.learnable_relu(x, alpha, scale))
    np.testing.assert_allclose(first, np.where(x > 0, x, 0.25 * x), atol=1e-6)
    np.testing.assert_allclose(second, np.where(x > 0, x, 0.5 * x), atol=1e-6)


def test_shapes_and_dtypes_each_compile(rng):
    for shape, dtype in [((3, 4), "float32"), ((2, 3, 4), "float32"), ((3, 4), "float64")]:
        x = rng.normal(size=shape).astype(dtype)
        got = kmr_ops.polynomial(x, keras.ops.convert_to_tensor(np.array([1.0, -2.0, 0.5], dtype)))
        assert keras.backend.standardize_dtype(got.dtype) == dtype
        np.testing.assert_allclose(to_numpy(got), 1.0 - 2.0 * x + 0.5 * x**2, rtol=1e-6)


def test_plain_python_numbers_pass_through(rng):
    @fused_when_eager("power")
    def scaled_power(x, factor, power=1):
        return keras.ops.multiply(keras.ops.power(x, power), factor)

    x = rng.random((5,)).astype("float32")
    for factor, power in [(2.0, 1), (3.0, 2), (2.0, 2)]:
        np.testing.assert_allclose(
            to_numpy(scaled_power(x, factor, power=power)), factor * x**power, rtol=1e-6
        )


def counting_relu():
    """A fused function that counts how often its Python body runs."""
    runs = []

    @fused_when_eager()
    def relu(x):
        runs.append(1)
        return keras.ops.relu(x)

    return relu, runs


def test_fusion_traces_once_and_the_off_switch_runs_the_ops_as_written(rng):
    x = rng.normal(size=(3, 4)).astype("float32")
    relu, runs = counting_relu()
    for _ in range(3):
        np.testing.assert_array_equal(to_numpy(relu(x)), np.maximum(x, 0))
    # Compiled kernels run the Python body once, when traced; PyTorch runs it each call.
    assert len(runs) == (3 if keras.backend.backend() == "torch" else 1)
    try:
        kmr_config.disable_eager_fusion()
        assert not kmr_config.is_eager_fusion_enabled()
        relu, runs = counting_relu()
        for _ in range(3):
            np.testing.assert_array_equal(to_numpy(relu(x)), np.maximum(x, 0))
        assert len(runs) == 3
    finally:
        kmr_config.enable_eager_fusion()
    assert kmr_config.is_eager_fusion_enabled()


def test_many_static_configurations_do_not_warn_of_retracing(rng, caplog):
    """Each static configuration gets its own kernel, traced once: TensorFlow's
    "triggered tf.function retracing" warning must not appear."""
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    mask = rng.random((6, 6)).astype("float32")
    m = mask[None, :, :, None]
    rules = {
        "elu": ref.elu,
        "tanh": np.tanh,
        "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
        "softplus": lambda v: np.log1p(np.exp(v)),
        "linear": lambda v: v,
        "silu": lambda v: v / (1 + np.exp(-v)),
        "relu6": lambda v: np.clip(v, 0, 6),
    }
    with caplog.at_level(logging.WARNING):
        for name, rule in rules.items():
            y = to_numpy(MaskedActivation(mask, inside=name)(x))
            np.testing.assert_allclose(y, m * rule(x) + (1 - m) * np.maximum(x, 0), atol=1e-5)
        for shift in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
            y = to_numpy(MaskedReLU(mask, shift=shift)(x))
            np.testing.assert_allclose(y, ref.masked_relu(x, m, shift=shift), atol=1e-6)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


def test_many_input_sizes_do_not_warn_of_retracing(rng, caplog):
    """One layer called eagerly on 7 batch sizes and 2 dtypes: no retracing warning."""
    layer = RationalActivation()
    layer.build((None, 4))
    numerator, denominator = (to_numpy(w) for w in layer.weights)
    with caplog.at_level(logging.WARNING):
        for dtype in ("float32", "float64"):
            for n in range(1, 8):
                x = rng.normal(size=(n, 4)).astype(dtype)
                expected = ref.rational(x, numerator, denominator)
                np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-5)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
