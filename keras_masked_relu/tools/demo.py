"""The main job: train a masked model, save it, compare it across backends, export it;
then the same for a `keras.applications` model retrofitted with masked activations."""

import os
import tempfile
import time

import keras
import numpy as np

from keras_masked_relu.activation_replacement import replace_activations
from keras_masked_relu.layers import LearnableReLU, MaskedActivation, MaskedReLU, RationalActivation
from keras_masked_relu.regions import Box, Circle
from keras_masked_relu.tools.backend_process import BackendProcessError, run_json_under_backend
from keras_masked_relu.tools.compare import BACKENDS, compare
from keras_masked_relu.tools.table import format_table

IMAGE = 32

SAME_NUMBERS_RULE = (
    "every output and gradient (by input and weight path) against the first backend's, "
    "max|a - ref| <= tol * (1 + max|ref|); the rows give max|a - ref| / (1 + max|ref|)"
)


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


def calibration_map():
    """A sensor's vignetting at the image's resolution: 0 in the centre, 1 in the corners."""
    rows, cols = np.mgrid[0:IMAGE, 0:IMAGE] - (IMAGE - 1) / 2
    return np.clip(np.hypot(rows, cols) / (IMAGE / 2) - 0.3, 0, 1).astype("float32")


def build_model():
    """A small classifier: a field-of-view region, a per-image cloud mask and a
    calibration map, both at the image's resolution and used after a
    downsampling, and learnable activations.

    It outputs a logit: the probability is its sigmoid. A sigmoid inside the
    model would saturate once trained (outputs within a float32 step of 1),
    and a comparison of those outputs and of gradients through them would
    measure rounding in Keras's sigmoid rather than the package's layers.
    """
    image = keras.Input((IMAGE, IMAGE, 1), name="image")
    cloud = keras.Input((IMAGE, IMAGE), name="cloud")
    fov = Circle(center=(0.5, 0.5), radius=0.45, relative=True, softness=2.0)
    h = keras.layers.Conv2D(8, 3, padding="same", name="conv_full")(image)
    h = MaskedReLU(fov - Box((0, 0), (5, 5)), shift=0.1, negative_slope=0.05, name="fov_relu")(h)
    h = keras.layers.Conv2D(8, 3, strides=2, padding="same", name="conv_half")(h)
    h = MaskedActivation(
        inside=LearnableReLU(), outside="relu", mask_interpolation="area", name="cloud_act"
    )([h, cloud])
    h = MaskedReLU(
        calibration_map(), shift=0.2, mask_interpolation="bilinear", name="calibration_relu"
    )(h)
    h = RationalActivation(approximate="gelu", name="rational")(h)
    h = keras.layers.GlobalMaxPooling2D(name="pool")(h)
    logit = keras.layers.Dense(1, name="logit")(h)
    return keras.Model([image, cloud], logit)


def train(epochs, path, seed=0, checkpoints=None):
    """Trains the demo model on synthetic images and saves it to `path`.

    The model learns logits (`from_logits=True`); accuracy counts a logit
    above 0 as the label 1. The labels are smoothed by 0.1: the images are
    separable, and without it the cross-entropy pushes the logits on without
    bound (to about 40 in 5 epochs), where float32 rounding alone moves an
    output by more than 1e-5; with it they settle near `log(0.95 / 0.05)`,
    about 3.

    Args:
        epochs: Epochs over 512 synthetic images.
        path: Where the `.keras` file goes.
        seed: Seed of the starting weights and of the order of the batches;
            the images are the same for every seed.
        checkpoints: A folder, or `None`. When given, the model after each
            epoch is saved there too, as `epoch_<n>.keras`.

    Returns:
        A dict with the `backend`, the `loss` before and after training, the
        final `accuracy`, the training `seconds`, the largest difference
        between the model and its reloaded copy (`reload_max_abs_diff`) and
        `ok`: whether the loss fell and the copy gives the same numbers.
    """
    keras.utils.set_random_seed(seed)
    images, clouds, labels = synthetic_images(512)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")],
    )
    loss_before = model.evaluate([images, clouds], labels, batch_size=32, verbose=0)[0]
    callbacks = []
    if checkpoints is not None:
        os.makedirs(checkpoints, exist_ok=True)
        callbacks.append(
            keras.callbacks.ModelCheckpoint(os.path.join(checkpoints, "epoch_{epoch}.keras"))
        )
    start = time.perf_counter()
    history = model.fit(
        [images, clouds], labels, epochs=epochs, batch_size=32, verbose=0, callbacks=callbacks
    )
    seconds = time.perf_counter() - start
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    reload_diff = _largest_difference(model, restored, [images[:16], clouds[:16]])
    loss_after = history.history["loss"][-1]
    return {
        "backend": keras.backend.backend(),
        "loss": f"{loss_before:.4f} -> {loss_after:.4f}",
        "accuracy": float(history.history["accuracy"][-1]),
        "seconds": seconds,
        "reload_max_abs_diff": reload_diff,
        "ok": reload_diff == 0.0 and loss_after < loss_before,
    }


