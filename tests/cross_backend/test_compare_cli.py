"""`python -m keras_masked_relu compare`, end to end, by the rule, and on its error paths."""

import importlib.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from all_layers import sample_inputs

import keras_masked_relu_cli as cli
from keras_masked_relu.tools.backend_process import run_under_backend
from keras_masked_relu.tools.compare import (
    ArrayDifference,
    BackendResult,
    CompareError,
    Report,
    array_differences,
    compare,
    compare_models,
    default_tolerances,
)
from keras_masked_relu.tools.rule import TOLERANCES

# The module itself: `keras_masked_relu.tools.compare` as an attribute is the function.
compare_module = importlib.import_module("keras_masked_relu.tools.compare")


# The saved models are made once, in the worker that runs this group.
pytestmark = pytest.mark.xdist_group("saved_models")


def run_cli(*args):
    """`python -m keras_masked_relu compare ARGS`, in a new process."""
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


def run_in_process(args, capsys):
    """`keras-masked-relu compare ARGS` in this process: its exit status, stdout and stderr."""
    try:
        status = cli.main(["compare", *map(str, args)])
    except SystemExit as exit:  # argparse's errors
        status = exit.code
    printed = capsys.readouterr()
    return status, printed.out, printed.err


def table_rows(stdout):
    """The rows of the printed table, by backend, each split on runs of two spaces."""
    lines = stdout.splitlines()
    header = re.split(r" {2,}", lines[2].strip())
    rows = {}
    for line in lines[4:]:
        cells = re.split(r" {2,}", line.strip())
        assert len(cells) == len(header), line
        rows[cells[0].removesuffix(" (reference)")] = dict(zip(header, cells))
    return header, rows


def test_compare_prints_a_table_and_passes(model_file, tmp_path):
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, *sample_inputs(3, seed=5))
    done = run_cli(model_file, "--inputs", inputs, "--backends", "torch,tensorflow", "--gradients")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "inputs: (3, 16, 16, 3), (3, 16, 16), (3, 32, 32) (seed 0)"
    assert lines[1].startswith(
        "rule: max|a - ref| <= tol * (1 + max|ref|), tol 1e-05 for outputs, 0.0001 for gradients"
    )
    header, rows = table_rows(done.stdout)
    assert header[:4] == ["backend", "outputs scaled", "gradients scaled", "worst array"]
    assert list(rows) == ["torch", "tensorflow"]
    assert lines[4].startswith("torch (reference)")
    row = rows["tensorflow"]
    assert row["passes"] == "yes"
    # The worst array by its name: an output, or the gradient of an input or a weight.
    assert row["worst array"].startswith(("output_", "grad_input_", "grad_weight_"))
    scaled, tol = (float(x) for x in row["scaled / tol"].split(" / "))
    assert tol == (1e-4 if row["worst array"].startswith("grad_") else 1e-5)
    assert scaled <= tol
    assert float(row["outputs scaled"]) <= 1e-5 and float(row["gradients scaled"]) <= 1e-4


# Keras's own LeakyReLU is differentiated at 0 by a different rule on each backend:
# JAX's `jax.nn.leaky_relu` takes the slope 1 there, TensorFlow and PyTorch take
# `negative_slope`. A disagreement `compare` must report, on any machine.
SAVE_LEAKY_RELU = """
import sys, keras
inputs = keras.Input((4,))
keras.Model(inputs, keras.layers.LeakyReLU(0.25)(inputs)).save(sys.argv[1])
"""


@pytest.fixture(scope="module")
def leaky_relu_at_zero(tmp_path_factory):
    folder = tmp_path_factory.mktemp("leaky_relu")
    run_under_backend("jax", ["-c", SAVE_LEAKY_RELU, folder / "leaky.keras"])
    np.save(folder / "zeros.npy", np.zeros((2, 4), "float32"))
    return folder / "leaky.keras", folder / "zeros.npy"


def test_a_difference_above_the_gradients_tol_fails_with_exit_1(leaky_relu_at_zero):
    model, zeros = leaky_relu_at_zero
    done = run_cli(model, "--inputs", zeros, "--backends", "jax,torch,tensorflow", "--gradients")
    assert done.returncode == 1, done.stderr[-2000:]
    _, rows = table_rows(done.stdout)
    for backend in ("torch", "tensorflow"):
        row = rows[backend]
        assert row["passes"] == "NO"
        assert row["worst array"] == "grad_input_0"
        assert float(row["outputs scaled"]) == 0.0  # both give 0 at 0
        # |0.25 c - c| / (1 + |c|) for the cotangent c of largest magnitude: above 0.
        assert 1e-4 < float(row["gradients scaled"]) < 0.75


