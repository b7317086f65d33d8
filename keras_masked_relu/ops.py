"""The package's math as plain `keras.ops` functions.

Every layer of the package calls one of these functions, so the formulas live in
one place and can be used outside a layer. They take and return backend tensors
and work in whatever dtype `x` has.
"""

import keras
import numpy as np
from keras import ops

from keras_masked_relu._eager_fusion import fused_when_eager


def _like(x, value):
    """A scalar of x's dtype, converted directly: a cast would round it to
    float32 first (0.3 would become 0.30000001 in float64), and exporters
    keep untyped Python floats as float64."""
    return ops.convert_to_tensor(value, dtype=x.dtype)


# Gradients at kinks. Each function below that is not smooth everywhere takes,
# at a kink, the slope on the side of smaller inputs (the left derivative:
# `relu'(0) = 0`, as every backend's `relu` has it), and `|u|` takes 0 at
# `u = 0`, the mean of its two slopes. They are written with `where`, whose
# gradient every backend routes the same way, never with the backends' own
# `abs`, `sign`, `maximum`, `minimum` or `clip`, whose gradients at a tie
# differ (and whose float64 results some backends round to float32).


def _add_parameter(parameter, x):
    """`parameter + x` for a parameter that broadcasts against `x`.

    The parameter comes first: Keras's TensorFlow `add` takes a second
    argument with one axis longer than 1 for a bias, and adds it along the
    last axis whenever that axis has its length, even when the parameter's
    axis is another one (channels first)."""
    return ops.add(parameter, x)


def _at_least(x, bound):
    """`maximum(x, bound)`; at a tie the gradient goes to `bound`."""
    return ops.where(ops.greater(x, bound), x, bound)


def _at_most(x, bound):
    """`minimum(x, bound)`; at a tie the gradient goes to `x`."""
    return ops.where(ops.greater(x, bound), bound, x)


def _clip(x, low, high):
    """`clip(x, low, high)` with slope 1 on `(low, high]` and 0 elsewhere."""
    return _at_most(_at_least(x, _like(x, low)), _like(x, high))


def _abs(u):
    """`|u|` with derivative `sign(u)`, which is 0 at `u = 0`."""
    one = _like(u, 1.0)
    sign = ops.where(ops.greater(u, 0), one, ops.where(ops.less(u, 0), -one, _like(u, 0.0)))
    return ops.multiply(u, sign)


def _tanh(x):
    """`tanh` in x's dtype. Keras's `ops.tanh` computes float64 inputs in
    float32 under JAX, so float64 takes `tanh(u) = expm1(2u) / (expm1(2u) + 2)`
    on `u = -|x|` (no overflow, no cancellation), mirrored for `x > 0`."""
    if keras.backend.standardize_dtype(x.dtype) != "float64":
        return ops.tanh(x)
    positive = ops.greater(x, 0)
    t = ops.expm1(ops.multiply(ops.where(positive, ops.negative(x), x), _like(x, 2.0)))
    r = ops.divide(t, ops.add(t, _like(x, 2.0)))
    return ops.where(positive, ops.negative(r), r)


def shifted_relu(x, shift=0.0, negative_slope=0.0, max_value=None, threshold=0.0):
    """`keras.activations.relu` applied to the input shifted by `shift`.

    Formula:
    ```python
    f(x) = keras.activations.relu(x - shift, negative_slope, max_value, threshold)
    ```

    Args:
        x: Input tensor.
        shift: Float subtracted from `x` before the ReLU.
        negative_slope: Slope below `threshold`, as in `keras.activations.relu`.
        max_value: Saturation value, or `None`, as in `keras.activations.relu`.
        threshold: Threshold below which values are damped, as in
            `keras.activations.relu`.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import shifted_relu
    >>> shifted_relu(keras.ops.convert_to_tensor([0.1, 0.5]), shift=0.3)
    [0.0, 0.2]
    """
    if shift:
        x = ops.subtract(x, _like(x, shift))
    if negative_slope == 0 and max_value is None and threshold == 0:
        return ops.relu(x)
    # keras.activations.relu's values: above the threshold x (clipped to
    # [0, max_value] when there is one), below it negative_slope * (x -
    # threshold). At the threshold the slope is the one below it.
    above = x if max_value is None else _clip(x, 0.0, max_value)
    if negative_slope == 0:
        below = _like(x, 0.0)
    else:
        below = ops.multiply(ops.subtract(x, _like(x, threshold)), _like(x, negative_slope))
    return ops.where(ops.greater(x, _like(x, threshold)), above, below)


