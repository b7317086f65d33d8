"""A model saved under each backend loads under each, with the same numbers (9 pairs)."""

import numpy as np
import pytest
from conftest import BACKENDS

from keras_masked_relu.tools import compare

# The saved models are made once, in the worker that runs this group.
pytestmark = pytest.mark.xdist_group("saved_models")


@pytest.mark.parametrize("saved_under", BACKENDS)
def test_outputs_and_gradients_agree_under_every_backend(saved_under, saved_models):
    report = compare(
        saved_models / f"{saved_under}.keras", backends=BACKENDS, gradients=True, atol=1e-5
    )
    assert [r.backend for r in report.results] == list(BACKENDS)
    assert report.passed, report.table()
    for result in report.results:
        assert result.ms_per_batch > 0
        assert np.isfinite(result.gradients_abs)
