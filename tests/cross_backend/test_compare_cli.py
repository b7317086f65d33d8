"""`python -m keras_masked_relu compare`, end to end and on its error paths."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from keras_masked_relu import __main__ as cli
from keras_masked_relu.tools.compare import BackendResult, CompareError, Report, compare

# The module itself: `keras_masked_relu.tools.compare` as an attribute is the function.
compare_module = importlib.import_module("keras_masked_relu.tools.compare")


# The saved models are made once, in the worker that runs this group.
pytestmark = pytest.mark.xdist_group("saved_models")


def run_cli(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-m", "keras_masked_relu", "compare", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture
def model_file(saved_models):
    return saved_models / "jax.keras"


def test_compare_prints_a_table_and_passes(model_file, tmp_path):
    rng = np.random.default_rng(5)
    inputs = tmp_path / "inputs.npz"
    np.savez(
        inputs,
        rng.normal(size=(3, 16, 16, 3)).astype("float32"),
        rng.random((3, 16, 16)).astype("float32"),
    )
    done = run_cli(model_file, "--inputs", inputs, "--backends", "torch,tensorflow", "--gradients")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "inputs: (3, 16, 16, 3), (3, 16, 16) (seed 0)"
    assert lines[1].split()[:3] == ["backend", "outputs", "max"]
    assert lines[3].startswith("torch (reference)")
    row = lines[4].split()
    assert row[0] == "tensorflow" and row[-1] == "yes"
    assert float(row[1]) <= 1e-5 and float(row[3]) <= 1e-5  # outputs and gradients


@pytest.mark.parametrize(
    "args,message",
    [
        (["missing.keras"], "No such model file"),
        (["NOT_A_MODEL"], "is not a Keras model file"),
        (["MODEL", "--backends", "tensorflow,mxnet"], "Unknown backend 'mxnet'"),
        (["MODEL", "--inputs", "nowhere.npy"], "No such inputs file"),
        (["MODEL", "--backends", "jax,numpy", "--gradients"], "'numpy' runs inference only"),
    ],
)
def test_errors_exit_2_with_a_message(args, message, model_file, tmp_path):
    not_a_model = tmp_path / "notes.txt"
    not_a_model.write_text("hello")
    args = [{"NOT_A_MODEL": not_a_model, "MODEL": model_file}.get(a, a) for a in args]
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr


def test_inputs_of_the_wrong_shape(model_file, tmp_path):
    inputs = tmp_path / "wrong.npz"
    np.savez(inputs, np.zeros((2, 8, 8, 3), "float32"), np.zeros((2, 8, 8), "float32"))
    done = run_cli(model_file, "--inputs", inputs, "--backends", "jax")
    assert done.returncode == 2
    assert "do not fit the model input" in done.stderr


def test_backend_not_installed(model_file, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "torch" else real(name)
    )
    with pytest.raises(CompareError, match="Backend 'torch' is not installed"):
        compare(model_file, backends=["jax", "torch"])


def test_backend_not_installed_on_the_command_line(model_file, monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "torch" else real(name)
    )
    assert cli.main(["compare", str(model_file), "--backends", "jax,torch"]) == 2
    assert "Backend 'torch' is not installed" in capsys.readouterr().err


def fake_report(outputs_abs, gradients_abs):
    results = [
        BackendResult("tensorflow", 1.0, 0.0, 0.0, 0.0, 0.0),
        BackendResult("jax", 1.0, outputs_abs, 0.0, gradients_abs, 0.0),
    ]
    return Report(results, atol=1e-5, seed=0, input_shapes=[(1, 2)], gradients=True)


def test_pass_and_fail_against_the_tolerance():
    assert fake_report(1e-5, 0.0).passed
    assert not fake_report(2e-5, 0.0).passed
    assert not fake_report(0.0, 3e-5).passed
    assert not fake_report(float("nan"), 0.0).passed
    assert "NO" in fake_report(2e-5, 0.0).table().splitlines()[-1]


def test_cli_exit_code_follows_the_report(monkeypatch, capsys):
    monkeypatch.setattr(compare_module, "compare", lambda *a, **k: fake_report(1.0, 0.0))
    assert cli.main(["compare", "model.keras"]) == 1
    monkeypatch.setattr(compare_module, "compare", lambda *a, **k: fake_report(0.0, 0.0))
    assert cli.main(["compare", "model.keras"]) == 0


def test_max_differences_closed_form():
    a = np.array([1.0, 2.0, 4.0], "float32")
    b = np.array([1.0, 2.5, 4.0], "float32")
    assert compare_module._max_differences(a, b) == (0.5, 0.2)
    assert compare_module._max_differences(np.array([np.nan]), np.array([1.0]))[0] == float("inf")
