"""One backend's share of a differential run, in a process of its own.

    KERAS_BACKEND=B python tests/differential/worker.py WORK

`WORK/job.json` names the seeds, dtypes and backends. In each dtype, the
worker builds, perturbs and saves the models whose saving backend is its own
(`saver(seed)`); it marks them saved, waits until every other backend has
saved its share, then loads every model and writes, per dtype and seed,
`WORK/DTYPE/SEED.B.npz` (each output; the gradient for each input and each
trainable weight, by path) and `SEED.B.json` (the arrays' dtypes, the time, or
the error). Running the backends side by side pays for each backend's import
once.
"""

import json
import os
import pathlib
import sys
import time
import traceback

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import keras  # noqa: E402
import models  # noqa: E402
import numpy as np  # noqa: E402

import keras_masked_relu  # noqa: E402, F401  (registers the package's classes)
from keras_masked_relu import config  # noqa: E402
from keras_masked_relu.tools.gradients import vjp_function  # noqa: E402

WAIT_SECONDS = 1800
# Models loaded since the last `clear_session` stay in memory; clearing costs a
# garbage collection (about 0.4 s).
CLEAR_EVERY = 25


def saver(seed, backends):
    """The backend that saves the model of `seed`: they take turns."""
    return backends[seed % len(backends)]


def use_dtype(dtype):
    """Computes in `dtype` from now on; JAX computes float64 only with x64 enabled."""
    keras.config.set_floatx(dtype)
    if keras.backend.backend() == "jax":
        import jax

        jax.config.update("jax_enable_x64", dtype == "float64")


def _error():
    lines = traceback.format_exc().strip().splitlines()
    return "\n".join(lines[-12:])


def save_share(job, dtype, folder, backend):
    for seed in job["seeds"]:
        if saver(seed, job["backends"]) != backend:
            continue
        plan = models.draw(seed, dtype, upstream=job.get("upstream", False))
        record = {"plan": plan, "saved_under": backend}
        try:
            model = models.build(plan, dtype)
            models.perturb(model, seed, dtype)
            np.savez(folder / f"{seed}.inputs.npz", **models.sample(plan, model, dtype))
            model.save(folder / f"{seed}.keras")
        except Exception:
            record["error"] = _error()
        (folder / f"{seed}.plan.json").write_text(json.dumps(record))


def wait_for(folder, names, work):
    deadline = time.monotonic() + WAIT_SECONDS
    while not all((folder / name).exists() for name in names):
        if (work / "abort").exists() or time.monotonic() > deadline:
            raise SystemExit(f"Stopped waiting for {names} in {folder}")
        time.sleep(0.2)


def run_model(folder, seed, backend):
    """The arrays of one model under this backend, and their record."""
    plan = json.loads((folder / f"{seed}.plan.json").read_text())["plan"]
    start, cpu = time.perf_counter(), time.process_time()
    if plan.get("eager_fusion", True):
        config.enable_eager_fusion()
    else:
        config.disable_eager_fusion()
    model = keras.saving.load_model(folder / f"{seed}.keras", safe_mode=True)
    data = np.load(folder / f"{seed}.inputs.npz")
    names = list(models.input_shapes(plan))
    inputs = [data[f"input:{name}"] for name in names]
    cotangents = [data[f"cotangent:{i}"] for i in range(len(model.outputs))]
    arrays = {}
    outputs = keras.tree.flatten(model(inputs))
    for name, output in zip(models.output_names(plan), outputs):
        arrays[f"output:{name}"] = keras.ops.convert_to_numpy(output)
    compiled = plan["compiled"].get(backend, False)
    input_grads, weight_grads = vjp_function(model, compiled=compiled)(inputs, cotangents)
    for name, grad in zip(names, input_grads):
        arrays[f"gradient:input:{name}"] = keras.ops.convert_to_numpy(grad)
    for variable, grad in zip(model.trainable_variables, weight_grads):
        arrays[f"gradient:{variable.path}"] = keras.ops.convert_to_numpy(grad)
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    record = {
        "dtypes": {k: str(v.dtype) for k, v in arrays.items()},
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
    }
    return arrays, record


def run_all(job, dtype, folder, backend):
    for count, seed in enumerate(job["seeds"], start=1):
        if count % CLEAR_EVERY == 0:
            keras.utils.clear_session()
        if not (folder / f"{seed}.keras").exists():
            continue
        try:
            arrays, record = run_model(folder, seed, backend)
            np.savez(folder / f"{seed}.{backend}.npz", **arrays)
        except Exception:
            record = {"error": _error()}
        (folder / f"{seed}.{backend}.json").write_text(json.dumps(record))


def main(work):
    work = pathlib.Path(work)
    job = json.loads((work / "job.json").read_text())
    backend = keras.backend.backend()
    if backend not in job["backends"]:
        raise SystemExit(f"KERAS_BACKEND={backend} is not among {job['backends']}")
    if backend == job["backends"][0]:
        catalogue = {"package_layers": models.package_layers(), "features": models.FEATURES}
        (work / "catalogue.json").write_text(json.dumps(catalogue))
    for dtype in job["dtypes"]:
        use_dtype(dtype)
        (work / dtype).mkdir(exist_ok=True)
        save_share(job, dtype, work / dtype, backend)
    (work / f"saved.{backend}").touch()
    wait_for(work, [f"saved.{b}" for b in job["backends"]], work)
    # The last dtype saved is the one in use: it runs first.
    for dtype in reversed(job["dtypes"]):
        use_dtype(dtype)
        run_all(job, dtype, work / dtype, backend)
    keras.config.set_floatx("float32")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main(sys.argv[1])
