"""Every `Example:` block of the package runs, and shows what it computes.

The examples are collected with the standard `doctest` module from every
docstring of every module of the package (module, class, function and method
docstrings). Each docstring is one test, run under the current backend, its
statements in one fresh namespace: each example imports what it uses.

Outputs are not compared as text, since backend tensors print differently
(`tf.Tensor(...)`, `Array(...)`, `tensor(...)`):

- a number or (nested) list of numbers is compared numerically with the
  value, converted with `keras.ops.convert_to_numpy`, to half a unit in the
  last digit written (`0.8884` means within 5e-5) and the same shape;
- a tuple (such as a shape) is compared as a tuple of ints;
- anything else (`True`, `None`, a string) is compared by `repr`;
- an example without output must run without error.
"""

import ast
import contextlib
import doctest
import importlib
import io
import pkgutil
import re

import keras
import numpy as np
import pytest

import keras_masked_relu

# Docstrings whose examples cannot run in a unit test, with the reason.
NOT_RUN = {
    "keras_masked_relu.tools.compare": (
        "needs a saved model file and starts one process per backend; "
        "tests/cross_backend/test_compare_cli.py runs the comparison"
    ),
}

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def package_modules():
    modules = [keras_masked_relu]
    for info in pkgutil.walk_packages(keras_masked_relu.__path__, "keras_masked_relu."):
        modules.append(importlib.import_module(info.name))
    return modules


def collect_docstrings():
    """Every docstring with `>>>` examples, by qualified name."""
    finder = doctest.DocTestFinder(recurse=True, exclude_empty=True)
    found = {}
    for module in package_modules():
        for test in finder.find(module, module.__name__):
            if test.examples:
                found[test.name] = test
    return found


DOCSTRINGS = collect_docstrings()


def test_collection_is_complete():
    """The examples of the main modules are found; the exclusions are real."""
    for name in [
        "keras_masked_relu.ops.masked_relu",
        "keras_masked_relu.layers.masked_relu.MaskedReLU",
        "keras_masked_relu.regions",
        "keras_masked_relu.regions.Circle",
    ]:
        assert name in DOCSTRINGS
    for name in NOT_RUN:
        assert name in DOCSTRINGS, f"{name} is excluded but has no examples any more"


def test_every_example_heading_has_examples():
    """An `Example:` heading is followed by `>>>` lines, in the Keras format."""
    finder = doctest.DocTestFinder(recurse=True, exclude_empty=True)
    empty = []
    for module in package_modules():
        for test in finder.find(module, module.__name__):
            docstring = test.docstring or ""
            for block in re.split(r"^\s*Examples?:\s*$", docstring, flags=re.M)[1:]:
                if ">>>" not in block:
                    empty.append(test.name)
    assert empty == []


def namespace(test):
    """A fresh namespace: an example imports what it uses, as a user's script would."""
    return {"__name__": test.name}


def is_expression(source):
    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        return False
    return True


def is_numeric(value):
    if isinstance(value, list):
        return len(value) > 0 and all(is_numeric(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def tolerances(want):
    """Half a unit in the last digit of each number written, in reading order.

    A number written with only zeros after the point (`3.0`) states an exact
    value, compared to float32 rounding.
    """
    result = []
    for token in _NUMBER.findall(want):
        mantissa = re.split(r"[eE]", token)[0]
        exponent = int(re.split(r"[eE]", token)[1]) if "e" in token.lower() else 0
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        value = abs(float(token))
        if set(mantissa.split(".")[-1]) <= {"0"} or "." not in mantissa:
            result.append(1e-6 * max(1.0, value))
        else:
            result.append(0.5 * 10.0 ** (exponent - decimals) + 1e-6 * value)
    return np.array(result)


def check_output(value, want, where):
    text = want.strip()
    try:
        expected = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        expected = None
    if is_numeric(expected):
        got = np.asarray(keras.ops.convert_to_numpy(value), np.float64)
        expected = np.asarray(expected, np.float64)
        assert got.shape == expected.shape, f"{where}: shape {got.shape}, shown {text}"
        atol = tolerances(text).reshape(expected.shape)
        error = np.abs(got - expected)
        assert (error <= atol).all(), f"{where}: got {got.tolist()}, shown {text}"
    elif isinstance(expected, tuple):
        assert tuple(int(v) for v in value) == expected, f"{where}: got {value!r}"
    else:
        if hasattr(value, "shape") and not isinstance(value, (bool, str)):
            value = keras.ops.convert_to_numpy(value).tolist()
        assert repr(value) == text, f"{where}: got {value!r}, shown {text}"


@pytest.fixture
def restore_package_config():
    from keras_masked_relu import config

    fusion = config.is_eager_fusion_enabled()
    yield
    if fusion:
        config.enable_eager_fusion()
    else:
        config.disable_eager_fusion()


@pytest.mark.parametrize("name", [n for n in sorted(DOCSTRINGS) if n not in NOT_RUN])
def test_docstring_examples(name, restore_package_config):
    test = DOCSTRINGS[name]
    names = namespace(test)
    for i, example in enumerate(test.examples):
        where = f"{name}, example {i + 1}: {example.source.strip()}"
        code = compile(example.source, f"<{name}[{i}]>", "exec")
        if example.want.strip() and is_expression(example.source):
            value = eval(compile(example.source, f"<{name}[{i}]>", "eval"), names)
            check_output(value, example.want, where)
        elif example.want.strip():
            # A statement that prints, such as `print(...)`.
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, names)
            assert out.getvalue().strip() == example.want.strip(), where
        else:
            exec(code, names)
