"""Runs a saved model on given inputs: `predict_every_layer.py MODEL INPUTS.npz OUT.npz MODE`.

MODE `call` runs `model(inputs)` (the reference, under a training backend); `predict` runs
`model.predict(inputs)`, the path a served model takes; `predict-float32` does too, after
`openvino_precision.use_float32()`. OUT holds `output_<i>` per model output, `names` (the
outputs' layer names) and, under openvino, `cpu_default_precision`, OpenVINO's default
inference precision on this CPU.
"""

import sys

import keras
import numpy as np

import keras_masked_relu

model_path, inputs_path, out_path, mode = sys.argv[1:]
data = np.load(inputs_path)
inputs = [data[f"arr_{i}"] for i in range(len(data.files))]
if mode == "predict-float32":
    keras_masked_relu.openvino_precision.use_float32()
model = keras.saving.load_model(model_path, safe_mode=True)
if mode == "call":
    outputs = [keras.ops.convert_to_numpy(o) for o in model(inputs)]
else:
    outputs = model.predict(inputs, batch_size=len(inputs[0]), verbose=0)
arrays = {f"output_{i}": np.asarray(o) for i, o in enumerate(outputs)}
arrays["names"] = np.array(model.output_names)
if keras.backend.backend() == "openvino":
    import openvino

    precision = openvino.Core().get_property("CPU", "INFERENCE_PRECISION_HINT")
    arrays["cpu_default_precision"] = np.array(str(precision))
np.savez(out_path, **arrays)
