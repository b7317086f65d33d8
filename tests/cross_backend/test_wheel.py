"""The built wheel, installed where the source tree cannot shadow it, imports, runs and answers."""

import os
import pathlib
import shutil
import subprocess
import sys
import tomllib
import zipfile

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

# One layer of the installed copy, against its closed form max(x, 0) + 0.25 min(x, 0).
RUN_ONE_LAYER = """
import numpy as np
import keras_masked_relu
layer = keras_masked_relu.MaskedReLU(mask=np.ones((2, 3), "float32"), negative_slope=0.25)
x = np.array([[[-2.0], [0.0], [4.0]], [[1.0], [-1.0], [3.0]]], "float32")[None]
print(keras_masked_relu.__file__)
print(keras_masked_relu.__version__)
print(np.asarray(layer(x)).ravel().tolist())
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel `python -m build` makes, installed by pip into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    # Built from a copy, so that no build/ or *.egg-info of the source tree goes in or is left.
    tree = work / "tree"
    skipped = shutil.ignore_patterns(".*", "build", "dist", "site", "*.egg-info", "__pycache__")
    shutil.copytree(ROOT, tree, ignore=skipped)
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", tree],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = (work / "dist").glob("*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", work / "site"]
        + [wheel],
        check=True,
        capture_output=True,
        timeout=600,
    )
    # Run away from the source tree, with the installed copy first on the path.
    env = dict(os.environ, PYTHONPATH=str(work / "site"), KERAS_BACKEND="jax")
    return wheel, work / "site", env, work


def test_the_wheel_holds_the_package_and_the_command_line_only(installed):
    wheel = installed[0]
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"keras_masked_relu", "keras_masked_relu_cli.py"}
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "keras-masked-relu = keras_masked_relu_cli:main" in text


def test_the_installed_package_runs_a_layer(installed):
    _, site, env, work = installed
    done = subprocess.run(
        [sys.executable, "-c", RUN_ONE_LAYER],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    path, version, values = done.stdout.strip().splitlines()[-3:]
    assert pathlib.Path(path).is_relative_to(site)
    assert version == VERSION
    x = np.array([-2.0, 0.0, 4.0, 1.0, -1.0, 3.0])
    np.testing.assert_array_equal(eval(values), np.maximum(x, 0) + 0.25 * np.minimum(x, 0))


def test_the_console_script_answers_help_without_keras(installed):
    _, site, env, work = installed
    script = site / "bin" / "keras-masked-relu"
    done = subprocess.run(
        [sys.executable, script, "--help"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: keras-masked-relu [-h] {compare,demo}")
    # What makes it answer at once: parsing imports neither Keras nor a backend.
    probe = (
        "import sys, keras_masked_relu_cli\n"
        "try:\n    keras_masked_relu_cli.main(['compare', '--help'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'keras', 'tensorflow', 'jax', 'torch', 'keras_masked_relu'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=work, env=env, capture_output=True, text=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
