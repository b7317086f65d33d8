"""One backend's half of `compare`: run the model, save numbers to an .npz file.

This module imports the backend in use: it is a tool, not part of a layer.
"""

import json
import pathlib
import time

import keras
import numpy as np

import keras_masked_relu  # noqa: F401  (registers the package's classes)


def _read_arrays(path):
    data = np.load(path)
    return [data[f"arr_{i}"] for i in range(len(data.files))]


def _model_inputs(model, work, seed, batch_size):
    """The shared inputs: given ones, or seeded normal ones made here."""
    path = work / "inputs.npz"
    specs = [tuple(t.shape) for t in model.inputs]
    if path.exists():
        arrays = _read_arrays(path)
    else:
        rng = np.random.default_rng(seed)
        arrays = []
        for shape in specs:
            if any(d is None for d in shape[1:]):
                raise ValueError(
                    f"Model input of shape {shape} has sizes known only at run time; "
                    "give inputs with --inputs"
                )
            arrays.append(rng.normal(size=(batch_size,) + shape[1:]).astype("float32"))
        np.savez(path, *arrays)
    if len(arrays) != len(specs):
        raise ValueError(
            f"The model takes {len(specs)} inputs of shapes {specs}. "
            f"Received: {len(arrays)} arrays"
        )
    for array, shape in zip(arrays, specs):
        if array.ndim != len(shape) or any(
            d is not None and d != a for d, a in zip(shape[1:], array.shape[1:])
        ):
            raise ValueError(
                f"Inputs of shape {array.shape} do not fit the model input of shape {shape}"
            )
    return [a.astype("float32") for a in arrays]


def _cotangents(outputs, work, seed):
    path = work / "cotangent.npz"
    if path.exists():
        return _read_arrays(path)
    rng = np.random.default_rng(seed + 1)
    arrays = [rng.normal(size=tuple(o.shape)).astype("float32") for o in outputs]
    np.savez(path, *arrays)
    return arrays


def _as_call_arg(arrays):
    return arrays[0] if len(arrays) == 1 else arrays


def gradients(model, inputs, cotangents):
    """Gradients of `sum(outputs * cotangents)` w.r.t. inputs and trainable weights."""
    backend = keras.backend.backend()
    weights = model.trainable_variables
    if backend == "tensorflow":
        import tensorflow as tf

        xs = [tf.constant(a) for a in inputs]
        with tf.GradientTape() as tape:
            tape.watch(xs)
            outs = keras.tree.flatten(model(_as_call_arg(xs)))
            loss = tf.add_n([tf.reduce_sum(o * c) for o, c in zip(outs, cotangents)])
        grads = tape.gradient(loss, xs + [w.value for w in weights])
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        non_trainable = [v.value for v in model.non_trainable_variables]

        def loss_fn(xs, trainable):
            outs, _ = model.stateless_call(trainable, non_trainable, _as_call_arg(xs))
            return sum(jnp.sum(o * c) for o, c in zip(keras.tree.flatten(outs), cotangents))

        gx, gw = jax.grad(loss_fn, argnums=(0, 1))(
            [jnp.asarray(a) for a in inputs], [w.value for w in weights]
        )
        grads = list(gx) + list(gw)
    elif backend == "torch":
        import torch

        xs = [torch.tensor(a, requires_grad=True) for a in inputs]
        outs = keras.tree.flatten(model(_as_call_arg(xs)))
        loss = sum(torch.sum(o * torch.tensor(c, device=o.device)) for o, c in zip(outs, cotangents))
        grads = torch.autograd.grad(loss, xs + [w.value for w in weights])
    else:
        raise ValueError(f"Gradients are not available for backend {backend!r}")
    grads = [np.asarray(keras.ops.convert_to_numpy(g)) for g in grads]
    named = {f"grad_input_{i}": g for i, g in enumerate(grads[: len(inputs)])}
    for weight, g in zip(weights, grads[len(inputs):]):
        named["grad_weight_" + weight.path.replace("/", "__")] = g
    return named


def run(model_path, work, backend, gradients_too, seed, batch_size, repeats):
    """Runs the model and writes `<work>/<backend>.npz`; returns the eager call time."""
    work = pathlib.Path(work)
    if keras.backend.backend() != backend:
        raise RuntimeError(f"Expected backend {backend}, running {keras.backend.backend()}")
    model = keras.saving.load_model(model_path, safe_mode=True)
    inputs = _model_inputs(model, work, seed, batch_size)
    outputs = [np.asarray(keras.ops.convert_to_numpy(o)) for o in keras.tree.flatten(model(_as_call_arg(inputs)))]
    arrays = {f"input_{i}": a for i, a in enumerate(inputs)}
    arrays.update({f"output_{i}": o for i, o in enumerate(outputs)})
    if gradients_too:
        arrays.update(gradients(model, inputs, _cotangents(outputs, work, seed)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(keras.tree.flatten(model(_as_call_arg(inputs)))[0])
        times.append(time.perf_counter() - start)
    np.savez(work / f"{backend}.npz", **arrays)
    return {"ms_per_batch": 1e3 * float(np.median(times))}


def main(args):
    print(json.dumps(run(args.model, args.work, args.backend, args.gradients, args.seed, args.batch_size, args.repeats)))
