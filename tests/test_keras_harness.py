"""Keras's own layer checks (build, config, symbolic call, training, precision),
for every public layer of the package and each mask source."""

import keras
import numpy as np
import pytest
from keras.src import testing

import keras_masked_relu as kmr
from keras_masked_relu.regions import Circle

SHAPE = (2, 4, 5, 3)
WEIGHTED = np.linspace(0, 1, 20).reshape(4, 5)

# (id, layer class, init kwargs, input shape, trainable weights, non-trainable weights)
CASES = [
    ("masked_relu_array", kmr.MaskedReLU, {"mask": WEIGHTED, "shift": 0.2}, SHAPE, 0, 1),
    (
        "masked_relu_region",
        kmr.MaskedReLU,
        {"mask": Circle((2, 2), 1.5), "shift": 0.2},
        SHAPE,
        0,
        0,
    ),
    ("masked_relu_second_input", kmr.MaskedReLU, {"negative_slope": 0.1}, [SHAPE, SHAPE[:3]], 0, 0),
    (
        "masked_relu_learned_region",
        kmr.MaskedReLU,
        {"mask": Circle((2, 2), 1.5), "negative_slope": 0.1, "trainable_mask": True},
        SHAPE,
        1,
        0,
    ),
    (
        "masked_activation_region",
        kmr.MaskedActivation,
        {"mask": Circle((2, 2), 1.5, softness=1.0), "inside": "elu", "outside": "tanh"},
        SHAPE,
        0,
        0,
    ),
    (
        "masked_activation_learned_array_inner_layer",
        kmr.MaskedActivation,
        {
            "mask": WEIGHTED,
            # A config, so that each layer the harness makes gets its own inner layer.
            "inside": keras.saving.serialize_keras_object(kmr.LearnableReLU()),
            "trainable_mask": True,
        },
        SHAPE,
        3,
        0,
    ),
    ("sqrt_tanh", kmr.SqrtTanh, {}, SHAPE, 0, 0),
    ("scaled_relu", kmr.ScaledReLU, {"scale": 2.0, "shift": 0.1}, SHAPE, 0, 0),
    ("soft_clip", kmr.SoftClip, {"scale": 3.0}, SHAPE, 0, 0),
    ("learnable_relu", kmr.LearnableReLU, {"learnable_shift": True}, SHAPE, 3, 0),
    ("learnable_relu_shared_axes", kmr.LearnableReLU, {"shared_axes": [1, 2, 3]}, SHAPE, 2, 0),
    ("adaptive_mixture", kmr.AdaptiveMixture, {"per_channel": True}, SHAPE, 1, 0),
    ("polynomial", kmr.PolynomialActivation, {"degree": 4}, SHAPE, 1, 0),
    ("rational", kmr.RationalActivation, {"approximate": "tanh"}, SHAPE, 2, 0),
    ("learnable_swish", kmr.LearnableSwish, {"per_channel": True}, SHAPE, 1, 0),
    (
        "rational_grouped_version_a",
        kmr.RationalActivation,
        {"version": "A", "groups": 3},
        SHAPE,
        2,
        0,
    ),
    ("funnel_relu", kmr.FunnelReLU, {"kernel_size": 3}, SHAPE, 3, 2),
    ("acon", kmr.ACON, {"shared_axes": [1, 2]}, SHAPE, 3, 0),
    ("meta_acon", kmr.MetaACON, {"reduction": 2}, SHAPE, 6, 0),
]
WEIGHTLESS = (kmr.SqrtTanh, kmr.ScaledReLU, kmr.SoftClip)


def test_every_public_layer_has_a_case():
    public = {
        value
        for value in vars(kmr).values()
        if isinstance(value, type) and issubclass(value, keras.layers.Layer)
    }
    assert len(public) == 13
    assert public == {case[1] for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_keras_layer_harness(case):
    _, layer_cls, kwargs, shape, trainable, non_trainable = case
    two_inputs = isinstance(shape, list)
    testing.TestCase().run_layer_test(
        layer_cls,
        init_kwargs=kwargs,
        input_shape=shape,
        expected_output_shape=shape[0] if two_inputs else shape,
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=non_trainable,
        supports_masking=True,
        assert_built_after_instantiation=layer_cls in WEIGHTLESS,
        # Under TensorFlow the harness cannot feed a list of inputs to `fit`
        # (its generator's `output_signature` takes no list); a two-input
        # layer is trained in test_models.py::test_fit_step instead.
        run_training_check=not (two_inputs and keras.backend.backend() == "tensorflow"),
    )
