"""Starting coefficients of `RationalActivation`: least-squares fits in NumPy.

The safe Padé form `P(x) / (1 + |Q(x)|)` is fitted to a named activation on
[-3, 3]: a linear least-squares solution of `P(x) - f(x) * Q(x) = f(x)` starts
a Levenberg-Marquardt refinement of the safe form itself. Everything is
deterministic and computed once per (activation, degrees).
"""

import functools
import math

import numpy as np

FIT_RANGE = (-3.0, 3.0)
_SAMPLES = 2001

_erf = np.vectorize(math.erf)

TARGETS = {
    "relu": lambda x: np.maximum(x, 0.0),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "tanh": np.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "gelu": lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0))),
    "swish": lambda x: x / (1.0 + np.exp(-x)),
    "silu": lambda x: x / (1.0 + np.exp(-x)),
    "identity": lambda x: x,
    "linear": lambda x: x,
}
"""Activations with a fit, in Keras's sense (`leaky_relu` has Keras's default
slope of 0.2, `gelu` is the exact erf form)."""


def _powers(x, degree, start=0):
    return np.stack([x**k for k in range(start, degree + 1)], axis=1)


def _safe_rational(x, a, b):
    q = _powers(x, len(b), start=1) @ b
    return (_powers(x, len(a) - 1) @ a) / (1.0 + np.abs(q))


def _residual_and_jacobian(x, target, a, b):
    p_basis = _powers(x, len(a) - 1)
    q_basis = _powers(x, len(b), start=1)
    p, q = p_basis @ a, q_basis @ b
    d = 1.0 + np.abs(q)
    residual = p / d - target
    jac_a = p_basis / d[:, None]
    jac_b = -(p * np.sign(q) / d**2)[:, None] * q_basis
    return residual, np.concatenate([jac_a, jac_b], axis=1)


@functools.cache
def fit_rational(name, numerator_degree, denominator_degree, iterations=200):
    """Fits the safe rational form to the activation `name` on [-3, 3].

    Args:
        name: A key of `TARGETS`.
        numerator_degree: Degree `m` of `P`.
        denominator_degree: Degree `n` of `Q` (no constant term).
        iterations: Levenberg-Marquardt steps.

    Returns:
        `(numerator, denominator, max_error)`: float64 arrays of `m + 1` and
        `n` coefficients, lowest power first, and the largest absolute error
        of the fit on [-3, 3].
    """
    x = np.linspace(*FIT_RANGE, _SAMPLES)
    target = TARGETS[name](x)
    m, n = numerator_degree, denominator_degree
    # Linear start: P(x) - f(x) Q(x) = f(x).
    design = np.concatenate([_powers(x, m), -target[:, None] * _powers(x, n, start=1)], axis=1)
    theta = np.linalg.lstsq(design, target, rcond=None)[0]
    damping = 1e-3

    def loss(t):
        return float(np.sum((_safe_rational(x, t[: m + 1], t[m + 1 :]) - target) ** 2))

    current = loss(theta)
    for _ in range(iterations):
        residual, jac = _residual_and_jacobian(x, target, theta[: m + 1], theta[m + 1 :])
        normal = jac.T @ jac
        step = np.linalg.solve(
            normal + damping * np.diag(np.diag(normal) + 1e-12), -jac.T @ residual
        )
        candidate = theta + step
        new = loss(candidate)
        if new < current:
            theta, current, damping = candidate, new, max(damping / 3.0, 1e-12)
        else:
            damping *= 4.0
    a, b = theta[: m + 1], theta[m + 1 :]
    max_error = float(np.max(np.abs(_safe_rational(x, a, b) - target)))
    return a, b, max_error
