"""Trains the demo model once per seed, saving it after every epoch:
`save_demo_models.py DIRECTORY SEEDS EPOCHS`, SEEDS comma-separated.

`DIRECTORY/seed<S>/epoch_<n>.keras` is the model of `demo.train(EPOCHS, ..., seed=S)`
after `n` epochs: the last one is what `python -m keras_masked_relu demo` compares
when EPOCHS is its default.
"""

import pathlib
import sys

from keras_masked_relu.tools.demo import train

directory = pathlib.Path(sys.argv[1])
epochs = int(sys.argv[3])
for seed in map(int, sys.argv[2].split(",")):
    run = train(
        epochs, directory / f"seed{seed}.keras", seed=seed, checkpoints=directory / f"seed{seed}"
    )
    if not run["ok"]:
        sys.exit(f"seed {seed}: the loss did not fall or the reloaded copy differs: {run}")
