"""The main job: train a masked model, save it, compare it across backends, export it."""

import os
import tempfile
import time

import keras
import numpy as np

from keras_masked_relu.layers import LearnableReLU, MaskedActivation, MaskedReLU, RationalActivation
from keras_masked_relu.regions import Box, Circle
from keras_masked_relu.tools.backend_process import BackendProcessError, run_json_under_backend
from keras_masked_relu.tools.compare import BACKENDS, compare
from keras_masked_relu.tools.table import format_table

IMAGE = 32


def synthetic_images(n, seed=0):
    """Noisy images whose label says whether a bright blob lies inside the field of view.

    Returns images `(n, 32, 32, 1)`, per-image cloud masks `(n, 32, 32)` in
    [0, 1] and binary labels `(n, 1)`.
    """
    rng = np.random.default_rng(seed)
    images = rng.normal(0.0, 0.3, size=(n, IMAGE, IMAGE, 1)).astype("float32")
    clouds = np.zeros((n, IMAGE, IMAGE), "float32")
    labels = rng.integers(0, 2, size=(n, 1)).astype("float32")
    rows, cols = np.mgrid[0:IMAGE, 0:IMAGE]
    for i in range(n):
        r, c = rng.integers(8, IMAGE - 8, size=2)
        blob = np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / 8.0)
        images[i, :, :, 0] += (1.5 if labels[i, 0] else 0.4) * blob
        cr, cc = rng.integers(0, IMAGE, size=2)
        clouds[i] = np.clip(1.2 - np.hypot(rows - cr, cols - cc) / 6.0, 0, 1)
    return images, clouds, labels


def build_model():
    """A small classifier: a field-of-view region, a per-image cloud mask and
    learnable activations."""
    image = keras.Input((IMAGE, IMAGE, 1), name="image")
    cloud = keras.Input((IMAGE, IMAGE), name="cloud")
    fov = Circle(center=(0.5, 0.5), radius=0.45, relative=True, softness=2.0)
    h = keras.layers.Conv2D(8, 3, padding="same")(image)
    h = MaskedReLU(fov - Box((0, 0), (5, 5)), shift=0.1, negative_slope=0.05, name="fov_relu")(h)
    h = keras.layers.Conv2D(8, 3, padding="same")(h)
    h = MaskedActivation(inside=LearnableReLU(), outside="relu", name="cloud_act")([h, cloud])
    h = RationalActivation(approximate="gelu", name="rational")(h)
    h = keras.layers.GlobalMaxPooling2D()(h)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model([image, cloud], out)


def train(epochs, path):
    """Trains the demo model on synthetic images and saves it to `path`.

    Args:
        epochs: Epochs over 512 synthetic images.
        path: Where the `.keras` file goes.

    Returns:
        A dict with the `backend`, the `loss` before and after training, the
        final `accuracy`, the training `seconds`, the largest difference
        between the model and its reloaded copy (`reload_max_abs_diff`) and
        `ok`: whether the loss fell and the copy gives the same numbers.
    """
    keras.utils.set_random_seed(0)
    images, clouds, labels = synthetic_images(512)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    loss_before = model.evaluate([images, clouds], labels, batch_size=32, verbose=0)[0]
    start = time.perf_counter()
    history = model.fit([images, clouds], labels, epochs=epochs, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    probe = [images[:16], clouds[:16]]
    reload_diff = float(
        np.max(
            np.abs(
                keras.ops.convert_to_numpy(model(probe))
                - keras.ops.convert_to_numpy(restored(probe))
            )
        )
    )
    loss_after = history.history["loss"][-1]
    return {
        "backend": keras.backend.backend(),
        "loss": f"{loss_before:.4f} -> {loss_after:.4f}",
        "accuracy": float(history.history["accuracy"][-1]),
        "seconds": seconds,
        "reload_max_abs_diff": reload_diff,
        "ok": reload_diff == 0.0 and loss_after < loss_before,
    }


def _check_exports_under(backend, model_path, inputs_path, directory):
    """The rows of `export_check.check_exports`, run under `backend` in a new process."""
    args = ["-m", "keras_masked_relu.tools.export_check", model_path, inputs_path, directory]
    try:
        return run_json_under_backend(backend, args)
    except BackendProcessError as error:
        return [
            {
                "backend": backend,
                "format": "(all)",
                "runtime": "-",
                "max_abs_diff": None,
                "ok": False,
                "error": error.error_line,
            }
        ]


def main(epochs=5, directory=None, export=True):
    """Runs the main job and prints one summary table.

    Args:
        epochs: Training epochs.
        directory: Where the model, its inputs and the exports go; a new
            temporary folder when `None`.
        export: Whether to check every export format under every backend.

    Returns:
        The exit code: 0 when every check passed, 1 otherwise.
    """
    directory = directory or tempfile.mkdtemp(prefix="kmr_demo_")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "demo.keras")
    rows = []
    t = train(epochs, path)
    rows.append(
        (
            "train + save + reload",
            t["backend"],
            f"loss {t['loss']}, accuracy {t['accuracy']:.3f}, {t['seconds']:.1f} s, "
            f"reload diff {t['reload_max_abs_diff']:.1g}",
            t["ok"],
        )
    )
    images, clouds, _ = synthetic_images(8, seed=3)
    np.savez(os.path.join(directory, "inputs.npz"), images, clouds)
    report = compare(path, inputs=os.path.join(directory, "inputs.npz"), gradients=True)
    for r in report.results:
        rows.append(
            (
                "same numbers",
                r.backend,
                f"outputs {r.outputs_abs:.2g}, gradients {r.gradients_abs:.2g} "
                f"(max abs diff vs {report.results[0].backend}), {r.ms_per_batch:.1f} ms/batch",
                r.outputs_abs <= report.atol and r.gradients_abs <= report.atol,
            )
        )
    if export:
        images, clouds, _ = synthetic_images(4, seed=7)
        export_inputs = os.path.join(directory, "export_inputs.npz")
        np.savez(export_inputs, images, clouds)
        for backend in BACKENDS:
            for row in _check_exports_under(backend, path, export_inputs, directory):
                detail = row["error"] or (
                    f"max abs diff {row['max_abs_diff']:.2g} ({row['runtime']})"
                )
                rows.append((f"export {row['format']}", backend, detail, row["ok"]))
    header = ["check", "backend", "result", "ok"]
    print(format_table(header, [row[:3] + ("yes" if row[3] else "NO",) for row in rows]))
    failed = sum(not row[3] for row in rows)
    print(f"\n{len(rows) - failed} passed, {failed} failed; files in {directory}")
    return 1 if failed else 0
