"""Keras's own layer checks (build, config, symbolic call, training, precision)."""

import numpy as np
from keras.src import testing

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Circle


class KerasHarnessTest(testing.TestCase):
    def test_masked_relu_array(self):
        self.run_layer_test(
            MaskedReLU,
            init_kwargs={"mask": np.linspace(0, 1, 20).reshape(4, 5), "shift": 0.2},
            input_shape=(2, 4, 5, 3),
            expected_output_shape=(2, 4, 5, 3),
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=1,
            supports_masking=True,
        )

    def test_masked_relu_learned_region(self):
        self.run_layer_test(
            MaskedReLU,
            init_kwargs={"mask": Circle((2, 2), 1.5), "negative_slope": 0.1, "trainable_mask": True},
            input_shape=(2, 4, 5, 3),
            expected_output_shape=(2, 4, 5, 3),
            expected_num_trainable_weights=1,
            expected_num_non_trainable_weights=0,
            supports_masking=True,
        )

    def test_masked_activation_region(self):
        self.run_layer_test(
            MaskedActivation,
            init_kwargs={"mask": Circle((2, 2), 1.5, softness=1.0), "inside": "elu", "outside": "tanh"},
            input_shape=(2, 4, 5, 3),
            expected_output_shape=(2, 4, 5, 3),
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            supports_masking=True,
        )
