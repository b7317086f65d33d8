"""Keras's own layer checks (build, config, symbolic call, training, precision),
for every case of every layer in the catalogue."""

import keras
import pytest
from catalogue import ENTRIES
from keras.src import testing

CASES = [(entry, case) for entry in ENTRIES for case in entry.harness]


@pytest.mark.parametrize("entry,case", CASES, ids=[case.id for _, case in CASES])
def test_keras_layer_harness(entry, case):
    shape = case.input_shape
    two_inputs = isinstance(shape, list)
    testing.TestCase().run_layer_test(
        entry.layer,
        init_kwargs=case.kwargs,
        input_shape=shape,
        expected_output_shape=shape[0] if two_inputs else shape,
        expected_num_trainable_weights=case.trainable_weights,
        expected_num_non_trainable_weights=case.non_trainable_weights,
        supports_masking=True,
        assert_built_after_instantiation=entry.built_when_made,
        # Under TensorFlow the harness cannot feed a list of inputs to `fit`
        # (its generator's `output_signature` takes no list); a two-input
        # layer is trained in test_models.py::test_fit_step instead.
        run_training_check=not (two_inputs and keras.backend.backend() == "tensorflow"),
    )
