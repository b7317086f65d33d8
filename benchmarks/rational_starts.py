"""How close `RationalActivation` starts to each activation it can approximate.

For every `approximate` target, both versions and a few degree pairs, the layer
is built in float32 (Keras's default) and its starting weights are evaluated
in float64 NumPy on 60001 evenly spaced points of [-3, 3]; the largest
absolute difference from the target there is the start's error. The fit's own
error (float64 coefficients, on the 2001 points it was fitted on) is recorded
beside it; the two differ only where float32 rounding of the coefficients
is larger than the fit's error.

Usage:
    python benchmarks/rational_starts.py
Writes benchmarks/results/rational_starts.{json,md}; tests/test_rational_starts.py
checks every layer's start against the JSON.
"""

import json
import math
import pathlib

import numpy as np

RESULTS = pathlib.Path(__file__).parent / "results"
DEGREES = ((5, 4), (3, 2), (6, 5))
VERSIONS = ("B", "A")
POINTS = 60001


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


REFERENCES = {
    "relu": lambda x: np.maximum(x, 0.0),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "gelu": lambda x: 0.5 * x * (1.0 + np.array([math.erf(v / math.sqrt(2.0)) for v in x])),
    "swish": lambda x: x * _sigmoid(x),
    "silu": lambda x: x * _sigmoid(x),
    "identity": lambda x: x,
    "linear": lambda x: x,
}


def start_error(numerator, denominator, version, target, x):
    """Largest `|f(x) - target(x)|` of the rational with these coefficients."""
    p = sum(c * x**k for k, c in enumerate(numerator))
    if version == "A":
        q = sum(abs(c) * np.abs(x) ** (j + 1) for j, c in enumerate(denominator))
    else:
        q = np.abs(sum(c * x ** (j + 1) for j, c in enumerate(denominator)))
    return float(np.max(np.abs(p / (1.0 + q) - target)))


def measure():
    import keras

    from keras_masked_relu import RationalActivation
    from keras_masked_relu._rational_fits import TARGETS, fit_rational

    if set(TARGETS) != set(REFERENCES):
        raise SystemExit(f"Targets changed: {sorted(TARGETS)}; update REFERENCES.")
    x = np.linspace(-3.0, 3.0, POINTS)
    rows = []
    for m, n in DEGREES:
        for name in TARGETS:
            target = REFERENCES[name](x)
            for version in VERSIONS:
                layer = RationalActivation(m, n, approximate=name, version=version, dtype="float32")
                layer.build((None, 1))
                numerator = keras.ops.convert_to_numpy(layer.numerator).astype(np.float64)
                denominator = keras.ops.convert_to_numpy(layer.denominator).astype(np.float64)
                rows.append(
                    {
                        "approximate": name,
                        "version": version,
                        "numerator_degree": m,
                        "denominator_degree": n,
                        "max_error": start_error(numerator, denominator, version, target, x),
                        "fit_max_error": fit_rational(name, m, n, version)[2],
                    }
                )
    return rows


def markdown(rows):
    names = list(dict.fromkeys(r["approximate"] for r in rows))
    columns = [(m, n, v) for m, n in DEGREES for v in VERSIONS]
    errors = {
        (r["approximate"], r["numerator_degree"], r["denominator_degree"], r["version"]): r[
            "max_error"
        ]
        for r in rows
    }
    lines = [
        "Largest error on [-3, 3] of `RationalActivation`'s start (float32 weights, "
        f"{POINTS} points), by `approximate`, degrees `m/n` and version",
        "",
        "| `approximate=` | " + " | ".join(f"{m}/{n} {v}" for m, n, v in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name in names:
        cells = [f"{errors[(name, m, n, v)]:.2e}" for m, n, v in columns]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main():
    rows = measure()
    RESULTS.mkdir(exist_ok=True)
    document = {
        "range": [-3.0, 3.0],
        "points": POINTS,
        "dtype": "float32",
        "starts": rows,
    }
    (RESULTS / "rational_starts.json").write_text(json.dumps(document, indent=1) + "\n")
    table = markdown(rows)
    (RESULTS / "rational_starts.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
