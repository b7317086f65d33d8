"""Runs one `.keras` model under several backends and compares the numbers.

Each backend runs in its own process (Keras binds its backend at import time).
The first backend draws the inputs when none are given (seeded) and a random
cotangent for the gradients, so every backend sees the same arrays. Each array
(each output; with gradients, the gradient for each input and for each
trainable weight, by its path) is compared with the first backend's by the one
rule of `keras_masked_relu.tools.rule`:

    max|a - ref| <= tol * (1 + max|ref|)

Example:
>>> from keras_masked_relu.tools import compare
>>> report = compare("model.keras", gradients=True)
>>> print(report.table())
>>> report.passed
True
"""

import dataclasses
import importlib.util
import json
import math
import os
import pathlib
import tempfile
import zipfile

import numpy as np

from keras_masked_relu.tools.backend_process import BackendProcessError, run_json_under_backend
from keras_masked_relu.tools.rule import TOLERANCES, scaled_difference
from keras_masked_relu.tools.table import format_table

# Each backend's name is also the name of the module that provides it.
BACKENDS = ("tensorflow", "jax", "torch")
# Keras backends that run a model but cannot differentiate it.
INFERENCE_BACKENDS = ("numpy", "openvino")


class CompareError(Exception):
    """A comparison could not run: bad file, inputs, or backend."""


@dataclasses.dataclass
class ArrayDifference:
    """One compared array of one backend against the reference backend.

    Attributes:
        name: The array's name: `output_<i>` for the model's `i`-th output,
            `grad_input_<i>` for the gradient of its `i`-th input and
            `grad_weight_<path>` for that of a trainable weight (`/` in the
            path written `__`).
        scaled: `max|a - ref| / (1 + max|ref|)`; `inf` for an array that is
            missing, of another shape, or not finite where the reference is.
        max_abs: `max|a - ref|`.
        tol: The rule's `tol` for this array.
    """

    name: str
    scaled: float
    max_abs: float
    tol: float

    @property
    def kind(self):
        """`"outputs"` or `"gradients"`."""
        return "gradients" if self.name.startswith("grad_") else "outputs"

    @property
    def ratio(self):
        """`scaled / tol`: at most 1 when the array passes (`inf` for a NaN)."""
        return math.inf if math.isnan(self.scaled) else self.scaled / self.tol

    @property
    def passed(self):
        return bool(self.scaled <= self.tol)


@dataclasses.dataclass
class BackendResult:
    """The compared arrays of one backend and its time per batch."""

    backend: str
    ms_per_batch: float
    arrays: list = dataclasses.field(default_factory=list)

    def _of(self, kind):
        return [a for a in self.arrays if a.kind == kind]

    @property
    def worst(self):
        """The array nearest to breaking the rule (largest `scaled / tol`), or `None`."""
        return max(self.arrays, key=lambda a: a.ratio, default=None)

    @property
    def passed(self):
        return all(a.passed for a in self.arrays)

    @property
    def outputs_scaled(self):
        """The largest scaled difference of the outputs."""
        return max((a.scaled for a in self._of("outputs")), default=0.0)

    @property
    def outputs_abs(self):
        """The largest absolute difference of the outputs."""
        return max((a.max_abs for a in self._of("outputs")), default=0.0)

    @property
    def gradients_scaled(self):
        """The largest scaled difference of the gradients; `None` without gradients."""
        gradients = self._of("gradients")
        return max(a.scaled for a in gradients) if gradients else None

    @property
    def gradients_abs(self):
        """The largest absolute difference of the gradients; `None` without gradients."""
        gradients = self._of("gradients")
        return max(a.max_abs for a in gradients) if gradients else None


