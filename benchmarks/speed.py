"""Time of each layer against baselines measured in the same process.

For each backend (its own process), each input size (channels-last images of
about N elements), each layer and each mode, the median time is reported as a
ratio to baselines timed in the same rounds:

- `keras.layers.ReLU` for the masked layers, `keras.layers.PReLU` (per
  channel) for the learnable ones;
- the seed's naive blend `m * relu(x - t) + (1 - m) * relu(x)`;
- a bandwidth floor, `x * 1.0`.

Modes: `forward` (eager call), `forward+backward` (eager gradients with respect
to the input and the weights) and `train_step` (a compiled `train_on_batch`
with SGD and `jit_compile=True` where the backend offers it).

Usage:
    python benchmarks/speed.py [--backends tensorflow,jax,torch]
        [--sizes 1e5,1e6,1e7] [--rounds 7] [--out benchmarks/results]
Writes speed.json, speed.md and speed.png to --out.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

CHANNELS, BATCH = 16, 8


def image_shape(elements):
    side = max(4, round((elements / (BATCH * CHANNELS)) ** 0.5))
    return (BATCH, side, side, CHANNELS)


def candidates(shape):
    """name -> (group, factory of a one-layer model); group picks the baseline."""
    import keras
    import numpy as np

    import keras_masked_relu as kmr
    from keras_masked_relu.regions import Circle

    _, h, w, c = shape
    rng = np.random.default_rng(0)
    binary = (rng.random((h, w)) > 0.5).astype("float32")
    weighted = rng.random((h, w)).astype("float32")
    region = Circle((0.5, 0.5), 0.4, relative=True)

    def one_layer(make, second_input=False):
        def build():
            x = keras.Input(shape[1:])
            if second_input:
                m = keras.Input(shape[1:3])
                return keras.Model([x, m], make()([x, m]))
            return keras.Model(x, make()(x))

        return build

    class Naive(keras.layers.Layer):
        def call(self, x):
            m = keras.ops.convert_to_tensor(binary[:, :, None], dtype=x.dtype)
            relu = keras.ops.relu
            return m * relu(x - 0.3) + (1 - m) * relu(x)

    class Floor(keras.layers.Layer):
        def call(self, x):
            return x * 1.0

    return {
        "floor x*1.0": ("baseline", one_layer(Floor)),
        "keras ReLU": ("baseline", one_layer(keras.layers.ReLU)),
        "keras PReLU": ("baseline", one_layer(lambda: keras.layers.PReLU(shared_axes=[1, 2]))),
        "naive blend": ("baseline", one_layer(Naive)),
        "MaskedReLU binary array": ("masked", one_layer(lambda: kmr.MaskedReLU(binary, shift=0.3))),
        "MaskedReLU weighted array": ("masked", one_layer(lambda: kmr.MaskedReLU(weighted, shift=0.3))),
        "MaskedReLU region": ("masked", one_layer(lambda: kmr.MaskedReLU(region, shift=0.3))),
        "MaskedReLU second input": ("masked", one_layer(lambda: kmr.MaskedReLU(shift=0.3), second_input=True)),
        "MaskedReLU learned": ("masked", one_layer(lambda: kmr.MaskedReLU(weighted, shift=0.3, trainable_mask=True))),
        "MaskedActivation elu": ("masked", one_layer(lambda: kmr.MaskedActivation(weighted, inside="elu"))),
        "LearnableReLU": ("learnable", one_layer(kmr.LearnableReLU)),
        "AdaptiveMixture": ("learnable", one_layer(lambda: kmr.AdaptiveMixture(per_channel=True))),
        "PolynomialActivation": ("learnable", one_layer(kmr.PolynomialActivation)),
        "RationalActivation": ("learnable", one_layer(kmr.RationalActivation)),
        "LearnableSwish": ("learnable", one_layer(lambda: kmr.LearnableSwish(per_channel=True))),
    }


def measure(sizes, rounds):
    import keras
    import numpy as np

    from keras_masked_relu.compare_worker import gradients

    backend = keras.backend.backend()
    rows = []
    for elements in sizes:
        shape = image_shape(elements)
        rng = np.random.default_rng(1)
        x = rng.normal(size=shape).astype("float32")
        m = rng.random(shape[:3]).astype("float32")
        cot = [rng.normal(size=shape).astype("float32")]
        runs = {}
        for name, (group, build) in candidates(shape).items():
            model = build()
            inputs = [x, m] if len(model.inputs) == 2 else [x]
            arg = inputs if len(inputs) == 2 else x
            model.compile(
                optimizer=keras.optimizers.SGD(1e-3), loss="mse",
                jit_compile=backend in ("tensorflow", "jax"),
            )
            target = np.zeros(shape, "float32")
            runs[name] = (group, {
                "forward": lambda model=model, arg=arg: keras.ops.convert_to_numpy(model(arg)[0, 0, 0]),
                "forward+backward": lambda model=model, inputs=inputs: gradients(model, inputs, cot),
                "train_step": lambda model=model, arg=arg, target=target: model.train_on_batch(arg, target),
            })
        for mode in ("forward", "forward+backward", "train_step"):
            for _, fns in runs.values():  # warm up: build, trace, compile
                fns[mode]()
                fns[mode]()
            times = {name: [] for name in runs}
            for _ in range(rounds):
                for name, (_, fns) in runs.items():
                    start = time.perf_counter()
                    fns[mode]()
                    times[name].append(time.perf_counter() - start)
            medians = {name: float(np.median(t)) for name, t in times.items()}
            for name, (group, _) in runs.items():
                base = "keras PReLU" if group == "learnable" else "keras ReLU"
                rows.append({
                    "backend": backend, "elements": int(np.prod(shape)), "shape": list(shape),
                    "mode": mode, "layer": name, "group": group, "seconds": medians[name],
                    "vs_baseline": medians[name] / medians[base],
                    "vs_naive": medians[name] / medians["naive blend"],
                    "vs_floor": medians[name] / medians["floor x*1.0"],
                })
    return rows


def write_reports(rows, out):
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.json").write_text(json.dumps(rows, indent=1))
    largest = max(r["elements"] for r in rows)
    lines = [f"Median time at {largest:.2g} elements, ratio to the baseline (ReLU for masked layers, "
             "PReLU for learnable ones), to the naive blend, and to the x*1.0 floor", ""]
    for backend in sorted({r["backend"] for r in rows}):
        lines += [f"### {backend}", "", "| layer | mode | ms | vs baseline | vs naive | vs floor |", "|---|---|---|---|---|---|"]
        for r in rows:
            if r["backend"] == backend and r["elements"] == largest:
                lines.append(f"| {r['layer']} | {r['mode']} | {1e3 * r['seconds']:.2f} | "
                             f"{r['vs_baseline']:.2f} | {r['vs_naive']:.2f} | {r['vs_floor']:.2f} |")
        lines.append("")
    (out / "speed.md").write_text("\n".join(lines))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    backends = sorted({r["backend"] for r in rows})
    fig, axes = plt.subplots(1, len(backends), figsize=(6 * len(backends), 4), squeeze=False)
    for ax, backend in zip(axes[0], backends):
        for layer in sorted({r["layer"] for r in rows}):
            points = sorted((r["elements"], r["seconds"] / r["elements"]) for r in rows
                            if r["backend"] == backend and r["layer"] == layer and r["mode"] == "forward+backward")
            ax.plot(*zip(*points), marker="o", label=layer)
        ax.set(xscale="log", yscale="log", title=f"{backend}: forward+backward",
               xlabel="elements", ylabel="seconds per element")
    axes[0][-1].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out / "speed.png", dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--sizes", default="1e5,1e6,1e7")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    if args.worker:
        print(json.dumps(measure(sizes, args.rounds)))
        return
    rows = []
    for backend in args.backends.split(","):
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        done = subprocess.run(
            [sys.executable, __file__, "--worker", "--sizes", args.sizes, "--rounds", str(args.rounds)],
            env=env, capture_output=True, text=True,
        )
        if done.returncode != 0:
            sys.exit(f"{backend} failed:\n{done.stderr[-3000:]}")
        rows += json.loads(done.stdout.strip().splitlines()[-1])
    write_reports(rows, pathlib.Path(args.out))
    print((pathlib.Path(args.out) / "speed.md").read_text())


if __name__ == "__main__":
    main()