def blend(mask, inside, outside):
    """Mixes two tensors by a mask: `inside` where the mask is 1, `outside` where 0.

    Formula:
    ```python
    f = mask * inside + (1 - mask) * outside
    ```

    For a binary mask the result is exactly `inside` or `outside` per element.

    Args:
        mask: Tensor of values in [0, 1], broadcastable to `inside`.
        inside: Tensor used where the mask is 1.
        outside: Tensor used where the mask is 0.

    Returns:
        The blended tensor.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import blend
    >>> blend(keras.ops.convert_to_tensor([1.0, 0.25]), [2.0, 2.0], [0.0, 0.0])
    [2.0, 0.5]
    """
    return ops.add(ops.multiply(mask, inside), ops.multiply(ops.subtract(1.0, mask), outside))


def select(mask, inside, outside):
    """`blend` for a mask known to hold only 0 and 1, as a single `where`.

    Args:
        mask: Tensor of zeros and ones, broadcastable to `inside`.
        inside: Tensor used where the mask is 1.
        outside: Tensor used where the mask is 0.

    Returns:
        `inside` where `mask` is 1, else `outside`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import select
    >>> mask = keras.ops.convert_to_tensor([1.0, 0.0])
    >>> select(mask, keras.ops.full((2,), 2.0), keras.ops.zeros((2,)))
    [2.0, 0.0]
    """
    return ops.where(ops.greater(mask, 0.5), inside, outside)


@fused_when_eager("shift", "negative_slope", "max_value", "threshold", "binary")
def masked_relu(
    x,
    mask,
    shift=0.0,
    negative_slope=0.0,
    max_value=None,
    threshold=0.0,
    binary=False,
):
    """A ReLU with its own parameters inside a mask and a plain ReLU outside it.

    Formula:
    ```python
    inside = keras.activations.relu(
        x - shift, negative_slope, max_value, threshold
    )
    f(x) = mask * inside + (1 - mask) * relu(x)
    ```

    The result is computed in the cheapest form that equals this formula: a
    leaky ReLU blended by any mask is `x * where(x > 0, 1, mask *
    negative_slope)`, a shifted ReLU selected by a binary mask is
    `relu(x - mask * shift)`, and blended by a weighted mask it is
    `relu(x) - mask * clip(x, 0, shift)` (for `shift > 0`).

    Args:
        x: Input tensor.
        mask: Tensor of values in [0, 1], broadcastable to `x`.
        shift: Float subtracted from `x` inside the mask.
        negative_slope: Slope below `threshold` inside the mask.
        max_value: Saturation value inside the mask, or `None`.
        threshold: Threshold of the ReLU inside the mask.
        binary: `True` promises that `mask` holds only 0 and 1, which allows
            a faster form. With a weighted mask the result would be wrong.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import masked_relu
    >>> x = keras.ops.convert_to_tensor([[-1.0, 0.5], [-1.0, 0.5]])
    >>> mask = keras.ops.convert_to_tensor([[1.0], [0.0]])
    >>> masked_relu(x, mask, negative_slope=0.1)
    [[-0.1, 0.5], [0.0, 0.5]]
    """
    mask = ops.cast(mask, x.dtype)
    plain_relu_inside = threshold == 0 and max_value is None
    if plain_relu_inside and shift == 0:
        if negative_slope == 0:
            return ops.relu(x)
        slope = ops.multiply(mask, _like(x, negative_slope))
        return ops.multiply(x, ops.where(ops.greater(x, _like(x, 0.0)), _like(x, 1.0), slope))
    if plain_relu_inside and negative_slope == 0:
        if binary:
            return _relu_of_new_tensor(ops.subtract(x, ops.multiply(mask, _like(x, shift))))
        # relu(x - s) - relu(x) is -clip(x, 0, s) for s > 0 and
        # clip(x - s, 0, -s) for s < 0.
        outside = ops.relu(x)
        if shift > 0:
            gain = _clip(x, 0.0, shift)
            return ops.subtract(outside, ops.multiply(mask, gain))
        gain = _clip(ops.subtract(x, _like(x, shift)), 0.0, -shift)
        return ops.add(outside, ops.multiply(mask, gain))
    inside = shifted_relu(x, shift, negative_slope, max_value, threshold)
    outside = ops.relu(x)
    if binary:
        return select(mask, inside, outside)
    return blend(mask, inside, outside)


