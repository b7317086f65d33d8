"""Tiny, randomly initialised keras-hub (0.32) vision backbones, built from their constructors.

`BUILDERS` maps a name to a function that returns a freshly built backbone; nothing is
downloaded (no presets, no weights). Each model takes `(32, 32, 3)` images (`resnet_dynamic`
takes any size) and is as small as its constructor allows:

- `resnet_v1`, `resnet_v2`, `resnet_dynamic`: `ResNetBackbone` with basic blocks, post- and
  pre-activation, the last with `image_shape=(None, None, 3)`; four one-block stacks, so that
  the pyramid outputs `P2` to `P5` exist.
- `vgg`, `densenet`, `xception`, `cspnet` (a CSPDarkNet: `LeakyReLU`s), `mobilenet`
  (MobileNetV3-style: its blocks are custom layers).
- `efficientnet`: `EfficientNetBackbone` with EfficientNet-V1 (`"v1"`) blocks, which
  keras-hub builds from plain Keras layers; the `"unfused"` / `"fused"` block types are the
  V2 `MBConvBlock` / `FusedMBConvBlock` custom layers.
- `deeplab_v3`: `DeepLabV3Backbone` (DeepLabV3+) on a tiny ResNet `image_encoder`. Its
  `SpatialPyramidPooling` and head have 256 channels whatever the encoder (~410k parameters).
- `retinanet`: `RetinaNetBackbone` on a tiny ResNet `image_encoder`. keras-hub's
  `FeaturePyramid` has 256 filters whatever the encoder (~1.3M parameters); `P7` is made so
  that the pyramid's own activation (a function call, not a layer) runs.

`classifier(backbone)` puts keras-hub's generic `ImageClassifier` head (pooling, dense) on a
backbone with a single image output (not `retinanet`, whose output is a dict of levels).
"""

import keras_hub

IMAGE_SHAPE = (32, 32, 3)


def _resnet(pre_activation=False, image_shape=IMAGE_SHAPE):
    # keras-hub requires 64 filters in the first stack; with basic blocks its identity
    # shortcut then needs 64 input-convolution filters too.
    return keras_hub.models.ResNetBackbone(
        input_conv_filters=[64],
        input_conv_kernel_sizes=[3],
        stackwise_num_filters=[64, 16, 16, 16],
        stackwise_num_blocks=[1, 1, 1, 1],
        stackwise_num_strides=[1, 2, 2, 2],
        block_type="basic_block",
        use_pre_activation=pre_activation,
        image_shape=image_shape,
    )


def resnet_v1():
    return _resnet(pre_activation=False)


def resnet_v2():
    return _resnet(pre_activation=True)


def resnet_dynamic():
    return _resnet(pre_activation=False, image_shape=(None, None, 3))


def vgg():
    return keras_hub.models.VGGBackbone(
        stackwise_num_repeats=[1, 2],
        stackwise_num_filters=[8, 16],
        image_shape=IMAGE_SHAPE,
    )


def densenet():
    # The stem convolution always has 64 filters.
    return keras_hub.models.DenseNetBackbone(
        stackwise_num_repeats=[1, 1],
        growth_rate=8,
        image_shape=IMAGE_SHAPE,
    )


def xception():
    # Four blocks: the first (plain convolutions) and last (post-activation) are special,
    # the second's first convolution has no activation, the third is a full middle block.
    # A pooling block must change the number of filters (its shortcut is then a strided
    # pointwise convolution; an identity shortcut would not match).
    return keras_hub.models.XceptionBackbone(
        stackwise_conv_filters=[[8, 16], [16, 24], [24, 24], [32, 32]],
        stackwise_pooling=[False, True, False, False],
        image_shape=IMAGE_SHAPE,
    )


def cspnet():
    # The CSPDarkNet-53 recipe (keras-hub's timm converter), shrunk.
    return keras_hub.models.CSPNetBackbone(
        stem_filters=8,
        stem_kernel_size=3,
        stem_strides=1,
        stackwise_depth=[1, 1],
        stackwise_strides=[2, 2],
        stackwise_num_filters=[16, 32],
        block_type="dark_block",
        stage_type="csp",
        bottle_ratio=[0.5, 1.0],
        block_ratio=[1.0, 0.5],
        expand_ratio=[2.0, 1.0],
        stem_padding="same",
        down_growth=True,
        image_shape=IMAGE_SHAPE,
    )


