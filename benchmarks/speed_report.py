"""Turns the rows of `speed.py` into speed.json, speed.md and speed.png."""

import json

# The mode in which the targets count forward+backward time.
TARGET_MODE = {
    "tensorflow": "compiled forward+backward",
    "jax": "compiled forward+backward",
    "torch": "eager forward+backward",
}
FLAT_LIMIT, FLAT_FROM, FLAT_TO = 1.25, 1e6, 1e8


def targets(rows, elements, limits):
    """One line per target and layer: what it asks, what was measured, met or not.

    `limits` maps a case's name to its `Limit`s (`speed_cases.limits()`): a ratio
    to the case's baseline, or to the case `versus`, in compiled mode, and
    `eager_ratio` in eager mode where it is given.
    """
    at = {(r["backend"], r["mode"], r["layer"]): r for r in rows if r["elements"] == elements}
    lines = []

    def check(what, backend, mode, layer, limit, ratio):
        lines.append(
            {
                "target": what,
                "backend": backend,
                "mode": mode,
                "layer": layer,
                "limit": limit,
                "ratio": ratio,
                "met": ratio <= limit,
            }
        )

    for backend in sorted({r["backend"] for r in rows}):
        mode = TARGET_MODE[backend]
        compiled = mode.startswith("compiled")
        get = lambda layer, m=mode, b=backend: at.get((b, m, layer))  # noqa: E731
        for layer, layer_limits in limits.items():
            row = get(layer)
            for limit in layer_limits if row else ():
                bound = limit.ratio if compiled else limit.eager_ratio
                versus = get(limit.versus) if limit.versus else None
                if bound is None or (limit.versus and not versus):
                    continue
                ratio = row["seconds"] / versus["seconds"] if versus else row["vs_baseline"]
                check(limit.target, backend, mode, layer, bound, ratio)
        for layer in sorted({r["layer"] for r in rows if r["group"] == "masked"}):
            eager = get(layer, "eager forward+backward")
            if eager:
                check(
                    "at least 2x faster than naive",
                    backend,
                    "eager forward+backward",
                    layer,
                    0.5,
                    eager["vs_naive"],
                )
    return lines


def flatness(rows, start=FLAT_FROM, value=lambda r: r["seconds"] / r["elements"]):
    """`value` (time per element) at each size from `start` to 1e8, per backend and layer."""
    out = {}
    for r in rows:
        if r["mode"] == TARGET_MODE[r["backend"]] and start * 0.9 <= r["elements"] <= FLAT_TO * 1.1:
            out.setdefault((r["backend"], r["layer"]), {})[r["elements"]] = value(r)
    return {key: v for key, v in out.items() if len(v) > 1}


def _vs_relu(row):
    """The ratio to ReLU timed in the same run; rows from runs before it was kept have none."""
    return f"{row['vs_relu']:.2f}" if "vs_relu" in row else ""


def spread(values):
    return max(values.values()) / min(values.values())


