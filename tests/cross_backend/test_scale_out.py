"""The layers under Keras's and TensorFlow's distribution: same weights as on one device."""

import json

from conftest import run_python


def test_jax_data_parallel_and_model_parallel():
    result = json.loads(run_python("jax", "scale_out_jax.py").strip().splitlines()[-1])
    assert result["devices"] == 4
    assert "model" in result["alpha_sharding"]  # the per-channel weight is sharded
    assert result["data_parallel"] <= 1e-5
    assert result["model_parallel"] <= 1e-5


def test_tensorflow_mirrored_strategy():
    result = json.loads(
        run_python("tensorflow", "scale_out_tensorflow.py").strip().splitlines()[-1]
    )
    assert result["replicas"] == 2
    assert result["mirrored"] <= 1e-5
