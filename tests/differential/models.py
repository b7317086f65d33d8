"""Random models of the package's layers, each rebuilt exactly from a seed.

`draw(seed)` turns a seed into a plan: plain JSON that names every layer with
its options (each mask source, interpolation, data format, learnable or fixed
activation, rational version and groups, `inside`/`outside` rules), the
convolutions between some of them, the input shapes and whether the gradient
is compiled. `build(plan, dtype)` makes the Keras model of a plan; `perturb`
moves every weight off its start; `sample(plan, model, dtype)` gives the inputs
(with exact kink points among them) and the cotangents of the outputs.

A seed names the same model in float32 and in float64 but where `UPSTREAM`
leaves an option out in one of them. Nothing here imports a backend: Keras's,
whichever is in use.
"""

import inspect
import pathlib
import sys

import keras
import numpy as np

from keras_masked_relu import layers as kl
from keras_masked_relu import regions

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from catalogue import ENTRIES, public_layers  # noqa: E402

ACTIVATION_NAMES = (
    "relu",
    "relu6",
    "elu",
    "selu",
    "silu",
    "gelu",
    "tanh",
    "sigmoid",
    "softplus",
    "softsign",
    "leaky_relu",
    "hard_sigmoid",
    "hard_silu",
    "mish",
    "linear",
)
"""Keras activations drawn as a `MaskedActivation`'s `inside` or `outside`."""

INTERPOLATIONS = (None, "nearest", "bilinear", "area")

REGION_SHAPES = {
    1: ("interval",),
    2: ("circle", "ellipse", "box", "polygon"),
    3: ("sphere", "ellipsoid", "cuboid"),
}
"""The shapes drawn for 1-D, 2-D and 3-D inputs."""

SIZES = {3: ((7,),), 4: ((5, 4),), 5: ((3, 5, 4),)}
"""Spatial sizes of the inputs, by rank: never square, and the last one equal to
the channels (4) at the input's resolution or after a stride of 2, where an
`ops.add` of a per-channel parameter can take the wrong axis (see
`_convolution`)."""

# Inputs hold these exact values too: the kinks of the layers below (shifts,
# thresholds, `max_value`s and their sums) are drawn from the same numbers.
SPECIAL_VALUES = (0.0, 0.0, 1.0, -1.0, 0.5, -0.5, 0.25, -0.25, 0.3, 0.75, 1.5, 2.0, 6.0)

DRAWN = {entry.layer.__name__: entry.differential for entry in ENTRIES}
"""How each catalogued layer is drawn (`tests/catalogue.py`, `Differential`)."""
MASKED_KINDS = tuple(kind for kind, how in DRAWN.items() if how.masked)
ELEMENTWISE_KINDS = tuple(kind for kind, how in DRAWN.items() if not how.masked)
MASK_SOURCES = (
    "array_binary",
    "array_weighted",
    "region",
    "second_input",
    "learned_array",
    "learned_region",
)

FEATURES = (
    *(f"layer:{kind}" for kind in MASKED_KINDS + ELEMENTWISE_KINDS),
    *(f"mask:{source}" for source in MASK_SOURCES),
    *(f"interpolation:{i}" for i in ("nearest", "bilinear", "area")),
    "data_format:channels_last",
    "data_format:channels_first",
    "rank:3",
    "rank:4",
    "rank:5",
    "dynamic_spatial",
    "alone",
    "chained",
    "downsampled",
    "compiled_gradient",
    "eager_fusion_off",
    "region:combination",
    "region:relative",
    "region:soft",
    *(f"region:{shape}" for shapes in REGION_SHAPES.values() for shape in shapes),
    "rational:A",
    "rational:B",
    "rational:groups",
    "relu:shift",
    "relu:negative_slope",
    "relu:max_value",
    "relu:threshold",
    "rule:activation",
    "rule:layer",
    "rule:masked_layer",
)
"""What a representative set of seeds covers (the test checks that it does)."""