def write_reports(rows, about, out, limits):
    """Writes the reports of `rows`, judging each case by its `limits` (see `targets`)."""
    out.mkdir(parents=True, exist_ok=True)
    sizes = sorted({r["elements"] for r in rows})
    reference = min(sizes, key=lambda n: abs(n - 1e7) / 1e7)
    checks = targets(rows, reference, limits)
    flat = flatness(rows)
    retraced = [r for r in rows if r["retraces"]]
    (out / "speed.json").write_text(
        json.dumps(
            {
                "about": about,
                "rows": rows,
                "targets": checks,
                "flatness": [
                    {"backend": b, "layer": name, "per_element": {str(k): v for k, v in s.items()}}
                    for (b, name), s in flat.items()
                ],
            },
            indent=1,
        )
    )

    md = [f"Machine: {about['machine']}.", ""]
    md += [f"- {b}: {v}" for b, v in about["backends"].items()]
    md += [
        "",
        "Command: `make bench` (`python benchmarks/speed.py`). Sizes: "
        + ", ".join(f"{n:.3g}" for n in sizes)
        + " elements, shape (8, H, W, 16).",
        "",
    ]
    met = sum(c["met"] for c in checks)
    md += [
        f"### Targets at {reference:.3g} elements: {met} of {len(checks)} met",
        "",
        "Forward+backward medians (gradients with respect to the input and the weights): "
        "compiled for TensorFlow and JAX, eager for PyTorch; the naive comparison is eager.",
        "",
        "| target | backend | layer | ratio | limit | |",
        "|---|---|---|---|---|---|",
    ]
    for c in checks:
        md.append(
            f"| {c['target']} | {c['backend']} | {c['layer']} | {c['ratio']:.2f} | "
            f"{c['limit']:.2f} | {'met' if c['met'] else '**missed**'} |"
        )
    flat_large = flatness(rows, start=1e7)
    flat_ratio = flatness(rows, value=lambda r: r["vs_baseline"])
    md += ["", f"Compiled calls that retraced after warm-up: {len(retraced)}.", ""]
    for label, table in [
        (f"time per element from {FLAT_FROM:.0e} to {FLAT_TO:.0e}", flat),
        (f"time per element from 1e7 to {FLAT_TO:.0e}", flat_large),
        (f"ratio to the baseline from {FLAT_FROM:.0e} to {FLAT_TO:.0e}", flat_ratio),
    ]:
        for backend in sorted({b for b, _ in table}):
            here = {name: spread(v) for (b, name), v in table.items() if b == backend}
            worst = max(here, key=here.get)
            flat_count = sum(v <= FLAT_LIMIT for v in here.values())
            md.append(
                f"- {label}, {backend}: {flat_count} of {len(here)} layers flat within "
                f"{FLAT_LIMIT}x; least flat {worst} at {here[worst]:.2f}x."
            )
    for backend in sorted({r["backend"] for r in rows}):
        here = [r for r in rows if r["backend"] == backend and r["elements"] == reference]
        modes = list(dict.fromkeys(r["mode"] for r in here))
        layers = list(dict.fromkeys(r["layer"] for r in here))
        cell = {(r["mode"], r["layer"]): r for r in here}
        backward_modes = [m for m in modes if m.endswith("forward+backward")]
        md += [
            "",
            f"### {backend}, {reference:.3g} elements: ratio to ReLU (masked) or PReLU (learnable)",
            "",
            "| layer | "
            + " | ".join(modes)
            + " | eager fwd+bwd vs naive | vs x*1.0 floor | "
            + " | ".join(f"{m} vs ReLU" for m in backward_modes)
            + " |",
            "|---|" + "---|" * (len(modes) + 2 + len(backward_modes)),
        ]
        for layer in layers:
            fb = cell.get(("eager forward+backward", layer))
            md.append(
                f"| {layer} | "
                + " | ".join(f"{cell[(m, layer)]['vs_baseline']:.2f}" for m in modes)
                + f" | {fb['vs_naive']:.2f} | {fb['vs_floor']:.2f} | "
                + " | ".join(_vs_relu(cell[(m, layer)]) for m in backward_modes)
                + " |"
            )
        relu = {m: cell[(m, "keras ReLU")]["seconds"] * 1e3 for m in modes}
        md += [
            "",
            "keras ReLU takes " + ", ".join(f"{v:.2f} ms ({m})" for m, v in relu.items()) + ".",
        ]
    md += [
        "",
        "### Time per element (ns), forward+backward in the target mode",
        "",
        "| backend | layer | "
        + " | ".join(f"{n:.0e}" for n in sizes)
        + " | largest/smallest from 1e6 | from 1e7 | ratio to baseline, from 1e6 |",
        "|---|---|" + "---|" * (len(sizes) + 3),
    ]
    for backend in sorted({r["backend"] for r in rows}):
        for layer in dict.fromkeys(r["layer"] for r in rows if r["backend"] == backend):
            per = {
                r["elements"]: r["seconds"] / r["elements"]
                for r in rows
                if r["backend"] == backend
                and r["layer"] == layer
                and r["mode"] == TARGET_MODE[backend]
            }
            spreads = [
                f"{spread(t[(backend, layer)]):.2f}" if (backend, layer) in t else ""
                for t in (flat, flat_large, flat_ratio)
            ]
            md.append(
                f"| {backend} | {layer} | "
                + " | ".join(f"{1e9 * per[n]:.2f}" if n in per else "" for n in sizes)
                + " | "
                + " | ".join(spreads)
                + " |"
            )
    (out / "speed.md").write_text("\n".join(md) + "\n")
    plot(rows, out / "speed.png")


def plot(rows, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    backends = sorted({r["backend"] for r in rows})
    fig, axes = plt.subplots(1, len(backends), figsize=(6 * len(backends), 4.5), squeeze=False)
    for ax, backend in zip(axes[0], backends):
        ax.set_prop_cycle(color=plt.cm.tab20.colors)
        for layer in dict.fromkeys(r["layer"] for r in rows):
            points = sorted(
                (r["elements"], 1e9 * r["seconds"] / r["elements"])
                for r in rows
                if r["backend"] == backend
                and r["layer"] == layer
                and r["mode"] == TARGET_MODE[backend]
            )
            if points:
                style = (
                    "--"
                    if layer in ("keras ReLU", "keras PReLU", "naive blend", "floor x*1.0")
                    else "-"
                )
                ax.plot(*zip(*points), style, marker="o", markersize=3, label=layer)
        ax.set(
            xscale="log",
            yscale="log",
            title=f"{backend}: {TARGET_MODE[backend]}",
            xlabel="elements",
            ylabel="ns per element",
        )
    axes[0][-1].legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
