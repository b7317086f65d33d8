"""The package's Keras layers."""

from keras_masked_relu.layers.acon import ACON
from keras_masked_relu.layers.adaptive_mixture import AdaptiveMixture
from keras_masked_relu.layers.fixed_activations import ScaledReLU, SoftClip, SqrtTanh
from keras_masked_relu.layers.funnel_relu import FunnelReLU
from keras_masked_relu.layers.learnable_relu import LearnableReLU
from keras_masked_relu.layers.learnable_swish import LearnableSwish
from keras_masked_relu.layers.masked_activation import MaskedActivation
from keras_masked_relu.layers.masked_layer import MaskedLayer
from keras_masked_relu.layers.masked_relu import MaskedReLU
from keras_masked_relu.layers.meta_acon import MetaACON
from keras_masked_relu.layers.polynomial_activation import PolynomialActivation
from keras_masked_relu.layers.rational_activation import RationalActivation
