"""Trains a small model on one device, under DataParallel and under ModelParallel
(4 virtual CPU devices), and prints the largest weight difference of each."""

import json
import os

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"

import keras  # noqa: E402
from scale_out_common import largest_difference, make_data, train  # noqa: E402

from keras_masked_relu import AdaptiveMixture, LearnableReLU, MaskedReLU  # noqa: E402
from keras_masked_relu.regions import Circle  # noqa: E402


def build():
    x_in, m_in = keras.Input((8, 8, 2)), keras.Input((8, 8))
    h = keras.layers.Conv2D(8, 3, padding="same", name="conv")(x_in)
    h = MaskedReLU(Circle((4, 4), 3, softness=2.0), shift=0.1, trainable_mask=True, name="region")(
        h
    )
    h = MaskedReLU(negative_slope=0.2, name="second_input")([h, m_in])
    h = LearnableReLU(name="per_channel")(h)
    h = AdaptiveMixture(per_channel=True, name="mixture")(h)
    out = keras.layers.Dense(1, name="head")(keras.layers.GlobalAveragePooling2D()(h))
    return keras.Model([x_in, m_in], out)


data = make_data()
keras.utils.set_random_seed(0)
initial = build().get_weights()
single = train(build, initial, data)

devices = keras.distribution.list_devices("cpu")
assert len(devices) == 4, devices
results = {"devices": len(devices)}

keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
data_parallel = train(build, initial, data)
results["data_parallel"] = largest_difference(single, data_parallel)

mesh = keras.distribution.DeviceMesh((2, 2), ["batch", "model"], devices)
layout = keras.distribution.LayoutMap(mesh)
layout["per_channel/alpha"] = (None, None, "model")  # (1, 1, 8): channels split in two
layout["per_channel/scale"] = (None, None, "model")
layout["conv/kernel"] = (None, None, None, "model")
keras.distribution.set_distribution(
    keras.distribution.ModelParallel(layout_map=layout, batch_dim_name="batch")
)
model = build()
alpha = [w for w in model.weights if w.path == "per_channel/alpha"][0]
results["alpha_sharding"] = str(alpha.value.sharding.spec)
model_parallel = train(build, initial, data)
results["model_parallel"] = largest_difference(single, model_parallel)
print(json.dumps(results))
