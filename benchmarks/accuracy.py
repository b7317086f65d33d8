"""Test accuracy of small classifiers with each learnable activation.

Data: scikit-learn's bundled `load_digits` (8x8 digits, no download), a fixed
75/25 split, features scaled to [0, 1]. Model: Dense(64) -> activation ->
Dense(64) -> activation -> Dense(10), Adam(1e-3), 40 epochs, batch 64, for
each seed. Each backend runs in its own process.

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


def activations():
    import keras

    import keras_masked_relu as kmr

    return {
        "ReLU (keras)": lambda: keras.layers.ReLU(),
        "PReLU (keras)": lambda: keras.layers.PReLU(
            alpha_initializer=keras.initializers.Constant(0.25)
        ),
        "LearnableReLU": lambda: kmr.LearnableReLU(),
        "LearnableReLU + shift": lambda: kmr.LearnableReLU(learnable_shift=True),
        "AdaptiveMixture": lambda: kmr.AdaptiveMixture(),
        "AdaptiveMixture per channel": lambda: kmr.AdaptiveMixture(per_channel=True),
        "PolynomialActivation(3)": lambda: kmr.PolynomialActivation(degree=3),
        "RationalActivation(5/4, leaky_relu)": lambda: kmr.RationalActivation(),
        "LearnableSwish": lambda: kmr.LearnableSwish(),
        "LearnableSwish per channel": lambda: kmr.LearnableSwish(per_channel=True),
    }


def run_backend(seeds, epochs):
    import keras
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = digits.target.astype("int32")
    order = np.random.default_rng(0).permutation(len(x))
    split = int(0.75 * len(x))
    train, test = order[:split], order[split:]
    rows = {}
    for name, make in activations().items():
        accuracies, epoch_times = [], []
        for seed in range(seeds):
            keras.utils.set_random_seed(seed)
            model = keras.Sequential(
                [
                    keras.Input((64,)),
                    keras.layers.Dense(64),
                    make(),
                    keras.layers.Dense(64),
                    make(),
                    keras.layers.Dense(10),
                ]
            )
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
    return rows


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
    lines = [
        f"load_digits test accuracy (mean ± std over {args.seeds} seeds, {args.epochs} epochs) "
        "and median time per epoch",
        "",
        "| activation | " + " | ".join(backends) + " |",
        "|---|" + "---|" * len(backends),
    ]
    for name in results[backends[0]]:
        cells = []
        for b in backends:
            r = results[b][name]
            cells.append(
                f"{100 * r['accuracy_mean']:.1f} ± {100 * r['accuracy_std']:.1f}% "
                f"({r['epoch_ms']:.0f} ms)"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "accuracy.json").write_text(json.dumps(results, indent=1))
    (RESULTS / "accuracy.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
