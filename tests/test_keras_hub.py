"""keras-hub backbones, built from their constructors, retrofitted (SPEC §7).

Each backbone of `keras_hub_backbones.py` is retrofitted with `replace_activations`
under this process's backend. The expected counts are read off each architecture
(its stacks and blocks, written out in `EXPECTED`); the expected outputs are the
original model's where the replacement computes the same function (a mask that is
empty, or full, of the original rule), compared by the rule of SPEC §5.
"""

import warnings

import keras
import numpy as np
import pytest
from backend_utils import to_numpy
from keras_hub_backbones import BUILDERS, classifier, resnet_v1

from keras_masked_relu import (
    FeaturePyramidModel,
    MaskedActivation,
    MaskedReLU,
    replace_activations,
)
from keras_masked_relu.regions import Circle
from keras_masked_relu.tools.rule import TOLERANCES, scaled_difference

TOL = TOLERANCES["float32"].outputs
NOWHERE = Circle(center=(-100, -100), radius=1)  # no pixel of any image lies inside
EVERYWHERE = ~NOWHERE
FOV = Circle(center=(0.5, 0.5), radius=0.4, relative=True, softness=1.0)

# The activation each backbone is made of.
NAMES = {"cspnet": ("leaky_relu",), "efficientnet": ("silu",)}

# (activations `make_layer` is offered, activations it cannot reach) for `NAMES`:
# ResNet: the stem, two per basic block (4 blocks); VGG: 3 convolutions with a fused
# ReLU; DenseNet: the stem, 3 per dense block (2 blocks), the transition; Xception: 7
# in its blocks; CSPNet: 13 LeakyReLUs; EfficientNet: 6 standalone SiLUs and 2 fused
# into the squeeze-and-excite convolutions. MobileNet: every ReLU lies inside
# keras-hub's `DepthwiseConvBlock` (1, and 1 in its squeeze-and-excite),
# `InvertedResidualBlock` (2) and `SqueezeAndExcite2D` (2); DeepLabV3: the encoder's
# 9 and the decoder's 2, and 4 inside `SpatialPyramidPooling`; RetinaNet: the
# encoder's 9, and `FeaturePyramid` applies `relu` in its `call`.
EXPECTED = {
    "resnet_v1": (9, 0),
    "resnet_v2": (9, 0),
    "resnet_dynamic": (9, 0),
    "vgg": (3, 0),
    "densenet": (7, 0),
    "xception": (7, 0),
    "cspnet": (13, 0),
    "efficientnet": (8, 0),
    "mobilenet": (0, 6),
    "deeplab_v3": (11, 4),
    "retinanet": (9, 1),
}

_BUILT = {}


def backbone(name):
    """Each backbone is built once per process: building is the slow part under JAX."""
    if name not in _BUILT:
        keras.utils.set_random_seed(0)
        _BUILT[name] = BUILDERS[name]()
    return _BUILT[name]


def images(n=2, size=32, seed=0):
    return np.random.default_rng(seed).normal(size=(n, size, size, 3)).astype("float32")


def outputs(model, x):
    return [to_numpy(o) for o in keras.tree.flatten(model(x))]


