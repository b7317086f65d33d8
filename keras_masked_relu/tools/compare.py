"""Runs one `.keras` model under several backends and compares the numbers.

Each backend runs in its own process (Keras binds its backend at import time).
The first backend draws the inputs when none are given (seeded) and a random
cotangent for the gradients, so every backend sees the same arrays.

Example:
>>> from keras_masked_relu.tools import compare
>>> report = compare("model.keras", gradients=True)
>>> print(report.table())
>>> report.passed
True
"""

import dataclasses
import importlib.util
import os
import pathlib
import tempfile
import zipfile

import numpy as np

from keras_masked_relu.tools.backend_process import BackendProcessError, run_json_under_backend
from keras_masked_relu.tools.table import format_table

# Each backend's name is also the name of the module that provides it.
BACKENDS = ("tensorflow", "jax", "torch")
# Keras backends that run a model but cannot differentiate it.
INFERENCE_BACKENDS = ("numpy", "openvino")


class CompareError(Exception):
    """A comparison could not run: bad file, inputs, or backend."""


@dataclasses.dataclass
class BackendResult:
    backend: str
    ms_per_batch: float
    outputs_abs: float = 0.0
    outputs_rel: float = 0.0
    gradients_abs: float = None
    gradients_rel: float = None


@dataclasses.dataclass
class Report:
    """The differences of each backend against the first one."""

    results: list
    atol: float
    seed: int
    input_shapes: list
    gradients: bool

    @property
    def passed(self):
        for r in self.results:
            worst = [r.outputs_abs] + ([r.gradients_abs] if self.gradients else [])
            if not all(w is not None and np.isfinite(w) and w <= self.atol for w in worst):
                return False
        return True

    def table(self):
        """Formats the report: the inputs, then one row per backend."""
        first = self.results[0].backend
        header = ["backend", "outputs max abs", "outputs max rel"]
        if self.gradients:
            header += ["gradients max abs", "gradients max rel"]
        header += ["ms / batch (eager)", f"within {self.atol:g}"]
        rows = []
        for r in self.results:
            row = [
                r.backend + (" (reference)" if r.backend == first else ""),
                f"{r.outputs_abs:.3g}",
                f"{r.outputs_rel:.3g}",
            ]
            ok = r.outputs_abs <= self.atol
            if self.gradients:
                row += [_number(r.gradients_abs), _number(r.gradients_rel)]
                ok = ok and r.gradients_abs is not None and r.gradients_abs <= self.atol
            row += [f"{r.ms_per_batch:.2f}", "yes" if ok else "NO"]
            rows.append(row)
        shapes = ", ".join(str(tuple(s)) for s in self.input_shapes)
        return f"inputs: {shapes} (seed {self.seed})\n" + format_table(header, rows)


def _number(value):
    return "-" if value is None else f"{value:.3g}"


def _check_model_file(path):
    path = pathlib.Path(path)
    if not path.exists():
        raise CompareError(f"No such model file: {path}")
    if not zipfile.is_zipfile(path):
        raise CompareError(f"{path} is not a Keras model file (.keras is a zip archive)")
    with zipfile.ZipFile(path) as archive:
        if "config.json" not in archive.namelist():
            raise CompareError(f"{path} is not a Keras model file: it has no config.json")
    return path


def _check_backends(backends, gradients):
    backends = list(backends)
    if not backends:
        raise CompareError("No backend to compare. Received: backends=[]")
    for b in backends:
        if b not in BACKENDS + INFERENCE_BACKENDS:
            raise CompareError(
                f"Unknown backend {b!r}; choose from {', '.join(BACKENDS + INFERENCE_BACKENDS)}"
            )
        if gradients and b in INFERENCE_BACKENDS:
            raise CompareError(f"Backend {b!r} runs inference only: compare it without gradients")
        if importlib.util.find_spec(b) is None:
            extra = b if b in BACKENDS else "export"
            raise CompareError(
                f"Backend {b!r} is not installed: `pip install keras-masked-relu[{extra}]`"
            )
    return backends