@dataclasses.dataclass
class Report:
    """The differences of each backend against the first one, by the rule."""

    results: list
    tol: float
    gradients_tol: float
    seed: int
    input_shapes: list
    gradients: bool

    @property
    def passed(self):
        """Whether every array of every backend passes the rule."""
        return all(r.passed for r in self.results)

    @property
    def worst(self):
        """`(backend, ArrayDifference)` of the array nearest to breaking the rule."""
        pairs = [(r.backend, r.worst) for r in self.results if r.worst is not None]
        return max(pairs, key=lambda pair: pair[1].ratio, default=(None, None))

    def rule(self):
        """The rule in words, with its tolerances."""
        text = f"max|a - ref| <= tol * (1 + max|ref|), tol {self.tol:g} for outputs"
        if self.gradients:
            text += f", {self.gradients_tol:g} for gradients"
        return text

    def table(self):
        """Formats the report: the inputs and the rule, then one row per backend.

        Each row gives the largest scaled difference of the outputs (and of
        the gradients), then the backend's worst array by name: its scaled
        difference against its `tol`, and its largest absolute difference.
        """
        first = self.results[0].backend
        header = ["backend", "outputs scaled"] + (["gradients scaled"] if self.gradients else [])
        header += ["worst array", "scaled / tol", "max abs", "ms / batch (eager)", "passes"]
        rows = []
        for r in self.results:
            row = [r.backend + (" (reference)" if r.backend == first else "")]
            row.append(_number(r.outputs_scaled))
            if self.gradients:
                row.append(_number(r.gradients_scaled))
            worst = r.worst
            if worst is None or r.backend == first:
                row += ["-", "-", "-"]
            else:
                row += [
                    worst.name,
                    f"{_number(worst.scaled)} / {worst.tol:g}",
                    _number(worst.max_abs),
                ]
            row += [f"{r.ms_per_batch:.2f}", "yes" if r.passed else "NO"]
            rows.append(row)
        shapes = ", ".join(str(tuple(s)) for s in self.input_shapes)
        return (
            f"inputs: {shapes} (seed {self.seed})\n"
            f"rule: {self.rule()}; scaled: max|a - ref| / (1 + max|ref|)\n"
            + format_table(header, rows)
        )


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


# `compare_worker.main` once per model, in one process: each backend starts once.
_WORKER_LOOP = """
import contextlib, io, json, sys
from keras_masked_relu.tools import compare_worker
results = []
for argv in json.loads(sys.argv[1]):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        compare_worker.main(argv)
    results.append(json.loads(printed.getvalue().strip().splitlines()[-1]))
print(json.dumps(results))
"""


def _worker_argv(model_path, work, backend, gradients, seed, batch_size, repeats):
    """The arguments of `python -m keras_masked_relu.tools.compare_worker` for one model."""
    argv = [str(model_path), str(work), backend, "--seed", str(seed)]
    argv += ["--batch-size", str(batch_size), "--repeats", str(repeats)]
    return argv + (["--gradients"] if gradients else [])


def _run_workers(backend, jobs):
    """Runs `compare_worker` under `backend` once per job; returns what each printed."""
    try:
        return run_json_under_backend(backend, ["-c", _WORKER_LOOP, json.dumps(jobs)])
    except BackendProcessError as error:
        raise CompareError(f"The {backend} run failed: {error.error_line}") from None


