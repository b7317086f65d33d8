"""One backend's half of `compare`: run the model, save numbers to an .npz file.

`compare` calls its `main` under each backend, once per model, in one process:

    python -m keras_masked_relu.tools.compare_worker MODEL WORK BACKEND [--gradients]
        [--seed 0] [--batch-size 4] [--repeats 10]

It writes `WORK/BACKEND.npz` and prints `{"ms_per_batch": ...}` as JSON. This
module imports the backend in use: it is a tool, not part of a layer.
"""

import argparse
import json
import pathlib
import time

import keras
import numpy as np

import keras_masked_relu  # noqa: F401  (registers the package's classes)
from keras_masked_relu import openvino_precision
from keras_masked_relu.tools.gradients import vjp


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
            f"The model takes {len(specs)} inputs of shapes {specs}. Received: {len(arrays)} arrays"
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


def named_gradients(model, inputs, cotangents):
    """Gradients of `sum(outputs * cotangents)` w.r.t. inputs and trainable weights.

    Args:
        model: A Keras model.
        inputs: List of arrays, one per model input.
        cotangents: List of arrays, one per model output.

    Returns:
        A dict of NumPy arrays: `grad_input_<i>` per input and
        `grad_weight_<path>` per trainable weight (`/` in paths written `__`).
    """
    # Under JAX, compiled as `fit` compiles its step: eagerly, JAX compiles each op
    # on its own (a MobileNetV2's gradients took 28 s, and 6 s compiled).
    compiled = keras.backend.backend() == "jax"
    input_grads, weight_grads = vjp(model, _as_call_arg(inputs), cotangents, compiled=compiled)
    named = {f"grad_input_{i}": g for i, g in enumerate(input_grads)}
    for weight, g in zip(model.trainable_variables, weight_grads):
        named["grad_weight_" + weight.path.replace("/", "__")] = g
    return named


def run(model_path, work, backend, gradients, seed, batch_size, repeats):
    """Runs the model and writes `<work>/<backend>.npz`.

    Args:
        model_path: Path of a `.keras` file.
        work: Folder shared with `compare`: it holds `inputs.npz` (written here
            by the first backend when absent) and gets `<backend>.npz`.
        backend: The backend this process is expected to run.
        gradients: Whether to save the gradients too.
        seed: Seed of the random inputs and cotangents.
        batch_size: Samples in the random inputs.
        repeats: Timed eager calls.

    Returns:
        `{"ms_per_batch": median time of an eager call, in milliseconds}`.
    """
    work = pathlib.Path(work)
    if keras.backend.backend() != backend:
        raise RuntimeError(f"Expected backend {backend}, running {keras.backend.backend()}")
    if backend == "openvino":
        # Every compile of this run in float32, whatever the CPU (see `openvino_precision`).
        openvino_precision.use_float32()
    if backend == "jax":
        # Loading draws every weight's initial values before the file's replace them.
        # JAX's default partitionable Threefry takes 1.3-1.9 s on CPU to compile the draw
        # of each new 4-D or 5-D weight shape; the other, about 0.26 s.
        import jax

        jax.config.update("jax_threefry_partitionable", False)
    # Only run, never trained here: what it was compiled with (a loss of the
    # user's own, say) is not needed.
    model = keras.saving.load_model(model_path, safe_mode=True, compile=False)
    inputs = _model_inputs(model, work, seed, batch_size)
    outputs = [
        np.asarray(keras.ops.convert_to_numpy(o))
        for o in keras.tree.flatten(model(_as_call_arg(inputs)))
    ]
    arrays = {f"input_{i}": a for i, a in enumerate(inputs)}
    arrays.update({f"output_{i}": o for i, o in enumerate(outputs)})
    if gradients:
        arrays.update(named_gradients(model, inputs, _cotangents(outputs, work, seed)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(keras.tree.flatten(model(_as_call_arg(inputs)))[0])
        times.append(time.perf_counter() - start)
    np.savez(work / f"{backend}.npz", **arrays)
    return {"ms_per_batch": 1e3 * float(np.median(times))}


def main(argv=None):
    """Runs the worker from command line arguments and prints its result as JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m keras_masked_relu.tools.compare_worker",
        description="Runs a .keras model under this process's backend for `compare`.",
    )
    parser.add_argument("model", help="path of a .keras file")
    parser.add_argument("work", help="folder shared with compare")
    parser.add_argument("backend", help="the backend expected in KERAS_BACKEND")
    parser.add_argument("--gradients", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    result = run(
        args.model,
        args.work,
        args.backend,
        args.gradients,
        args.seed,
        args.batch_size,
        args.repeats,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
