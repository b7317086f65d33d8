"""The layers under Keras's, TensorFlow's and PyTorch's distribution: the same weights
as on one device.

Each weight after training is compared with the one-device run by the rule
`max|a - ref| <= tol * (1 + max|ref|)` (`keras_masked_relu.tools.rule`), with the
float32 `tol` of outputs: a trained weight is a value the model computes with.
"""

import json

from conftest import run_python

from keras_masked_relu.tools.rule import TOLERANCES

TOL = TOLERANCES["float32"].outputs


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


def test_jax_data_parallel_and_model_parallel():
    result = last_json(run_python("jax", "scale_out_jax.py"))
    assert result["devices"] == 4
    assert "model" in result["alpha_sharding"]  # the per-channel weight is sharded
    for run in ("data_parallel", "model_parallel"):
        path, scaled = result[run]
        assert scaled <= TOL, f"{run}: {path} differs by {scaled:.3g} (scaled) > {TOL:g}"


def test_tensorflow_mirrored_strategy():
    result = last_json(run_python("tensorflow", "scale_out_tensorflow.py"))
    assert result["replicas"] == 2
    path, scaled = result["mirrored"]
    assert scaled <= TOL, f"mirrored: {path} differs by {scaled:.3g} (scaled) > {TOL:g}"


def test_torch_distributed_data_parallel():
    result = last_json(run_python("torch", "scale_out_torch.py"))
    assert result["processes"] == 2
    assert result["unmoved"] == []  # training reached every weight
    path, scaled = result["ddp"]
    assert scaled <= TOL, f"DistributedDataParallel: {path} differs by {scaled:.3g} > {TOL:g}"
