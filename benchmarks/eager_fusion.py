"""What eager fusion buys in the workflows users run, with it on and off.

For TensorFlow and JAX (each in its own process), three layers and four
workflows, the median time with eager fusion off is divided by the median with
it on, in interleaved rounds (on, off, on, off, ...) of the same process:

- `fit`: `model.fit` on one batch, a few steps per sample;
- `predict`: `model.predict` on one batch;
- `model(x)`: the model called eagerly;
- `layer(x)`: the activation layer alone, called eagerly.

The model is Conv2D(16) -> the layer -> GlobalAveragePooling2D -> Dense(1) on
8 x 128 x 128 x 3 images. A ratio above 1 means fusion is faster.

Usage:
    python benchmarks/eager_fusion.py [--rounds 5] [--out benchmarks/results]
"""

import argparse
import json
import pathlib
import sys
import time

from keras_masked_relu.tools.backend_process import run_json_under_backend

BACKENDS = ("tensorflow", "jax")
WORKFLOWS = ("fit", "predict", "model(x)", "layer(x)")
SHAPE = (8, 128, 128, 3)
MIN_SAMPLE_SECONDS = 0.05


def layers():
    import numpy as np

    import keras_masked_relu as kmr

    weighted = np.random.default_rng(0).random(SHAPE[1:3]).astype("float32")
    return {
        "MaskedReLU (weighted mask)": lambda: kmr.MaskedReLU(weighted, shift=0.5),
        "MaskedActivation (gelu / leaky)": lambda: kmr.MaskedActivation(
            weighted, inside="gelu", outside="leaky_relu"
        ),
        "RationalActivation": lambda: kmr.RationalActivation(),
    }


def sample(work):
    """Seconds per call of `work`, repeated until a sample lasts long enough."""
    work()
    calls, start = 0, time.perf_counter()
    while True:
        work()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= MIN_SAMPLE_SECONDS:
            return elapsed / calls


def workflows(model, layer, x, y, x_tensor, features):
    """{workflow: a call that does it once and waits for its result}."""

    import keras

    block = keras.ops.convert_to_numpy
    return {
        "fit": lambda: model.fit(x, y, epochs=2, batch_size=SHAPE[0], verbose=0),
        "predict": lambda: model.predict(x, batch_size=SHAPE[0], verbose=0),
        "model(x)": lambda: block(model(x_tensor)),
        "layer(x)": lambda: block(layer(features)),
    }


def measure(rounds):
    import keras
    import numpy as np

    from keras_masked_relu import config

    rng = np.random.default_rng(1)
    x = rng.normal(size=SHAPE).astype("float32")
    y = rng.normal(size=(SHAPE[0], 1)).astype("float32")
    rows = []
    for name, make in layers().items():
        keras.utils.set_random_seed(0)
        inputs = keras.Input(SHAPE[1:])
        conv = keras.layers.Conv2D(16, 3, padding="same")
        layer = make()
        outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(layer(conv(inputs))))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="sgd", loss="mse")
        features = keras.ops.convert_to_tensor(np.asarray(conv(x)))
        x_tensor = keras.ops.convert_to_tensor(x)

        work = workflows(model, layer, x, y, x_tensor, features)
        for workflow, call in work.items():
            times = {True: [], False: []}
            for _ in range(rounds):
                for fused in (True, False):
                    (config.enable_eager_fusion if fused else config.disable_eager_fusion)()
                    times[fused].append(sample(call))
            config.enable_eager_fusion()
            on, off = (float(np.median(times[f])) for f in (True, False))
            rows.append(
                {
                    "layer": name,
                    "workflow": workflow,
                    "on_ms": on * 1e3,
                    "off_ms": off * 1e3,
                    "speedup": off / on,
                }
            )
    return rows


def write(results, out):
    out.mkdir(parents=True, exist_ok=True)
    (out / "eager_fusion.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        "# Eager fusion, on and off",
        "",
        f"Written by `python benchmarks/eager_fusion.py` ({results['machine']}). Median time per "
        f"call in milliseconds, {results['rounds']} interleaved rounds; speedup = off / on. "
        f"Input {'x'.join(map(str, SHAPE))}, Conv2D(16) before the layer.",
        "",
        "| backend | layer | workflow | fusion on (ms) | fusion off (ms) | speedup |",
        "|---|---|---|---:|---:|---:|",
    ]
    for backend, rows in results["backends"].items():
        for row in rows:
            lines.append(
                f"| {backend} | {row['layer']} | {row['workflow']} | {row['on_ms']:.2f} "
                f"| {row['off_ms']:.2f} | {row['speedup']:.2f} |"
            )
    best = max(r["speedup"] for rows in results["backends"].values() for r in rows)
    lines += ["", f"Largest speedup: {best:.2f}x."]
    (out / "eager_fusion.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.rounds)))
        return
    import os

    results = {
        "machine": f"{os.cpu_count()} CPUs",
        "rounds": args.rounds,
        "backends": {
            backend: run_json_under_backend(
                backend, [__file__, "--worker", "--rounds", str(args.rounds)]
            )
            for backend in BACKENDS
        },
    }
    write(results, pathlib.Path(args.out))
    print((pathlib.Path(args.out) / "eager_fusion.md").read_text())


if __name__ == "__main__":
    sys.exit(main())
