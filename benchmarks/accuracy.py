"""Test accuracy of small classifiers with each learnable activation.

Data: scikit-learn's bundled `load_digits` (8x8 digits, no download), a fixed
75/25 split, pixels scaled to [0, 1]. Two tasks, each trained with Adam(1e-3),
40 epochs, batch 64, for each seed; each backend runs in its own process:

- dense: the 64 pixels as features; Dense(64) -> activation -> Dense(64) ->
  activation -> Dense(10).
- convolutional: the 8x8 images; Conv2D(16, 3) -> activation -> Conv2D(32, 3)
  -> activation -> global average pooling -> Dense(10). Pooling away where
  things are leaves the spatial context to the convolutions and activations,
  which is where FReLU's spatial condition can matter. Its rows: FReLU,
  ACON-C, Meta-ACON and those they are compared with.

Usage:
    python benchmarks/accuracy.py [--backends jax] [--seeds 3] [--epochs 40]
Writes benchmarks/results/accuracy.{json,md}.
"""

import argparse
import json
import pathlib
import time

from keras_masked_relu.tools.backend_process import run_json_under_backend

RESULTS = pathlib.Path(__file__).parent / "results"
TASKS = ("dense", "convolutional")


def activations(task):
    """The rows of one task: a name and a function that makes a fresh layer."""
    import keras

    import keras_masked_relu as kmr

    rows = {
        "ReLU (keras)": lambda: keras.layers.ReLU(),
        "PReLU (keras)": lambda: keras.layers.PReLU(
            alpha_initializer=keras.initializers.Constant(0.25),
            shared_axes=[1, 2] if task == "convolutional" else None,
        ),
        "LearnableReLU": lambda: kmr.LearnableReLU(),
        "LearnableReLU + shift": lambda: kmr.LearnableReLU(learnable_shift=True),
        "AdaptiveMixture": lambda: kmr.AdaptiveMixture(),
        "AdaptiveMixture per channel": lambda: kmr.AdaptiveMixture(per_channel=True),
        "PolynomialActivation(3)": lambda: kmr.PolynomialActivation(degree=3),
        "RationalActivation(5/4, leaky_relu)": lambda: kmr.RationalActivation(),
        "RationalActivation, 4 groups": lambda: kmr.RationalActivation(groups=4),
        "RationalActivation, version A, 4 groups": lambda: kmr.RationalActivation(
            version="A", groups=4
        ),
        "LearnableSwish": lambda: kmr.LearnableSwish(),
        "LearnableSwish per channel": lambda: kmr.LearnableSwish(per_channel=True),
        "ACON (ACON-C)": lambda: kmr.ACON(),
    }
    if task == "convolutional":
        # FReLU reads the spatial axes through its depthwise convolution, Meta-ACON through
        # its spatial mean; the other rows are the ones they are compared with.
        compared = ("ReLU (keras)", "PReLU (keras)", "LearnableReLU", "LearnableSwish")
        compared += ("RationalActivation(5/4, leaky_relu)", "RationalActivation, 4 groups")
        rows = {name: rows[name] for name in compared + ("ACON (ACON-C)",)}
        rows["FunnelReLU (FReLU)"] = lambda: kmr.FunnelReLU()
        rows["MetaACON"] = lambda: kmr.MetaACON(reduction=4)
    return rows


def build_model(task, make):
    import keras

    if task == "dense":
        return keras.Sequential(
            [
                keras.Input((64,)),
                keras.layers.Dense(64),
                make(),
                keras.layers.Dense(64),
                make(),
                keras.layers.Dense(10),
            ]
        )
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(16, 3, padding="same"),
            make(),
            keras.layers.Conv2D(32, 3, padding="same"),
            make(),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10),
        ]
    )


def run_backend(seeds, epochs):
    import keras
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = (digits.data / 16.0).astype("float32")
    inputs = {"dense": pixels, "convolutional": pixels.reshape(-1, 8, 8, 1)}
    y = digits.target.astype("int32")
    order = np.random.default_rng(0).permutation(len(y))
    split = int(0.75 * len(y))
    train, test = order[:split], order[split:]
    results = {}
    for task in TASKS:
        x = inputs[task]
        rows = results[task] = {}
        for name, make in activations(task).items():
            accuracies, epoch_times = [], []
            for seed in range(seeds):
                keras.utils.set_random_seed(seed)
                model = build_model(task, make)
                model.compile(
                    optimizer=keras.optimizers.Adam(1e-3),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"],
                )
                model.fit(x[train], y[train], epochs=1, batch_size=64, verbose=0)  # compile
                start = time.perf_counter()
                model.fit(x[train], y[train], epochs=epochs - 1, batch_size=64, verbose=0)
                epoch_times.append((time.perf_counter() - start) / (epochs - 1))
                accuracies.append(model.evaluate(x[test], y[test], verbose=0)[1])
            rows[name] = {
                "accuracy_mean": float(np.mean(accuracies)),
                "accuracy_std": float(np.std(accuracies)),
                "epoch_ms": 1e3 * float(np.median(epoch_times)),
                "accuracies": [float(a) for a in accuracies],
            }
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_backend(args.seeds, args.epochs)))
        return
    results = {}
    for backend in args.backends.split(","):
        results[backend] = run_json_under_backend(
            backend, [__file__, "--worker", "--seeds", args.seeds, "--epochs", args.epochs]
        )
    backends = list(results)
    lines = []
    for task in TASKS:
        lines += [
            f"load_digits, {task} task: test accuracy (mean ± std over {args.seeds} seeds, "
            f"{args.epochs} epochs) and median time per epoch",
            "",
            "| activation | " + " | ".join(backends) + " |",
            "|---|" + "---|" * len(backends),
        ]
        for name in results[backends[0]][task]:
            cells = []
            for b in backends:
                r = results[b][task][name]
                cells.append(
                    f"{100 * r['accuracy_mean']:.1f} ± {100 * r['accuracy_std']:.1f}% "
                    f"({r['epoch_ms']:.0f} ms)"
                )
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    table = "\n".join(lines).rstrip()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "accuracy.json").write_text(json.dumps(results, indent=1))
    (RESULTS / "accuracy.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
