"""A tiny U-Net in which one mask serves a `MaskedReLU` at every scale (SPEC 3.5).

Two stride-2 convolutions take the image down to 1/2 and 1/4 of its size; an
upsampling and a transposed convolution bring it back, with `Concatenate` skip
connections. Each of the five `MaskedReLU`s (full, 1/2, 1/4, then 1/2, full
resolution) gets the same mask at the image's resolution and resizes it with
`mask_interpolation`: a calibration array, or a second model input.

With `dimensions=3` it is a 3-D U-Net of volumes `(D, H, W, C)` with a
calibration volume, and `roi` adds a `MaskedReLU` of a region (a `Sphere`)
before the head.

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
ROI_LAYER = ("conv_roi", "masked_roi", 1)


def make_calibration(image=64, seed=0, dimensions=2):
    """A soft calibration map in [0, 1] at the image's resolution: a vignette with noise."""
    rng = np.random.default_rng(seed)
    centres = (np.arange(image) + 0.5) / image - 0.5
    radius2 = sum(np.meshgrid(*[centres**2] * dimensions, indexing="ij"))
    vignette = np.clip(1.0 - 2.0 * radius2, 0.0, 1.0)
    return (0.5 * vignette + 0.5 * rng.random((image,) * dimensions)).astype("float32")


def sample_images(n, image=64, channels=1, seed=0, dimensions=2):
    shape = (n,) + (image,) * dimensions + (channels,)
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


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
    names = [layer.name for layer in model.layers]
    convs = [conv for conv, _, _ in MASKED_LAYERS + (ROI_LAYER,) if conv in names]
    pre_activations = keras.Model(model.inputs, [model.get_layer(c).output for c in convs])
    dimensions = len(model.inputs[0].shape) - 2
    for seed in range(tries):
        images = sample_images(n, image, seed=seed, dimensions=dimensions)
        values = [keras.ops.convert_to_numpy(h) for h in pre_activations(images)]
        distance = min(np.abs(v[..., None] - np.array([0.0, SHIFT])).min() for v in values)
        if distance >= margin:
            return images, seed
    raise RuntimeError(f"No images among {tries} seeds keep {margin} from every kink")


def smooth_target(images):
    """A target the U-Net can learn: each pixel's channel mean, halved, plus 0.1."""
    return (0.5 * images.mean(axis=-1, keepdims=True) + 0.1).astype("float32")


def build_unet(
    calibration,
    image=64,
    channels=1,
    width=4,
    interpolation="area",
    second_input=False,
    dimensions=2,
    roi=None,
):
    """Builds the U-Net.

    Args:
        calibration: The mask, an array in [0, 1] of the image's size (`(image,
            image)`, or `(image, image, image)` for volumes); ignored when
            `second_input` is true.
        image: Size of the image input along each spatial axis (array masks only).
        channels: Channels of the image input.
        width: Channels at full resolution (doubled at each downsampling).
        interpolation: `mask_interpolation` of every `MaskedReLU`.
        second_input: Take the mask as a second input `(None, None)` at the
            image's resolution, with an image input `(None, None, channels)`.
        dimensions: 2 for images, 3 for volumes.
        roi: `None`, or a region for a `MaskedReLU` named `"masked_roi"`
            after one more convolution, before the head.

    Returns:
        A functional `keras.Model` with one linear output channel at full
        resolution. Its layers are named as in `MASKED_LAYERS`.
    """
    if second_input:
        x_in = keras.Input((None,) * dimensions + (channels,), name="image")
        m_in = keras.Input((None,) * dimensions, name="mask")
        inputs = [x_in, m_in]
    else:
        x_in = keras.Input((image,) * dimensions + (channels,), name="image")
        inputs = x_in
    conv_class, up_class, transpose_class = {
        2: (keras.layers.Conv2D, keras.layers.UpSampling2D, keras.layers.Conv2DTranspose),
        3: (keras.layers.Conv3D, keras.layers.UpSampling3D, keras.layers.Conv3DTranspose),
    }[dimensions]

    def masked(h, name):
        mask = None if second_input else calibration
        layer = MaskedReLU(mask, shift=SHIFT, mask_interpolation=interpolation, name=name)
        return layer([h, m_in]) if second_input else layer(h)

    def conv(filters, name, strides=1):
        return conv_class(filters, 3, strides=strides, padding="same", name=name)

    full = masked(conv(width, "conv_full")(x_in), "masked_full")
    half = masked(conv(2 * width, "conv_half", strides=2)(full), "masked_half")
    quarter = masked(conv(4 * width, "conv_quarter", strides=2)(half), "masked_quarter")
    h = up_class(2, name="up_half")(quarter)
    h = keras.layers.Concatenate(name="skip_half")([h, half])
    h = masked(conv(2 * width, "conv_up_half")(h), "masked_up_half")
    h = transpose_class(width, 2, strides=2, name="up_full")(h)
    h = keras.layers.Concatenate(name="skip_full")([h, full])
    h = masked(conv(width, "conv_up_full")(h), "masked_up_full")
    if roi is not None:
        h = MaskedReLU(roi, shift=SHIFT, name="masked_roi")(conv(width, "conv_roi")(h))
    out = conv_class(1, 1, name="head")(h)
    return keras.Model(inputs, out, name="unet")
