"""The catalogue covers every public layer, and every table of layers covers the catalogue;
each bad argument of a catalogued layer raises its error."""

import inspect
import pathlib
import sys

import keras
import pytest
from all_layers import build_model
from catalogue import CATALOGUE, ENTRIES, public_layers
from differential.models import covering_seeds, draw

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
from speed_cases import cases, image_shape  # noqa: E402


def test_every_public_layer_has_an_entry():
    assert public_layers() == set(CATALOGUE)
    assert len(ENTRIES) == len(CATALOGUE)  # one entry per layer


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.layer.__name__ for e in ENTRIES])
def test_every_entry_has_cases_and_bad_arguments(entry):
    assert entry.harness, "no case for the Keras harness"
    arguments = [
        p
        for p in inspect.signature(entry.layer.__init__).parameters.values()
        if p.name != "self" and p.kind is not p.VAR_KEYWORD
    ]
    # A layer that takes arguments of its own lists at least one bad one.
    assert bool(entry.bad_arguments) == bool(arguments), [p.name for p in arguments]


def _layer_classes(layer, seen=None):
    """The classes of `layer` and of every layer it holds, at any depth."""
    seen = set() if seen is None else seen
    if id(layer) in seen:
        return set()
    seen.add(id(layer))
    found = {type(layer)}
    for value in vars(layer).values():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, keras.layers.Layer):
                found |= _layer_classes(item, seen)
    return found


def test_the_every_layer_model_holds_each_catalogued_layer():
    assert set(CATALOGUE) <= _layer_classes(build_model())


def test_the_speed_benchmark_times_each_catalogued_layer():
    timed = {type(case.make()) for case in cases(image_shape(2e4)).values()}
    assert set(CATALOGUE) <= timed


def test_the_differential_test_draws_each_catalogued_layer():
    # The seeds `tests/cross_backend/test_differential.py` runs, in both dtypes.
    drawn = {
        feature.removeprefix("layer:")
        for seed in covering_seeds()
        for dtype in ("float32", "float64")
        for feature in draw(seed, dtype)["features"]
    }
    assert {cls.__name__ for cls in CATALOGUE} <= drawn


BAD_ARGUMENTS = [(entry, bad) for entry in ENTRIES for bad in entry.bad_arguments]


@pytest.mark.parametrize(
    "entry,bad", BAD_ARGUMENTS, ids=[f"{e.layer.__name__}: {b.id}" for e, b in BAD_ARGUMENTS]
)
def test_bad_arguments_raise_a_clear_error(entry, bad):
    with pytest.raises(bad.error, match=bad.message):
        entry.layer(**bad.kwargs)