def comparison_inputs():
    """The inputs on which the demo model is compared across backends: 8 new images."""
    images, clouds, _ = synthetic_images(8, seed=3)
    return [images, clouds]


def retrofit(path):
    """Puts a field of view into a MobileNetV2's ReLU(6.0)s and saves it to `path`.

    Outside the field of view each activation stays the original `ReLU(6.0)`.
    The batch-norm statistics are set from one batch of synthetic images
    (with fresh statistics the network's outputs fade to about 1e-10, and a
    comparison of them would prove nothing).

    Returns:
        A dict with the `backend`, `replaced` (activations replaced, of the
        model's `ReLU` layers), the spread of the logits (`logit_std`), the
        `seconds` it took, the largest difference between the model and its
        reloaded copy (`reload_max_abs_diff`) and `ok`.
    """
    keras.utils.set_random_seed(1)
    start = time.perf_counter()
    backbone = keras.applications.MobileNetV2(
        weights=None,
        input_shape=(IMAGE, IMAGE, 3),
        alpha=0.35,
        classes=2,
        classifier_activation=None,
    )
    fov = Circle(center=(0.5, 0.5), radius=0.45, relative=True, softness=1.0)
    model = replace_activations(
        backbone, lambda original: MaskedActivation(fov, inside="elu", outside=original)
    )
    relus = sum(isinstance(layer, keras.layers.ReLU) for layer in backbone.layers)
    replaced = sum(isinstance(layer, MaskedActivation) for layer in model.layers)
    images = np.repeat(synthetic_images(64, seed=5)[0], 3, axis=-1)
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    for layer in norms:
        layer.momentum = 0.0  # the next training-mode call sets the statistics to the batch's
    model(images, training=True)
    for layer, momentum in zip(norms, momenta):
        layer.momentum = momentum
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    reload_diff = _largest_difference(model, restored, images[:16])
    logit_std = float(np.std(keras.ops.convert_to_numpy(model(images[:16]))))
    return {
        "backend": keras.backend.backend(),
        "replaced": f"{replaced} of {relus} ReLU(6.0)",
        "logit_std": logit_std,
        "seconds": time.perf_counter() - start,
        "reload_max_abs_diff": reload_diff,
        "ok": replaced == relus > 0 and reload_diff == 0.0 and logit_std > 1e-3,
    }


def _largest_difference(model, other, inputs):
    return float(
        np.max(
            np.abs(
                keras.ops.convert_to_numpy(model(inputs))
                - keras.ops.convert_to_numpy(other(inputs))
            )
        )
    )


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