def retrofit(model, make_layer, name):
    """`replace_activations`, and the unreachable activations it warned of."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        new_model = replace_activations(model, make_layer, activations=NAMES.get(name, ("relu",)))
    warned = [str(w.message) for w in caught if "cannot reach" in str(w.message)]
    return new_model, warned


def largest_difference(a, b):
    return max(scaled_difference(x, y) for x, y in zip(a, b))


def test_every_backbone_has_its_expected_counts():
    assert set(EXPECTED) == set(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_retrofitted_backbone(name, tmp_path):
    model = backbone(name)
    offered, unreachable = EXPECTED[name]
    x = images()
    original = outputs(model, x)

    received = []

    def nowhere(activation, site):
        received.append(site)
        return MaskedActivation(NOWHERE, inside="elu", outside=activation)

    empty, warned = retrofit(model, nowhere, name)
    assert len(received) == offered, [s.path for s in received]
    if unreachable:
        (message,) = warned
        assert message.count("\n  - ") == unreachable, message
        with pytest.raises(ValueError, match="cannot reach"):
            replace_activations(model, nowhere, activations=NAMES.get(name, ("relu",)), strict=True)
    else:
        assert not warned
    # Every site is an image: the spatial masks are built for each.
    assert all(len(site.input_shape) == 4 for site in received)
    assert largest_difference(outputs(empty, x), original) <= TOL

    full, _ = retrofit(
        model, lambda activation: MaskedActivation(EVERYWHERE, inside=activation), name
    )
    assert largest_difference(outputs(full, x), original) <= TOL

    fov, _ = retrofit(
        model, lambda activation: MaskedActivation(FOV, inside="elu", outside=activation), name
    )
    changed = largest_difference(outputs(fov, x), original)
    # A field of view changes the output exactly where the function could reach.
    assert (changed > 1e-3) if offered else (changed == 0.0), changed

    if name == "deeplab_v3":
        return  # keras-hub's `SpatialPyramidPooling` does not reload in a functional model
    path = tmp_path / f"{name}.keras"
    fov.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    assert largest_difference(outputs(restored, x), outputs(fov, x)) == 0.0
    if hasattr(model, "pyramid_outputs"):
        assert isinstance(restored, FeaturePyramidModel)
        assert sorted(restored.pyramid_outputs) == sorted(model.pyramid_outputs)


def test_retrofitted_classifier_trains_and_reloads(tmp_path):
    """keras-hub's `ImageClassifier` on a retrofitted backbone, with a learned mask."""
    keras.utils.set_random_seed(1)
    retrofitted, _ = retrofit(
        resnet_v1(),
        lambda activation: MaskedReLU(FOV, shift=0.1, trainable_mask=True),
        "resnet_v1",
    )
    model = classifier(retrofitted, num_classes=3)
    # Adam moves each weight that has a gradient by about its learning rate. The logits
    # of the 1x1 feature maps' masks start near saturation (about 6.9), where SGD's steps
    # can fall below float32's resolution: with other initial weights, one did not move.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    x, y = images(8, seed=3), np.arange(8) % 3
    masks = [w for w in model.trainable_weights if w.path.endswith("mask_logits")]
    assert len(masks) == 9
    before = [to_numpy(w) for w in masks]
    losses = [model.train_on_batch(x, y, return_dict=True)["loss"] for _ in range(3)]
    assert np.isfinite(np.asarray(losses, float)).all()
    assert all(np.abs(to_numpy(w) - b).max() > 0 for w, b in zip(masks, before))
    path = tmp_path / "classifier.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))


@pytest.mark.parametrize("task", ["deeplab_v3", "retinanet"])
def test_a_task_backbone_on_a_retrofitted_encoder_saves_and_reloads(task, tmp_path):
    """The `pyramid_outputs` of a retrofitted ResNet (a `FeaturePyramidModel`) feed
    keras-hub's DeepLabV3 and RetinaNet backbones, which save and reload."""
    encoder, _ = retrofit(resnet_v1(), lambda a: MaskedReLU(FOV, shift=0.1), "resnet_v1")
    assert isinstance(encoder, FeaturePyramidModel)
    model = BUILDERS[task](image_encoder=encoder)
    x = images()
    path = tmp_path / f"{task}.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    assert largest_difference(outputs(restored, x), outputs(model, x)) == 0.0
    masked = [layer for layer in restored.image_encoder.layers if isinstance(layer, MaskedReLU)]
    assert len(masked) == 9


def test_spatial_pyramid_pooling_does_not_reload_in_a_functional_model(tmp_path):
    """The upstream failure behind the DeepLabV3 reload (docs: retrofitting guide).

    `SpatialPyramidPooling.build` computes `input_shape[:-1] + (channels,)`; a
    functional model's loader passes it the saved `input_shape`, a JSON list.
    Without this package, and without `replace_activations`."""
    from keras_hub.src.models.deeplab_v3.deeplab_v3_layers import SpatialPyramidPooling

    inputs = keras.Input((8, 8, 4))
    model = keras.Model(inputs, SpatialPyramidPooling(dilation_rates=[2])(inputs))
    model.save(tmp_path / "spp.keras")
    with pytest.raises(TypeError, match='can only concatenate list \\(not "tuple"\\) to list'):
        keras.saving.load_model(tmp_path / "spp.keras")
