"""Trains a small model on one device and under tf.distribute.MirroredStrategy
on 2 logical CPUs, and prints the largest weight difference."""

import json

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_masked_relu import AdaptiveMixture, LearnableReLU, MaskedReLU, RationalActivation  # noqa: E402
from keras_masked_relu.regions import Circle  # noqa: E402


def build():
    x_in, m_in = keras.Input((8, 8, 2)), keras.Input((8, 8))
    h = keras.layers.Conv2D(8, 3, padding="same")(x_in)
    h = MaskedReLU(Circle((4, 4), 3, softness=2.0), shift=0.1, trainable_mask=True)(h)
    h = MaskedReLU(negative_slope=0.2)([h, m_in])
    h = LearnableReLU()(h)
    h = AdaptiveMixture(per_channel=True)(h)
    h = RationalActivation()(h)
    out = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(h))
    return keras.Model([x_in, m_in], out)


def train(initial, data):
    model = build()
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    model.fit(data[0], data[1], epochs=2, batch_size=8, shuffle=False, verbose=0)
    return [np.asarray(w) for w in model.get_weights()]


rng = np.random.default_rng(0)
data = (
    [rng.normal(size=(32, 8, 8, 2)).astype("float32"), rng.random((32, 8, 8)).astype("float32")],
    rng.normal(size=(32, 1)).astype("float32"),
)
keras.utils.set_random_seed(0)
initial = build().get_weights()
single = train(initial, data)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = train(initial, data)
print(json.dumps({
    "replicas": strategy.num_replicas_in_sync,
    "mirrored": max(float(np.abs(a - b).max()) for a, b in zip(single, mirrored)),
}))
