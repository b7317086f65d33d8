"""A tiny U-Net in which one mask serves a `MaskedReLU` at every scale (SPEC 3.5).

Two stride-2 convolutions take the image down to 1/2 and 1/4 of its size; an
`UpSampling2D` and a `Conv2DTranspose` bring it back, with `Concatenate` skip
connections. Each of the five `MaskedReLU`s (full, 1/2, 1/4, then 1/2, full
resolution) gets the same mask at the image's resolution and resizes it with
`mask_interpolation`: a calibration array, or a second model input.

Used by `test_unet.py` and by the cross-backend checks (`save_unet.py`).
"""

import keras
import numpy as np

from keras_masked_relu import MaskedReLU

SHIFT = 0.2

# (pre-activation layer, masked layer, downsampling factor) in the order they run.
MASKED_LAYERS = (
    ("conv_full", "masked_full", 1),
    ("conv_half", "masked_half", 2),
    ("conv_quarter", "masked_quarter", 4),
    ("conv_up_half", "masked_up_half", 2),
    ("conv_up_full", "masked_up_full", 1),
)


def make_calibration(image=64, seed=0):
    """A soft calibration map in [0, 1] at the image's resolution: a vignette with noise."""
    rng = np.random.default_rng(seed)
    centres = (np.arange(image) + 0.5) / image - 0.5
    radius2 = centres[:, None] ** 2 + centres[None, :] ** 2
    vignette = np.clip(1.0 - 2.0 * radius2, 0.0, 1.0)
    return (0.5 * vignette + 0.5 * rng.random((image, image))).astype("float32")


def sample_images(n, image=64, channels=1, seed=0):
    return np.random.default_rng(seed).normal(size=(n, image, image, channels)).astype("float32")


def images_away_from_kinks(model, n=1, image=64, margin=4e-6, tries=100):
    """Images on which every `MaskedReLU` input is at least `margin` from a kink.

    `relu(x) - m * clip(x, 0, SHIFT)` bends at 0 and at `SHIFT`. Backends
    round a pre-activation differently by up to about 1.2e-6 (measured); one
    that rounds to either side of a kink takes either slope, and the weight
    gradients, sums over every pixel, then differ by the jump. Comparing
    gradients across backends is only meaningful away from the kinks. About one
    pre-activation of a 64x64 image lies within 4e-6 of one, so about a
    third of the seeds qualify.

    Returns:
        `(images, seed)` for the first seed from 0 whose images qualify.
    """
    pre_activations = keras.Model(
        model.inputs, [model.get_layer(conv).output for conv, _, _ in MASKED_LAYERS]
    )
    for seed in range(tries):
        images = sample_images(n, image, seed=seed)
        values = [keras.ops.convert_to_numpy(h) for h in pre_activations(images)]
        distance = min(np.abs(v[..., None] - np.array([0.0, SHIFT])).min() for v in values)
        if distance >= margin:
            return images, seed
    raise RuntimeError(f"No images among {tries} seeds keep {margin} from every kink")


def smooth_target(images):
    """A target the U-Net can learn: each pixel's channel mean, halved, plus 0.1."""
    return (0.5 * images.mean(axis=-1, keepdims=True) + 0.1).astype("float32")


def build_unet(
    calibration, image=64, channels=1, width=4, interpolation="area", second_input=False
):
    """Builds the U-Net.

    Args:
        calibration: The mask, a `(image, image)` array in [0, 1]; ignored when
            `second_input` is true.
        image: Height and width of the image input (array masks only).
        channels: Channels of the image input.
        width: Channels at full resolution (doubled at each downsampling).
        interpolation: `mask_interpolation` of every `MaskedReLU`.
        second_input: Take the mask as a second input `(None, None)` at the
            image's resolution, with an image input `(None, None, channels)`.

    Returns:
        A functional `keras.Model` with one linear output channel at full
        resolution. Its layers are named as in `MASKED_LAYERS`.
    """
    if second_input:
        x_in = keras.Input((None, None, channels), name="image")
        m_in = keras.Input((None, None), name="mask")
        inputs = [x_in, m_in]
    else:
        x_in = keras.Input((image, image, channels), name="image")
        inputs = x_in

    def masked(h, name):
        mask = None if second_input else calibration
        layer = MaskedReLU(mask, shift=SHIFT, mask_interpolation=interpolation, name=name)
        return layer([h, m_in]) if second_input else layer(h)

    def conv(filters, name, strides=1):
        return keras.layers.Conv2D(filters, 3, strides=strides, padding="same", name=name)

    full = masked(conv(width, "conv_full")(x_in), "masked_full")
    half = masked(conv(2 * width, "conv_half", strides=2)(full), "masked_half")
    quarter = masked(conv(4 * width, "conv_quarter", strides=2)(half), "masked_quarter")
    h = keras.layers.UpSampling2D(2, name="up_half")(quarter)
    h = keras.layers.Concatenate(name="skip_half")([h, half])
    h = masked(conv(2 * width, "conv_up_half")(h), "masked_up_half")
    h = keras.layers.Conv2DTranspose(width, 2, strides=2, name="up_full")(h)
    h = keras.layers.Concatenate(name="skip_full")([h, full])
    h = masked(conv(width, "conv_up_full")(h), "masked_up_full")
    out = keras.layers.Conv2D(1, 1, name="head")(h)
    return keras.Model(inputs, out, name="unet")
