"""Times every layer of the package against baselines measured in the same run.

For each backend (in its own process), each input size (channels-last images
of about N elements), each layer and each mode of `speed_modes.py`, the median
time is reported as a ratio to baselines timed in the same interleaved rounds:

- `keras.layers.ReLU` for the masked layers, `keras.layers.PReLU` (one slope
  per channel) for the learnable ones;
- the seed's naive blend `m * relu(x - t) + (1 - m) * relu(x)`;
- a bandwidth floor, `x * 1.0`.

Usage:
    python benchmarks/speed.py [--backends tensorflow,jax,torch]
        [--sizes 1e5,1e6,1e7,1e8] [--rounds 7] [--out benchmarks/results]

Eager modes run with `keras_masked_relu.config.enable_eager_fusion()`.

Writes speed.json, speed.md (with the targets met or missed) and speed.png to
--out. `make bench` runs it with the defaults.
"""

import argparse
import json
import math
import pathlib
import platform
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from speed_report import write_reports  # noqa: E402

from keras_masked_relu.tools.backend_process import (  # noqa: E402
    BackendProcessError,
    run_json_under_backend,
    run_under_backend,
)

# Each timed sample repeats the call until it lasts this long.
MIN_SAMPLE_SECONDS = 0.02


def measure(sizes, rounds, only=None, only_modes=None):
    import keras
    import numpy as np
    from speed_cases import BASELINE, FLOOR, NAIVE, cases, image_shape
    from speed_modes import compile_counter, modes, timed_call

    from keras_masked_relu import config

    # The eager rows time the package with eager fusion on (opt-in; what it buys in each
    # workflow, on and off, is in eager_fusion.py's table).
    config.enable_eager_fusion()
    backend = keras.backend.backend()
    rows = []
    for elements in sizes:
        shape = image_shape(elements)
        rng = np.random.default_rng(1)
        to_tensor = keras.ops.convert_to_tensor
        x = to_tensor(rng.normal(size=shape).astype("float32"))
        m = to_tensor(rng.random(shape[:3]).astype("float32"))
        # A mask at twice the feature map's resolution, for the resized cases.
        fine_shape = (shape[0], 2 * shape[1], 2 * shape[2])
        m_fine = to_tensor(rng.random(fine_shape).astype("float32"))
        cotangent = to_tensor(rng.normal(size=shape).astype("float32"))
        target = to_tensor(np.zeros(shape, "float32"))
        chosen = {
            name: case
            for name, case in cases(shape).items()
            if only is None or case.group == "baseline" or name in only
        }
        for mode in [m for m in modes() if only_modes is None or m in only_modes]:
            calls, counters = {}, {}
            for name, case in chosen.items():
                keras.utils.set_random_seed(0)
                layer = case.make()
                inputs = [x, m_fine if case.fine_mask else m] if case.second_input else [x]
                symbolic = [keras.Input(t.shape[1:]) for t in inputs]
                model = keras.Model(symbolic, layer(symbolic if case.second_input else symbolic[0]))
                counters[name] = compile_counter(mode, layer)
                calls[name] = timed_call(mode, model, layer, inputs, cotangent, target)
            reps = {}
            for call in calls.values():  # build, trace and compile
                call()
                call()
            for name, call in calls.items():  # once more, interleaved as timed; calibrate
                start = time.perf_counter()
                call()
                reps[name] = max(1, math.ceil(MIN_SAMPLE_SECONDS / (time.perf_counter() - start)))
            times = {name: [] for name in calls}
            retraces = dict.fromkeys(calls, 0)
            for _ in range(rounds):
                for name, call in calls.items():
                    before = counters[name]()
                    start = time.perf_counter()
                    for _ in range(reps[name]):
                        call()
                    times[name].append((time.perf_counter() - start) / reps[name])
                    if before is not None:
                        retraces[name] += counters[name]() - before
            medians = {name: float(np.median(t)) for name, t in times.items()}
            for name, case in chosen.items():
                timed_calls = rounds * reps[name]
                rows.append(
                    {
                        "backend": backend,
                        "elements": int(np.prod(shape)),
                        "shape": list(shape),
                        "mode": mode,
                        "layer": name,
                        "group": case.group,
                        "seconds": medians[name],
                        "spread": float(
                            np.percentile(times[name], 75) / np.percentile(times[name], 25)
                        ),
                        "vs_baseline": medians[name] / medians[BASELINE[case.group]],
                        "vs_relu": medians[name] / medians["keras ReLU"],
                        "vs_naive": medians[name] / medians[NAIVE],
                        "vs_floor": medians[name] / medians[FLOOR],
                        "retraces": None if mode.startswith("eager") else retraces[name],
                        "timed_calls": timed_calls,
                    }
                )
            print(f"{backend} {elements:.0e} {mode} done", file=sys.stderr, flush=True)
    return rows


def machine():
    import multiprocessing

    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {multiprocessing.cpu_count()} cores, {platform.system()}, "
        f"Python {platform.python_version()}"
    )


def versions(backend):
    # Each backend's name is also the name of its module.
    code = (
        "import importlib, keras; b = keras.backend.backend(); "
        "print(f'keras {keras.__version__}, {b} {importlib.import_module(b).__version__}')"
    )
    return run_under_backend(backend, ["-c", code], check=False).strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--sizes", default="1e5,1e6,1e7,1e8")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--layers", default=None, help="comma-separated names; baselines always run"
    )
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results"))
    parser.add_argument("--modes", default=None, help="comma-separated modes; default all")
    parser.add_argument(
        "--keep-others",
        action="store_true",
        help="keep the existing speed.json rows of the backends and modes not run",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite speed.md and speed.png from the existing speed.json",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    only = set(args.layers.split(",")) if args.layers else None
    only_modes = set(args.modes.split(",")) if args.modes else None
    if args.worker:
        print(json.dumps(measure(sizes, args.rounds, only, only_modes)))
        return
    out = pathlib.Path(args.out)
    rows, about = [], {"machine": machine(), "backends": {}}
    if args.keep_others or args.report_only:
        old = json.loads((out / "speed.json").read_text())
        rerun_backends = args.backends.split(",")

        from speed_cases import image_shape

        rerun_elements = {math.prod(image_shape(size)) for size in sizes}

        def rerun(row):
            return (
                row["backend"] in rerun_backends
                and row["elements"] in rerun_elements
                and (only_modes is None or row["mode"] in only_modes)
                and (only is None or row["layer"] in only or row["group"] == "baseline")
            )

        rows = [r for r in old["rows"] if args.report_only or not rerun(r)]
        about["backends"] = dict(old["about"]["backends"])
    for backend in [] if args.report_only else args.backends.split(","):
        command = [__file__, "--worker", "--sizes", args.sizes, "--rounds", args.rounds]
        if args.layers:
            command += ["--layers", args.layers]
        if args.modes:
            command += ["--modes", args.modes]
        try:  # the worker's progress lines go to the terminal as they come
            rows += run_json_under_backend(backend, command, show_stderr=True)
        except BackendProcessError as error:
            sys.exit(str(error))
        about["backends"][backend] = versions(backend)
    about["backends"] = dict(sorted(about["backends"].items()))
    from speed_cases import limits

    write_reports(rows, about, out, limits())
    print((out / "speed.md").read_text())


if __name__ == "__main__":
    main()
