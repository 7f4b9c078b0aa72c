"""Regenerate the Keras → ONNX models the importer's tests read (tests/onnx_import/models/).

TensorFlow stays out of the project's environment: run this in a separate venv::

    python3 -m venv /tmp/venv-tf
    /tmp/venv-tf/bin/pip install tensorflow-cpu tf2onnx onnxruntime
    /tmp/venv-tf/bin/python tools/keras_onnx_models.py [OUT_DIR]

Each small Keras model is converted with tf2onnx (batch dimension left free) and written as
``<name>.onnx`` next to ``<name>.npz``: the inputs (``in:<graph input>``) and onnxruntime's
outputs for them (``out:<graph output>``), which the tests compare PFA's results against.
Weights and inputs come from fixed seeds, so a rerun writes the same models.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "onnx_import" / "models"
ROWS = 16


def _randomize(model, rng: np.random.Generator) -> None:
    """Random weights (and non-trivial batch-norm statistics) instead of the defaults."""
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights([rng.normal(0.0, 0.5, w.shape).astype(w.dtype) if
                               w.dtype.kind == "f" else w for w in weights])
        if layer.__class__.__name__ == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([gamma, beta, mean, np.abs(var) + 0.5])


def mlp(keras, rng):
    x = keras.Input((4,), name="x")
    h = keras.layers.Dense(8, activation="relu")(x)
    h = keras.layers.Dense(6, activation="tanh")(h)
    h = keras.layers.Dense(5, activation="sigmoid")(h)
    y = keras.layers.Dense(3, activation="softmax")(h)
    return keras.Model(x, y), {"x": rng.normal(size=(ROWS, 4)).astype(np.float32)}


def conv1d(keras, rng):
    x = keras.Input((16, 2), name="x")
    h = keras.layers.Conv1D(4, 3, padding="same", activation="relu")(x)
    h = keras.layers.MaxPooling1D(2)(h)
    h = keras.layers.Conv1D(3, 2, strides=2, padding="valid")(h)
    h = keras.layers.Flatten()(h)
    y = keras.layers.Dense(2)(h)
    return keras.Model(x, y), {"x": rng.normal(size=(ROWS, 16, 2)).astype(np.float32)}


def normalization(keras, rng):
    data = rng.normal(3.0, 2.0, size=(64, 3)).astype(np.float32)
    # mean and variance given as constants (an adapted layer keeps them in variables,
    # which tf2onnx turns into graph inputs)
    norm = keras.layers.Normalization(mean=data.mean(axis=0), variance=data.var(axis=0))
    x = keras.Input((3,), name="x")
    y = keras.layers.Dense(1)(norm(x))
    return keras.Model(x, y), {"x": data[:ROWS]}


def string_lookup(keras, rng):
    vocabulary = ["red", "green", "blue", "cyan"]
    x = keras.Input((1,), dtype="string", name="color")
    ids = keras.layers.StringLookup(vocabulary=vocabulary)(x)
    h = keras.layers.Embedding(len(vocabulary) + 1, 3)(ids)
    h = keras.layers.Flatten()(h)
    y = keras.layers.Dense(1)(h)
    words = np.array(vocabulary + ["magenta"], dtype=object)
    return keras.Model(x, y), {"color": words[rng.integers(0, 5, size=(ROWS, 1))]}


def batch_norm(keras, rng):
    x = keras.Input((5,), name="x")
    h = keras.layers.Dense(4)(x)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Activation("relu")(h)
    y = keras.layers.Dense(2)(h)
    return keras.Model(x, y), {"x": rng.normal(size=(ROWS, 5)).astype(np.float32)}


def two_inputs(keras, rng):
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Concatenate()([a, b])
    h = keras.layers.Dense(4, activation="relu")(h)
    y = keras.layers.Dense(1)(h)
    return keras.Model([a, b], y), {"a": rng.normal(size=(ROWS, 3)).astype(np.float32),
                                    "b": rng.normal(size=(ROWS, 2)).astype(np.float32)}


MODELS: dict[str, Callable] = {"mlp": mlp, "conv1d": conv1d, "normalization": normalization,
                               "string_lookup": string_lookup, "batch_norm": batch_norm,
                               "two_inputs": two_inputs}


def convert(name: str, build: Callable, out: Path) -> None:
    import onnxruntime as ort
    import tensorflow as tf
    import tf2onnx
    from tensorflow import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    model, inputs = build(keras, rng)
    _randomize(model, rng)
    specs = [tf.TensorSpec((None, *v.shape[1:]), tf.string if v.dtype == object else
                           tf.float32, name=k) for k, v in inputs.items()]

    @tf.function(input_signature=specs)
    def call(*args):
        return {"y": model(list(args) if len(args) > 1 else args[0], training=False)}

    try:
        proto, _ = tf2onnx.convert.from_keras(model, input_signature=specs, opset=17)
    except Exception:  # noqa: BLE001 - some Keras 3 models only convert as a tf.function
        proto, _ = tf2onnx.convert.from_function(call, input_signature=specs, opset=17)
    path = out / f"{name}.onnx"
    path.write_bytes(proto.SerializeToString())
    sess = ort.InferenceSession(str(path))
    feeds = {i.name: inputs[i.name.split(":")[0]] for i in sess.get_inputs()}
    results = sess.run(None, feeds)
    arrays = {f"in:{k}": v for k, v in feeds.items()}
    arrays.update({f"out:{o.name}": r for o, r in zip(sess.get_outputs(), results,
                                                     strict=True)})
    np.savez(out / f"{name}.npz", **arrays)
    ops = sorted({n.op_type for n in proto.graph.node})
    print(f"{name}: {path.stat().st_size} bytes, ops {', '.join(ops)}")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, build in MODELS.items():
        convert(name, build, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
