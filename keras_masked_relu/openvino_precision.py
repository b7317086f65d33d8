"""Float32 for `predict` and `evaluate` under Keras's OpenVINO backend.

Under `KERAS_BACKEND=openvino`, `model.predict` and `model.evaluate` compile the
model with `openvino.compile_model(model, "CPU")`, naming no precision. On a CPU
with AVX-512 BF16 or AMX, OpenVINO's CPU plugin then computes in bfloat16 (its
`INFERENCE_PRECISION_HINT` defaults to `bf16` there), and the outputs differ
from the training backends' by up to 1e-2 of their size (the all-layers model of
the tests), where float32 agrees to about 1e-7. Eager calls, `model(x)`, already
compile in float32.

Each `openvino.compile_model` call makes a new `openvino.Core`: a property set on
another `Core` does not reach it, and OpenVINO documents no environment variable for
it. So `use_float32` wraps `openvino.compile_model` to add
`INFERENCE_PRECISION_HINT="f32"` to any call whose config names neither
`INFERENCE_PRECISION_HINT` nor `EXECUTION_MODE_HINT`. Keras is left as it is;
models compiled through an `openvino.Core` of one's own are not affected. Call it
before the first `predict`: Keras keeps a compiled model for the input shapes it
has seen.

Example:
>>> import keras_masked_relu
>>> keras_masked_relu.openvino_precision.use_float32()
>>> keras_masked_relu.openvino_precision.is_float32()
True
>>> keras_masked_relu.openvino_precision.use_default_precision()
"""

import functools

_PRECISION_KEYS = ("INFERENCE_PRECISION_HINT", "EXECUTION_MODE_HINT")
_original_compile_model = None


def _import_openvino():
    try:
        import openvino
    except ImportError as error:
        raise ImportError(
            "`use_float32` needs OpenVINO: `pip install keras-masked-relu[export]`"
        ) from error
    return openvino


def _names_precision(config):
    # Keys are strings or `openvino.properties` objects, whose `str` is their name.
    return any(str(key) in _PRECISION_KEYS for key in (config or {}))


def use_float32():
    """Makes `openvino.compile_model` compile in float32 unless told otherwise.

    A call whose config names no precision (`INFERENCE_PRECISION_HINT` or
    `EXECUTION_MODE_HINT`) gets `INFERENCE_PRECISION_HINT="f32"`, as Keras's
    eager calls already do. Calling it again changes nothing.

    Raises:
        ImportError: when OpenVINO is not installed.
    """
    global _original_compile_model
    openvino = _import_openvino()
    if _original_compile_model is not None:
        return
    original = openvino.compile_model

    @functools.wraps(original)
    def compile_model(model, device_name="AUTO", config=None):
        if not _names_precision(config):
            config = {**(config or {}), "INFERENCE_PRECISION_HINT": "f32"}
        return original(model, device_name, config)

    openvino.compile_model = compile_model
    _original_compile_model = original


def use_default_precision():
    """Gives `openvino.compile_model` back its own defaults (undoes `use_float32`)."""
    global _original_compile_model
    if _original_compile_model is None:
        return
    _import_openvino().compile_model = _original_compile_model
    _original_compile_model = None


def is_float32():
    """Whether `use_float32` is in effect.

    Returns:
        A bool.
    """
    return _original_compile_model is not None