def same_numbers_rows(label, report):
    """The demo's rows of one cross-backend comparison, one per backend.

    Args:
        label: Prefix of the check's name (`""` or `"retrofit "`).
        report: The `compare` report, with gradients.

    Returns:
        `(check, backend, result, ok)` tuples. Each names the backend's worst
        array and its `max|a - ref| / (1 + max|ref|)` against the rule's
        `tol`; `ok` is whether every array passes the rule.
    """
    reference = report.results[0].backend
    rows = []
    for r in report.results:
        if r.backend == reference:
            detail = f"the reference: {len(r.arrays)} arrays"
        else:
            worst = r.worst
            detail = (
                f"worst {worst.name}: {worst.scaled:.2g} {'<=' if worst.passed else '>'} "
                f"tol {worst.tol:g} (max abs {worst.max_abs:.2g}); all outputs "
                f"{r.outputs_scaled:.2g}, gradients {r.gradients_scaled:.2g}"
            )
        detail += f"; {r.ms_per_batch:.1f} ms/batch"
        rows.append((f"{label}same numbers", r.backend, detail, r.passed))
    return rows


def _compare_and_export(label, path, compare_inputs, export_inputs, directory, export):
    """The rows of the cross-backend comparison and of every export of one model."""
    rows = same_numbers_rows(label, compare(path, inputs=compare_inputs, gradients=True))
    if export:
        export_dir = os.path.join(directory, label.strip() or "demo")
        for backend in BACKENDS:
            for row in _check_exports_under(backend, path, export_inputs, export_dir):
                detail = row["error"] or (
                    f"max abs diff {row['max_abs_diff']:.2g} ({row['runtime']})"
                )
                rows.append((f"{label}export {row['format']}", backend, detail, row["ok"]))
    return rows


def main(epochs=5, directory=None, export=True, retrofit_export=True):
    """Runs the main job and prints one summary table.

    Args:
        epochs: Training epochs of the demo model.
        directory: Where the models, their inputs and the exports go; a new
            temporary folder when `None`.
        export: Whether to check every export format under every backend.
        retrofit_export: Whether the exports are checked for the retrofitted
            MobileNetV2 too (with `export`), not only for the demo model.

    Returns:
        The exit code: 0 when every check passed, 1 otherwise.
    """
    directory = directory or tempfile.mkdtemp(prefix="kmr_demo_")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "demo.keras")
    t = train(epochs, path)
    rows = [
        (
            "train + save + reload",
            t["backend"],
            f"loss {t['loss']}, accuracy {t['accuracy']:.3f}, {t['seconds']:.1f} s, "
            f"reload diff {t['reload_max_abs_diff']:.1g}",
            t["ok"],
        )
    ]
    compare_inputs = os.path.join(directory, "inputs.npz")
    np.savez(compare_inputs, *comparison_inputs())
    images, clouds, _ = synthetic_images(4, seed=7)
    export_inputs = os.path.join(directory, "export_inputs.npz")
    np.savez(export_inputs, images, clouds)
    rows += _compare_and_export("", path, compare_inputs, export_inputs, directory, export)

    retrofit_path = os.path.join(directory, "retrofit.keras")
    r = retrofit(retrofit_path)
    rows.append(
        (
            "retrofit MobileNetV2",
            r["backend"],
            f"{r['replaced']} replaced, logit std {r['logit_std']:.2g}, {r['seconds']:.1f} s, "
            f"reload diff {r['reload_max_abs_diff']:.1g}",
            r["ok"],
        )
    )
    images = np.repeat(synthetic_images(8, seed=3)[0], 3, axis=-1)
    compare_inputs = os.path.join(directory, "retrofit_inputs.npz")
    np.savez(compare_inputs, images)
    export_inputs = os.path.join(directory, "retrofit_export_inputs.npz")
    np.savez(export_inputs, images[:4])
    rows += _compare_and_export(
        "retrofit ",
        retrofit_path,
        compare_inputs,
        export_inputs,
        directory,
        export and retrofit_export,
    )

    header = ["check", "backend", "result", "ok"]
    print(format_table(header, [row[:3] + ("yes" if row[3] else "NO",) for row in rows]))
    print(f"\nRule of the same numbers rows: {SAME_NUMBERS_RULE}")
    failed = sum(not row[3] for row in rows)
    print(f"\n{len(rows) - failed} passed, {failed} failed; files in {directory}")
    return 1 if failed else 0
