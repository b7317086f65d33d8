"""A mask's value lives in its weight (SPEC 3.4): every change of the weight
reaches the next call.

For each mask source with a weight (an array that starts binary, an array that
starts weighted, a learned mask) and each `mask_interpolation`, a model is
built and called (eagerly and through `predict`, which traces it once), then
its mask weights are changed by each path in turn: `model.set_weights`,
`layer.set_weights`, `variable.assign`, `model.load_weights` of a
`.weights.h5`, a `.keras` file loaded into a new model, an optimizer step (the
learned mask) and a distribution (in a process of its own). After each change
both calls are compared, by the one rule of `keras_masked_relu.tools.rule`,
with `reference.py`'s formulas of the new value, resized by `reference.resize`
(written apart from the package). A binary start meets weighted values, so a
fast form kept from the start would show as well as a stale copy.
"""

import pathlib

import keras
import numpy as np
import pytest
import reference as ref
from backend_utils import to_numpy

from keras_masked_relu import MaskedActivation, MaskedReLU
from keras_masked_relu.tools.backend_process import run_json_under_backend
from keras_masked_relu.tools.rule import TOLERANCES, scaled_difference

SOURCES = ["binary", "weighted", "learned"]
INTERPOLATIONS = [None, "nearest", "bilinear", "area"]
SIZE = 8  # the input's spatial size
TOL = TOLERANCES["float32"].outputs
TESTS = pathlib.Path(__file__).parent


