"""A region on channels-first images whose size is known only at run time.

A region layer draws its mask with NumPy (`Region.to_numpy`) when the image
size is known where it is called, and with `keras.ops` (`Region.rasterize`)
when it is not. The tests count the calls of both and assert which one drew
the mask, by backend and call style:

- eager `model(x)`: `to_numpy` on every backend.
- `model.predict(x)`: TensorFlow draws with `to_numpy` for the first size,
  with `rasterize` once a second size makes `tf.function` retrace with
  `None` sizes, and reuses that graph for the third size. JAX draws with
  `to_numpy` (`jax.jit` traces with concrete shapes); PyTorch with
  `to_numpy` (it runs eagerly).
- symbolic sizes, through the layer: `rasterize` on every backend, under
  `tf.function` with an `input_signature` of `None` sizes (TensorFlow),
  `jax.export` with a symbolic shape (JAX), and `torch.export` with
  `Dim.AUTO` sizes (PyTorch, which then specializes the exported size).

So `model.predict` reaches `rasterize` only under TensorFlow; the last row
takes it through the layer under every backend, and
`test_rasterize_with_tensor_sizes` calls `rasterize` with tensor sizes
directly.
"""

import keras
import numpy as np
import pytest
import reference as ref

from keras_masked_relu import MaskedReLU
from keras_masked_relu.regions import Box, Circle

C = 3
SIZES = [(7, 12), (13, 9), (10, 16)]  # non-square, both orientations
PARAMS = dict(shift=0.4, negative_slope=0.1)
# Not symmetric under swapping rows and columns: drawn on the wrong axes, it fails.
REGION = Box((0.1, 0.2), (0.45, 0.9), relative=True) | Circle(
    (0.7, 0.3), 0.2, relative=True, softness=1.0
)


def reference_mask(h, w):
    """The region's (h, w) mask from the per-pixel reference: the union is a maximum."""
    box = ref.box(h, w, (0.1, 0.2), (0.45, 0.9), relative=True)
    circle = ref.circle(h, w, (0.7, 0.3), 0.2, relative=True, softness=1.0)
    return np.maximum(box, circle)


def expected_output(x):
    """The layer's output for channels-first `x`, from the reference."""
    mask = reference_mask(*x.shape[2:])[None, None]
    return ref.masked_relu(x, mask, **PARAMS)


def image(rng, h, w):
    return rng.normal(scale=2.0, size=(2, C, h, w)).astype("float32")


def check(y, x):
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), expected_output(x), atol=1e-6)


@pytest.fixture
def draws(monkeypatch):
    """The list of the region's drawing calls, `"to_numpy"` or `"rasterize"`, in order."""
    calls = []
    cls = type(REGION)
    rasterize, to_numpy = cls.rasterize, cls.to_numpy

    def spy_rasterize(self, height, width):
        calls.append("rasterize")
        return rasterize(self, height, width)

    def spy_to_numpy(self, height, width):
        calls.append("to_numpy")
        return to_numpy(self, height, width)

    monkeypatch.setattr(cls, "rasterize", spy_rasterize)
    monkeypatch.setattr(cls, "to_numpy", spy_to_numpy)
    return calls


def dynamic_model():
    x_in = keras.Input((C, None, None))
    layer = MaskedReLU(REGION, data_format="channels_first", **PARAMS)
    return keras.Model(x_in, layer(x_in))


def test_region_mask_is_asymmetric():
    """The region differs from its transpose, so the tests below see a swap of axes."""
    for h, w in SIZES:
        mask = reference_mask(h, w)
        assert 0 < mask.sum() < h * w
        flipped = reference_mask(w, h).T
        assert np.abs(mask - flipped).max() > 0.5


def test_eager_call_draws_with_numpy(draws, rng):
    model = dynamic_model()
    assert draws == []  # nothing is drawn while the size is unknown
    for h, w in SIZES:
        x = image(rng, h, w)
        check(model(x), x)
        assert draws == ["to_numpy"], (h, w)
        draws.clear()


PREDICT_DRAWS = {
    "tensorflow": [["to_numpy"], ["rasterize"], []],
    "jax": [["to_numpy"]] * 3,
    "torch": [["to_numpy"]] * 3,
}


def test_compiled_predict(draws, rng):
    model = dynamic_model()
    for (h, w), expected_draws in zip(SIZES, PREDICT_DRAWS[keras.backend.backend()]):
        x = image(rng, h, w)
        check(model.predict(x, verbose=0), x)
        assert draws == expected_draws, (h, w)
        draws.clear()


def symbolic_runner(layer):
    """A function running `layer` with its image size symbolic where it was traced.

    Returns `(run, traced_per_size)`: `run(x)` gives the output for a NumPy
    `x`; `traced_per_size` says whether each size is traced anew (else one
    trace serves every size).
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        spec = tf.TensorSpec((None, C, None, None), tf.float32)
        return tf.function(layer, input_signature=[spec]), False
    if backend == "jax":
        import jax
        from jax import export

        shape = export.symbolic_shape(f"b, {C}, h, w")
        exported = export.export(jax.jit(layer))(jax.ShapeDtypeStruct(shape, np.float32))
        return exported.call, False
    import torch

    class Wrapper(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer

        def forward(self, x):
            return self.layer(x)

    auto = torch.export.Dim.AUTO

    def run(x):
        # PyTorch specializes the size when keras.ops casts it, so one export per size.
        x = torch.tensor(x)
        program = torch.export.export(
            Wrapper(), (x,), dynamic_shapes=({2: auto, 3: auto},), strict=False
        )
        return program.module()(x)

    return run, True


def test_symbolic_sizes_draw_with_keras_ops(draws, rng):
    """Through the layer, channels first, with sizes unknown where it is traced."""
    layer = MaskedReLU(REGION, data_format="channels_first", **PARAMS)
    layer.build((None, C, None, None))
    run, traced_per_size = symbolic_runner(layer)
    for i, (h, w) in enumerate(SIZES):
        x = image(rng, h, w)
        check(run(x), x)
        if traced_per_size or i == 0:
            assert draws == ["rasterize"], (h, w)
        else:
            assert draws == [], (h, w)
        draws.clear()


def test_rasterize_with_tensor_sizes(draws):
    """The keras.ops drawing, given the sizes as scalar tensors, rows first."""
    for h, w in SIZES:
        height = keras.ops.convert_to_tensor(h, "int32")
        width = keras.ops.convert_to_tensor(w, "int32")
        mask = keras.ops.convert_to_numpy(REGION.rasterize(height, width))
        assert mask.shape == (h, w)
        np.testing.assert_allclose(mask, reference_mask(h, w), atol=1e-6)
    assert draws == ["rasterize"] * len(SIZES)
