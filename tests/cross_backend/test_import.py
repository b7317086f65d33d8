"""Importing the package under JAX or PyTorch does not import TensorFlow.

TensorFlow is installed here (for the other suites); importing it would add
seconds and its log lines to every program that uses the package.
"""

import pytest

from keras_masked_relu.tools.backend_process import run_under_backend

CODE = """
import sys
import keras_masked_relu
from keras_masked_relu import regions, replace_activations
print("tensorflow" in sys.modules)
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_import_does_not_load_tensorflow(backend):
    imported = run_under_backend(backend, ["-c", CODE]).strip().splitlines()[-1]
    assert imported == "False"
