"""Differential test across backends: random models, saved under one, run under all.

    .venv/bin/python tests/differential/run.py --seeds 0-39 [--dtypes float32,float64]
    .venv/bin/python tests/differential/run.py --first 1000 --count 200

Each seed names a model (`models.draw`); its saving backend rotates with the
seed. Every backend runs in one process (`worker.py`) for all the seeds, and
every array (each output; the gradient for each input and each trainable
weight, by path) is compared between each pair of backends by the rule of
`keras_masked_relu.tools.rule`, with the tolerances of the dtype. Prints one
line per disagreement with the command that rebuilds and reruns its seed, and
exits with status 1 when there is one.
"""

import argparse
import collections
import dataclasses
import importlib.util
import itertools
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def _load_rule():
    """`keras_masked_relu.tools.rule`, read without importing the package (and Keras)."""
    path = HERE.parents[1] / "keras_masked_relu" / "tools" / "rule.py"
    spec = importlib.util.spec_from_file_location("_differential_rule", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_rule = _load_rule()
TOLERANCES, scaled_difference = _rule.TOLERANCES, _rule.scaled_difference
# TensorFlow's C++ logging would fill the workers' logs.
QUIET_LOGS = {"TF_CPP_MIN_LOG_LEVEL": "3"}
BACKENDS = ("tensorflow", "jax", "torch")
DTYPES = ("float32", "float64")


@dataclasses.dataclass
class Disagreement:
    """One way in which the backends differ on one model.

    Attributes:
        dtype: The dtype the model computes in.
        seed: The seed of the model.
        kind: `"values"`, `"dtype"`, `"error"` or `"missing"`.
        backend: The backend that differs from the two others (`None` when
            no single one does).
        layer: The class of the layer whose output or weight differs first.
        arrays: `(array, pair, scaled difference)` of each array that breaks
            the rule, worst first; or the arrays of the wrong dtype.
        detail: An error's message, or a short description.
        upstream: Whether the run kept the options of `models.UPSTREAM`.
    """

    dtype: str
    seed: int
    kind: str
    backend: object = None
    layer: object = None
    arrays: list = dataclasses.field(default_factory=list)
    detail: str = ""
    upstream: bool = False

    @property
    def signature(self):
        """What tells two disagreements apart in a summary."""
        first = self.arrays[0][0].split(":")[0] if self.arrays else ""
        return (self.dtype, self.kind, self.backend, self.layer, first)

    def line(self):
        where = f"{self.dtype} seed {self.seed}"
        who = f"{self.backend} differs" if self.backend else "backends differ"
        if self.kind == "values":
            worst = ", ".join(f"{name} {pair} {value:.2g}" for name, pair, value in self.arrays[:3])
            tol = TOLERANCES[self.dtype]
            text = (
                f"{where}: {who} at {self.layer} (tol {tol.outputs:g}/{tol.gradients:g}); "
                f"{len(self.arrays)} arrays, worst: {worst}"
            )
        elif self.kind == "dtype":
            names = ", ".join(f"{a} ({t})" for a, t in self.arrays[:3])
            text = f"{where}: {who}: {len(self.arrays)} arrays not {self.dtype}: {names}"
        else:
            lines = [line for line in self.detail.splitlines() if line.strip()] or [""]
            error = next((line for line in reversed(lines) if "Error" in line), lines[-1])
            text = f"{where}: {self.kind} under {self.backend}: {error.strip()}"
        return text + f"\n    rerun: {rerun_command(self.seed, self.dtype, self.upstream)}"


def rerun_command(seed, dtype, upstream=False):
    """The command that rebuilds the model of `seed` and runs it again, showing every array."""
    command = f".venv/bin/python tests/differential/run.py --seeds {seed} --dtypes {dtype}"
    return command + (" --upstream" if upstream else "") + " --verbose"


@dataclasses.dataclass
class Results:
    """Disagreements of a run, and what it ran.

    Attributes:
        seeds: The seeds run.
        dtypes: The dtypes run.
        disagreements: Every `Disagreement` found.
        plans: `{(dtype, seed): plan}` of the models.
        seconds: Wall time of the run.
        tables: `{(dtype, seed): [(array, {pair: difference})]}`.
        package_layers: The layer classes the package exports.
        features: What a representative set of seeds covers (`models.FEATURES`).
    """

    def missing_features(self):
        """The features of `features` that no plan of the run has."""
        drawn = set().union(*(plan["features"] for plan in self.plans.values()))
        return sorted(set(self.features) - drawn)

    seeds: list
    dtypes: list
    disagreements: list
    plans: dict
    seconds: float
    tables: dict
    package_layers: list
    features: list

    def of(self, dtype):
        return [d for d in self.disagreements if d.dtype == dtype]

    def report(self, dtype=None):
        found = [d for d in self.disagreements if dtype in (None, d.dtype)]
        lines = [d.line() for d in found]
        distinct = collections.defaultdict(list)
        for d in found:
            distinct[d.signature].append(d.seed)
        lines.append(
            f"{len(self.seeds)} models x {len(self.dtypes)} dtypes in {self.seconds:.0f} s: "
            f"{len(found)} disagreements, {len(distinct)} distinct"
        )
        for signature, seeds in sorted(distinct.items(), key=lambda kv: -len(kv[1])):
            dtype_, kind, backend, layer, array = signature
            lines.append(
                f"  {dtype_} {kind}: {backend or 'several'} at {layer} ({array}): "
                f"{len(seeds)} seeds, e.g. {seeds[:5]}"
            )
        return "\n".join(lines)


def run(
    seeds,
    dtypes=DTYPES,
    work=None,
    backends=BACKENDS,
    timeout=3600,
    verbose=False,
    upstream=False,
):
    """Runs the models of `seeds` under every backend and compares them.

    Args:
        seeds: Seeds of the models.
        dtypes: Dtypes to run them in, one after the other.
        work: Folder for the saved models and arrays; a temporary one when
            `None`.
        backends: The backends, one process each, side by side.
        timeout: Seconds after which the processes are stopped.
        verbose: Whether to keep every array's differences in `tables`.
        upstream: Whether to keep the options that `models.UPSTREAM` leaves out.

    Returns:
        `Results`.
    """
    if work is None:
        with tempfile.TemporaryDirectory() as folder:
            return run(seeds, dtypes, folder, backends, timeout, verbose, upstream)
    work = pathlib.Path(work)
    start = time.perf_counter()
    seeds, dtypes, backends = list(seeds), list(dtypes), list(backends)
    (work / "job.json").write_text(
        json.dumps({"seeds": seeds, "dtypes": dtypes, "backends": backends, "upstream": upstream})
    )
    processes = {}
    for backend in backends:
        env = {**os.environ, **QUIET_LOGS, "KERAS_BACKEND": backend}
        log = open(work / f"{backend}.log", "w")
        processes[backend] = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), str(work)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
    deadline = time.monotonic() + timeout
    failed = []
    while processes:
        for backend, process in list(processes.items()):
            if process.poll() is not None:
                del processes[backend]
                if process.returncode:
                    failed.append(backend)
                    (work / "abort").touch()
        if time.monotonic() > deadline:
            (work / "abort").touch()
            for process in processes.values():
                process.kill()
            raise TimeoutError(f"The differential run took more than {timeout} s")
        time.sleep(0.2)
    if failed:
        logs = "\n".join(f"--- {b}:\n" + (work / f"{b}.log").read_text()[-3000:] for b in failed)
        raise RuntimeError(f"The worker failed under {failed}:\n{logs}")
    return collect(work, verbose, start)


