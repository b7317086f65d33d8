"""Only eager calls are compiled: a TensorFlow graph (what SavedModel, ONNX and
LiteRT export) holds the plain ops, with no nested XLA function."""

import json

from conftest import run_python


def test_graph_holds_plain_ops():
    op_types = set(
        json.loads(run_python("tensorflow", "graph_op_types.py").strip().splitlines()[-1])
    )
    assert {"Relu", "Sub", "Mul"} <= op_types
    assert not op_types & {"StatefulPartitionedCall", "PartitionedCall", "XlaLaunch"}
