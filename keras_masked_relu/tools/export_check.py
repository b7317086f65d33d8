"""Exports a model in each format Keras offers, runs each artifact, compares.

As a command it checks every export of the backend in use (the demo starts it
under each backend) and prints the rows of `check_exports` as JSON:

    python -m keras_masked_relu.tools.export_check MODEL INPUTS DIRECTORY

`INPUTS` is an `.npz` file with one array per model input, in order; the
artifacts go to `DIRECTORY/<backend>`. This module imports the runtimes
(TensorFlow, onnxruntime, OpenVINO, LiteRT, PyTorch) when it needs them: it is
a tool, not part of a layer.
"""

import argparse
import json
import os

import keras
import numpy as np

# (name in reports, format given to model.export, runtime that runs it)
FORMATS = {
    "tensorflow": [
        ("tf_saved_model", "tf_saved_model", "tensorflow"),
        ("onnx", "onnx", "onnxruntime"),
        ("openvino", "openvino", "openvino"),
        ("litert", "litert", "litert"),
    ],
    "jax": [
        ("tf_saved_model", "tf_saved_model", "tensorflow"),
        ("onnx", "onnx", "onnxruntime"),
        ("openvino (from onnx)", "onnx", "openvino"),
    ],
    "torch": [
        ("onnx", "onnx", "onnxruntime"),
        ("openvino", "openvino", "openvino"),
        ("torch", "torch", "torch.export"),
        ("litert", "litert", "litert"),
    ],
}

NOT_AVAILABLE = {
    ("jax", "openvino"): "jax2tf (JAX 0.10) always emits XlaCallModule, which OpenVINO's "
    "TensorFlow frontend cannot convert; export ONNX and read it with OpenVINO instead",
    ("jax", "litert"): "Keras offers LiteRT export from TensorFlow and PyTorch only",
    ("jax", "torch"): "Keras offers torch export from PyTorch only",
    ("tensorflow", "torch"): "Keras offers torch export from PyTorch only",
    ("torch", "tf_saved_model"): "Keras converts through torch_xla, which has no build for "
    "torch 2.13 on CPU",
}

# Cells of FORMATS (backend, name) that cannot export 3-D convolutions (volumes).
VOLUMES_NOT_AVAILABLE = {
    ("jax", "onnx"): "jax2onnx (0.17) converts 1-D and 2-D convolutions only",
    ("jax", "openvino (from onnx)"): "jax2onnx (0.17) converts 1-D and 2-D convolutions only",
    ("torch", "onnx"): "channels-last volumes only: Keras makes a 3-D convolution's input "
    "`contiguous(memory_format=torch.channels_last_3d)`, which torch's ONNX exporter "
    "rejects; channels-first volumes export",
}

# Artifacts that serve only the batch they were exported with; every other one serves any.
FIXED_BATCH = {
    ("torch", "litert"): "litert-torch cannot lower a free batch dimension through "
    "reshape, unsqueeze or mean (it reads it as -2**63)",
}

_SUFFIX = {
    "tf_saved_model": "",
    "onnx": ".onnx",
    "openvino": ".xml",
    "litert": ".tflite",
    "torch": ".pt2",
}


def _dynamic_batch(model):
    """`dynamic_shapes` that leave every input's batch free in a `.pt2` export.

    Keras calls `torch.export.export(model, (inputs,))`: the one argument is the
    input, or the list of inputs, and all share one `batch` dimension.
    """
    import torch

    batch = torch.export.Dim("batch")
    specs = [{0: batch} for _ in model.inputs]
    return [(specs if len(specs) > 1 else specs[0],)]


def _input_signature(model, batch_size):
    """A static batch for LiteRT from PyTorch, which cannot convert a free one.

    The model's one argument is its input, or the list of its inputs.
    """
    specs = [
        keras.InputSpec(shape=(batch_size,) + tuple(t.shape[1:]), dtype="float32")
        for t in model.inputs
    ]
    return [specs if len(specs) > 1 else specs[0]]


def export_artifact(model, export_format, directory, batch_size):
    """Exports `model` and returns the artifact's path."""
    path = os.path.join(directory, f"model_{export_format}{_SUFFIX[export_format]}")
    backend = keras.backend.backend()
    kwargs = {}
    if (backend, export_format) == ("torch", "torch"):
        kwargs["dynamic_shapes"] = _dynamic_batch(model)
    if (backend, export_format) in FIXED_BATCH:
        kwargs["input_signature"] = _input_signature(model, batch_size)
    model.export(path, format=export_format, verbose=False, **kwargs)
    return path


