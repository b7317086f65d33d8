"""`benchmarks/speed.py` end to end at a tiny size: every backend, mode and
baseline is there, ratios are computed against the right baseline, the
targets are judged, and no compiled call retraced."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

# The benchmark runs once, in the worker that runs this group.
pytestmark = pytest.mark.xdist_group("speed_harness")

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAYERS = "MaskedReLU region,MaskedReLU region as array,LearnableReLU"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("speed")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "speed.py"),
            "--sizes",
            "2e4",
            "--rounds",
            "1",
            "--layers",
            LAYERS,
            "--out",
            str(out),
        ],
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "speed.json").read_text()), (out / "speed.md").read_text(), out


def test_every_backend_mode_and_layer_is_timed(report):
    data, _, _ = report
    rows = data["rows"]
    expected_modes = {
        "tensorflow": {
            "eager forward",
            "eager forward+backward",
            "compiled forward",
            "compiled forward+backward",
            "compiled train_step",
        },
        "torch": {
            "eager forward",
            "eager forward+backward",
            "eager train_step",
            "compiled train_step",
        },
    }
    expected_modes["jax"] = expected_modes["tensorflow"]
    layers = set(LAYERS.split(",")) | {"floor x*1.0", "keras ReLU", "keras PReLU", "naive blend"}
    for backend, modes in expected_modes.items():
        seen = {(r["mode"], r["layer"]) for r in rows if r["backend"] == backend}
        assert seen == {(m, layer) for m in modes for layer in layers}, backend
    assert all(r["seconds"] > 0 and r["elements"] == 8 * 12 * 12 * 16 for r in rows)


def test_ratios_use_the_baseline_of_the_same_round(report):
    rows = report[0]["rows"]
    by = {(r["backend"], r["mode"], r["layer"]): r for r in rows}
    for r in rows:
        base = "keras PReLU" if r["group"] == "learnable" else "keras ReLU"
        expected = r["seconds"] / by[(r["backend"], r["mode"], base)]["seconds"]
        assert r["vs_baseline"] == pytest.approx(expected)
        assert r["vs_naive"] == pytest.approx(
            r["seconds"] / by[(r["backend"], r["mode"], "naive blend")]["seconds"]
        )
        assert r["vs_relu"] == pytest.approx(
            r["seconds"] / by[(r["backend"], r["mode"], "keras ReLU")]["seconds"]
        )
    assert all(by[(b, m, "keras ReLU")]["vs_baseline"] == 1.0 for b, m, _ in by)


def test_compiled_calls_do_not_retrace(report):
    compiled = [r for r in report[0]["rows"] if r["mode"].startswith("compiled")]
    assert compiled and all(r["retraces"] == 0 for r in compiled)


def test_targets_are_judged_and_written(report):
    data, markdown, out = report
    checks = data["targets"]
    assert {c["target"] for c in checks} >= {
        "static mask vs ReLU",
        "region vs the same mask as an array",
        "learnable vs PReLU",
        "at least 2x faster than naive",
    }
    for c in checks:
        assert c["met"] == (c["ratio"] <= c["limit"])
    assert f"{sum(c['met'] for c in checks)} of {len(checks)} met" in markdown
    assert (out / "speed.png").stat().st_size > 10_000
