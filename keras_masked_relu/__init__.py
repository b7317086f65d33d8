"""Masked and learnable activation layers for Keras 3.

The layers run unchanged under TensorFlow, JAX and PyTorch; their math lives in
`keras_masked_relu.ops` and the coordinate masks in `keras_masked_relu.regions`.
"""

import os as _os
import sys as _sys

if _sys.argv[:1] == ["-m"]:
    # `python -m keras_masked_relu ...` (the command line and its workers) prints
    # tables: keep out of them the lines TensorFlow's C++ code writes to the
    # standard error while Keras imports it. Python errors still show.
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _saved_stderr = _os.dup(2)
    _devnull = _os.open(_os.devnull, _os.O_WRONLY)
    _os.dup2(_devnull, 2)
    try:
        import keras  # noqa: F401
    finally:
        _os.dup2(_saved_stderr, 2)
        _os.close(_saved_stderr)
        _os.close(_devnull)

from keras_masked_relu import config, openvino_precision, ops, regions
from keras_masked_relu.activation_replacement import replace_activations
from keras_masked_relu.layers import (
    ACON,
    AdaptiveMixture,
    FunnelReLU,
    LearnableReLU,
    LearnableSwish,
    MaskedActivation,
    MaskedReLU,
    MetaACON,
    PolynomialActivation,
    RationalActivation,
    ScaledReLU,
    SoftClip,
    SqrtTanh,
)
from keras_masked_relu.regions import (
    Box,
    Circle,
    Difference,
    Ellipse,
    Intersection,
    Invert,
    Polygon,
    Union,
)

__version__ = "0.1.0"
