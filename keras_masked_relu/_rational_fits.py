"""Starting coefficients of `RationalActivation`: least-squares fits in NumPy.

Each version's own formula is fitted to a named activation on [-3, 3]:

- version B, `P(x) / (1 + |Q(x)|)`: a linear least-squares solution of
  `P(x) - f(x) * Q(x) = f(x)` starts a Levenberg-Marquardt refinement of the
  safe form itself;
- version A, `P(x) / (1 + sum_j |b_j| |x|^j)`: Levenberg-Marquardt on that form,
  with `c_j = |b_j|` kept at or above `2 ** -24` (off 0), from two starts: the
  linear solution of `P(x) - f(x) * sum_j c_j |x|^j = f(x)` and the version-B
  fit `(a, |b|)`; the one that ends with the lower sum of squares is kept.

Everything is deterministic and computed once per (activation, degrees,
version). Powers are products, not `pow`, so that the fits do not depend on a
platform's math library beyond the targets' own `exp`, `tanh` and `erf`.
"""

import functools
import math

import numpy as np

FIT_RANGE = (-3.0, 3.0)
_SAMPLES = 2001
VERSIONS = ("A", "B")

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

_SAME_FUNCTION = {"silu": "swish", "linear": "identity"}


def _powers(x, degree, start=0):
    """Columns `x ** start, ..., x ** degree`, as repeated products."""
    columns = [np.ones_like(x)]
    for _ in range(degree):
        columns.append(columns[-1] * x)
    return np.stack(columns[start:], axis=1)


def _levenberg_marquardt(theta, residual_and_jacobian, iterations, lower=None):
    """Minimises `sum(residual ** 2)` from `theta` by damped Gauss-Newton steps.

    With `lower`, the parameters stay `>= lower`: a step that crosses a bound
    is cut at it, and a parameter at its bound that the gradient pushes
    further down is held there for that step.
    """
    residual, jacobian = residual_and_jacobian(theta)
    current = float(np.sum(residual**2))
    damping = 1e-3
    for _ in range(iterations):
        if damping > 1e20:  # No step of any size lowers the sum: a minimum.
            break
        gradient = jacobian.T @ residual
        free = np.ones(theta.shape, bool) if lower is None else (theta > lower) | (gradient < 0)
        normal = jacobian[:, free].T @ jacobian[:, free]
        step = np.zeros_like(theta)
        step[free] = np.linalg.solve(
            normal + damping * np.diag(np.diag(normal) + 1e-12), -gradient[free]
        )
        candidate = theta + step
        if lower is not None:
            candidate = np.maximum(candidate, lower)
        candidate_residual, candidate_jacobian = residual_and_jacobian(candidate)
        new = float(np.sum(candidate_residual**2))
        if new < current:
            theta, current, damping = candidate, new, max(damping / 3.0, 1e-12)
            residual, jacobian = candidate_residual, candidate_jacobian
        else:
            damping *= 4.0
    return theta, current


def _fit_version_b(x, target, m, n, iterations):
    p_basis, q_basis = _powers(x, m), _powers(x, n, start=1)

    def residual_and_jacobian(theta):
        p, q = p_basis @ theta[: m + 1], q_basis @ theta[m + 1 :]
        d = 1.0 + np.abs(q)
        jac_b = -(p * np.sign(q) / d**2)[:, None] * q_basis
        return p / d - target, np.concatenate([p_basis / d[:, None], jac_b], axis=1)

    design = np.concatenate([p_basis, -target[:, None] * q_basis], axis=1)
    theta = np.linalg.lstsq(design, target, rcond=None)[0]
    theta, _ = _levenberg_marquardt(theta, residual_and_jacobian, iterations)
    a, b = theta[: m + 1], theta[m + 1 :]
    return a, b, p_basis @ a / (1.0 + np.abs(q_basis @ b))


