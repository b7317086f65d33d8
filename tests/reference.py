"""Independent NumPy references, written pixel by pixel in float64.

Nothing here imports the package: each function restates the documented
formula so that the tests compare two separate implementations.
"""

import math

import numpy as np


def keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """`keras.activations.relu` as Keras's code computes it.

    Decision: the package follows Keras's code (`keras/src/activations/
    activations.py`, `ReLU.static_call`), not its docstring. The code keeps
    `x` only where `x > threshold` (strictly greater, while the docstring
    says ">="), so at `x == threshold` the result is 0; it then clips to
    [0, max_value] and subtracts `negative_slope * relu(threshold - x)`.
    """
    x = np.asarray(x, np.float64)
    y = np.zeros_like(x)
    for i, v in np.ndenumerate(x):
        kept = v if v > threshold else 0.0  # strictly greater, as Keras's code
        if max_value is not None:
            kept = min(max(kept, 0.0), max_value)
        y[i] = kept - negative_slope * max(threshold - v, 0.0)
    return y


def masked_relu(x, mask, shift=0.0, negative_slope=0.0, max_value=None, threshold=0.0):
    x = np.asarray(x, np.float64)
    inside = keras_relu(x - shift, negative_slope, max_value, threshold)
    outside = np.maximum(x, 0.0)
    return mask * inside + (1.0 - mask) * outside


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def learned_start(mask, margin=1e-3):
    """The mask a trainable layer starts from: the given one, kept off 0 and 1."""
    return np.clip(mask, margin, 1.0 - margin)


def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1.0))


def _pixel(point, relative, height, width):
    x, y = point
    if relative:
        return x * width - 0.5, y * height - 0.5
    return x, y


def _ramp(inside, distance, softness):
    if inside:
        return 1.0
    if softness == 0:
        return 0.0
    return min(max(1.0 - distance / softness, 0.0), 1.0)


def circle(height, width, center, radius, relative=False, softness=0.0):
    cx, cy = _pixel(center, relative, height, width)
    r = radius * min(height, width) if relative else radius
    out = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            d2 = (col - cx) ** 2 + (row - cy) ** 2
            out[row, col] = _ramp(d2 <= r * r, math.sqrt(d2) - r, softness)
    return out


def ellipse(height, width, center, radii, angle=0.0, relative=False, softness=0.0):
    cx, cy = _pixel(center, relative, height, width)
    a, b = radii
    if relative:
        a, b = a * width, b * height
    t = math.radians(angle)
    out = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            dx, dy = col - cx, row - cy
            u = (math.cos(t) * dx + math.sin(t) * dy) / a
            v = (-math.sin(t) * dx + math.cos(t) * dy) / b
            q = math.hypot(u, v)
            grad = math.hypot(u / a, v / b)
            distance = (q - 1.0) * q / grad if grad > 0 else 0.0
            out[row, col] = _ramp(q * q <= 1.0, distance, softness)
    return out


def box(height, width, start, end, relative=False, softness=0.0):
    x0, y0 = _pixel(start, relative, height, width)
    x1, y1 = _pixel(end, relative, height, width)
    out = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            gx = max(x0 - col, col - x1, 0.0)
            gy = max(y0 - row, row - y1, 0.0)
            out[row, col] = _ramp(gx == 0 and gy == 0, math.hypot(gx, gy), softness)
    return out


def interval(length, start, end, relative=False, softness=0.0):
    if relative:
        start, end = start * length - 0.5, end * length - 0.5
    out = np.zeros(length)
    for i in range(length):
        gap = max(start - i, i - end, 0.0)
        out[i] = _ramp(gap == 0, gap, softness)
    return out


def _voxel(point, relative, depth, height, width):
    """A point `(x, y, z)` in voxel coordinates."""
    if relative:
        return tuple(p * n - 0.5 for p, n in zip(point, (width, height, depth)))
    return tuple(point)


def _volume(depth, height, width, value):
    """`value(x, y, z)` at each voxel centre, as an array `(depth, height, width)`."""
    out = np.zeros((depth, height, width))
    for z in range(depth):
        for y in range(height):
            for x in range(width):
                out[z, y, x] = value(x, y, z)
    return out