UPSTREAM = {
    "leaky_relu": (
        ("float32", "float64"),
        "Keras's `leaky_relu` has the derivative 1 at x = 0 under JAX (`jax.nn.leaky_relu` "
        "is a `where(x >= 0, ...)`), its slope 0.2 under TensorFlow and PyTorch",
    ),
    "selu": (
        ("float32", "float64"),
        "Keras's `selu` has the derivative `scale` (1.0507) at x = 0 under TensorFlow, "
        "`scale * alpha` (1.7581) under JAX and PyTorch",
    ),
    "gelu": (
        ("float64",),
        "`tf.nn.gelu` rounds its constant 1/sqrt(2) to float32 in float64 "
        "(`math_ops.cast` of a Python float): 5e-9 of the result",
    ),
    "hard_sigmoid": (
        ("float64",),
        "PyTorch's `hardsigmoid` backward multiplies by 1/6 rounded to float32 "
        "(0.1666666716): 3e-8 of the gradient",
    ),
    "FunnelReLU": (
        ("float64",),
        "Keras's BatchNormalization computes float64 in float32 under JAX and PyTorch "
        "(`backend.result_type(inputs.dtype, 'float32')` is float32 there): 6e-7",
    ),
}
"""Options of the package that agree across backends only as far as an upstream
op lets them, with the reason: the seeded runs leave each out in the dtypes
named (`draw(..., upstream=True)` keeps them, to see whether they still differ)."""


def _accepts(cls, name):
    return name in inspect.signature(cls.__init__).parameters


class _Draw:
    """Draws a plan from a NumPy generator; `features` records what was drawn."""

    def __init__(self, seed, left_out):
        self.rng = np.random.default_rng(seed)
        self.features = set()
        self.left_out = left_out

    def choice(self, options, p=None):
        return options[int(self.rng.choice(len(options), p=p))]

    def allowed(self, options):
        return tuple(o for o in options if o not in self.left_out)

    def chance(self, p):
        return bool(self.rng.random() < p)

    def feature(self, name):
        self.features.add(name)

    def shared_axes(self, plan):
        """`None` (per channel), or axes to share; with run-time sizes, every spatial axis."""
        spatial = _spatial_axes(plan)
        if plan["dynamic"]:
            options = [None, spatial, spatial + [_channel_axis(plan)]]
        else:
            options = [None, spatial, spatial[:1], spatial + [_channel_axis(plan)]]
        return self.choice(options)


def draw(seed, dtype="float32", upstream=False):
    """The plan of the model of `seed`: plain JSON.

    Args:
        seed: The seed.
        dtype: The dtype the model will compute in: the options of `UPSTREAM`
            named for it are left out.
        upstream: Whether to keep the options of `UPSTREAM` all the same.

    Returns:
        A dict with `seed`, `rank`, `data_format`, `channels`, `spatial` (the
        input's spatial sizes), `batch`, `dynamic` (spatial sizes known only
        at run time), `mask_input` (`None` or the second input's shape without
        the batch axis), `steps` (a list of layer descriptions), `compiled`
        (`{backend: whether its gradient is compiled}` for TensorFlow and
        JAX), `eager_fusion` (whether eager calls fuse; see
        `keras_masked_relu.config`) and `features` (what the plan covers, in
        the terms of `FEATURES`).
    """
    left_out = set() if upstream else {k for k, (dtypes, _) in UPSTREAM.items() if dtype in dtypes}
    d = _Draw(seed, left_out)
    rank = d.choice((3, 4, 5), p=(0.2, 0.6, 0.2))
    data_format = d.choice(("channels_last", "channels_first"))
    channels = 4
    # Few sizes: each new shape costs the backends a compilation.
    spatial = list(d.choice(SIZES[rank]))
    plan = {
        "seed": seed,
        "rank": rank,
        "data_format": data_format,
        "channels": channels,
        "spatial": spatial,
        "batch": 2,
        "dynamic": d.chance(0.15),
        # Users' JAX gradients are compiled (`jax.jit`); TensorFlow's often eager.
        "compiled": {"tensorflow": d.chance(0.25), "jax": d.chance(0.7)},
        "eager_fusion": d.chance(0.8),
        "mask_input": None,
    }
    d.feature(f"rank:{rank}")
    d.feature(f"data_format:{data_format}")
    if plan["dynamic"]:
        d.feature("dynamic_spatial")
    if any(plan["compiled"].values()):
        d.feature("compiled_gradient")
    if not plan["eager_fusion"]:
        d.feature("eager_fusion_off")
    if d.chance(0.7):
        plan["mask_input"] = _mask_shape(d, plan, spatial, allow_leading_one=False)

    alone = d.chance(0.3)
    d.feature("alone" if alone else "chained")
    state = {"level": 0, "sizes": list(spatial)}
    steps = []
    if alone:
        steps.append(_activation(d, plan, state, depth=0))
    else:
        for _ in range(int(d.rng.integers(2, 7))):
            if steps and d.chance(0.3):
                steps.append(_convolution(d, plan, state))
            steps.append(_activation(d, plan, state, depth=0))
    plan["steps"] = steps
    if not any(_uses_mask_input(step) for step in steps):
        plan["mask_input"] = None
    plan["features"] = sorted(d.features)
    return plan


