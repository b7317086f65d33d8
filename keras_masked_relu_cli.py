"""The command line: `keras-masked-relu {compare,demo}`, or `python -m keras_masked_relu`.

A module of its own beside the package: importing `keras_masked_relu` imports
Keras and its backend (seconds), so the parser lives where `--help` and bad
arguments answer without them. The commands import what they run.
"""

import argparse
import contextlib
import math
import os
import sys


def _tolerance(text):
    """A positive finite float from the command line (argparse exits 2 otherwise)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number. Received: {text!r}")
    return value


def _parser():
    parser = argparse.ArgumentParser(
        prog="keras-masked-relu",
        description="Masked and learnable activations for Keras 3: compare a model across "
        "backends, or run the demo.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    compare = commands.add_parser(
        "compare",
        help="run a .keras model under several backends and compare outputs",
        description="Runs a .keras model under each backend, each in its own process, and "
        "compares each output (and, with --gradients, the gradient for each input and each "
        "trainable weight) with the first backend's by the rule "
        "max|a - ref| <= tol * (1 + max|ref|). Prints a table naming each backend's worst "
        "array. Exits 1 when an array breaks the rule, 2 when the comparison cannot run.",
    )
    compare.add_argument("model", help="path of a .keras file")
    compare.add_argument("--inputs", help=".npy file, or .npz with one array per model input")
    compare.add_argument("--backends", default="tensorflow,jax,torch")
    compare.add_argument("--gradients", action="store_true", help="compare gradients too")
    compare.add_argument(
        "--tol",
        type=_tolerance,
        default=None,
        help="the rule's tol for outputs (default: 1e-5 in float32, 1e-12 in float64)",
    )
    compare.add_argument(
        "--gradients-tol",
        type=_tolerance,
        default=None,
        help="the rule's tol for gradients (default: 1e-4 in float32, 1e-10 in float64)",
    )
    compare.add_argument("--seed", type=int, default=0, help="seed of random inputs")
    compare.add_argument("--batch-size", type=int, default=4, help="samples in random inputs")

    demo = commands.add_parser("demo", help="the main job: train, save, compare, export")
    demo.add_argument("--epochs", type=int, default=5)
    demo.add_argument("--dir", default=None, help="where to write the model and exports")
    demo.add_argument("--skip-export", action="store_true", help="check no export")
    demo.add_argument(
        "--skip-retrofit-export",
        action="store_true",
        help="check the exports of the demo model only, not of the retrofitted MobileNetV2",
    )
    return parser


@contextlib.contextmanager
def _quiet_native_stderr():
    """Keeps TensorFlow's C++ log lines out of the tables the demo prints.

    `TF_CPP_MIN_LOG_LEVEL` defaults to 3 for the process (TensorFlow's own log
    lines, warnings included, stay off). The lines written while Keras imports
    TensorFlow come before that setting is read on some paths, so file
    descriptor 2 also points at the null device for the import; Python's own
    errors, raised after it, still show. Under `python -m keras_masked_relu` the
    package, and so Keras, is imported before this runs: set
    `TF_CPP_MIN_LOG_LEVEL=3` yourself there, or use `keras-masked-relu`.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def main(argv=None):
    """Runs the command line on `argv` (default `sys.argv[1:]`); returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "compare":
        from keras_masked_relu.tools.compare import CompareError, compare

        try:
            report = compare(
                args.model,
                inputs=args.inputs,
                backends=[b.strip() for b in args.backends.split(",") if b.strip()],
                gradients=args.gradients,
                tol=args.tol,
                gradients_tol=args.gradients_tol,
                seed=args.seed,
                batch_size=args.batch_size,
            )
        except CompareError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(report.table())
        return 0 if report.passed else 1
    if args.command == "demo":
        with _quiet_native_stderr():
            import keras  # noqa: F401

        from keras_masked_relu.tools.demo import main as demo_main

        return demo_main(
            epochs=args.epochs,
            directory=args.dir,
            export=not args.skip_export,
            retrofit_export=not args.skip_retrofit_export,
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