SAVE_WITH_A_CUSTOM_LOSS = """
import sys
import keras
from keras_masked_relu import MaskedReLU

def my_loss(target, predicted):  # known to this process only
    return keras.ops.mean(keras.ops.abs(target - predicted))

inputs = keras.Input((4,))
model = keras.Model(inputs, MaskedReLU([1.0, 0.0, 1.0, 0.0], shift=0.5)(inputs))
model.compile(optimizer="sgd", loss=my_loss)
model.save(sys.argv[1])
"""


def test_a_model_trained_with_a_loss_of_its_own_compares(tmp_path):
    """Comparing runs the model: what it was compiled with is not needed (nor loadable)."""
    path = tmp_path / "custom_loss.keras"
    run_under_backend("jax", ["-c", SAVE_WITH_A_CUSTOM_LOSS, path])
    report = compare(path, backends=("jax", "torch"), gradients=True, repeats=1)
    assert report.passed, report.table()


def test_the_tols_set_the_verdict(leaky_relu_at_zero, capsys):
    model, zeros = leaky_relu_at_zero
    common = [model, "--inputs", zeros, "--backends", "jax,tensorflow", "--gradients"]
    # The gradients differ by 0.75 |c| / (1 + |c|) < 0.75 (above): a gradients tol of
    # 0.75 passes them, whatever the cotangent c; the outputs tol is printed.
    status, printed, _ = run_in_process([*common, "--gradients-tol", 0.75, "--tol", 1e-12], capsys)
    assert status == 0, printed
    assert "tol 1e-12 for outputs" in printed
    assert table_rows(printed)[1]["tensorflow"]["passes"] == "yes"


@pytest.mark.parametrize(
    "args,message",
    [
        (["missing.keras"], "No such model file"),
        (["NOT_A_MODEL"], "is not a Keras model file"),
        (["MODEL", "--backends", "tensorflow,mxnet"], "Unknown backend 'mxnet'"),
        (["MODEL", "--inputs", "nowhere.npy"], "No such inputs file"),
        (["MODEL", "--backends", "jax,numpy", "--gradients"], "'numpy' runs inference only"),
        (["MODEL", "--tol", "-1"], "argument --tol: must be a positive number. Received: '-1'"),
        (["MODEL", "--gradients-tol", "x"], "must be a positive number. Received: 'x'"),
        # `--atol` (an absolute tolerance) was replaced by the rule's `--tol`.
        (["MODEL", "--atol", "1e-5"], "unrecognized arguments: --atol"),
    ],
)
def test_errors_exit_2_with_a_message(args, message, model_file, tmp_path, capsys):
    not_a_model = tmp_path / "notes.txt"
    not_a_model.write_text("hello")
    args = [{"NOT_A_MODEL": not_a_model, "MODEL": model_file}.get(a, a) for a in args]
    status, _, stderr = run_in_process(args, capsys)
    assert status == 2
    assert message in stderr


def test_inputs_of_the_wrong_shape(model_file, tmp_path, capsys):
    inputs = tmp_path / "wrong.npz"
    np.savez(inputs, *[x[:, ::2, ::2] for x in sample_inputs(2)])  # half the size
    status, _, stderr = run_in_process(
        [model_file, "--inputs", inputs, "--backends", "jax"], capsys
    )
    assert status == 2
    assert "do not fit the model input" in stderr


def test_inputs_by_model_path_given_as_text(model_file):
    inputs = sample_inputs(2, seed=6)
    (report,) = compare_models([model_file], {str(model_file): inputs}, backends=["jax"], repeats=1)
    assert report.input_shapes == [x.shape for x in inputs]


def test_inputs_of_a_model_not_compared(model_file):
    with pytest.raises(ValueError, match="not in `model_paths`. Received: \\['other.keras'\\]"):
        compare_models([model_file], {"other.keras": None}, backends=["jax"])


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


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"tol": -1.0}, ValueError, "Received: tol=-1.0"),
        ({"tol": float("nan")}, ValueError, "Received: tol=nan"),
        ({"gradients_tol": 0}, ValueError, "Received: gradients_tol=0"),
        ({"tol": "1e-5"}, TypeError, "Received: tol='1e-5'"),
    ],
)
def test_bad_tolerances(kwargs, error, message):
    with pytest.raises(error, match=message):
        compare("model.keras", **kwargs)  # checked before the file


