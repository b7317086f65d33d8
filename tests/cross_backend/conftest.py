import os
import subprocess
import sys

import pytest

BACKENDS = ("tensorflow", "jax", "torch")
HERE = os.path.dirname(__file__)


def run_python(backend, script, *args, env=None, timeout=600):
    """Runs a script of this folder under one backend; returns its stdout."""
    full_env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", **(env or {}))
    done = subprocess.run(
        [sys.executable, os.path.join(HERE, script), *map(str, args)],
        env=full_env, capture_output=True, text=True, timeout=timeout,
    )
    assert done.returncode == 0, f"{script} under {backend} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="session")
def saved_models(tmp_path_factory):
    """The all-layers model trained and saved under each backend."""
    directory = tmp_path_factory.mktemp("saved")
    for backend in BACKENDS:
        run_python(backend, "save_all_layers.py", directory / f"{backend}.keras")
    return directory