def _fit_version_a(x, target, m, n, iterations, a_of_version_b, b_of_version_b):
    """Least squares of `P(x) / (1 + sum_j c_j |x|^j)` with every `c_j >= 2 ** -24`.

    A coefficient is kept off 0 because the derivative of `|b_j|` is 0 at
    `b_j = 0`: a denominator coefficient started there would never move in
    training. `2 ** -24` is the smallest positive float16, so the coefficient
    stays off 0 in every float dtype a layer computes in.
    """
    p_basis, q_basis = _powers(x, m), _powers(np.abs(x), n, start=1)
    floor = np.full(n, 2.0**-24)
    lower = np.concatenate([np.full(m + 1, -np.inf), floor])

    def residual_and_jacobian(theta):
        p, d = p_basis @ theta[: m + 1], 1.0 + q_basis @ theta[m + 1 :]
        jac_c = -(p / d**2)[:, None] * q_basis
        return p / d - target, np.concatenate([p_basis / d[:, None], jac_c], axis=1)

    design = np.concatenate([p_basis, -target[:, None] * q_basis], axis=1)
    linear = np.linalg.lstsq(design, target, rcond=None)[0]
    best = None
    for theta in (linear, np.concatenate([a_of_version_b, b_of_version_b])):
        start = np.concatenate([theta[: m + 1], np.maximum(np.abs(theta[m + 1 :]), floor)])
        theta, loss = _levenberg_marquardt(start, residual_and_jacobian, iterations, lower)
        if best is None or loss < best[1]:
            best = theta, loss
    a, c = best[0][: m + 1], best[0][m + 1 :]
    return a, c, p_basis @ a / (1.0 + q_basis @ c)


@functools.cache
def _fit(name, m, n, version, iterations):
    x = np.linspace(*FIT_RANGE, _SAMPLES)
    target = TARGETS[name](x)
    if version == "A":
        a, b, _ = _fit(name, m, n, "B", iterations)
        a, b, fitted = _fit_version_a(x, target, m, n, iterations, a, b)
    else:
        a, b, fitted = _fit_version_b(x, target, m, n, iterations)
    return a, b, float(np.max(np.abs(fitted - target)))


def fit_rational(name, numerator_degree, denominator_degree, version="B", iterations=200):
    """Fits a version of the safe rational form to the activation `name` on [-3, 3].

    Formula:
    ```python
    m, n = numerator_degree, denominator_degree
    P(x) = sum(a[k] * x ** k for k in range(m + 1))
    f(x) = P(x) / (1 + abs(sum(b[j - 1] * x ** j for j in range(1, n + 1))))  # "B"
    f(x) = P(x) / (1 + sum(abs(b[j - 1]) * abs(x) ** j for j in range(1, n + 1)))  # "A"
    ```

    The coefficients minimise the sum of squared errors of `f` against the
    activation on 2001 evenly spaced points of [-3, 3] (a local minimum found
    by Levenberg-Marquardt; see the module's docstring for the starts).

    Args:
        name: A key of `TARGETS`.
        numerator_degree: Degree `m` of `P`.
        denominator_degree: Degree `n` of the denominator (no constant term).
        version: `"B"` or `"A"`, the form that is fitted.
        iterations: Levenberg-Marquardt steps from each start.

    Returns:
        `(numerator, denominator, max_error)`: float64 arrays of `m + 1` and
        `n` coefficients, lowest power first (for version A, each `b_j` at
        least `2 ** -24`), and the largest absolute error of the fit on the
        2001 points.

    Example:
    >>> from keras_masked_relu._rational_fits import fit_rational
    >>> a, b, max_error = fit_rational("gelu", 5, 4, version="A")
    >>> max_error < 5e-3
    True
    """
    if name not in TARGETS:
        raise ValueError(f"`name` must be one of {sorted(TARGETS)}. Received: name={name!r}")
    if version not in VERSIONS:
        raise ValueError(f"`version` must be one of {VERSIONS}. Received: version={version!r}")
    name = _SAME_FUNCTION.get(name, name)
    a, b, max_error = _fit(name, numerator_degree, denominator_degree, version, iterations)
    return a.copy(), b.copy(), max_error
