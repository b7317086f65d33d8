"""A small image model that holds every layer of the package.

Used by the cross-backend checks and the export checks: each mask source, each
learnable and fixed activation (FReLU, ACON-C, Meta-ACON and a grouped version-A
rational included), and nested `MaskedActivation`s.
"""

import keras
import numpy as np

from keras_masked_relu import layers as kl
from keras_masked_relu.regions import Box, Circle, Ellipse, Polygon

IMAGE = 16


def build_model(image=IMAGE, channels=3, width=8, seed=0):
    """Builds the model; inputs are an image and a per-image mask in [0, 1].

    Args:
        image: Height and width of the square images.
        channels: Channels of the image input.
        width: Channels of the hidden feature maps.
        seed: Seed of the NumPy masks and of the weights.

    Returns:
        A functional `keras.Model` with inputs `image` of shape
        `(image, image, channels)` and `mask` of shape `(image, image)`, and
        one sigmoid output.
    """
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    binary = (rng.random((image, image)) > 0.5).astype("float32")
    weighted = rng.random((image, image)).astype("float32")
    # Masks at twice the image's resolution, resized to the pooled feature maps.
    fine_binary = (rng.random((2 * image, 2 * image)) > 0.5).astype("float32")
    fine_weighted = rng.random((2 * image, 2 * image)).astype("float32")
    fov = Circle(center=(0.5, 0.5), radius=0.45, relative=True, softness=2.0)
    notch = Polygon([(0.0, 0.0), (0.4, 0.0), (0.0, 0.4)], relative=True)
    # A soft edge gives a learned mask room to move (see README, learned masks).
    lens = Ellipse(center=(0.6, 0.4), radii=(0.3, 0.2), angle=25, relative=True, softness=3.0)

    x_in = keras.Input((image, image, channels), name="image")
    m_in = keras.Input((image, image), name="mask")
    conv = lambda: keras.layers.Conv2D(width, 3, padding="same")  # noqa: E731
    h = conv()(x_in)
    h = kl.MaskedReLU(binary, shift=0.2, name="binary_array")(h)
    h = kl.MaskedReLU(
        weighted, negative_slope=0.1, max_value=3.0, threshold=0.05, name="weighted_array"
    )(h)
    h = kl.MaskedReLU((fov - notch) | Box((0, 0), (3, 3)), shift=-0.1, name="region")(h)
    h = kl.MaskedReLU(shift=0.3, negative_slope=0.2, name="second_input")([h, m_in])
    h = conv()(h)
    h = kl.MaskedReLU(lens, shift=0.1, trainable_mask=True, name="learned_region")(h)
    h = kl.MaskedActivation(
        weighted, inside="elu", outside="relu", trainable_mask=True, name="learned_array"
    )(h)
    h = kl.MaskedActivation(
        fov,
        inside=kl.LearnableReLU(learnable_shift=True),
        outside=kl.RationalActivation(approximate="leaky_relu"),
        name="nested",
    )(h)
    h = kl.MaskedActivation(
        inside=kl.LearnableSwish(per_channel=True), outside="silu", name="nested_input"
    )([h, m_in])
    h = conv()(h)
    h = keras.layers.Conv2D(width, 3, strides=2, padding="same")(h)
    h = kl.MaskedReLU(fine_binary, shift=0.1, mask_interpolation="nearest", name="resized_nearest")(
        h
    )
    h = kl.MaskedReLU(
        fine_weighted,
        negative_slope=0.1,
        trainable_mask=True,
        mask_interpolation="bilinear",
        name="resized_learned",
    )(h)
    h = kl.MaskedReLU(shift=0.2, mask_interpolation="area", name="resized_input")([h, m_in])
    for layer in (
        kl.SqrtTanh(),
        kl.ScaledReLU(scale=1.2, shift=0.1),
        kl.SoftClip(scale=4.0),
        kl.LearnableReLU(shared_axes=[3]),
        kl.AdaptiveMixture(per_channel=True),
        kl.PolynomialActivation(degree=3),
        kl.RationalActivation(approximate="gelu"),
        kl.LearnableSwish(),
        kl.FunnelReLU(),
        kl.ACON(),
        kl.MetaACON(reduction=2),
        kl.RationalActivation(approximate="tanh", version="A", groups=4),
    ):
        h = layer(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model([x_in, m_in], out, name="all_layers")


def sample_inputs(n, image=IMAGE, channels=3, seed=0):
    """Random inputs for the model: normal images and uniform masks."""
    rng = np.random.default_rng(seed)
    return [
        rng.normal(size=(n, image, image, channels)).astype("float32"),
        rng.random((n, image, image)).astype("float32"),
    ]
