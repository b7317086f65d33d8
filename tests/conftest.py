import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Gradient checks run in float64, which JAX only provides with x64 enabled.
os.environ.setdefault("JAX_ENABLE_X64", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_keras_state():
    """Each test starts with the float32 policy and a fresh name scope."""
    keras.config.set_dtype_policy("float32")
    keras.utils.clear_session(free_memory=False)  # gc.collect() costs 0.3 s a test
    yield
    keras.config.set_dtype_policy("float32")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
