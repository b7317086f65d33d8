"""Masked and learnable activation layers for Keras 3.

The layers run unchanged under TensorFlow, JAX and PyTorch; their math lives in
`keras_masked_relu.ops` and the coordinate masks in `keras_masked_relu.regions`.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from keras_masked_relu import config, openvino_precision, ops, regions
from keras_masked_relu.activation_replacement import ActivationSite, replace_activations
from keras_masked_relu.feature_pyramid_model import FeaturePyramidModel
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
    Cuboid,
    Difference,
    Ellipse,
    Ellipsoid,
    Intersection,
    Interval,
    Invert,
    Polygon,
    Sphere,
    Union,
)

try:
    __version__ = _version("keras-masked-relu")
except _PackageNotFoundError:  # a source tree on the path, never installed
    __version__ = "unknown"