def run_artifact(runtime, path, inputs):
    """Runs an exported artifact in its own runtime on a list of arrays."""
    if runtime == "tensorflow":
        import tensorflow as tf

        loaded = tf.saved_model.load(path)
        return np.asarray(loaded.serve(inputs if len(inputs) > 1 else inputs[0]))
    if runtime == "onnxruntime":
        import onnxruntime

        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        feed = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
        return session.run(None, feed)[0]
    if runtime == "openvino":
        import openvino

        # ACCURACY keeps f32 math; the default may use faster approximations.
        compiled = openvino.Core().compile_model(path, "CPU", {"EXECUTION_MODE_HINT": "ACCURACY"})
        return np.asarray(compiled(inputs)[compiled.outputs[0]])
    if runtime == "litert":
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=path)
        details = interpreter.get_input_details()
        for detail, x in zip(details, _match_inputs(details, inputs)):
            interpreter.resize_tensor_input(detail["index"], x.shape)
        interpreter.allocate_tensors()
        for detail, x in zip(details, _match_inputs(details, inputs)):
            interpreter.set_tensor(detail["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    if runtime == "torch.export":
        import torch

        program = torch.export.load(path)
        tensors = [torch.tensor(x) for x in inputs]
        return program.module()(tensors if len(tensors) > 1 else tensors[0]).detach().numpy()
    raise ValueError(f"Unknown runtime {runtime!r}")


def _match_inputs(details, inputs):
    """LiteRT lists inputs in its own order: pair them with arrays by shape."""
    remaining = list(inputs)
    matched = []
    for detail in details:
        shape = tuple(detail["shape"][1:])
        index = next(
            (i for i, x in enumerate(remaining) if x.shape[1:] == shape),
            None,
        )
        if index is None:
            raise ValueError(f"No input array of sample shape {shape} for {detail['name']}")
        matched.append(remaining.pop(index))
    return matched


def check_exports(model, inputs, directory, atol=1e-5):
    """Exports `model` in every format available here and checks each artifact.

    Args:
        model: A built Keras model.
        inputs: List of arrays, one per model input.
        directory: Where the artifacts are written.
        atol: Largest absolute difference from the Keras outputs that passes.

    Returns:
        A list of dicts with `backend`, `format`, `runtime`, `max_abs_diff`,
        `ok` and `error` (a message when the export or the run failed).
    """
    backend = keras.backend.backend()
    expected = np.asarray(
        keras.ops.convert_to_numpy(model(inputs if len(inputs) > 1 else inputs[0]))
    )
    rows, exported = [], {}
    for name, export_format, runtime in FORMATS[backend]:
        row = {
            "backend": backend,
            "format": name,
            "runtime": runtime,
            "max_abs_diff": None,
            "ok": False,
            "error": None,
        }
        try:
            if export_format not in exported:
                exported[export_format] = export_artifact(
                    model, export_format, directory, len(inputs[0])
                )
            actual = run_artifact(runtime, exported[export_format], inputs)
            row["max_abs_diff"] = float(np.max(np.abs(actual - expected)))
            row["ok"] = bool(row["max_abs_diff"] <= atol)
        except Exception as error:  # reported, not raised: the table shows every cell
            row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        rows.append(row)
    return rows


def main(argv=None):
    """Checks every export of a saved model under this process's backend.

    Prints the rows of `check_exports` as one line of JSON.
    """
    parser = argparse.ArgumentParser(
        prog="python -m keras_masked_relu.tools.export_check",
        description="Exports a .keras model in every format of this backend and runs each.",
    )
    parser.add_argument("model", help="path of a .keras file")
    parser.add_argument("inputs", help=".npz file with one array per model input")
    parser.add_argument("directory", help="the artifacts go to DIRECTORY/<backend>")
    args = parser.parse_args(argv)
    model = keras.saving.load_model(args.model, safe_mode=True, compile=False)
    arrays = np.load(args.inputs)
    inputs = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
    backend_dir = os.path.join(args.directory, keras.backend.backend())
    os.makedirs(backend_dir, exist_ok=True)
    print(json.dumps(check_exports(model, inputs, backend_dir)))


if __name__ == "__main__":
    main()