def sphere(depth, height, width, center, radius, relative=False, softness=0.0):
    c = _voxel(center, relative, depth, height, width)
    r = radius * min(depth, height, width) if relative else radius

    def value(*p):
        distance = math.dist(p, c)
        return _ramp(distance * distance <= r * r, distance - r, softness)

    return _volume(depth, height, width, value)


def ellipsoid(depth, height, width, center, radii, relative=False, softness=0.0):
    c = _voxel(center, relative, depth, height, width)
    radii = [r * n for r, n in zip(radii, (width, height, depth))] if relative else radii

    def value(*p):
        u = [(pi - ci) / r for pi, ci, r in zip(p, c, radii)]
        q = math.sqrt(sum(ui * ui for ui in u))
        grad = math.sqrt(sum((ui / r) ** 2 for ui, r in zip(u, radii)))
        distance = (q - 1.0) * q / grad if grad > 0 else 0.0
        return _ramp(q * q <= 1.0, distance, softness)

    return _volume(depth, height, width, value)


def cuboid(depth, height, width, start, end, relative=False, softness=0.0):
    lo = _voxel(start, relative, depth, height, width)
    hi = _voxel(end, relative, depth, height, width)

    def value(*p):
        gaps = [max(a - pi, pi - b, 0.0) for pi, a, b in zip(p, lo, hi)]
        return _ramp(not any(gaps), math.hypot(*gaps), softness)

    return _volume(depth, height, width, value)


def _segment_distance(px, py, a, b):
    (xa, ya), (xb, yb) = a, b
    ex, ey = xb - xa, yb - ya
    t = ((px - xa) * ex + (py - ya) * ey) / (ex * ex + ey * ey)
    t = min(max(t, 0.0), 1.0)
    return math.hypot(px - xa - t * ex, py - ya - t * ey)


def polygon(height, width, vertices, relative=False, softness=0.0):
    pts = [_pixel(v, relative, height, width) for v in vertices]
    edges = list(zip(pts, pts[1:] + pts[:1]))
    out = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            inside = False
            for (xa, ya), (xb, yb) in edges:
                if (ya > row) != (yb > row):
                    x_cross = xa + (row - ya) * (xb - xa) / (yb - ya)
                    if col < x_cross:
                        inside = not inside
            distance = min(_segment_distance(col, row, a, b) for a, b in edges)
            out[row, col] = _ramp(inside or distance <= 1e-3, distance, softness)
    return out


def softmax(z, axis=0):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "linear": lambda x: x,
    "sigmoid": sigmoid,
    "elu": elu,
}


def power_sum(x, coefficients, first_power=0):
    """sum(c[i] * x ** (first_power + i)), term by term."""
    return sum(c * x ** (first_power + i) for i, c in enumerate(coefficients))


def sqrt_tanh(x):
    return x * np.tanh(np.sqrt(x * x + 1.0))


def learnable_relu(x, alpha, scale, shift=0.0):
    return scale * (np.maximum(x, 0.0) - alpha * np.maximum(-x, 0.0)) + shift


def mixture(x, logits, names):
    w = softmax(logits, axis=0)
    return sum(w[i] * ACTIVATIONS[n](x) for i, n in enumerate(names))


def rational(x, numerator, denominator):
    return power_sum(x, numerator) / (1.0 + np.abs(power_sum(x, denominator, first_power=1)))


def rational_a(x, numerator, denominator):
    """Version A: P(x) / (1 + sum |b_j| |x|^j)."""
    return power_sum(x, numerator) / (1.0 + power_sum(np.abs(x), np.abs(denominator), 1))


def grouped(function, x, numerator, denominator):
    """`function` with coefficients `(groups, k)` per contiguous group of the last axis."""
    groups = numerator.shape[0]
    size = x.shape[-1] // groups
    parts = [
        function(x[..., g * size : (g + 1) * size], numerator[g], denominator[g])
        for g in range(groups)
    ]
    return np.concatenate(parts, axis=-1)


def grouped_shared_numerator(function, x, numerator, denominator):
    """`grouped` with one numerator `(k,)` for every group (KAT's form)."""
    return grouped(function, x, np.tile(numerator, (len(denominator), 1)), denominator)


