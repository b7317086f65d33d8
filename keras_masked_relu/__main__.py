"""Command line: `python -m keras_masked_relu demo`."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m keras_masked_relu")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train, save and reload a small masked model")
    demo.add_argument("--epochs", type=int, default=5)
    demo.add_argument("--dir", default=None, help="where to save the model")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from keras_masked_relu.demo import run_demo

        summary = run_demo(epochs=args.epochs, directory=args.dir)
        width = max(len(k) for k in summary)
        for key, value in summary.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
