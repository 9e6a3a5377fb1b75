"""Fit throughput: our estimators vs the same network written by hand in Keras.

Contenders, each fitted once per round in a fresh process, interleaved (median
over rounds):

- Keras by hand with its defaults (``compile()`` with ``jit_compile="auto"``,
  which is no XLA on a CPU-only machine) and with ``jit_compile=True``;
- ``LSTMAutoencoderTransformer`` with the same network and settings
  (``encoding_dim=None``: the code is the encoder's last state; adam at Keras'
  default rate, mse, batch 64) with ``jit_compile=False``, ``True`` and its
  default ``"auto"``.

Each fit is configured for 100 epochs (what ``"auto"`` sees) and stopped after
``--epochs`` by a callback. Reported: steady-state sequences/second (median
epoch after the first), the first epoch's extra time (tracing, XLA
compilation), and the projected throughput of the whole 100-epoch fit.

    python benchmarks/bench_fit.py            # TensorFlow backend
    KERAS_BACKEND=jax python benchmarks/bench_fit.py
"""

import argparse
import json
import time

from _common import (
    WORKLOADS,
    Stopwatch,
    hand_written_autoencoder,
    make_data,
    median,
    run_child,
    table,
    write_section,
)

import keras

from sklearn_lstmae import LSTMAutoencoderTransformer

CONFIGURED_EPOCHS = 100


class EpochClock(keras.callbacks.Callback):
    """Records each epoch's wall time and stops training after ``stop_after``."""

    def __init__(self, stop_after):
        super().__init__()
        self.stop_after = stop_after
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)
        if len(self.times) >= self.stop_after:
            self.model.stop_training = True


def fit_hand(X, epochs, jit_compile):
    clock = EpochClock(epochs)
    with Stopwatch() as watch:
        model = hand_written_autoencoder(*X.shape[1:], jit_compile=jit_compile)
        model.fit(
            X, X, batch_size=64, epochs=CONFIGURED_EPOCHS, verbose=0, callbacks=[clock]
        )
    return watch.seconds, clock.times, model.jit_compile


def fit_ours(X, epochs, jit_compile):
    clock = EpochClock(epochs)
    estimator = LSTMAutoencoderTransformer(
        encoding_dim=None,
        units=(64,),
        batch_size=64,
        epochs=CONFIGURED_EPOCHS,
        optimizer__learning_rate=0.001,
        callbacks=[clock],
        jit_compile=jit_compile,
        random_state=0,
    )
    with Stopwatch() as watch:
        estimator.fit(X)
    return watch.seconds, clock.times, estimator.jit_compile_


CONTENDERS = {
    "Keras by hand, defaults": (fit_hand, "auto"),
    "Keras by hand, jit_compile=True": (fit_hand, True),
    "ours, jit_compile=False": (fit_ours, False),
    "ours, jit_compile=True": (fit_ours, True),
    'ours, default ("auto")': (fit_ours, "auto"),
}


def contenders():
    """All contenders on TensorFlow; on JAX (always compiled: Keras without jit
    runs it op by op) the hand-written defaults and ours."""
    if keras.backend.backend() == "tensorflow":
        return list(CONTENDERS)
    return ["Keras by hand, defaults", 'ours, default ("auto")']


def measure(workload, name, epochs):
    """One fit of one contender (in a fresh process): its timings."""
    n_samples, n_timesteps, n_features = WORKLOADS[workload]
    X = make_data(n_samples, n_timesteps, n_features)
    fit, jit_compile = CONTENDERS[name]
    wall, times, used_jit = fit(X, epochs, jit_compile)
    steady = median(times[1:])
    projected = wall + (CONFIGURED_EPOCHS - len(times)) * steady
    return {
        "steady": n_samples / steady,
        "overhead": times[0] - steady + (wall - sum(times)),
        "projected": n_samples * CONFIGURED_EPOCHS / projected,
        "jit": bool(used_jit),
    }


def run(workload, rounds, epochs):
    """Every contender once per round, each fit in a fresh process (a finished
    fit's threads and caches must not slow the next contender down)."""
    results = {name: [] for name in contenders()}
    for round_ in range(rounds):
        for name in contenders():
            result = run_child(
                __file__, "--child", workload, name, "--epochs", str(epochs)
            )
            results[name].append(result)
            print(
                f"{workload} round {round_} {name}: {result['steady']:.0f} seq/s "
                f"steady, first-epoch overhead {result['overhead']:.1f} s",
                flush=True,
            )
    keys = ("steady", "overhead", "projected")
    return {
        name: {key: median([r[key] for r in runs]) for key in keys}
        | {"jit": runs[0]["jit"]}
        for name, runs in results.items()
    }


def report(summaries, rounds, epochs) -> str:
    reference = "Keras by hand, defaults"
    rows = []
    for workload, summary in summaries.items():
        base = summary[reference]
        for name, result in summary.items():
            rows.append(
                [
                    workload,
                    name,
                    "yes" if result["jit"] else "no",
                    f"{result['steady']:.0f}",
                    f"{result['steady'] / base['steady']:.2f}x",
                    f"{result['overhead']:.1f} s",
                    f"{result['projected'] / base['projected']:.2f}x",
                ]
            )
    same = []
    for workload, summary in summaries.items():
        for ours, hand in [
            ("ours, jit_compile=False", "Keras by hand, defaults"),
            ("ours, jit_compile=True", "Keras by hand, jit_compile=True"),
            ('ours, default ("auto")', "Keras by hand, defaults"),
        ]:
            if ours not in summary:
                continue
            ratio = summary[ours]["steady"] / summary[hand]["steady"]
            same.append(f"{workload}: `{ours}` / `{hand}` = {ratio:.2f}x")
    n = {w: WORKLOADS[w] for w in summaries}
    return (
        f"Workloads (sequences x steps x features): {n}. Median of {rounds} "
        f"interleaved rounds; each fit runs {epochs} epochs of a "
        f"{CONFIGURED_EPOCHS}-epoch configuration, in a fresh process. Ratios "
        "are against hand-written Keras with its defaults; *fit ratio* projects "
        "the whole "
        f"{CONFIGURED_EPOCHS}-epoch fit (first epoch + steady epochs).\n\n"
        + table(
            [
                "workload",
                "contender",
                "XLA",
                "steady seq/s",
                "steady ratio",
                "first-epoch overhead",
                f"{CONFIGURED_EPOCHS}-epoch fit ratio",
            ],
            rows,
        )
        + "\n\nSame network, same settings (overhead of the estimator):\n\n"
        + "\n".join(f"- {line}" for line in same)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS))
    parser.add_argument("--child", nargs=2, metavar=("WORKLOAD", "CONTENDER"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args.epochs)))
        return
    summaries = {w: run(w, args.rounds, args.epochs) for w in args.workloads}
    body = report(summaries, args.rounds, args.epochs)
    print(body)
    backend = keras.backend.backend()
    prefix = "" if backend == "tensorflow" else f"KERAS_BACKEND={backend} "
    write_section(
        f"fit-{backend}",
        f"Fit throughput ({backend} backend)",
        body,
        f"{prefix}python benchmarks/bench_fit.py",
    )


if __name__ == "__main__":
    main()