def _relu_of_new_tensor(x):
    """`relu(x)` for an `x` nothing else holds: in place under PyTorch eager,
    which saves allocating (and page-faulting) a second tensor."""
    if keras.backend.backend() == "torch":
        import torch

        if not torch.compiler.is_compiling():
            return torch.relu_(x)
    return ops.relu(x)


def masked_activation(x, mask, inside, outside, binary=False):
    """Applies `inside` where the mask is 1 and `outside` where it is 0.

    Formula:
    ```python
    f(x) = mask * inside(x) + (1 - mask) * outside(x)
    ```

    Args:
        x: Input tensor.
        mask: Tensor of values in [0, 1], broadcastable to `x`.
        inside: Callable applied inside the mask.
        outside: Callable applied outside the mask.
        binary: `True` promises that `mask` holds only 0 and 1.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import masked_activation
    >>> x = keras.ops.convert_to_tensor([-1.0, -1.0])
    >>> mask = keras.ops.convert_to_tensor([1.0, 0.0])
    >>> masked_activation(x, mask, keras.activations.elu, keras.ops.relu)
    [-0.632, 0.0]
    """
    if _is_keras_activation(inside) and _is_keras_activation(outside):
        return _fused_masked_activation(x, mask, inside, outside, binary=binary)
    return _masked_activation(x, mask, inside, outside, binary)


def _is_keras_activation(function):
    """Whether `function` is one of Keras's own (stateless) activations.

    Layers and user functions may read variables, which a compiled kernel
    would freeze, so only these are fused when called eagerly."""
    return not isinstance(function, keras.layers.Layer) and getattr(
        function, "__module__", ""
    ).startswith("keras.")


def _masked_activation(x, mask, inside, outside, binary=False):
    mask = ops.cast(mask, x.dtype)
    combine = select if binary else blend
    # A rule given as a layer may compute in its own dtype; the result has x's.
    inside, outside = _in_dtype(inside)(x), _in_dtype(outside)(x)
    return combine(mask, ops.cast(inside, x.dtype), ops.cast(outside, x.dtype))


def _in_dtype(activation):
    """`activation`, or the package's `tanh` for Keras's, which loses float64 under JAX."""
    return _tanh if activation is keras.activations.tanh else activation


_fused_masked_activation = fused_when_eager("inside", "outside", "binary")(_masked_activation)


def sqrt_tanh(x):
    """A smooth activation, close to the identity for large |x|.

    Formula:
    ```python
    f(x) = x * tanh(sqrt(x ** 2 + 1))
    ```

    `tanh(sqrt(x**2 + 1))` equals 1 in float32 once |x| > 20, so `x` is
    clipped to [-20, 20] inside the square root: the result is unchanged and
    `x ** 2` cannot overflow in float16.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import sqrt_tanh
    >>> sqrt_tanh(keras.ops.convert_to_tensor([0.0, 1.0]))
    [0.0, 0.8884]
    """
    bounded = _clip(x, -20.0, 20.0)
    return ops.multiply(x, _tanh(ops.sqrt(ops.add(ops.square(bounded), _like(x, 1.0)))))


