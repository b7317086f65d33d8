"""Each learnable layer with its NumPy reference and plausible random parameters."""

import reference as ref

from keras_masked_relu import (
    ACON,
    AdaptiveMixture,
    LearnableReLU,
    LearnableSwish,
    MetaACON,
    PolynomialActivation,
    RationalActivation,
)


def _random(rng, shape, low, high):
    return rng.uniform(low, high, size=shape)


CASES = {
    "learnable_relu": dict(
        make=lambda **kw: LearnableReLU(learnable_shift=True, **kw),
        params={"alpha": (0.0, 0.5), "scale": (0.5, 2.0), "shift": (-0.5, 0.5)},
        reference=lambda x, p: ref.learnable_relu(x, p["alpha"], p["scale"], p["shift"]),
    ),
    "learnable_relu_per_pixel": dict(
        make=lambda **kw: LearnableReLU(shared_axes=[3], **kw),
        params={"alpha": (0.0, 0.5), "scale": (0.5, 2.0)},
        reference=lambda x, p: ref.learnable_relu(x, p["alpha"], p["scale"]),
    ),
    "learnable_relu_all_shared": dict(
        make=lambda **kw: LearnableReLU(shared_axes=[1, 2, 3], **kw),
        params={"alpha": (0.0, 0.5), "scale": (0.5, 2.0)},
        reference=lambda x, p: ref.learnable_relu(x, p["alpha"], p["scale"]),
    ),
    "adaptive_mixture": dict(
        make=lambda **kw: AdaptiveMixture(("relu", "tanh", "linear"), **kw),
        params={"mixing_logits": (-1.5, 1.5)},
        reference=lambda x, p: ref.mixture(x, p["mixing_logits"], ("relu", "tanh", "linear")),
    ),
    "adaptive_mixture_per_channel": dict(
        make=lambda **kw: AdaptiveMixture(("elu", "sigmoid"), per_channel=True, **kw),
        params={"mixing_logits": (-1.5, 1.5)},
        reference=lambda x, p: ref.mixture(x, p["mixing_logits"], ("elu", "sigmoid")),
    ),
    "polynomial": dict(
        make=lambda **kw: PolynomialActivation(degree=4, **kw),
        params={"coefficients": (-0.5, 0.5)},
        reference=lambda x, p: ref.power_sum(x, p["coefficients"]),
    ),
    "rational": dict(
        make=lambda **kw: RationalActivation(**kw),
        params={"numerator": (-0.5, 0.5), "denominator": (-0.5, 0.5)},
        reference=lambda x, p: ref.rational(x, p["numerator"], p["denominator"]),
    ),
    "rational_version_a": dict(
        make=lambda **kw: RationalActivation(version="A", **kw),
        params={"numerator": (-0.5, 0.5), "denominator": (-0.5, 0.5)},
        reference=lambda x, p: ref.rational_a(x, p["numerator"], p["denominator"]),
    ),
    # 5 channels in 5 groups, each with its own coefficients.
    "rational_groups": dict(
        make=lambda **kw: RationalActivation(groups=5, **kw),
        params={"numerator": (-0.5, 0.5), "denominator": (-0.5, 0.5)},
        reference=lambda x, p: ref.grouped(ref.rational, x, p["numerator"], p["denominator"]),
    ),
    "rational_groups_version_a": dict(
        make=lambda **kw: RationalActivation(version="A", groups=5, **kw),
        params={"numerator": (-0.5, 0.5), "denominator": (-0.5, 0.5)},
        reference=lambda x, p: ref.grouped(ref.rational_a, x, p["numerator"], p["denominator"]),
    ),
    "acon": dict(
        make=lambda **kw: ACON(**kw),
        params={"p1": (0.5, 1.5), "p2": (-0.5, 0.5), "beta": (0.2, 2.0)},
        reference=lambda x, p: ref.acon(x, p["p1"], p["p2"], p["beta"]),
    ),
    "meta_acon": dict(
        make=lambda **kw: MetaACON(reduction=2, **kw),
        params={
            "p1": (0.5, 1.5),
            "p2": (-0.5, 0.5),
            "w1": (-1.0, 1.0),
            "b1": (-0.5, 0.5),
            "w2": (-1.0, 1.0),
            "b2": (-0.5, 0.5),
        },
        reference=lambda x, p: ref.meta_acon(
            x, p["p1"], p["p2"], p["w1"], p["b1"], p["w2"], p["b2"]
        ),
    ),
    "learnable_swish": dict(
        make=lambda **kw: LearnableSwish(**kw),
        params={"beta": (0.5, 2.0)},
        reference=lambda x, p: ref.swish(x, p["beta"]),
    ),
    "learnable_swish_per_channel": dict(
        make=lambda **kw: LearnableSwish(per_channel=True, **kw),
        params={"beta": (0.5, 2.0)},
        reference=lambda x, p: ref.swish(x, p["beta"]),
    ),
}


def randomize(layer, case, rng, dtype="float32"):
    """Gives each weight random values; returns them by name as NumPy arrays."""
    values = {}
    for weight in layer.weights:
        name = weight.path.split("/")[-1]
        low, high = case["params"][name]
        values[name] = _random(rng, weight.shape, low, high).astype(dtype)
        weight.assign(values[name])
    return values
