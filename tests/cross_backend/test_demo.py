"""`python -m keras_masked_relu demo`, the main job: its comparison step on the models of
several training runs, and one run of the command end to end."""

import inspect
import os
import subprocess
import sys

import pytest
from conftest import BACKENDS, run_python

import keras_masked_relu_cli as cli
from keras_masked_relu.tools import demo
from keras_masked_relu.tools.compare import compare_models
from keras_masked_relu.tools.rule import TOLERANCES

# One training run per backend, each from its own seed. The command itself, run below,
# trains under TensorFlow from seed 0.
SEEDS = {backend: seed for seed, backend in enumerate(BACKENDS) if backend != "tensorflow"}
# The command's default (`main(epochs=5)`), and a model one epoch into training.
DEFAULT_EPOCHS = 5
EPOCHS = (1, DEFAULT_EPOCHS)


def test_the_epochs_are_the_commands_default():
    assert inspect.signature(demo.main).parameters["epochs"].default == DEFAULT_EPOCHS
    assert cli._parser().parse_args(["demo"]).epochs == DEFAULT_EPOCHS


@pytest.fixture(scope="module")
def demo_models(tmp_path_factory):
    """`{(saved under, seed, epochs): path}`: the demo model trained under each backend."""
    directory = tmp_path_factory.mktemp("demo_models")
    models = {}
    for backend, seed in SEEDS.items():
        run_python(backend, "save_demo_models.py", directory / backend, str(seed), DEFAULT_EPOCHS)
        for epochs in EPOCHS:
            path = directory / backend / f"seed{seed}" / f"epoch_{epochs}.keras"
            models[backend, seed, epochs] = path
    return models


def test_the_comparison_step_passes_for_every_training_run(demo_models):
    """The demo's "same numbers" verdict holds whatever the seed, the epochs and the
    backend that trained the model (TensorFlow's run is the command's, checked below):
    it compares logits, not a saturated sigmoid."""
    keys = list(demo_models)
    reports = compare_models(
        [demo_models[k] for k in keys], demo.comparison_inputs(), gradients=True, repeats=1
    )
    failed = []
    for key, report in zip(keys, reports):
        assert (report.tol, report.gradients_tol) == TOLERANCES["float32"]
        rows = demo.same_numbers_rows("", report)
        assert [row[1] for row in rows] == list(BACKENDS)
        for row, result in zip(rows[1:], report.results[1:]):
            assert row[2].startswith(f"worst {result.worst.name}: "), row
            assert row[3] == result.passed
        if not all(row[3] for row in rows):
            backend, seed, epochs = key
            failed.append(f"saved under {backend}, seed {seed}, {epochs} epochs:\n{report.table()}")
    assert not failed, "\n".join(failed)


# The command as users run it, but for the retrofitted MobileNetV2's 11 export cells
# (`make demo` checks them): every export cell of every backend is checked on the
# all-layers model by tests/test_export.py, and the demo model's 11 cells here.
def test_demo_runs_every_check_and_passes(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    command = ["demo", "--dir", str(tmp_path), "--skip-retrofit-export"]
    done = subprocess.run(
        [sys.executable, "-m", "keras_masked_relu", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["check", "backend", "result", "ok"]  # nothing before the table
    demo_rows = [line for line in lines if line.startswith(("train", "same numbers", "export"))]
    assert len(demo_rows) == 1 + 3 + 11  # training, three backends, eleven export cells
    retrofit = [line for line in lines if line.startswith("retrofit")]
    assert len(retrofit) == 1 + 3
    assert "35 of 35 ReLU(6.0) replaced" in retrofit[0]
    # Each "same numbers" row but the reference's names its worst array.
    same = [line for line in demo_rows + retrofit if "same numbers" in line]
    assert sum(" worst output_" in line or " worst grad_" in line for line in same) == 4
    assert all(line.rstrip().endswith("yes") for line in demo_rows + retrofit)
    assert lines[-1].startswith("19 passed, 0 failed")
    assert (tmp_path / "demo.keras").exists()
    assert (tmp_path / "retrofit.keras").exists()