def collect(work, verbose=False, start=None):
    """Compares the arrays that the workers left in `work` (see `run`).

    Args:
        work: The folder of a run.
        verbose: Whether to keep every array's differences in `tables`.
        start: `time.perf_counter()` at the start of the run, for `seconds`.

    Returns:
        `Results`.
    """
    work = pathlib.Path(work)
    job = json.loads((work / "job.json").read_text())
    seeds, dtypes, backends = job["seeds"], job["dtypes"], job["backends"]
    disagreements, plans, tables = [], {}, {}
    for dtype in dtypes:
        for seed in seeds:
            found, plan, table = compare_seed(work / dtype, seed, dtype, backends, verbose)
            for disagreement in found:
                disagreement.upstream = job["upstream"]
            disagreements += found
            plans[(dtype, seed)] = plan
            if verbose:
                tables[(dtype, seed)] = table
    catalogue = json.loads((work / "catalogue.json").read_text())
    return Results(
        seeds,
        dtypes,
        disagreements,
        plans,
        time.perf_counter() - start if start is not None else float("nan"),
        tables,
        catalogue["package_layers"],
        catalogue["features"],
    )


def _layer_of(array, plan):
    """The class of the layer an array belongs to (a step's output or weight)."""
    name = array.split(":")[-1].split("/")[0]
    for i, step in enumerate(plan["steps"]):
        if name == f"s{i}_{step['kind'].lower()}":
            return step["kind"]
    return name


