"""`openvino_precision`: the precision `openvino.compile_model` compiles in.

Keras's OpenVINO backend compiles `predict` with `openvino.compile_model(model, "CPU")`;
tests/cross_backend/test_same_numbers.py checks the numbers of `predict` itself.
"""

import pytest

openvino = pytest.importorskip("openvino", reason="OpenVINO comes with the `export` extra")

from openvino import opset16  # noqa: E402
from openvino.properties import hint  # noqa: E402

from keras_masked_relu import openvino_precision  # noqa: E402

PRECISION = "INFERENCE_PRECISION_HINT"


@pytest.fixture
def float32():
    openvino_precision.use_float32()
    yield
    openvino_precision.use_default_precision()


def tiny_model():
    x = opset16.parameter([2, 3], openvino.Type.f32)
    return openvino.Model([opset16.relu(x)], [x])


def test_a_call_without_a_precision_compiles_in_float32(float32):
    compiled = openvino.compile_model(tiny_model(), "CPU")
    assert compiled.get_property(PRECISION) == openvino.Type.f32


@pytest.mark.parametrize(
    "config",
    [
        {PRECISION: "bf16"},
        {hint.inference_precision: openvino.Type.bf16},
        {"EXECUTION_MODE_HINT": "PERFORMANCE"},
        {"EXECUTION_MODE_HINT": "ACCURACY"},
    ],
    ids=["precision", "precision-property", "performance-mode", "accuracy-mode"],
)
def test_a_precision_given_is_kept(config):
    # On a CPU with bfloat16 the first three compile in bf16; elsewhere OpenVINO
    # falls back to f32 on its own. Either way, as without `use_float32`.
    model = tiny_model()
    expected = openvino.compile_model(model, "CPU", config)
    openvino_precision.use_float32()
    try:
        compiled = openvino.compile_model(model, "CPU", config)
    finally:
        openvino_precision.use_default_precision()
    for name in (PRECISION, "EXECUTION_MODE_HINT"):
        assert compiled.get_property(name) == expected.get_property(name)


def test_use_default_precision_restores_openvino():
    original = openvino.compile_model
    openvino_precision.use_float32()
    openvino_precision.use_float32()
    assert openvino_precision.is_float32()
    assert openvino.compile_model.__wrapped__ is original
    openvino_precision.use_default_precision()
    assert not openvino_precision.is_float32()
    assert openvino.compile_model is original
