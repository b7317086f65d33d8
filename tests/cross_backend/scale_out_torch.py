"""Trains a small model under PyTorch's DistributedDataParallel (2 CPU processes,
gloo) with its own loop, as keras-io's PyTorch guide does, and on one process on
the whole batch; prints the largest weight difference.

Each of the two processes takes one half of every batch; DistributedDataParallel
averages their gradients, which is the gradient of the whole batch's mean loss.
"""

import json
import os
import pathlib
import socket
import sys
import tempfile

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from scale_out_common import largest_difference, make_data  # noqa: E402

from keras_masked_relu import (  # noqa: E402
    AdaptiveMixture,
    LearnableReLU,
    MaskedReLU,
    RationalActivation,
)
from keras_masked_relu.regions import Circle  # noqa: E402

PROCESSES = 2
BATCH = 8
EPOCHS = 2


def build():
    x_in, m_in = keras.Input((8, 8, 2)), keras.Input((8, 8))
    h = keras.layers.Conv2D(8, 3, padding="same", name="conv")(x_in)
    region = Circle((4, 4), 3, softness=2.0)
    h = MaskedReLU(region, shift=0.1, trainable_mask=True, name="region")(h)
    h = keras.layers.Conv2D(8, 3, padding="same", name="conv_2")(h)
    h = MaskedReLU(negative_slope=0.2, name="second_input")([h, m_in])
    h = LearnableReLU(name="per_channel")(h)
    h = AdaptiveMixture(per_channel=True, name="mixture")(h)
    h = RationalActivation(groups=2, shared_numerator=True, name="rational")(h)
    out = keras.layers.Dense(1, name="head")(keras.layers.GlobalAveragePooling2D()(h))
    return keras.Model([x_in, m_in], out)


def train(model, module, data, rank=0, processes=1):
    """`EPOCHS` passes of SGD over `data` in batches of `BATCH`, this process taking
    the `rank`-th of `processes` equal parts of each batch."""
    (x, m), y = data
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    part = BATCH // processes
    for _ in range(EPOCHS):
        for start in range(0, len(y), BATCH):
            rows = slice(start + rank * part, start + (rank + 1) * part)
            inputs = [keras.ops.convert_to_tensor(x[rows]), keras.ops.convert_to_tensor(m[rows])]
            optimizer.zero_grad()
            loss = torch.mean((module(inputs) - keras.ops.convert_to_tensor(y[rows])) ** 2)
            loss.backward()
            optimizer.step()
    return [(w.path, np.asarray(v)) for w, v in zip(model.weights, model.get_weights())]


def worker(rank, port, initial, out):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=PROCESSES)
    torch.set_num_threads(1)
    model = build()
    model.set_weights(initial)
    module = torch.nn.parallel.DistributedDataParallel(model)
    weights = train(model, module, make_data(), rank, PROCESSES)
    if rank == 0:
        np.savez(out, *[value for _, value in weights])
    dist.destroy_process_group()
    # Freeing the DDP module frees its gloo process group while holding the GIL, and
    # that waits for gloo's worker thread, which may need the GIL to free a finished
    # allreduce: now and then the process never ended (pytorch/pytorch#56297). Leave
    # without freeing anything; the weights are written.
    os._exit(0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    initial = build().get_weights()
    model = build()
    model.set_weights(initial)
    single = train(model, model, make_data())
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "rank0.npz")
        mp.spawn(worker, args=(free_port(), initial, out), nprocs=PROCESSES, join=True)
        saved = np.load(out)
        distributed = [(path, saved[f"arr_{i}"]) for i, (path, _) in enumerate(single)]
    # Every weight of this model is trainable: each must have moved.
    unmoved = [path for (path, w), i in zip(distributed, initial) if np.array_equal(w, i)]
    result = {
        "processes": PROCESSES,
        "ddp": largest_difference(single, distributed),
        "unmoved": unmoved,
    }
    print(json.dumps(result))
