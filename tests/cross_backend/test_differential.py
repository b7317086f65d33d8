"""Random models of every layer and option agree under TensorFlow, JAX and PyTorch.

Each seed names a model (`tests/differential/models.py`): masked and learnable
activations with every mask source, interpolation, data format and option,
some directly after one another (exact zeros reach the next kink), with
convolutions between some, every weight moved off its start. It is saved under
one backend (they take turns) and run under all three; every output and the
gradient for each input and each trainable weight follow the rule of
`keras_masked_relu.tools.rule`, in float32 and in float64. The seeds are few,
chosen so that their models draw each feature of `models.FEATURES` three times
or more; `make fuzz N=...` runs more seeds. A failure prints the command that
reruns its seed.
"""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from differential import run as differential  # noqa: E402
from differential.models import covering_seeds  # noqa: E402

pytestmark = pytest.mark.xdist_group("differential")


@pytest.fixture(scope="module")
def seeds():
    return covering_seeds()


@pytest.fixture(scope="module")
def results(seeds, tmp_path_factory):
    return differential.run(seeds, differential.DTYPES, tmp_path_factory.mktemp("differential"))


@pytest.mark.parametrize("dtype", differential.DTYPES)
def test_backends_agree_on_random_models(results, dtype):
    assert not results.of(dtype), results.report(dtype)


def test_seeds_cover_every_layer_and_option(seeds, results):
    assert len(results.plans) == len(seeds) * len(differential.DTYPES)
    assert not results.missing_features(), (
        f"No model of seeds {seeds} has {results.missing_features()}"
    )
    drawn = {f.removeprefix("layer:") for f in results.features if f.startswith("layer:")}
    assert set(results.package_layers) <= drawn, (
        f"The models draw no {sorted(set(results.package_layers) - drawn)}"
    )