def compare_seed(folder, seed, dtype, backends, verbose=False):
    """The disagreements of one model, its plan and (when `verbose`) its table."""
    record = json.loads((folder / f"{seed}.plan.json").read_text())
    plan = record["plan"]
    if "error" in record:
        return (
            [Disagreement(dtype, seed, "error", record["saved_under"], None, [], record["error"])],
            plan,
            [],
        )
    found, arrays, dtypes = [], {}, {}
    for backend in backends:
        result = json.loads((folder / f"{seed}.{backend}.json").read_text())
        if "error" in result:
            found.append(Disagreement(dtype, seed, "error", backend, None, [], result["error"]))
            continue
        with np.load(folder / f"{seed}.{backend}.npz") as data:
            arrays[backend] = {k: data[k] for k in data.files}
        dtypes[backend] = result["dtypes"]
    if len(arrays) < 2:
        return found, plan, []
    names = list(next(iter(arrays.values())))
    for backend, held in arrays.items():
        if set(held) != set(names):
            missing = sorted(set(names) ^ set(held))
            found.append(
                Disagreement(dtype, seed, "missing", backend, None, [], f"arrays {missing}")
            )
    for backend, kinds in dtypes.items():
        wrong = [(name, kind) for name, kind in kinds.items() if kind != dtype]
        if wrong:
            found.append(
                Disagreement(dtype, seed, "dtype", backend, _layer_of(wrong[0][0], plan), wrong)
            )
    tol = TOLERANCES[dtype]
    table, broken, odd = [], [], collections.Counter()
    for name in names:
        limit = tol.outputs if name.startswith("output:") else tol.gradients
        held = [b for b in backends if b in arrays and name in arrays[b]]
        pairs = {
            f"{a}-{b}": scaled_difference(arrays[a][name], arrays[b][name])
            for a, b in itertools.combinations(held, 2)
        }
        table.append((name, pairs))
        worst_pair, worst = max(pairs.items(), key=lambda kv: kv[1], default=(None, 0.0))
        if worst > limit:
            broken.append((name, worst_pair, worst))
            odd[_odd_one(held, pairs, limit)] += 1
    if broken:
        first = broken[0][0]
        broken.sort(key=lambda entry: -entry[2])
        backend, _ = odd.most_common(1)[0]
        found.append(Disagreement(dtype, seed, "values", backend, _layer_of(first, plan), broken))
    return found, plan, table


def _odd_one(backends, pairs, limit):
    """The backend that alone breaks the rule against the two others, if one does."""
    if len(backends) < 3:
        return None
    for backend in backends:
        others = [b for b in backends if b != backend]
        together = pairs.get(f"{others[0]}-{others[1]}", pairs.get(f"{others[1]}-{others[0]}"))
        if together <= limit:
            return backend
    return None


def parse_seeds(text):
    """`"0-9,17"` as `[0, 1, ..., 9, 17]`."""
    seeds = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds += list(range(int(low), int(high or low) + 1))
    return seeds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=parse_seeds, help="seeds, as 0-9,17")
    parser.add_argument("--first", type=int, default=1000, help="first seed, with --count")
    parser.add_argument("--count", type=int, default=100, help="number of seeds from --first")
    parser.add_argument("--dtypes", default=",".join(DTYPES))
    parser.add_argument("--work", help="folder to keep the models and arrays in")
    parser.add_argument("--verbose", action="store_true", help="print the plans and every array")
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="compare again the arrays a run left in --work, without running anything",
    )
    parser.add_argument(
        "--upstream",
        action="store_true",
        help="keep the options whose differences are upstream ops' (models.UPSTREAM)",
    )
    args = parser.parse_args(argv)
    seeds = args.seeds or list(range(args.first, args.first + args.count))
    work = args.work
    if work:
        pathlib.Path(work).mkdir(parents=True, exist_ok=True)
    if args.compare_only:
        results = collect(work, verbose=args.verbose)
    else:
        dtypes = args.dtypes.split(",")
        results = run(seeds, dtypes, work, verbose=args.verbose, upstream=args.upstream)
    if args.verbose:
        for (dtype, seed), table in results.tables.items():
            print(f"=== {dtype} seed {seed}: {json.dumps(results.plans[(dtype, seed)])}")
            for name, pairs in table:
                print(f"  {name:60s} " + "  ".join(f"{p} {v:.2e}" for p, v in pairs.items()))
    print(results.report())
    return 1 if results.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
