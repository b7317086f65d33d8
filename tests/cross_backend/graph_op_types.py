"""Prints the op types of a TensorFlow graph that calls `masked_relu`, as JSON."""

import json

import tensorflow as tf

from keras_masked_relu import ops as kmr_ops

traced = tf.function(lambda x: kmr_ops.masked_relu(x, tf.ones((1, 3)), shift=0.2, binary=True))
graph = traced.get_concrete_function(tf.TensorSpec((None, 3), tf.float32)).graph
print(json.dumps(sorted({op.type for op in graph.get_operations()})))