def _load_inputs(inputs):
    """A list of arrays from None, an array, a list, or a .npy/.npz path."""
    if inputs is None:
        return None
    if isinstance(inputs, (str, os.PathLike)):
        path = pathlib.Path(inputs)
        if not path.exists():
            raise CompareError(f"No such inputs file: {path}")
        loaded = np.load(path)
        if isinstance(loaded, np.ndarray):
            return [loaded]
        return [loaded[k] for k in loaded.files]
    if isinstance(inputs, np.ndarray):
        return [inputs]
    return [np.asarray(a) for a in inputs]


def _run_worker(backend, model_path, work, gradients, seed, batch_size, repeats):
    """Runs `compare_worker` under `backend`; returns what it printed."""
    args = [
        "-m",
        "keras_masked_relu.tools.compare_worker",
        model_path,
        work,
        backend,
        "--seed",
        seed,
        "--batch-size",
        batch_size,
        "--repeats",
        repeats,
    ]
    if gradients:
        args.append("--gradients")
    try:
        return run_json_under_backend(backend, args)
    except BackendProcessError as error:
        raise CompareError(f"The {backend} run failed: {error.error_line}") from None


def _max_differences(a, b):
    abs_diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    scale = np.maximum(np.abs(b.astype(np.float64)), 1e-12)
    if abs_diff.size == 0:
        return 0.0, 0.0
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf"), float("inf")
    return float(abs_diff.max()), float((abs_diff / scale).max())


def _differences(results, reference, prefix):
    keys = [k for k in reference.files if k.startswith(prefix)]
    worst_abs = worst_rel = 0.0
    for key in keys:
        if key not in results.files:
            return float("inf"), float("inf")
        a, r = _max_differences(results[key], reference[key])
        worst_abs, worst_rel = max(worst_abs, a), max(worst_rel, r)
    return worst_abs, worst_rel


def compare(
    model_path,
    inputs=None,
    backends=BACKENDS,
    gradients=False,
    atol=1e-5,
    seed=0,
    batch_size=4,
    repeats=10,
):
    """Runs a `.keras` model under each backend and compares with the first.

    Args:
        model_path: Path of a `.keras` file.
        inputs: `None` for seeded random inputs of the model's input shapes
            (`batch_size` samples, standard normal), an array, a list of
            arrays (one per model input), or a `.npy` / `.npz` path.
        backends: Backends to run, the first being the reference: any of
            `BACKENDS`, and, without `gradients`, Keras's inference-only
            `"numpy"` and `"openvino"`.
        gradients: Also compare the gradients of `sum(outputs * c)` (`c` a
            seeded random cotangent) with respect to the inputs and to every
            trainable weight.
        atol: Largest absolute difference that passes.
        seed: Seed of the random inputs and cotangent.
        batch_size: Samples in the random inputs.
        repeats: Timed eager calls per backend; the median is reported.

    Returns:
        A `Report`; `report.passed` tells whether every difference is within
        `atol`, and `report.table()` formats it.

    Raises:
        CompareError: for a missing or invalid model file, a missing inputs
            file, inputs that do not fit the model, or a backend that is not
            installed.
    """
    model_path = _check_model_file(model_path)
    backends = _check_backends(backends, gradients)
    given = _load_inputs(inputs)
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        if given is not None:
            np.savez(work / "inputs.npz", *given)
        timings = {}
        for backend in backends:
            timings[backend] = _run_worker(
                backend, model_path, work, gradients, seed, batch_size, repeats
            )
        reference = np.load(work / f"{backends[0]}.npz")
        input_shapes = [reference[k].shape for k in reference.files if k.startswith("input_")]
        results = []
        for backend in backends:
            data = np.load(work / f"{backend}.npz")
            result = BackendResult(backend, timings[backend]["ms_per_batch"])
            result.outputs_abs, result.outputs_rel = _differences(data, reference, "output_")
            if gradients:
                result.gradients_abs, result.gradients_rel = _differences(data, reference, "grad_")
            results.append(result)
    return Report(results, atol, seed, input_shapes, gradients)
