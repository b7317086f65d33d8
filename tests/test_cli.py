"""The command line, end to end, under the backend of this test run."""

import os
import subprocess
import sys

import keras


def test_demo_trains_saves_and_reloads(tmp_path):
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend(), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-m", "keras_masked_relu", "demo", "--epochs", "2", "--dir", str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines() if line.strip())
    assert lines["backend"] == keras.backend.backend()
    assert lines["reload_max_abs_diff"] == "0.0"
    assert (tmp_path / "demo.keras").exists()
    losses = [float(v) for v in lines["loss"].strip("[]").split(",")]
    assert losses[-1] < losses[0]
