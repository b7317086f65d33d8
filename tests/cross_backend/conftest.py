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


def save_under_each_backend(tmp_path_factory, folder, script):
    """Runs `script PATH` under each backend, PATH being `folder/<backend>.keras`."""
    directory = tmp_path_factory.mktemp(folder)
    for backend in BACKENDS:
        run_python(backend, script, directory / f"{backend}.keras")
    return directory


@pytest.fixture(scope="session")
def saved_models(tmp_path_factory):
    """The all-layers model trained and saved under each backend."""
    return save_under_each_backend(tmp_path_factory, "saved", "save_all_layers.py")


@pytest.fixture(scope="session")
def saved_unets(tmp_path_factory):
    """The U-Net with one 64x64 calibration mask at every scale, saved under each backend."""
    return save_under_each_backend(tmp_path_factory, "saved_unet", "save_unet.py")


# One saving backend is enough here: the 9 pairs are checked on the models above.
RETROFIT_SAVED_UNDER = "torch"
VOLUME_SAVED_UNDER = "jax"


@pytest.fixture(scope="session")
def saved_keras_hub(tmp_path_factory):
    """keras-hub models on a retrofitted ResNet (`save_keras_hub.py`), saved under one backend."""
    folder = tmp_path_factory.mktemp("saved_keras_hub")
    run_python(RETROFIT_SAVED_UNDER, "save_keras_hub.py", folder)
    return folder


@pytest.fixture(scope="session")
def saved_volume_unet(tmp_path_factory):
    """The 3-D U-Net (a calibration volume at every scale, a sphere), saved under one backend."""
    path = tmp_path_factory.mktemp("saved_volume_unet") / f"{VOLUME_SAVED_UNDER}.keras"
    run_python(VOLUME_SAVED_UNDER, "save_unet.py", path, "volume")
    return path


@pytest.fixture(scope="session")
def saved_retrofit(tmp_path_factory):
    """A CNN whose ReLUs `replace_activations` made MaskedReLUs, saved under one backend."""
    path = tmp_path_factory.mktemp("saved_retrofit") / f"{RETROFIT_SAVED_UNDER}.keras"
    run_python(RETROFIT_SAVED_UNDER, "save_retrofit.py", path)
    return path
