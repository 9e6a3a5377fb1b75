"""Why long sequences train slowly on CPU, and what would help (issue 5).

One training step (forward + backward + SGD update) of a single 64-unit LSTM
layer on W2-shaped batches (200 steps x 1 feature), interleaved and repeated:

- Keras ``layers.LSTM`` under ``tf.function``, traced for the static batch
  shape (what our fast path runs) or for a batch dimension of None (what
  ``Model.fit`` runs), and with XLA;
- TensorFlow's fused CPU kernel ``tf.raw_ops.BlockLSTMV2`` (one op for the
  whole sequence, with its own gradient kernel), which Keras 3 does not use.
  Timing only: with the weight layout whose forward pass equals Keras' LSTM,
  V2's gradients do not match Keras' (``BlockLSTM``, V1, with the gates
  reordered i, c, f, o and ``forget_bias=0``, matches both); and in a whole
  autoencoder the fused op trained no faster than Keras' layer;
- the Keras layer with batch 256 instead of 64 (sequences per second).

    python benchmarks/investigate_long_sequences.py
    python benchmarks/investigate_long_sequences.py --smoke   # 20 steps, 1 repeat
"""

import argparse

from _common import SMOKE_HELP, Stopwatch, median, set_smoke, table, write_section

import numpy as np
import keras
import tensorflow as tf

UNITS, N_TIMESTEPS, N_FEATURES = 64, 200, 1
#: Steps per sequence in smoke mode (``--smoke``).
SMOKE_TIMESTEPS = 20


def keras_step(batch_size, jit_compile, static_batch=True):
    layer = keras.layers.LSTM(UNITS, return_sequences=True)
    layer.build((batch_size, N_TIMESTEPS, N_FEATURES))
    variables = layer.trainable_variables
    # Keras' fit traces its step for a batch dimension of None.
    signature = None
    if not static_batch:
        signature = [tf.TensorSpec((None, N_TIMESTEPS, N_FEATURES), tf.float32)]

    @tf.function(jit_compile=jit_compile, input_signature=signature)
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x)))
        for variable, gradient in zip(
            variables, tape.gradient(loss, variables), strict=True
        ):
            variable.assign_sub(0.01 * gradient)
        return loss

    return step


def fused_step(batch_size):
    rng = np.random.default_rng(0)
    kernel = tf.Variable(
        rng.normal(0, 0.1, (N_FEATURES + UNITS, 4 * UNITS)).astype(np.float32)
    )
    bias = tf.Variable(np.zeros(4 * UNITS, np.float32))
    zeros_state = tf.zeros((batch_size, UNITS))
    peephole = tf.zeros((UNITS,))

    @tf.function
    def step(x):
        time_major = tf.transpose(x, (1, 0, 2))
        with tf.GradientTape() as tape:
            outputs = tf.raw_ops.BlockLSTMV2(
                seq_len_max=tf.constant(N_TIMESTEPS, tf.int64),
                x=time_major,
                cs_prev=zeros_state,
                h_prev=zeros_state,
                w=kernel,
                wci=peephole,
                wcf=peephole,
                wco=peephole,
                b=bias,
                use_peephole=False,
            )
            loss = tf.reduce_mean(tf.square(outputs[-1]))  # h: (T, batch, units)
        for variable, gradient in zip(
            (kernel, bias), tape.gradient(loss, (kernel, bias)), strict=True
        ):
            variable.assign_sub(0.01 * gradient)
        return loss

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if set_smoke(args.smoke):
        global N_TIMESTEPS
        N_TIMESTEPS, args.repeats = SMOKE_TIMESTEPS, 1
    rng = np.random.default_rng(0)
    contenders = {
        "Keras LSTM, batch 64": (keras_step(64, False), 64),
        "Keras LSTM, batch 64 traced as None": (keras_step(64, False, False), 64),
        "Keras LSTM + XLA, batch 64": (keras_step(64, True), 64),
        "fused BlockLSTMV2, batch 64": (fused_step(64), 64),
        "Keras LSTM, batch 256": (keras_step(256, False), 256),
        "fused BlockLSTMV2, batch 256": (fused_step(256), 256),
    }
    inputs = {
        size: tf.constant(rng.normal(size=(size, N_TIMESTEPS, N_FEATURES)), tf.float32)
        for size in (64, 256)
    }
    times = {name: [] for name in contenders}
    for step, size in contenders.values():  # trace / compile
        step(inputs[size])
    for _ in range(args.repeats):
        for name, (step, size) in contenders.items():
            with Stopwatch() as watch:
                float(step(inputs[size]))
            times[name].append(watch.seconds)
    reference = median(times["Keras LSTM, batch 64"]) / 64
    rows = []
    for name, (_, size) in contenders.items():
        per_sequence = median(times[name]) / size
        rows.append(
            [
                name,
                f"{median(times[name]) * 1e3:.0f} ms",
                f"{1 / per_sequence:.0f}",
                f"{reference / per_sequence:.2f}x",
            ]
        )
        print(rows[-1], flush=True)
    body = (
        f"One training step of one {UNITS}-unit LSTM layer on {N_TIMESTEPS}-step "
        f"sequences, median of {args.repeats} interleaved repeats:\n\n"
        + table(["step", "time per step", "sequences/s", "vs Keras batch 64"], rows)
    )
    print(body)
    write_section(
        "long-sequences",
        "Long sequences: where the time goes",
        body,
        "python benchmarks/investigate_long_sequences.py",
    )


if __name__ == "__main__":
    main()