def scaled_relu(x, scale=1.0, shift=0.0):
    """A ReLU of the shifted input, scaled.

    Formula:
    ```python
    f(x) = scale * relu(x + shift)
    ```

    Args:
        x: Input tensor.
        scale: Factor applied to the output.
        shift: Added to the input before the ReLU.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import scaled_relu
    >>> scaled_relu(keras.ops.convert_to_tensor([-1.0, 1.0]), scale=2.0, shift=0.5)
    [0.0, 3.0]
    """
    return ops.multiply(ops.relu(ops.add(x, _like(x, shift))), _like(x, scale))


def soft_clip(x, scale=1.0):
    """Bounds `x` smoothly to (-scale, scale).

    Formula:
    ```python
    f(x) = scale * tanh(x / scale)
    ```

    Args:
        x: Input tensor.
        scale: Positive bound.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import soft_clip
    >>> soft_clip(keras.ops.convert_to_tensor([-100.0, 0.0, 100.0]), scale=5.0)
    [-5.0, 0.0, 5.0]
    """
    return ops.multiply(_tanh(ops.divide(x, _like(x, scale))), _like(x, scale))


@fused_when_eager()
def learnable_relu(x, alpha, scale, shift=None):
    """A PReLU with an output scale and an optional offset.

    Formula:
    ```python
    f(x) = scale * (relu(x) - alpha * relu(-x)) + shift
    ```

    Args:
        x: Input tensor.
        alpha: Slope below zero, broadcastable to `x`.
        scale: Output scale, broadcastable to `x`.
        shift: Offset broadcastable to `x`, or `None` for none.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import learnable_relu
    >>> learnable_relu(keras.ops.convert_to_tensor([-2.0, 2.0]), 0.25, 2.0)
    [-1.0, 4.0]
    """
    # relu(x) - alpha * relu(-x), with the slope alpha at 0.
    y = ops.multiply(ops.where(ops.greater(x, _like(x, 0.0)), x, ops.multiply(alpha, x)), scale)
    if shift is not None:
        y = _add_parameter(shift, y)
    return y


def adaptive_mixture(x, logits, activations):
    """A softmax-weighted sum of activations.

    Formula:
    ```python
    f(x) = sum(softmax(logits)[i] * activations[i](x) for i in range(n))
    ```

    Args:
        x: Input tensor.
        logits: Mixing logits of shape `(n, ...)`, the trailing axes
            broadcastable to `x` (for per-channel weights).
        activations: A sequence of `n` callables.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import adaptive_mixture
    >>> x = keras.ops.convert_to_tensor([-1.0, 1.0])
    >>> adaptive_mixture(x, keras.ops.zeros((2,)), [keras.ops.relu, keras.ops.tanh])
    [-0.3808, 0.8808]
    """
    weights = ops.softmax(logits, axis=0)
    y = None
    for i, activation in enumerate(activations):
        term = ops.multiply(weights[i], _in_dtype(activation)(x))
        y = term if y is None else ops.add(y, term)
    return y


@fused_when_eager()
def polynomial(x, coefficients):
    """A polynomial in `x`, evaluated by Horner's rule.

    Formula:
    ```python
    f(x) = sum(coefficients[k] * x ** k for k in range(len(coefficients)))
    ```

    Args:
        x: Input tensor.
        coefficients: 1-D tensor `(a_0, ..., a_degree)`, lowest power first.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import polynomial
    >>> polynomial(keras.ops.convert_to_tensor([2.0]), keras.ops.convert_to_tensor([1.0, 0.0, 3.0]))
    [13.0]
    """
    degree = coefficients.shape[0] - 1
    if degree == 0:
        return ops.multiply(ops.ones_like(x), coefficients[0])
    y = _add_parameter(coefficients[degree - 1], ops.multiply(x, coefficients[degree]))
    for k in range(degree - 2, -1, -1):
        y = _add_parameter(coefficients[k], ops.multiply(y, x))
    return y