def mask_sizes(interpolation):
    """The two masks' sizes: the input's without an interpolation, else twice it (an
    integer factor) and 1.5 times it (a matrix of weights)."""
    return (SIZE, SIZE) if interpolation is None else (2 * SIZE, 3 * SIZE // 2)


def random_values(kind, rng, interpolation):
    """Values of the two mask weights, `(n, n, 1)` each: masks, or logits."""
    shapes = [(n, n, 1) for n in mask_sizes(interpolation)]
    if kind == "learned":
        return [rng.normal(scale=2.0, size=s).astype("float32") for s in shapes]
    if kind == "binary":
        return [(rng.random(s) > 0.5).astype("float32") for s in shapes]
    return [rng.random(s).astype("float32") for s in shapes]


def build(source, interpolation, rng):
    """A model of `MaskedReLU` (its fast form for a binary mask is `relu(x - m * s)`)
    and `MaskedActivation` (a `where` for a binary mask), one mask weight each."""
    starts = [v[:, :, 0] for v in random_values(source, rng, interpolation)]
    if source == "learned":
        starts = [rng.uniform(0.1, 0.9, size=s.shape).astype("float32") for s in starts]
    kwargs = dict(mask_interpolation=interpolation, trainable_mask=source == "learned")
    x_in = keras.Input((SIZE, SIZE, 3))
    relu = MaskedReLU(starts[0], shift=0.3, name="relu", **kwargs)
    activation = MaskedActivation(
        starts[1], inside="elu", outside="tanh", name="activation", **kwargs
    )
    return keras.Model(x_in, [relu(x_in), activation(x_in)])


def expected_outputs(values, learned, interpolation, x):
    """The two layers' formulas in NumPy, for mask weights `values`."""
    masks = []
    for value in values:
        mask = ref.sigmoid(value[:, :, 0].astype(np.float64)) if learned else value[:, :, 0]
        if interpolation is not None:
            mask = ref.resize(mask, (SIZE, SIZE), interpolation)
        masks.append(mask[None, :, :, None])
    return [
        ref.masked_relu(x, masks[0], shift=0.3),
        ref.masked_activation(x, masks[1], "elu", "tanh"),
    ]


def differences(model, values, learned, interpolation, x):
    """`{"call MaskedReLU": d, ...}`: each output's scaled difference, eagerly and
    through `predict`."""
    expected = expected_outputs(values, learned, interpolation, x)
    found = {}
    for how, outputs in [("call", model(x)), ("predict", model.predict(x, verbose=0))]:
        for name, y, e in zip(["MaskedReLU", "MaskedActivation"], outputs, expected):
            found[f"{how} {name}"] = scaled_difference(to_numpy(y), e)
    return found


def failures(model, values, learned, interpolation, x, path):
    return [
        f"after {path}: {what} differs by {d:.2g}"
        for what, d in differences(model, values, learned, interpolation, x).items()
        if not d <= TOL
    ]


def mask_variables(model):
    return [model.get_layer(name).weights[0] for name in ("relu", "activation")]


@pytest.mark.parametrize("interpolation", INTERPOLATIONS, ids=str)
@pytest.mark.parametrize("source", SOURCES)
def test_every_weight_change_reaches_the_next_call(source, interpolation, tmp_path, rng):
    learned = source == "learned"
    x = rng.normal(size=(4, SIZE, SIZE, 3)).astype("float32")
    model = build(source, interpolation, rng)
    wrong = failures(model, model.get_weights(), learned, interpolation, x, "build")
    # An array that started binary gets weighted values; one that started
    # weighted gets weighted and binary values in turn.
    kinds = iter(["learned"] * 8 if learned else ["weighted", "binary"] * 4)
    if source == "binary":
        kinds = iter(["weighted"] * 8)

    def new_values():
        return random_values(next(kinds), rng, interpolation)

    values = new_values()
    model.set_weights(values)
    wrong += failures(model, values, learned, interpolation, x, "model.set_weights")

    values = new_values()
    for name, value in zip(["relu", "activation"], values):
        model.get_layer(name).set_weights([value])
    wrong += failures(model, values, learned, interpolation, x, "layer.set_weights")

    values = new_values()
    for variable, value in zip(mask_variables(model), values):
        variable.assign(value)
    wrong += failures(model, values, learned, interpolation, x, "variable.assign")

    # A file written by another model of the same architecture.
    donor = build(source, interpolation, rng)
    values = new_values()
    donor.set_weights(values)
    donor.save_weights(tmp_path / "donor.weights.h5")
    model.load_weights(tmp_path / "donor.weights.h5")
    wrong += failures(model, values, learned, interpolation, x, "model.load_weights")

    values = new_values()
    donor.set_weights(values)
    donor.save(tmp_path / "donor.keras")
    loaded = keras.saving.load_model(tmp_path / "donor.keras", safe_mode=True)
    wrong += failures(loaded, values, learned, interpolation, x, "loading a .keras file")
    values = new_values()
    for variable, value in zip(mask_variables(loaded), values):
        variable.assign(value)
    wrong += failures(loaded, values, learned, interpolation, x, "variable.assign after loading")

    if learned:
        before = model.get_weights()
        model.compile(optimizer=keras.optimizers.SGD(1.0), loss=["mse", "mse"])
        targets = [rng.normal(size=x.shape).astype("float32") for _ in range(2)]
        model.train_on_batch(x, targets)
        values = model.get_weights()
        for old, new in zip(before, values):
            assert (np.abs(new - old) > 1e-6).any(), "the optimizer step moved no logit"
        wrong += failures(model, values, True, interpolation, x, "an optimizer step")
    assert not wrong, "\n".join(wrong)


def test_binary_entry_of_earlier_configs_is_not_a_promise(rng):
    """A config that says `"binary": True` (as files written before said of a 0/1
    array) describes the array's shape only: weighted values are blended."""
    x = rng.normal(size=(2, SIZE, SIZE, 3)).astype("float32")
    for interpolation in INTERPOLATIONS:
        size = mask_sizes(interpolation)[0]
        config = MaskedReLU(np.ones((size, size)), shift=0.3).get_config()
        config.update(mask={"array_shape": [size, size], "binary": True})
        config.update(mask_interpolation=interpolation)
        layer = MaskedReLU.from_config(config)
        layer.build(x.shape)
        value = rng.random((size, size, 1)).astype("float32")
        layer.set_weights([value])
        mask = (
            value[:, :, 0]
            if interpolation is None
            else ref.resize(value[:, :, 0], (SIZE, SIZE), interpolation)
        )
        expected = ref.masked_relu(x, mask[None, :, :, None], shift=0.3)
        assert scaled_difference(to_numpy(layer(x)), expected) <= TOL, interpolation


# --- A distribution ----------------------------------------------------------------------

# Run in a process of its own: the devices are set up before the backend starts.
DISTRIBUTED = """
import json, sys
sys.path.insert(0, {tests!r})
{setup}
import test_mask_weight_changes as t
print(json.dumps(t.distributed_failures()))
"""

SETUP = {
    "jax": "",
    "tensorflow": (
        "import tensorflow as tf\n"
        "cpu = tf.config.list_physical_devices('CPU')[0]\n"
        "tf.config.set_logical_device_configuration("
        "cpu, [tf.config.LogicalDeviceConfiguration()] * 2)"
    ),
}


def distributed_failures():
    """The weight-change checks under JAX's `DataParallel` over 2 CPU devices, or
    TensorFlow's `MirroredStrategy` over 2 logical CPUs; returns what differed."""
    import contextlib

    backend = keras.backend.backend()
    if backend == "jax":
        devices = keras.distribution.list_devices("cpu")
        assert len(devices) == 2, devices
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        scope = contextlib.nullcontext
    else:
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        assert strategy.num_replicas_in_sync == 2
        scope = strategy.scope
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, SIZE, SIZE, 3)).astype("float32")
    wrong = []
    # One interpolation per source, and `variable.assign` (what `set_weights` and
    # `load_weights` do) only, as distributed calls are slow to set up.
    for source, interpolation in [("binary", "nearest"), ("weighted", "area"), ("learned", None)]:
        learned = source == "learned"
        what = f"{source}, {interpolation}"
        with scope():
            model = build(source, interpolation, rng)
            kind = "learned" if learned else "weighted"
            values = random_values(kind, rng, interpolation)
            for variable, value in zip(mask_variables(model), values):
                variable.assign(value)
            wrong += failures(model, values, learned, interpolation, x, f"{what}: assign")
            if learned:
                model.compile(optimizer=keras.optimizers.SGD(1.0), loss=["mse", "mse"])
                targets = [rng.normal(size=x.shape).astype("float32") for _ in range(2)]
                model.fit(x, targets, batch_size=4, epochs=1, verbose=0)
                values = model.get_weights()
                wrong += failures(model, values, True, interpolation, x, f"{what}: fit")
    return wrong


def test_weight_changes_under_a_distribution():
    backend = keras.backend.backend()
    if backend not in SETUP:
        pytest.skip(f"Keras has no distribution for the {backend} backend")
    code = DISTRIBUTED.format(tests=str(TESTS), setup=SETUP[backend])
    env = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    wrong = run_json_under_backend(backend, ["-c", code], env=env, timeout=600)
    assert not wrong, "\n".join(wrong)
