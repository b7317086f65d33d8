"""Trains a small model on one device and under tf.distribute.MirroredStrategy
on 2 logical CPUs, and prints the largest weight difference."""

import json

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
from scale_out_common import largest_difference, make_data, train  # noqa: E402

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


data = make_data()
keras.utils.set_random_seed(0)
initial = build().get_weights()
single = train(build, initial, data)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = train(build, initial, data)
print(
    json.dumps(
        {
            "replicas": strategy.num_replicas_in_sync,
            "mirrored": largest_difference(single, mirrored),
        }
    )
)