@fused_when_eager("version")
def rational(x, numerator, denominator, version="B"):
    """The "safe" Padé activation: a rational function without poles.

    Formula:
    ```python
    P(x) = sum(numerator[k] * x ** k for k in range(m + 1))
    # version "B":
    f(x) = P(x) / (1 + abs(sum(denominator[j - 1] * x ** j for j in range(1, n + 1))))
    # version "A":
    f(x) = P(x) / (1 + sum(abs(denominator[j - 1]) * abs(x) ** j for j in range(1, n + 1)))
    ```

    Args:
        x: Input tensor.
        numerator: Tensor `(a_0, ..., a_m)` along its first axis, lowest power
            first; the rest of its shape (if any) broadcasts against `x`, for
            coefficients that differ by channel.
        denominator: Tensor `(b_1, ..., b_n)` along its first axis, lowest
            power first, likewise; the constant term of the denominator is 1.
        version: `"B"` (the absolute value of the whole sum) or `"A"` (a sum
            of absolute values, the default of the PAU reference code).

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import rational
    >>> x = keras.ops.convert_to_tensor([-1.0, 2.0])
    >>> numerator = keras.ops.convert_to_tensor([0.0, 1.0])
    >>> rational(x, numerator, keras.ops.convert_to_tensor([1.0]))  # x / (1 + |x|)
    [-0.5, 0.6667]
    >>> denominator = keras.ops.convert_to_tensor([1.0, -1.0])
    >>> rational(x, numerator, denominator, version="A")  # x / (1 + |x| + x ** 2)
    [-0.3333, 0.2857]
    """
    if version == "A":
        size = _abs(x)
        q = ops.multiply(polynomial(size, _abs(denominator)), size)
    else:
        q = _abs(ops.multiply(polynomial(x, denominator), x))
    return ops.divide(polynomial(x, numerator), ops.add(q, _like(x, 1.0)))


def mean(x, axis):
    """`keras.ops.mean`, kept in float64 for float64 inputs.

    Keras's `mean` computes float64 inputs in float32 under PyTorch; they
    take a sum and a division here.

    Args:
        x: Input tensor.
        axis: The axes to average over, a list of ints.

    Returns:
        The mean, in x's dtype.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import mean
    >>> mean(keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 5.0]]), axis=[1])
    [1.5, 4.0]
    """
    if keras.backend.standardize_dtype(x.dtype) != "float64":
        return ops.mean(x, axis=axis)
    count = 1
    for a in axis:
        size = x.shape[a]
        count = ops.multiply(count, size if isinstance(size, int) else ops.shape(x)[a])
    return ops.divide(ops.sum(x, axis=axis), ops.cast(count, x.dtype))


def matmul(a, b):
    """`keras.ops.matmul` of a tensor and a matrix, kept in float64 for float64.

    Keras's `matmul` returns float32 for float64 inputs under PyTorch; they
    take an `einsum` here.

    Args:
        a: Tensor of shape `(..., n)`.
        b: Matrix of shape `(n, k)`.

    Returns:
        The product, of shape `(..., k)`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import matmul
    >>> matmul(keras.ops.ones((2, 3)), keras.ops.ones((3, 1)))
    [[3.0], [3.0]]
    """
    if keras.backend.standardize_dtype(a.dtype) != "float64":
        return ops.matmul(a, b)
    return ops.einsum("...i,ij->...j", a, ops.cast(b, a.dtype))


def funnel_relu(x, condition):
    """FReLU's rule: the input where it exceeds its condition, else the condition.

    Formula:
    ```python
    f(x) = maximum(x, condition)
    ```

    At a tie the gradient goes to `condition`, as `relu = maximum(x, 0)` gives
    none to `x` at 0.

    Args:
        x: Input tensor.
        condition: Tensor broadcastable to `x` (FReLU's spatial condition).

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import funnel_relu
    >>> x = keras.ops.convert_to_tensor([-1.0, 2.0])
    >>> funnel_relu(x, keras.ops.convert_to_tensor([0.5, 0.5]))
    [0.5, 2.0]
    """
    return _at_least(x, ops.cast(condition, x.dtype))


