# The imports follow a log level that must be set before Keras imports its backend.
# ruff: noqa: E402
"""Masked and learnable activation layers for Keras 3.

The layers run unchanged under TensorFlow, JAX and PyTorch; their math lives in
`keras_masked_relu.ops` and the coordinate masks in `keras_masked_relu.regions`.
"""

import os as _os
import sys as _sys

# Python imports this package while `sys.argv[0]` is "-m" under
# `python -m keras_masked_relu...`: the command line and its workers, which print
# tables. Keep out of them the log lines TensorFlow writes when Keras imports it
# below; its note that oneDNN is on goes only with oneDNN's custom ops switched off.
if _sys.argv[:1] == ["-m"]:
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from keras_masked_relu import config, ops, regions
from keras_masked_relu.layers import (
    AdaptiveMixture,
    LearnableReLU,
    LearnableSwish,
    MaskedActivation,
    MaskedReLU,
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
