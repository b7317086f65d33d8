"""Masked and learnable activation layers for Keras 3.

The layers run unchanged under TensorFlow, JAX and PyTorch; their math lives in
`keras_masked_relu.ops` and the coordinate masks in `keras_masked_relu.regions`.
"""

from keras_masked_relu import ops
from keras_masked_relu import regions
from keras_masked_relu.layers import AdaptiveMixture
from keras_masked_relu.layers import LearnableReLU
from keras_masked_relu.layers import LearnableSwish
from keras_masked_relu.layers import MaskedActivation
from keras_masked_relu.layers import MaskedReLU
from keras_masked_relu.layers import PolynomialActivation
from keras_masked_relu.layers import RationalActivation
from keras_masked_relu.layers import ScaledReLU
from keras_masked_relu.layers import SoftClip
from keras_masked_relu.layers import SqrtTanh
from keras_masked_relu.regions import Box
from keras_masked_relu.regions import Circle
from keras_masked_relu.regions import Difference
from keras_masked_relu.regions import Ellipse
from keras_masked_relu.regions import Intersection
from keras_masked_relu.regions import Invert
from keras_masked_relu.regions import Polygon
from keras_masked_relu.regions import Union

__version__ = "0.1.0"
