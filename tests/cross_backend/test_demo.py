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
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["check", "backend", "result", "ok"]  # nothing before the table
    demo = [line for line in lines if line.startswith(("train", "same numbers", "export"))]
    assert len(demo) == 1 + 3 + 11  # training, three backends, eleven export cells
    retrofit = [line for line in lines if line.startswith("retrofit")]
    assert len(retrofit) == 1 + 3 + 11
    assert "35 of 35 ReLU(6.0) replaced" in retrofit[0]
    assert all(line.rstrip().endswith("yes") for line in demo + retrofit)
    assert lines[-1].startswith("30 passed, 0 failed")
    assert (tmp_path / "demo.keras").exists()
    assert (tmp_path / "retrofit.keras").exists()
