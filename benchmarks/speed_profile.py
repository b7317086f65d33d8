"""Why some layers miss their speed targets: what each one asks of the machine.

- JAX, compiled forward+backward: the kernels (fusions) and reductions in the
  optimized XLA program. Every trainable weight needs its own reduction over
  the batch, which reads the input and the incoming gradient again.
- PyTorch, eager forward+backward: the ATen kernels that run, each of them a
  pass over the whole tensor, and their share of the time.

Usage:
    python benchmarks/speed_profile.py [--elements 1e7] [--out benchmarks/results]
Writes profile.md to --out.
"""

import argparse
import json
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from keras_masked_relu.tools.backend_process import run_json_under_backend  # noqa: E402

LAYERS = [
    "keras ReLU",
    "MaskedReLU binary array",
    "MaskedReLU weighted array",
    "MaskedReLU weighted slope",
    "MaskedReLU second input",
    "MaskedReLU learned",
    "MaskedActivation elu",
    "keras PReLU",
    "LearnableReLU",
    "AdaptiveMixture",
    "PolynomialActivation",
    "RationalActivation",
    "RationalActivation 4 groups",
    "LearnableSwish",
    "ACON",
    "MetaACON",
    "FunnelReLU",
]


def built(elements):
    import keras
    import numpy as np
    from speed_cases import cases, image_shape

    shape = image_shape(elements)
    rng = np.random.default_rng(1)
    x = keras.ops.convert_to_tensor(rng.normal(size=shape).astype("float32"))
    m = keras.ops.convert_to_tensor(rng.random(shape[:3]).astype("float32"))
    cot = keras.ops.convert_to_tensor(rng.normal(size=shape).astype("float32"))
    all_cases = cases(shape)
    for name in LAYERS:
        case = all_cases[name]
        layer = case.make()
        inputs = [x, m] if case.second_input else [x]
        layer(inputs if case.second_input else x)
        yield name, layer, inputs, cot


def jax_program(elements):
    import jax
    from speed_modes import timed_call

    from keras_masked_relu.tools.gradients import stateless_vjp

    rows = []
    for name, layer, inputs, cot in built(elements):
        timed_call("compiled forward+backward", None, layer, inputs, cot, None)()
        weights = [w.value for w in layer.trainable_weights]
        non_trainable = [v.value for v in layer.non_trainable_variables]
        # The program that `speed.py` times in its compiled forward+backward mode.
        product = jax.jit(stateless_vjp(layer, differentiated_inputs=[0]))
        arg = inputs if len(inputs) == 2 else inputs[0]
        hlo = product.lower(weights, non_trainable, arg, cot).compile().as_text()
        entry = hlo[hlo.index("ENTRY") :]
        rows.append(
            {
                "layer": name,
                "weights": len(weights),
                "kernels": len(
                    re.findall(r"= \S+ (?:fusion|reduce|add|multiply|maximum|select)\(", entry)
                ),
                "reductions": len(re.findall(r"\breduce\(", hlo)),
                "convolutions": len(re.findall(r"\bconvolution\(", hlo)),
            }
        )
    return rows


def torch_kernels(elements):
    from speed_modes import timed_call
    from torch.profiler import ProfilerActivity, profile

    rows = []
    for name, layer, inputs, cot in built(elements):
        call = timed_call("eager forward+backward", None, layer, inputs, cot, None)
        call()
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            call()
        big = [
            e
            for e in prof.key_averages()
            if e.key.startswith("aten::") and e.self_cpu_time_total > 200
        ]
        big.sort(key=lambda e: -e.self_cpu_time_total)
        rows.append(
            {
                "layer": name,
                "ms": sum(e.self_cpu_time_total for e in big) / 1e3,
                "kernels": [
                    f"{e.key[6:]} x{e.count} {e.self_cpu_time_total / 1e3:.1f} ms" for e in big
                ],
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=float, default=1e7)
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results"))
    parser.add_argument("--worker", choices=["jax", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        work = jax_program if args.worker == "jax" else torch_kernels
        print(json.dumps(work(int(args.elements))))
        return
    results = {}
    for backend in ("jax", "torch"):
        results[backend] = run_json_under_backend(
            backend, [__file__, "--worker", backend, "--elements", args.elements]
        )
    md = [
        f"Profile at {args.elements:.3g} elements (`python benchmarks/speed_profile.py`).",
        "",
        "### JAX, compiled forward+backward: the optimized XLA program",
        "",
        "| layer | trainable weights | top-level kernels | reductions | convolutions |",
        "|---|---|---|---|---|",
    ]
    md += [
        f"| {r['layer']} | {r['weights']} | {r['kernels']} | {r['reductions']} | "
        f"{r['convolutions']} |"
        for r in results["jax"]
    ]
    md += [
        "",
        "### PyTorch, eager forward+backward: ATen kernels over 0.2 ms "
        "(each a pass over the tensor)",
        "",
        "| layer | ms in them | kernels |",
        "|---|---|---|",
    ]
    md += [
        f"| {r['layer']} | {r['ms']:.1f} | {'; '.join(r['kernels'])} |" for r in results["torch"]
    ]
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "profile.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
