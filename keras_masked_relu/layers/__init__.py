"""The package's Keras layers."""

from keras_masked_relu.layers.masked_activation import MaskedActivation
from keras_masked_relu.layers.masked_layer import MaskedLayer
from keras_masked_relu.layers.masked_relu import MaskedReLU