def _uses_mask_input(step):
    if not isinstance(step, dict):
        return False
    if step.get("source") == "second_input":
        return True
    return _uses_mask_input(step.get("inside")) or _uses_mask_input(step.get("outside"))


def _spatial_axes(plan):
    """Spatial axes of the input, the batch axis being 0."""
    first = 1 if plan["data_format"] == "channels_last" else 2
    return list(range(first, first + plan["rank"] - 2))


def _channel_axis(plan):
    return plan["rank"] - 1 if plan["data_format"] == "channels_last" else 1


def _mask_shape(d, plan, sizes, allow_leading_one=True):
    """A mask shape for spatial `sizes`: spatial only, or with a channel axis."""
    form = d.choice(("spatial", "one", "channels"))
    if form == "spatial":
        shape = list(sizes)
    else:
        c = 1 if form == "one" else plan["channels"]
        shape = list(sizes) + [c] if plan["data_format"] == "channels_last" else [c] + list(sizes)
        if allow_leading_one and d.chance(0.2):
            shape = [1] + shape
    return shape


def _convolution(d, plan, state):
    """A convolution that keeps the channels; the first stride 2 halves the sizes."""
    rank = plan["rank"]
    downsample = state["level"] == 0 and min(state["sizes"]) >= 3 and d.chance(0.5)
    if downsample:
        state["level"] = 1
        state["sizes"] = [(s + 1) // 2 for s in state["sizes"]]
        d.feature("downsampled")
    depthwise = rank == 4 and not downsample and d.chance(0.3)
    # Keras's `ops.add` under TensorFlow takes a channels-first bias for a
    # channels-last one when the last spatial size equals the channels
    # (keras/src/backend/tensorflow/numpy.py, `add`'s `bias_add` case): such
    # convolutions of Keras go without a bias.
    collides = plan["data_format"] == "channels_first" and state["sizes"][-1] == plan["channels"]
    return {
        "kind": "depthwise" if depthwise else f"conv{rank - 2}d",
        "kernel": d.choice((1, 3)) if not downsample else 3,
        "strides": 2 if downsample else 1,
        "use_bias": not collides,
    }


def _activation(d, plan, state, depth):
    kinds = MASKED_KINDS + ELEMENTWISE_KINDS
    p = np.array([_drawable(d, plan, kind) * DRAWN[kind].weight for kind in kinds])
    kind = d.choice(kinds, p=p / p.sum())
    d.feature(f"layer:{kind}")
    if kind in MASKED_KINDS:
        return _masked(d, plan, state, kind, depth)
    return _elementwise(d, plan, kind)


def _drawable(d, plan, kind):
    return plan["rank"] in DRAWN[kind].ranks and kind not in d.left_out


def _elementwise(d, plan, kind):
    return {"kind": kind, **DRAWN[kind].options(d, plan, None)}


def _masked(d, plan, state, kind, depth):
    step = {"kind": kind}
    sources = list(MASK_SOURCES)
    if plan["mask_input"] is None or depth > 0:
        sources.remove("second_input")
    if plan["dynamic"]:
        # A learned region's logits need the image size.
        sources = [s for s in sources if s != "learned_region"]
    weights = np.array([2.0 if s == "second_input" else 1.0 for s in sources])
    source = d.choice(sources, p=weights / weights.sum())
    d.feature(f"mask:{source}")
    step["source"] = source
    sizes = state["sizes"]
    interpolation = d.choice(INTERPOLATIONS)
    if source == "second_input" and state["level"] > 0 and interpolation is None:
        interpolation = d.choice(INTERPOLATIONS[1:])
    step["mask_interpolation"] = interpolation
    if interpolation is not None:
        d.feature(f"interpolation:{interpolation}")
    if source.endswith("region"):
        step["region"] = _region(d, plan, depth=0)
    elif source != "second_input":
        if interpolation is None:
            source_sizes = list(sizes)
            if not plan["dynamic"] and d.chance(0.15):
                # A size-1 axis broadcasts.
                axis = int(d.rng.integers(len(sizes)))
                source_sizes[axis] = 1
        else:
            source_sizes = [
                d.choice(
                    (s, 2 * s, s + 3, max(1, s - 2), plan["spatial"][i], 1 if d.chance(0.1) else s)
                )
                for i, s in enumerate(sizes)
            ]
        step["mask_shape"] = _mask_shape(d, plan, source_sizes)
        step["binary"] = source == "array_binary" or (source == "learned_array" and d.chance(0.5))
    step.update(DRAWN[kind].options(d, plan, lambda: _rule(d, plan, state, depth)))
    return step


def _rule(d, plan, state, depth):
    """A `MaskedActivation` rule: a Keras activation name or a layer's step."""
    form = d.choice(("activation", "layer", "masked_layer"), p=(0.5, 0.4, 0.1))
    if depth > 0 and form == "masked_layer":
        form = "layer"
    d.feature(f"rule:{form}")
    if form == "activation":
        return d.choice(d.allowed(ACTIVATION_NAMES))
    if form == "masked_layer":
        kind = d.choice(MASKED_KINDS)
        d.feature(f"layer:{kind}")
        return _masked(d, plan, state, kind, depth + 1)
    kinds = [k for k in ELEMENTWISE_KINDS if _drawable(d, plan, k)]
    kinds.append("PReLU")
    kind = d.choice(kinds)
    if kind == "PReLU":
        return {"kind": "PReLU", "shared_axes": d.shared_axes(plan) or _spatial_axes(plan)}
    d.feature(f"layer:{kind}")
    return _elementwise(d, plan, kind)


def _region(d, plan, depth):
    """A region of the input's dimensionality: a shape, or a combination of them."""
    if depth < 2 and d.chance(0.35):
        d.feature("region:combination")
        op = d.choice(("union", "intersection", "difference", "invert"))
        if op == "invert":
            return {"op": op, "regions": [_region(d, plan, depth + 1)]}
        count = 2 if op == "difference" else int(d.rng.integers(2, 4))
        return {"op": op, "regions": [_region(d, plan, depth + 1) for _ in range(count)]}
    relative = d.chance(0.5)
    softness = d.choice((0.0, 0.0, 1.0, 2.5))
    if relative:
        d.feature("region:relative")
    if softness:
        d.feature("region:soft")
    # A point's components (x, y, z) run along the spatial axes from the last.
    sizes = plan["spatial"][::-1]
    if relative:
        point = lambda: [float(d.rng.uniform(0, 1)) for _ in sizes]  # noqa: E731
        length = lambda: float(d.rng.uniform(0.15, 0.6))  # noqa: E731
    else:
        point = lambda: [float(np.round(d.rng.uniform(0, n - 1), 1)) for n in sizes]  # noqa: E731
        length = lambda: float(np.round(d.rng.uniform(1.0, max(max(sizes) / 2, 1.0)), 1))  # noqa: E731
    shape = d.choice(REGION_SHAPES[len(sizes)])
    d.feature(f"region:{shape}")
    region = {"shape": shape, "relative": relative, "softness": softness}
    if shape in ("circle", "sphere"):
        region.update(center=point(), radius=length())
    elif shape == "ellipse":
        region.update(center=point(), radii=[length(), length()], angle=float(d.rng.uniform(0, 90)))
    elif shape == "ellipsoid":
        region.update(center=point(), radii=[length() for _ in sizes])
    elif shape in ("box", "cuboid", "interval"):
        a, b = point(), point()
        region.update(start=[min(p) for p in zip(a, b)], end=[max(p) for p in zip(a, b)])
        if shape == "interval":
            region.update(start=region["start"][0], end=region["end"][0])
    else:
        center, r = point(), length()
        angles = np.sort(d.rng.uniform(0, 2 * np.pi, size=int(d.rng.integers(3, 6))))
        angles[1:] += np.arange(1, len(angles)) * 1e-3  # never two equal angles
        region["vertices"] = [
            [center[0] + r * float(np.cos(t)), center[1] + r * float(np.sin(t))] for t in angles
        ]
    return region


# Building


def make_region(region):
    """The `keras_masked_relu.regions` object of a plan's region."""
    if "op" in region:
        parts = [make_region(r) for r in region["regions"]]
        return {
            "union": regions.Union,
            "intersection": regions.Intersection,
            "difference": regions.Difference,
            "invert": regions.Invert,
        }[region["op"]](*parts)
    options = {"relative": region["relative"], "softness": region["softness"]}
    if region["shape"] == "circle":
        return regions.Circle(region["center"], region["radius"], **options)
    if region["shape"] == "sphere":
        return regions.Sphere(region["center"], region["radius"], **options)
    if region["shape"] == "ellipsoid":
        return regions.Ellipsoid(region["center"], region["radii"], **options)
    if region["shape"] == "cuboid":
        return regions.Cuboid(region["start"], region["end"], **options)
    if region["shape"] == "interval":
        return regions.Interval(region["start"], region["end"], **options)
    if region["shape"] == "ellipse":
        return regions.Ellipse(region["center"], region["radii"], region["angle"], **options)
    if region["shape"] == "box":
        return regions.Box(region["start"], region["end"], **options)
    return regions.Polygon(region["vertices"], **options)


def _mask_array(rng, shape, binary):
    if binary:
        return (rng.random(shape) < 0.5).astype("float64")
    values = rng.random(shape)
    # Exact 0 and 1 among the weights: a weighted mask's own ends.
    ends = rng.random(shape)
    values[ends < 0.1] = 0.0
    values[ends > 0.9] = 1.0
    return values


def _layer(step, plan, rng, dtype, name):
    kind = step["kind"]
    data_format = {"data_format": plan["data_format"]}
    if kind == "PReLU":
        return keras.layers.PReLU(shared_axes=step["shared_axes"], dtype=dtype, name=name)
    cls = getattr(kl, kind)
    options = {k: v for k, v in step.items() if k not in ("kind",)}
    if kind in MASKED_KINDS:
        source = options.pop("source")
        if source == "second_input":
            mask = None
        elif source.endswith("region"):
            mask = make_region(options.pop("region"))
        else:
            mask = _mask_array(rng, options.pop("mask_shape"), options.pop("binary")).astype(dtype)
        options["trainable_mask"] = source.startswith("learned")
        if kind == "MaskedActivation":
            for rule in ("inside", "outside"):
                if isinstance(options[rule], dict):
                    options[rule] = _layer(options[rule], plan, rng, dtype, f"{name}_{rule}")
        return cls(mask, **options, **data_format, dtype=dtype, name=name)
    if _accepts(cls, "data_format"):
        options.update(data_format)
    return cls(**options, dtype=dtype, name=name)


def _conv(step, plan, dtype, name):
    """A Keras convolution of a step, as a function of a tensor."""
    options = {
        "padding": "same",
        "strides": step["strides"],
        "data_format": plan["data_format"],
        "use_bias": step["use_bias"],
        "dtype": dtype,
        "name": name,
    }
    if step["kind"] == "depthwise":
        return keras.layers.DepthwiseConv2D(step["kernel"], **options)
    cls = {
        "conv1d": keras.layers.Conv1D,
        "conv2d": keras.layers.Conv2D,
        "conv3d": keras.layers.Conv3D,
    }[step["kind"]]
    if dtype == "float64" and plan["data_format"] == "channels_first" and step["kind"] != "conv3d":
        # TensorFlow's CPU Conv2D kernel takes float64 in NHWC only ("The
        # Conv2D op currently only supports the NHWC tensor format on the
        # CPU"): the same convolution, between two transpositions.
        options["data_format"] = "channels_last"
        conv = cls(plan["channels"], step["kernel"], **options)
        rank = plan["rank"]
        to_last = keras.layers.Permute((*range(2, rank), 1), dtype=dtype, name=f"{name}_to_last")
        to_first = keras.layers.Permute(
            (rank - 1, *range(1, rank - 1)), dtype=dtype, name=f"{name}_to_first"
        )
        return lambda h: to_first(conv(to_last(h)))
    return cls(plan["channels"], step["kernel"], **options)


def _sample_shape(plan, sizes):
    if plan["data_format"] == "channels_last":
        return list(sizes) + [plan["channels"]]
    return [plan["channels"]] + list(sizes)


def input_shapes(plan):
    """Shapes of the model's inputs without the batch axis (`None` for run-time sizes)."""
    sizes = [None] * len(plan["spatial"]) if plan["dynamic"] else plan["spatial"]
    shapes = {"x": _sample_shape(plan, sizes)}
    if plan["mask_input"] is not None:
        shape = list(plan["mask_input"])
        if plan["dynamic"]:
            spatial = set(range(len(shape))) - {_mask_channel_position(plan, shape)}
            shape = [None if i in spatial else s for i, s in enumerate(shape)]
        shapes["mask"] = shape
    return shapes


def _mask_channel_position(plan, shape):
    if len(shape) == len(plan["spatial"]):
        return None
    return len(shape) - 1 if plan["data_format"] == "channels_last" else 0


CONVOLUTIONS = ("conv1d", "conv2d", "conv3d", "depthwise")


def step_name(i, step):
    return f"s{i}_{step['kind'].lower()}"


def output_names(plan):
    """Names of the model's outputs: every step's, in order."""
    return [step_name(i, step) for i, step in enumerate(plan["steps"])]


def build(plan, dtype):
    """The functional model of a plan; its outputs are every step's output.

    Args:
        plan: A plan from `draw`.
        dtype: `"float32"` or `"float64"`, the dtype of every layer.

    Returns:
        A `keras.Model` named after the seed, with inputs `x` (and `mask`).
    """
    keras.utils.set_random_seed(plan["seed"])
    rng = np.random.default_rng([plan["seed"], 1])
    shapes = input_shapes(plan)
    inputs = {
        name: keras.Input(tuple(shape), name=name, dtype=dtype) for name, shape in shapes.items()
    }
    h = inputs["x"]
    outputs = []
    for i, step in enumerate(plan["steps"]):
        name = step_name(i, step)
        if step["kind"] in CONVOLUTIONS:
            h = _conv(step, plan, dtype, name)(h)
            outputs.append(h)
            continue
        layer = _layer(step, plan, rng, dtype, name)
        h = layer([h, inputs["mask"]]) if step.get("source") == "second_input" else layer(h)
        outputs.append(h)
    return keras.Model(list(inputs.values()), outputs, name=f"differential_{plan['seed']}")


def perturb(model, seed, dtype):
    """Moves every weight off its start, by seeded noise drawn in float64.

    Mask arrays keep their values (they are data, already random); moving
    variances stay positive; every other weight (kernels, biases, mask
    logits, rational and polynomial coefficients, mixing logits) gets normal
    noise, smaller for the higher powers of a polynomial or rational.
    """
    rng = np.random.default_rng([seed, 2])
    for variable in model.weights:
        value = np.asarray(keras.ops.convert_to_numpy(variable), "float64")
        name = variable.path.rsplit("/", 1)[-1]
        noise = rng.standard_normal(value.shape)
        if name == "mask" and not variable.trainable:
            continue
        if name == "moving_variance":
            value = value * np.exp(0.3 * noise)
        elif name in ("numerator", "denominator", "coefficients"):
            powers = np.arange(value.shape[-1]) + (1 if name == "denominator" else 0)
            value = value + 0.15 * noise * 0.6**powers
        elif name == "mask_logits":
            value = value + 0.7 * noise
        elif value.size > 8 and value.std() > 0:
            value = value + 0.3 * value.std() * noise
        else:
            value = value + 0.2 * noise
        variable.assign(value.astype(dtype))


def sample(plan, model, dtype):
    """Inputs (normal, with exact kink points among them) and output cotangents.

    Returns:
        A dict of arrays: `input:<name>` for each model input and
        `cotangent:<i>` for each output.
    """
    rng = np.random.default_rng([plan["seed"], 3])
    arrays = {}
    batch = plan["batch"]
    x = rng.standard_normal([batch] + _sample_shape(plan, plan["spatial"]))
    x *= rng.choice((1.0, 2.0))
    special = rng.random(x.shape) < 0.2
    x[special] = rng.choice(SPECIAL_VALUES, size=int(special.sum()))
    arrays["input:x"] = x.astype(dtype)
    if plan["mask_input"] is not None:
        m = _mask_array(rng, [batch] + list(plan["mask_input"]), binary=rng.random() < 0.3)
        arrays["input:mask"] = m.astype(dtype)
    outputs = model([arrays[f"input:{name}"] for name in input_shapes(plan)])
    for i, output in enumerate(keras.tree.flatten(outputs)):
        shape = tuple(keras.ops.shape(output))
        arrays[f"cotangent:{i}"] = rng.standard_normal(shape).astype(dtype)
    return arrays


def package_layers():
    """Names of the layer classes the package exports (its models aside)."""
    return sorted(cls.__name__ for cls in public_layers())


def covering_seeds(times=3, candidates=range(600), dtypes=("float32", "float64")):
    """Few seeds whose models, in `dtypes`, draw every feature `times` times or more.

    Chosen greedily from `candidates`: each next seed is the one that adds the
    most missing draws, the lowest on a tie.

    Args:
        times: How many of the models must draw each feature of `FEATURES`.
        candidates: The seeds to choose from.
        dtypes: The dtypes each seed's model is run in.

    Returns:
        The chosen seeds, sorted.

    Raises:
        ValueError: when no model of `candidates` draws some feature, naming it.
    """
    counts = {}
    for seed in candidates:
        counts[seed] = {f: 0 for f in FEATURES}
        for dtype in dtypes:
            for feature in draw(seed, dtype)["features"]:
                counts[seed][feature] = counts[seed].get(feature, 0) + 1
    missing = {f: times for f in FEATURES}
    never = [f for f in FEATURES if not any(c[f] for c in counts.values())]
    if never:
        raise ValueError(f"No model of seeds {candidates} draws {never}")
    chosen = []
    while any(missing.values()):

        def gain(seed):
            return sum(min(counts[seed][f], left) for f, left in missing.items())

        seed = max((s for s in counts if s not in chosen), key=lambda s: (gain(s), -s))
        if gain(seed) == 0:
            short = sorted(f for f, left in missing.items() if left)
            raise ValueError(f"Seeds {candidates} draw {short} fewer than {times} times")
        chosen.append(seed)
        for f in missing:
            missing[f] = max(0, missing[f] - counts[seed][f])
    return sorted(chosen)