def test_array_differences_closed_form():
    reference = {
        "input_0": np.zeros(3, "float32"),
        "output_0": np.array([1.0, -3.0, 2.0], "float32"),
        "grad_input_0": np.array([0.5, 0.25], "float32"),
        "grad_weight_dense__kernel": np.array([[1.0, 2.0]], "float32"),
        "grad_weight_dense__bias": np.array([4.0], "float32"),
    }
    data = {
        "input_0": np.ones(3, "float32"),  # inputs are not compared
        "output_0": np.array([1.0, -3.0, 2.5], "float32"),
        "grad_input_0": np.array([0.5, np.nan], "float32"),
        "grad_weight_dense__kernel": np.array([[1.0, 2.0, 3.0]], "float32"),
        # grad_weight_dense__bias is missing
    }
    found = {d.name: d for d in array_differences(data, reference, 1e-5, 1e-4)}
    assert list(found) == [
        "output_0",
        "grad_input_0",
        "grad_weight_dense__kernel",
        "grad_weight_dense__bias",
    ]
    assert found["output_0"].scaled == 0.5 / (1 + 3.0)
    assert found["output_0"].max_abs == 0.5
    assert (found["output_0"].tol, found["output_0"].kind) == (1e-5, "outputs")
    for name in ("grad_input_0", "grad_weight_dense__kernel", "grad_weight_dense__bias"):
        assert found[name].scaled == np.inf, name  # NaN, another shape, missing
        assert (found[name].tol, found[name].kind) == (1e-4, "gradients")
        assert not found[name].passed


def test_default_tolerances_follow_the_dtype():
    assert default_tolerances([np.zeros(2, "float64")]) == TOLERANCES["float64"]
    assert default_tolerances([np.zeros(2, "float32")]) == TOLERANCES["float32"]
    assert default_tolerances([np.zeros(2, "float64"), np.zeros(2, "float32")]) == (1e-5, 1e-4)


def fake_report(output_scaled, gradient_scaled):
    """A reference and a second backend with one output and one weight gradient."""

    def arrays(output, gradient):
        return [
            ArrayDifference("output_0", output, 3 * output, 1e-5),
            ArrayDifference("grad_weight_conv__kernel", gradient, 2 * gradient, 1e-4),
        ]

    results = [
        BackendResult("tensorflow", 1.0, arrays(0.0, 0.0)),
        BackendResult("jax", 1.0, arrays(output_scaled, gradient_scaled)),
    ]
    return Report(results, 1e-5, 1e-4, seed=0, input_shapes=[(1, 2)], gradients=True)


def test_pass_and_fail_against_the_rule():
    assert fake_report(1e-5, 1e-4).passed  # the rule is `<=`
    assert not fake_report(2e-5, 0.0).passed
    assert not fake_report(0.0, 3e-4).passed
    assert not fake_report(float("nan"), 0.0).passed
    assert fake_report(float("nan"), 0.0).worst[0] == "jax"


def test_the_table_names_the_worst_array():
    report = fake_report(2e-6, 5e-5)  # 0.2 and 0.5 of their tolerances
    assert report.worst == ("jax", report.results[1].arrays[1])
    row = report.table().splitlines()[-1].split()
    assert row == ["jax", "2e-06", "5e-05", "grad_weight_conv__kernel"] + [
        "5e-05",
        "/",
        "0.0001",
        "0.0001",
        "1.00",
        "yes",
    ]
    row = fake_report(2e-5, 5e-5).table().splitlines()[-1].split()
    assert row[3:7] == ["output_0", "2e-05", "/", "1e-05"] and row[-1] == "NO"


def test_cli_exit_code_follows_the_report(monkeypatch, capsys):
    monkeypatch.setattr(compare_module, "compare", lambda *a, **k: fake_report(1.0, 0.0))
    assert cli.main(["compare", "model.keras"]) == 1
    monkeypatch.setattr(compare_module, "compare", lambda *a, **k: fake_report(0.0, 0.0))
    assert cli.main(["compare", "model.keras"]) == 0


def test_cli_passes_both_tolerances(monkeypatch):
    seen = {}

    def fake_compare(*args, **kwargs):
        seen.update(kwargs)
        return fake_report(0.0, 0.0)

    monkeypatch.setattr(compare_module, "compare", fake_compare)
    assert cli.main(["compare", "m.keras", "--tol", "2e-6", "--gradients-tol", "3e-5"]) == 0
    assert (seen["tol"], seen["gradients_tol"]) == (2e-6, 3e-5)
    assert cli.main(["compare", "m.keras"]) == 0
    assert (seen["tol"], seen["gradients_tol"]) == (None, None)  # by the model's dtype