def efficientnet():
    # EfficientNet-B0's settings (keras-hub's timm converter) with one stack of two blocks:
    # expansion, squeeze-and-excite, then a residual block. Its few distinct weight shapes
    # keep JAX's per-shape compilation of the initializers short.
    return keras_hub.models.EfficientNetBackbone(
        stackwise_width_coefficients=[1.0],
        stackwise_depth_coefficients=[1.0],
        stackwise_kernel_sizes=[3],
        stackwise_num_repeats=[2],
        stackwise_input_filters=[16],
        stackwise_output_filters=[16],
        stackwise_expansion_ratios=[4],
        stackwise_strides=[2],
        stackwise_squeeze_and_excite_ratios=[0.25],
        stackwise_block_types=["v1"],
        min_depth=None,
        include_stem_padding=True,
        use_depth_divisor_as_min_depth=True,
        cap_round_filter_decrease=True,
        stem_conv_padding="valid",
        dropout=0.0,
        num_features=32,
        input_shape=IMAGE_SHAPE,
    )


def mobilenet():
    # MobileNetV3-small's layout (keras-hub's timm converter) with two stacks: ReLU then
    # hard-swish blocks, one with squeeze-and-excite.
    return keras_hub.models.MobileNetBackbone(
        stackwise_expansion=[[16], [32, 32]],
        stackwise_num_blocks=[1, 2],
        stackwise_num_filters=[[8], [16, 16]],
        stackwise_kernel_size=[[3], [5, 5]],
        stackwise_num_strides=[[2], [2, 1]],
        stackwise_se_ratio=[[None], [0.25, 0.25]],
        stackwise_activation=[["relu"], ["hard_swish", "hard_swish"]],
        stackwise_padding=[[1], [2, 2]],
        output_num_filters=32,
        depthwise_filters=8,
        depthwise_stride=2,
        depthwise_residual=False,
        last_layer_filter=32,
        squeeze_and_excite=0.5,
        input_activation="hard_swish",
        output_activation="hard_swish",
        input_num_filters=8,
        image_shape=IMAGE_SHAPE,
    )


def deeplab_v3(image_encoder=None):
    # DeepLabV3+: pyramid pooling of P4 (2x2), upsampled 4x to meet the P2 (8x8) decoder
    # features, then 4x more to the image size.
    return keras_hub.models.DeepLabV3Backbone(
        image_encoder=_resnet() if image_encoder is None else image_encoder,
        spatial_pyramid_pooling_key="P4",
        upsampling_size=4,
        dilation_rates=[2],
        low_level_feature_key="P2",
        projection_filters=8,
        image_shape=IMAGE_SHAPE,
    )


def retinanet(image_encoder=None):
    # One backbone level (P5); P6 and P7 are the pyramid's strided convolutions, and P7's
    # input goes through the pyramid's activation.
    return keras_hub.models.RetinaNetBackbone(
        image_encoder=_resnet() if image_encoder is None else image_encoder,
        min_level=5,
        max_level=7,
        use_p5=True,
        image_shape=IMAGE_SHAPE,
    )


BUILDERS = {
    "resnet_v1": resnet_v1,
    "resnet_v2": resnet_v2,
    "resnet_dynamic": resnet_dynamic,
    "vgg": vgg,
    "densenet": densenet,
    "xception": xception,
    "cspnet": cspnet,
    "efficientnet": efficientnet,
    "mobilenet": mobilenet,
    "deeplab_v3": deeplab_v3,
    "retinanet": retinanet,
}


def classifier(backbone, num_classes=3):
    """keras-hub's `ImageClassifier` (average pooling, dense) on `backbone`, no preprocessor."""
    return keras_hub.models.ImageClassifier(
        backbone=backbone, num_classes=num_classes, preprocessor=None
    )
