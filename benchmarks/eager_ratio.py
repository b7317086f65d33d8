"""Eager forward time of MaskedReLU against keras.layers.ReLU, per backend.

Each backend runs in its own process. Within a process the layers are timed
in interleaved rounds and reported as the median time divided by the median
time of `keras.layers.ReLU` on the same tensor, measured in the same rounds.

Usage:
    python benchmarks/eager_ratio.py [--shape 32,64,64,64] [--rounds 15]
"""

import argparse
import json
import os
import subprocess
import sys
import time


def measure(shape, rounds):
    import keras
    import numpy as np

    from keras_masked_relu import MaskedReLU
    from keras_masked_relu.regions import Circle

    backend = keras.backend.backend()
    rng = np.random.default_rng(0)
    x = keras.ops.convert_to_tensor(rng.normal(size=shape).astype("float32"))
    spatial = shape[1:3]
    binary = (rng.random(spatial) > 0.5).astype("float32")
    weighted = rng.random(spatial).astype("float32")
    second = keras.ops.convert_to_tensor(rng.random((shape[0],) + spatial).astype("float32"))
    t = 0.3
    m = keras.ops.convert_to_tensor(binary[None, :, :, None])

    def naive(x):
        relu = keras.ops.relu
        return m * relu(x - t) + (1 - m) * relu(x)

    relu_layer = keras.layers.ReLU()
    candidates = {
        "keras.layers.ReLU": relu_layer,
        "naive blend (seed)": naive,
        "binary array, shift": MaskedReLU(binary, shift=t),
        "weighted array, shift": MaskedReLU(weighted, shift=t),
        "weighted array, negative_slope": MaskedReLU(weighted, negative_slope=0.1),
        "region, shift": MaskedReLU(Circle((32, 32), 20), shift=t),
        "second input, shift": (lambda layer: (lambda x: layer([x, second])))(MaskedReLU(shift=t)),
        "learned, shift": MaskedReLU(binary, shift=t, trainable_mask=True),
    }

    def sync(y):
        if backend == "jax":
            y.block_until_ready()
        elif backend == "tensorflow":
            y.numpy().ravel()[:1]

    for fn in candidates.values():  # build and warm up
        for _ in range(2):
            sync(fn(x))
    times = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            sync(fn(x))
            times[name].append(time.perf_counter() - start)
    medians = {name: float(np.median(v)) for name, v in times.items()}
    base = medians["keras.layers.ReLU"]
    return {name: {"ms": 1e3 * v, "ratio": v / base} for name, v in medians.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="32,64,64,64")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    shape = tuple(int(s) for s in args.shape.split(","))
    if args.worker:
        print(json.dumps(measure(shape, args.rounds)))
        return
    results = {}
    for backend in args.backends.split(","):
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        out = subprocess.run(
            [sys.executable, __file__, "--worker", "--shape", args.shape, "--rounds", str(args.rounds)],
            env=env, capture_output=True, text=True, check=True,
        )
        results[backend] = json.loads(out.stdout.strip().splitlines()[-1])
    names = list(next(iter(results.values())))
    backends = list(results)
    print(f"Eager forward, input {shape}, median of {args.rounds} rounds; ratio to keras.layers.ReLU")
    print("| layer | " + " | ".join(backends) + " |")
    print("|---|" + "---|" * len(backends))
    for name in names:
        cells = [f"{results[b][name]['ratio']:.2f}x ({results[b][name]['ms']:.1f} ms)" for b in backends]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