@fused_when_eager()
def acon(x, p1, p2, beta):
    """ACON-C: a learned smooth switch between two linear functions.

    Formula:
    ```python
    d = (p1 - p2) * x
    f(x) = d * sigmoid(beta * d) + p2 * x
    ```

    With `p1 = 1`, `p2 = 0` it is Swish with slope `beta`; as `beta` grows it
    tends to `max(p1 * x, p2 * x)`, and at `beta = 0` it is their mean.

    Args:
        x: Input tensor.
        p1: Tensor broadcastable to `x`: the slope on the switched-on side.
        p2: Tensor broadcastable to `x`: the slope on the other side.
        beta: Tensor broadcastable to `x`: the switching factor.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import acon
    >>> x = keras.ops.convert_to_tensor([-2.0, 2.0])
    >>> acon(x, 1.0, 0.25, 100.0)  # max(x, 0.25 * x)
    [-0.5, 2.0]
    """
    d = ops.multiply(ops.subtract(p1, p2), x)
    return ops.add(ops.multiply(d, ops.sigmoid(ops.multiply(beta, d))), ops.multiply(p2, x))


@fused_when_eager()
def learnable_swish(x, beta):
    """Swish with a learnable sharpness.

    Formula:
    ```python
    f(x) = x * sigmoid(beta * x)
    ```

    Args:
        x: Input tensor.
        beta: Sharpness, broadcastable to `x`.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import learnable_swish
    >>> learnable_swish(keras.ops.convert_to_tensor([0.0, 2.0]), 1.0)
    [0.0, 1.7616]
    """
    return ops.multiply(x, ops.sigmoid(ops.multiply(beta, x)))


INTERPOLATIONS = ("nearest", "bilinear", "area")


