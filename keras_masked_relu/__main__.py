"""Command line: `python -m keras_masked_relu {compare,demo}`."""

import argparse
import sys


def _parser():
    parser = argparse.ArgumentParser(prog="python -m keras_masked_relu")
    commands = parser.add_subparsers(dest="command", required=True)

    compare = commands.add_parser(
        "compare",
        help="run a .keras model under several backends and compare outputs",
        description="Runs a .keras model under each backend, each in its own process, and "
        "prints the largest differences against the first backend. Exits 1 when a "
        "difference exceeds --atol, 2 when the comparison cannot run.",
    )
    compare.add_argument("model", help="path of a .keras file")
    compare.add_argument("--inputs", help=".npy file, or .npz with one array per model input")
    compare.add_argument("--backends", default="tensorflow,jax,torch")
    compare.add_argument("--gradients", action="store_true", help="compare gradients too")
    compare.add_argument("--atol", type=float, default=1e-5)
    compare.add_argument("--seed", type=int, default=0, help="seed of random inputs")
    compare.add_argument("--batch-size", type=int, default=4, help="samples in random inputs")

    demo = commands.add_parser("demo", help="the main job: train, save, compare, export")
    demo.add_argument("--epochs", type=int, default=5)
    demo.add_argument("--dir", default=None, help="where to write the model and exports")
    demo.add_argument("--skip-export", action="store_true")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "compare":
        from keras_masked_relu.tools.compare import CompareError, compare

        try:
            report = compare(
                args.model,
                inputs=args.inputs,
                backends=[b.strip() for b in args.backends.split(",") if b.strip()],
                gradients=args.gradients,
                atol=args.atol,
                seed=args.seed,
                batch_size=args.batch_size,
            )
        except CompareError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(report.table())
        return 0 if report.passed else 1
    if args.command == "demo":
        from keras_masked_relu.tools.demo import main as demo_main

        return demo_main(epochs=args.epochs, directory=args.dir, export=not args.skip_export)
    return 2


if __name__ == "__main__":
    sys.exit(main())