def _check_tolerance(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"`{name}` must be a number or None. Received: {name}={value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"`{name}` must be a positive finite number. Received: {name}={value!r}")
    return float(value)


def default_tolerances(reference_outputs):
    """The rule's tolerances for the dtype the model computes in.

    Args:
        reference_outputs: The reference backend's output arrays.

    Returns:
        `TOLERANCES["float64"]` when every output is float64, else
        `TOLERANCES["float32"]`.
    """
    dtypes = {np.asarray(o).dtype for o in reference_outputs}
    return TOLERANCES["float64" if dtypes == {np.dtype("float64")} else "float32"]


def array_differences(data, reference, tol, gradients_tol):
    """Compares every array of `reference` (outputs and gradients) with `data`'s.

    Args:
        data: Mapping from array name to array (a loaded `.npz`).
        reference: The same for the reference backend; every `output_*` and
            `grad_*` array in it is compared.
        tol: `tol` of the outputs.
        gradients_tol: `tol` of the gradients.

    Returns:
        A list of `ArrayDifference`, in the reference's order.
    """
    differences = []
    for name in reference:
        if not name.startswith(("output_", "grad_")):
            continue
        ref = np.asarray(reference[name])
        limit = gradients_tol if name.startswith("grad_") else tol
        if name not in data:
            differences.append(ArrayDifference(name, math.inf, math.inf, limit))
            continue
        a = np.asarray(data[name])
        scaled = scaled_difference(a, ref)
        if math.isfinite(scaled):
            both = np.isfinite(ref)
            difference = np.abs(a[both].astype(np.float64) - ref[both].astype(np.float64))
            max_abs = float(difference.max()) if difference.size else 0.0
        else:
            max_abs = math.inf
        differences.append(ArrayDifference(name, scaled, max_abs, limit))
    return differences


def compare(
    model_path,
    inputs=None,
    backends=BACKENDS,
    gradients=False,
    tol=None,
    gradients_tol=None,
    seed=0,
    batch_size=4,
    repeats=10,
):
    """Runs a `.keras` model under each backend and compares with the first.

    Each array `a` (each output; with `gradients`, the gradient for each
    input and each trainable weight) passes when, with `ref` the first
    backend's array,

        max|a - ref| <= tol * (1 + max|ref|)

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
            trainable weight: by `tf.GradientTape` under TensorFlow, a
            compiled `jax.vjp` under JAX (as `fit` compiles its step) and
            `torch.autograd` under PyTorch.
        tol: The rule's `tol` for the outputs; `None` for the one of
            `keras_masked_relu.tools.rule.TOLERANCES` for the dtype the
            model computes in (1e-5 in float32, 1e-12 in float64).
        gradients_tol: The same for the gradients (1e-4 in float32, 1e-10
            in float64).
        seed: Seed of the random inputs and cotangent.
        batch_size: Samples in the random inputs.
        repeats: Timed eager calls per backend; the median is reported.

    Returns:
        A `Report`; `report.passed` tells whether every array passes the
        rule, `report.worst` names the array nearest to breaking it and
        `report.table()` formats it.

    Raises:
        CompareError: for a missing or invalid model file, a missing inputs
            file, inputs that do not fit the model, or a backend that is not
            installed.
        TypeError, ValueError: for a `tol` or `gradients_tol` that is not a
            positive number.
    """
    return compare_models(
        [model_path], inputs, backends, gradients, tol, gradients_tol, seed, batch_size, repeats
    )[0]


def compare_models(
    model_paths,
    inputs=None,
    backends=BACKENDS,
    gradients=False,
    tol=None,
    gradients_tol=None,
    seed=0,
    batch_size=4,
    repeats=10,
):
    """`compare` for several models, starting each backend once for all of them.

    Args:
        model_paths: Paths of `.keras` files.
        inputs: The inputs of every model, as in `compare`; or a dict from
            a path of `model_paths` to that model's own inputs (a model it
            does not hold gets seeded random inputs).
        backends: As in `compare`.
        gradients: As in `compare`.
        tol: As in `compare`.
        gradients_tol: As in `compare`.
        seed: As in `compare`.
        batch_size: As in `compare`.
        repeats: As in `compare`.

    Returns:
        A list with one `Report` per model, in order.

    Raises:
        CompareError, TypeError, ValueError: as `compare`; `ValueError` too
            for an `inputs` dict holding a path that `model_paths` does not.
    """
    tol = _check_tolerance("tol", tol)
    gradients_tol = _check_tolerance("gradients_tol", gradients_tol)
    model_paths = [_check_model_file(path) for path in model_paths]
    backends = _check_backends(backends, gradients)
    if isinstance(inputs, dict):
        by_path = {pathlib.Path(key): value for key, value in inputs.items()}
        unknown = [str(key) for key in by_path if key not in model_paths]
        if unknown:
            raise ValueError(
                f"`inputs` holds models that are not in `model_paths`. Received: {unknown}"
            )
        given = [_load_inputs(by_path.get(path)) for path in model_paths]
    else:
        given = [_load_inputs(inputs)] * len(model_paths)
    with tempfile.TemporaryDirectory() as work:
        works = [pathlib.Path(work) / str(i) for i in range(len(model_paths))]
        for folder, arrays in zip(works, given):
            folder.mkdir()
            if arrays is not None:
                np.savez(folder / "inputs.npz", *arrays)
        timings = {}
        for backend in backends:
            jobs = [
                _worker_argv(path, folder, backend, gradients, seed, batch_size, repeats)
                for path, folder in zip(model_paths, works)
            ]
            timings[backend] = _run_workers(backend, jobs)
        return [
            _report(
                folder,
                backends,
                [timings[b][i] for b in backends],
                tol,
                gradients_tol,
                seed,
                gradients,
            )
            for i, folder in enumerate(works)
        ]


def _read_arrays(path):
    with np.load(path) as loaded:
        return {k: loaded[k] for k in loaded.files}


def _report(work, backends, timings, tol, gradients_tol, seed, gradients):
    """The `Report` of one model from the arrays its backends wrote to `work`."""
    reference = _read_arrays(work / f"{backends[0]}.npz")
    input_shapes = [v.shape for k, v in reference.items() if k.startswith("input_")]
    defaults = default_tolerances(v for k, v in reference.items() if k.startswith("output_"))
    tol = defaults.outputs if tol is None else tol
    gradients_tol = defaults.gradients if gradients_tol is None else gradients_tol
    results = []
    for backend, timing in zip(backends, timings):
        data = _read_arrays(work / f"{backend}.npz")
        arrays = array_differences(data, reference, tol, gradients_tol)
        results.append(BackendResult(backend, timing["ms_per_batch"], arrays))
    return Report(results, tol, gradients_tol, seed, input_shapes, gradients)
