import os

import pytest

from keras_masked_relu.tools.backend_process import BackendProcessError, run_under_backend
from keras_masked_relu.tools.compare import BACKENDS

HERE = os.path.dirname(__file__)


def run_python(backend, script, *args, env=None, timeout=600):
    """Runs a script of this folder under one backend; returns its stdout."""
    try:
        return run_under_backend(
            backend, [os.path.join(HERE, script), *args], env=env, timeout=timeout
        )
    except BackendProcessError as error:
        pytest.fail(f"{script} under {backend} failed:\n{error.stderr[-3000:]}")


@pytest.fixture(scope="session")
def saved_models(tmp_path_factory):
    """The all-layers model trained and saved under each backend."""
    directory = tmp_path_factory.mktemp("saved")
    for backend in BACKENDS:
        run_python(backend, "save_all_layers.py", directory / f"{backend}.keras")
    return directory