def acon(x, p1, p2, beta):
    d = (p1 - p2) * x
    return d * sigmoid(beta * d) + p2 * x


def meta_acon(x, p1, p2, w1, b1, w2, b2):
    """Channels-last: beta from the spatial mean of each sample, per channel."""
    summary = x.mean(axis=tuple(range(1, x.ndim - 1)))  # (batch, channels)
    beta = sigmoid((summary @ w1 + b1) @ w2 + b2)
    beta = beta.reshape((x.shape[0],) + (1,) * (x.ndim - 2) + (x.shape[-1],))
    return acon(x, p1, p2, beta)


def funnel_relu(x, kernel, gamma, beta, mean, variance, epsilon=1e-3):
    """Channels-last FReLU in inference mode: max(x, BN(depthwise_conv(x))), "same" padding.

    `kernel` is `(k, k, channels)`; the convolution is written as a sum of shifted
    copies of the zero-padded input.
    """
    k = kernel.shape[0]
    r = k // 2
    padded = np.pad(x, ((0, 0), (r, r), (r, r), (0, 0)))
    height, width = x.shape[1], x.shape[2]
    conv = np.zeros_like(x)
    for i in range(k):
        for j in range(k):
            conv = conv + padded[:, i : i + height, j : j + width, :] * kernel[i, j]
    condition = gamma * (conv - mean) / np.sqrt(variance + epsilon) + beta
    return np.maximum(x, condition)


def swish(x, beta):
    return x * sigmoid(beta * x)


def _resize_weights(n_in, n_out, interpolation):
    """Matrix `(n_out, n_in)` that resizes one axis: `out = weights @ source`.

    Half-pixel centres: output pixel `i` covers the source interval
    `[i * n_in / n_out, (i + 1) * n_in / n_out)` and has its centre at
    `(i + 0.5) * n_in / n_out` in source coordinates whose pixel `k` spans
    `[k, k + 1)` (centre `k + 0.5`).
    """
    scale = n_in / n_out
    weights = np.zeros((n_out, n_in))
    for i in range(n_out):
        if interpolation == "nearest":
            k = min(math.floor((i + 0.5) * scale), n_in - 1)
            weights[i, k] = 1.0
        elif interpolation == "bilinear":
            c = min(max((i + 0.5) * scale - 0.5, 0.0), n_in - 1.0)
            lo = math.floor(c)
            hi = min(lo + 1, n_in - 1)
            frac = c - lo
            weights[i, lo] += 1.0 - frac
            weights[i, hi] += frac
        elif interpolation == "area":
            start, end = i * scale, (i + 1) * scale
            for k in range(n_in):
                overlap = min(end, k + 1.0) - max(start, float(k))
                if overlap > 0:
                    weights[i, k] = overlap / (end - start)
        else:
            raise ValueError(interpolation)
    return weights


def resize(mask, out_shape, interpolation, axes=None):
    """Resizes the `axes` of `mask` (default: the first `len(out_shape)`) to `out_shape`.

    `"nearest"` takes source pixel `floor((i + 0.5) * in / out)`; `"bilinear"`
    interpolates linearly at source coordinate `(i + 0.5) * in / out - 0.5`,
    clamped to `[0, in - 1]`, without antialiasing; `"area"` averages the
    source over the interval each output pixel covers, weighted by overlap.
    Each axis is resized on its own, one after the other.
    """
    out = np.asarray(mask, np.float64)
    if axes is None:
        axes = tuple(range(len(out_shape)))
    for axis, n_out in zip(axes, out_shape):
        weights = _resize_weights(out.shape[axis], n_out, interpolation)
        moved = np.moveaxis(out, axis, 0)
        resized = np.zeros((n_out,) + moved.shape[1:])
        for i in range(n_out):
            for k in range(moved.shape[0]):
                if weights[i, k] != 0.0:
                    resized[i] += weights[i, k] * moved[k]
        out = np.moveaxis(resized, 0, axis)
    return out


def masked_activation(x, mask, inside, outside="relu"):
    x = np.asarray(x, np.float64)
    return mask * ACTIVATIONS[inside](x) + (1.0 - mask) * ACTIVATIONS[outside](x)
