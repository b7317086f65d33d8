"""`python -m keras_masked_relu demo`, the main job, end to end."""

import os
import subprocess
import sys


def test_demo_runs_every_check_and_passes(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "keras_masked_relu",
            "demo",
            "--epochs",
            "3",
            "--dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["check", "backend", "result", "ok"]  # nothing before the table
    table = [line for line in lines if line.startswith(("train", "same numbers", "export"))]
    assert len(table) == 1 + 3 + 11  # training, three backends, eleven export cells
    assert all(line.rstrip().endswith("yes") for line in table)
    assert lines[-1].startswith("15 passed, 0 failed")
    assert (tmp_path / "demo.keras").exists()
