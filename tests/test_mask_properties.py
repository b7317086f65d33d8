"""Property-based tests of the mask sources (SPEC 3.4, 3.5), with hypothesis.

Each example draws a layout (spatial rank 1 to 3, data format, channels,
sizes), a mask source (an array, a learned mask, a region, a second input),
its values, an interpolation and a layer's parameters; the layer runs eagerly
at a static size and traced at sizes known only at run time, and both are
compared, by the one rule of `keras_masked_relu.tools.rule`, with
`reference.py` (its own resizing, `reference.resize`, and its own regions).
A mask with a weight then gets new values by a drawn path (`model.set_weights`,
`layer.set_weights`, `variable.assign`, `load_weights`) and is compared again,
through the same, already traced, function.

"Traced at run-time sizes" is a `tf.function` whose input signature leaves
every size but the channels' unknown under TensorFlow; under JAX a `jax.jit`
of `stateless_call` (JAX traces with static sizes, so the values, not the
sizes, are unknown there); under PyTorch `predict`, which runs eagerly (a
`torch.compile` per example would take seconds). The examples are derandomized
and few, so each backend runs the file in well under a minute.
"""

import os
import tempfile

import keras
import numpy as np
import reference as ref
from backend_utils import to_numpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.regions import Box, Circle, Ellipse
from keras_masked_relu.tools.rule import TOLERANCES, scaled_difference

TOL = TOLERANCES["float32"].outputs
INTERPOLATIONS = [None, "nearest", "bilinear", "area"]
PATHS = ["model.set_weights", "layer.set_weights", "variable.assign", "load_weights"]