def resize_mask(mask, size, interpolation, axes):
    """Resizes chosen axes of a mask, one axis at a time.

    Each axis is multiplied by a `(new_size, old_size)` matrix of weights that
    sum to 1 per output pixel, so values stay in [0, 1]. Pixel centres lie
    at half-integers (as in `keras.ops.image.resize`, without antialiasing):

    - `"nearest"`: output pixel `i` takes source pixel
      `floor((i + 0.5) * old / new)`; a binary mask stays binary.
    - `"bilinear"`: linear interpolation at `(i + 0.5) * old / new - 0.5`,
      clamped to the edge pixels.
    - `"area"`: the mean of the source over the span
      `[i * old / new, (i + 1) * old / new)`, weighted by overlap: a block
      mean for integer factors.

    The same weights on every backend make the result identical across them;
    sizes known only at run time (scalar tensors) work too.

    Args:
        mask: Tensor to resize.
        size: The new sizes of `axes`: ints, or scalar tensors.
        interpolation: `"nearest"`, `"bilinear"` or `"area"`.
        axes: The axes of `mask` to resize.

    Returns:
        The resized mask, of `mask`'s dtype.

    Example:
    >>> import keras
    >>> from keras_masked_relu.ops import resize_mask
    >>> mask = keras.ops.convert_to_tensor([[1.0, 1.0, 0.0, 0.0]])
    >>> resize_mask(mask, (2,), "area", axes=(1,))
    [[1.0, 0.0]]
    >>> resize_mask(keras.ops.convert_to_tensor([[0.0, 1.0]]), (4,), "bilinear", axes=(1,))
    [[0.0, 0.25, 0.75, 1.0]]
    """
    for axis, new_size in zip(axes, size):
        old_size = mask.shape[axis]
        if old_size is None:
            old_size = ops.shape(mask)[axis]
        static = isinstance(old_size, int) and isinstance(new_size, int)
        if static and old_size == new_size:
            continue
        if static and old_size % new_size == 0:
            mask = _downsample_by_factor(mask, axis, old_size // new_size, interpolation)
            continue
        weights = interpolation_weights(new_size, old_size, interpolation, mask.dtype)
        weights = ops.cast(weights, mask.dtype)
        # Explicit, non-negative permutations: exporters reject negative ones.
        rank = len(mask.shape)
        to_last = [a for a in range(rank) if a != axis] + [axis]
        back = [to_last.index(a) for a in range(rank)]
        resized = matmul(ops.transpose(mask, to_last), ops.transpose(weights))
        mask = ops.transpose(resized, back)
    # Rounding must not carry a mask of ones past 1 (nor zeros below 0). The
    # bound is kept out of the gradient: at a tie with 0 or 1, backends split
    # the gradient of `minimum`/`maximum` differently.
    bounded = _clip(mask, 0.0, 1.0)
    return ops.add(mask, ops.stop_gradient(ops.subtract(bounded, mask)))


def _downsample_by_factor(mask, axis, factor, interpolation):
    """`resize_mask` along one axis for an integer factor, without a matrix.

    Every row of the weights is then the first one shifted by `factor`: the
    axis is split into `(new_size, factor)` and the `factor` axis reduced
    with the first row, one pass over the mask (and a broadcast back in the
    gradient), where the matrix product costs `new_size` multiplications per
    value.
    """
    new_size = mask.shape[axis] // factor
    row = interpolation_weights(new_size, mask.shape[axis], interpolation)[0, :factor]
    shape = list(mask.shape)
    if sum(d is None for d in shape) > 1:
        shape = [ops.shape(mask)[a] if d is None else d for a, d in enumerate(shape)]
    else:
        shape = [-1 if d is None else d for d in shape]
    split = ops.reshape(mask, shape[:axis] + [new_size, factor] + shape[axis + 1 :])
    if np.all(row == row[0]):
        return mean(split, axis=[axis + 1])
    used = np.flatnonzero(row)
    if len(used) == 1:
        return ops.take(split, int(used[0]), axis=axis + 1)
    row = ops.reshape(ops.cast(row, mask.dtype), (-1,) + (1,) * (len(split.shape) - axis - 2))
    return ops.sum(ops.multiply(split, row), axis=axis + 1)


def interpolation_weights(new_size, old_size, interpolation, dtype="float32"):
    """The `(new_size, old_size)` matrix that resizes one axis.

    Args:
        new_size: Output size: an int or a scalar tensor.
        old_size: Input size: an int or a scalar tensor.
        interpolation: `"nearest"`, `"bilinear"` or `"area"`.
        dtype: The dtype of the tensor returned for sizes given as tensors.

    Returns:
        Each row sums to 1. A NumPy array (computed in float64) for int
        sizes, else a tensor of `dtype`.

    Example:
    >>> from keras_masked_relu.ops import interpolation_weights
    >>> interpolation_weights(2, 4, "area")
    [[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]]
    """
    xp = np if isinstance(new_size, int) and isinstance(old_size, int) else ops
    if xp is np:
        dtype = "float64"
    zero, one = (
        (np.float64(0.0), np.float64(1.0))
        if xp is np
        else (ops.zeros((), dtype), ops.ones((), dtype))
    )

    # Written with `where` and constants of `dtype`: Keras's `minimum`,
    # `maximum` and type promotion return float32 for float64 inputs under
    # PyTorch and JAX.
    def smaller(a, b):
        return xp.where(a > b, b, a)

    def larger(a, b):
        return xp.where(a > b, a, b)

    new_f = np.float64(new_size) if xp is np else ops.cast(new_size, dtype)
    old_f = np.float64(old_size) if xp is np else ops.cast(old_size, dtype)
    scale = old_f / new_f
    out = xp.reshape(xp.arange(new_size, dtype=dtype), (-1, 1))
    src = xp.reshape(xp.arange(old_size, dtype=dtype), (1, -1))
    if interpolation == "nearest":
        index = smaller(xp.floor((out + 0.5) * scale), old_f - 1.0)
        weights = xp.where(xp.equal(src, index), one, zero)
    elif interpolation == "bilinear":
        centre = smaller(larger((out + 0.5) * scale - 0.5, zero), old_f - 1.0)
        distance = centre - src
        weights = larger(one - xp.where(distance > 0, distance, -distance), zero)
    elif interpolation == "area":
        start, end = out * scale, (out + 1.0) * scale
        overlap = smaller(end, src + 1.0) - larger(start, src)
        weights = larger(overlap, zero)
    else:
        raise ValueError(
            f"`interpolation` must be one of {INTERPOLATIONS}. "
            f"Received: interpolation={interpolation!r}"
        )
    return weights / xp.sum(weights, axis=1, keepdims=True)