def bounded(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# --- What is drawn ---------------------------------------------------------------------


def mask_values(draw, shape):
    """Float32 values in [0, 1] of `shape`: only 0 and 1, or any."""
    if draw(st.booleans()):
        elements = st.sampled_from([0.0, 1.0])
    else:
        elements = st.floats(0.0, 1.0, width=32, allow_subnormal=False)
    return draw(hnp.arrays(np.float32, shape, elements=elements))


@st.composite
def layouts(draw, rank=None):
    """The input's layout: spatial rank, data format, batch, sizes and channels."""
    rank = draw(st.sampled_from([1, 2, 3])) if rank is None else rank
    biggest = {1: 9, 2: 6, 3: 4}[rank]
    return dict(
        rank=rank,
        data_format=draw(st.sampled_from(["channels_last", "channels_first"])),
        batch=draw(st.integers(1, 2)),
        sizes=tuple(draw(st.integers(1, biggest)) for _ in range(rank)),
        channels=draw(st.integers(1, 3)),
        interpolation=draw(st.sampled_from(INTERPOLATIONS)),
        seed=draw(st.integers(0, 2**16)),
    )


@st.composite
def rules(draw):
    """A `MaskedReLU`'s parameters, or a `MaskedActivation`'s two rules."""
    if draw(st.booleans()):
        return dict(
            layer="relu",
            shift=draw(st.sampled_from([0.0, 0.3, -0.2])),
            negative_slope=draw(st.sampled_from([0.0, 0.1])),
            max_value=draw(st.sampled_from([None, 1.5])),
            threshold=draw(st.sampled_from([0.0, 0.2])),
        )
    return dict(
        layer="activation",
        inside=draw(st.sampled_from(["elu", "tanh", "sigmoid", "linear"])),
        outside=draw(st.sampled_from(["relu", "tanh", "linear"])),
    )


def mask_sizes(draw, layout):
    """A mask's spatial sizes: any with an interpolation, else the input's or 1."""
    if layout["interpolation"] is None:
        return tuple(draw(st.sampled_from([n, 1])) for n in layout["sizes"])
    biggest = {1: 12, 2: 9, 3: 5}[layout["rank"]]
    return tuple(draw(st.integers(1, biggest)) for _ in layout["sizes"])


@st.composite
def weight_cases(draw):
    """An array or learned mask, its given form, the layer, how the layer is built
    and how its weight changes."""
    layout = draw(layouts())
    spatial = mask_sizes(draw, layout)
    channels = draw(st.sampled_from(sorted({1, layout["channels"]})))
    # The weight's shape: the mask aligned to one sample.
    first = layout["data_format"] == "channels_first"
    aligned = (channels, *spatial) if first else (*spatial, channels)
    forms = ["sample", "batch of one"] + (["spatial"] if channels == 1 else [])
    form = draw(st.sampled_from(forms))
    given_shape = {"sample": aligned, "batch of one": (1, *aligned), "spatial": spatial}[form]
    return dict(
        layout=layout,
        rule=draw(rules()),
        learned=draw(st.booleans()),
        aligned=aligned,
        start=mask_values(draw, given_shape),
        built_at_run_time_sizes=draw(st.booleans()),
        path=draw(st.sampled_from(PATHS)),
        new=mask_values(draw, aligned),
    )


# --- The reference ---------------------------------------------------------------------


def spatial_axes(layout):
    """The spatial axes of one sample (no batch axis)."""
    start = 1 if layout["data_format"] == "channels_first" else 0
    return tuple(range(start, start + layout["rank"]))


def expected(layout, rule, mask, x):
    """The layer's formula for `mask`, aligned to one sample, resized by the reference."""
    mask = np.asarray(mask, np.float64)
    if layout["interpolation"] is not None:
        axes = spatial_axes(layout)
        sizes = [x.shape[1 + axis] for axis in axes]
        mask = ref.resize(mask, sizes, layout["interpolation"], axes)
    mask = mask[None]
    if rule["layer"] == "relu":
        params = {k: v for k, v in rule.items() if k != "layer"}
        return ref.masked_relu(x, mask, **params)
    return ref.masked_activation(x, mask, rule["inside"], rule["outside"])


def make_layer(rule, mask, layout, **kwargs):
    kwargs.update(mask_interpolation=layout["interpolation"], data_format=layout["data_format"])
    if rule["layer"] == "relu":
        params = {k: v for k, v in rule.items() if k != "layer"}
        return MaskedReLU(mask, **params, **kwargs)
    return MaskedActivation(mask, inside=rule["inside"], outside=rule["outside"], **kwargs)


def sample_shape(layout, sizes):
    c = layout["channels"]
    return (c, *sizes) if layout["data_format"] == "channels_first" else (*sizes, c)


def input_data(layout, shape=None):
    rng = np.random.default_rng(layout["seed"])
    shape = sample_shape(layout, layout["sizes"]) if shape is None else shape
    return (2.0 * rng.normal(size=(layout["batch"], *shape))).astype("float32")


# --- Calls at run-time sizes -----------------------------------------------------------


def traced(model):
    """`model` as a traced function of its inputs; see the module's docstring."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        # The inputs' own shapes: unknown sizes, known channels.
        specs = [tf.TensorSpec(t.shape, t.dtype) for t in model.inputs]
        function = tf.function(lambda *xs: model(one_or_list(xs)), input_signature=specs)
        return lambda *xs: function(*xs)
    if backend == "jax":
        import jax

        def call(trainable, non_trainable, *xs):
            return model.stateless_call(trainable, non_trainable, one_or_list(xs))[0]

        function = jax.jit(call)

        def run(*xs):
            trainable = [v.value for v in model.trainable_variables]
            non_trainable = [v.value for v in model.non_trainable_variables]
            return function(trainable, non_trainable, *xs)

        return run
    return lambda *xs: model.predict(one_or_list(xs), verbose=0)


def one_or_list(xs):
    return list(xs) if len(xs) > 1 else xs[0]


def run_time_input(layout, channels_only):
    """A `keras.Input` whose sizes are unknown but for the channels'."""
    c = layout["channels"] if channels_only is None else channels_only
    shape = (None,) * layout["rank"]
    return keras.Input((c, *shape) if layout["data_format"] == "channels_first" else (*shape, c))


def logit(p):
    return np.log(p) - np.log1p(-p)


def differences(layout, rule, mask, x, calls):
    want = expected(layout, rule, mask, x)
    return {name: scaled_difference(to_numpy(call(x)), want) for name, call in calls.items()}


# --- The properties --------------------------------------------------------------------


@bounded(10)
@given(case=weight_cases())
def test_array_and_learned_masks(case):
    layout, rule = case["layout"], case["rule"]
    x = input_data(layout)
    layer = make_layer(rule, case["start"], layout, trainable_mask=case["learned"])
    static_in = keras.Input(x.shape[1:])
    dynamic_in = run_time_input(layout, None)
    # The layer is built by whichever model is made first: at static or run-time sizes.
    order = [dynamic_in, static_in] if case["built_at_run_time_sizes"] else [static_in, dynamic_in]
    models = {id(i): keras.Model(i, layer(i)) for i in order}
    static, dynamic = models[id(static_in)], models[id(dynamic_in)]
    calls = {"eager": static, "traced": traced(dynamic)}
    weight = layer.weights[0]
    assert tuple(weight.shape) == case["aligned"]

    start = case["start"].reshape(case["aligned"])
    if case["learned"]:
        start = ref.learned_start(start)
    found = differences(layout, rule, start, x, calls)
    assert all(d <= TOL for d in found.values()), (found, case)

    new = case["new"]
    value = logit(ref.learned_start(new)) if case["learned"] else new
    value = value.astype("float32")
    path = case["path"]
    if path == "model.set_weights":
        static.set_weights([value])
    elif path == "layer.set_weights":
        layer.set_weights([value])
    elif path == "variable.assign":
        weight.assign(value)
    else:
        donor_layer = make_layer(rule, case["start"], layout, trainable_mask=case["learned"])
        donor = keras.Model(static_in, donor_layer(static_in))
        donor.set_weights([value])
        with tempfile.TemporaryDirectory() as folder:
            donor.save_weights(os.path.join(folder, "donor.weights.h5"))
            static.load_weights(os.path.join(folder, "donor.weights.h5"))
    mask = ref.sigmoid(value.astype(np.float64)) if case["learned"] else new
    found = differences(layout, rule, mask, x, calls)
    assert all(d <= TOL for d in found.values()), (found, path, case)


@st.composite
def input_cases(draw):
    layout = draw(layouts())
    spatial = mask_sizes(draw, layout)
    channels = draw(st.sampled_from(sorted({1, layout["channels"]})))
    first = layout["data_format"] == "channels_first"
    with_channels = (channels, *spatial) if first else (*spatial, channels)
    forms = ["with channels"] + (["spatial"] if channels == 1 else [])
    form = draw(st.sampled_from(forms))
    shape = (layout["batch"], *(with_channels if form == "with channels" else spatial))
    return dict(layout=layout, rule=draw(rules()), mask=mask_values(draw, shape), form=form)


@bounded(8)
@given(case=input_cases())
def test_second_input_masks(case):
    layout, rule, m = case["layout"], case["rule"], case["mask"]
    x = input_data(layout)
    layer = make_layer(rule, None, layout)
    x_in = run_time_input(layout, None)
    first = layout["data_format"] == "channels_first"
    m_channels = m.shape[1] if first else m.shape[-1]
    if case["form"] == "with channels":
        m_in = run_time_input(layout, m_channels)
    else:
        m_in = keras.Input((None,) * layout["rank"])
    model = keras.Model([x_in, m_in], layer([x_in, m_in]))
    per_sample = m if case["form"] == "with channels" else np.expand_dims(m, 1 if first else -1)
    want = [expected(layout, rule, per_sample[i], x[i : i + 1]) for i in range(len(x))]
    want = np.concatenate(want)
    for name, call in [("eager", layer), ("model", model)]:
        assert scaled_difference(to_numpy(call([x, m])), want) <= TOL, (name, case)
    got = traced(model)(x, m)
    assert scaled_difference(to_numpy(got), want) <= TOL, ("traced", case)


@st.composite
def region_cases(draw):
    layout = draw(layouts(rank=2))
    relative = draw(st.booleans())
    softness = draw(st.sampled_from([0.0, 1.5]))
    point = st.floats(0.0, 1.0) if relative else st.floats(-1.0, 7.0)
    length = st.floats(0.1, 0.6) if relative else st.floats(0.5, 4.0)
    center = (draw(point), draw(point))
    kind = draw(st.sampled_from(["circle", "box", "ellipse"]))
    if kind == "circle":
        radius = draw(length)
        region = Circle(center, radius, relative=relative, softness=softness)
        drawn = lambda h, w: ref.circle(h, w, center, radius, relative, softness)  # noqa: E731
    elif kind == "box":
        end = (center[0] + draw(length), center[1] + draw(length))
        region = Box(center, end, relative=relative, softness=softness)
        drawn = lambda h, w: ref.box(h, w, center, end, relative, softness)  # noqa: E731
    else:
        radii, angle = (draw(length), draw(length)), draw(st.sampled_from([0.0, 30.0]))
        region = Ellipse(center, radii, angle, relative=relative, softness=softness)
        drawn = lambda h, w: ref.ellipse(h, w, center, radii, angle, relative, softness)  # noqa: E731
    other = tuple(draw(st.integers(1, 6)) for _ in range(2))
    return dict(layout=layout, rule=draw(rules()), region=region, drawn=drawn, other_sizes=other)


@bounded(8)
@given(case=region_cases())
def test_region_masks(case):
    """Drawn at each input's size, static or known at run time; `mask_interpolation`
    has no effect."""
    layout, rule = case["layout"], case["rule"]
    layer = make_layer(rule, case["region"], layout)
    x_in = run_time_input(layout, None)
    model = keras.Model(x_in, layer(x_in))
    function = traced(model)
    no_interpolation = dict(layout, interpolation=None)
    channel = 0 if layout["data_format"] == "channels_first" else -1
    for sizes in [layout["sizes"], case["other_sizes"]]:
        x = input_data(layout, sample_shape(layout, sizes))
        mask = np.expand_dims(case["drawn"](*sizes), channel)
        want = expected(no_interpolation, rule, mask, x)
        for name, call in [("eager", layer), ("model", model), ("traced", function)]:
            assert scaled_difference(to_numpy(call(x)), want) <= TOL, (name, sizes, case)
