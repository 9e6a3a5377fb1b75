"""Fit throughput: our estimator vs the same network by hand in Keras and PyTorch.

The network of issue 5 (and of "Speed II"): LSTM(64) -> RepeatVector ->
LSTM(64) -> TimeDistributed(Dense), adam (lr 0.001), mse, batches of 64.
Contenders, each fitted once per round in a fresh process, interleaved (median
over rounds):

- Keras by hand with its defaults (``compile()`` with ``jit_compile="auto"``,
  which is no XLA on a CPU-only machine) and with ``jit_compile=True``;
- ``LSTMAutoencoderTransformer`` pinned to that same network (``SAME_NETWORK``:
  the code is the encoder's last state, no pooled outputs, no downsampling, no
  linear PCA path, no validation split nor early stopping, plain LSTM cells)
  with ``jit_compile=False``, ``True`` and its default ``"auto"``; the child
  reports the fitted ``model_``'s trainable parameters, which must equal the
  hand-written model's (the report says whether they do). Ours also
  standardizes the data, as it always does;
- native PyTorch (``_torch_reference.py``): the same network with
  ``nn.LSTM``/``nn.Linear``, Adam, MSE, batches of 64 shuffled every epoch,
  ``torch.set_num_threads`` = the cores (TensorFlow's default); it has
  ``2 * 4 * 64`` more parameters (two bias vectors per LSTM layer where Keras
  has one), the same function. Skipped, with a note, when torch is missing;
- ``LSTMAutoencoderTransformer(random_state=0)``, the package defaults (a dense
  bottleneck with pooled codes, a linear PCA path, 20% held out for early
  stopping, batches of 32, lr 0.005, and ``downsample="auto"``: fewer recurrent
  steps on long sequences), a different network that is never part of the
  same-network ratios. Its sequences/second count all sequences given to
  ``fit``, held-out ones included.

Each fit is configured for 100 epochs (what ``"auto"`` sees) and stopped after
``--epochs`` (a callback; a ``break`` in PyTorch). Reported: steady-state
sequences/second (median epoch after the first), the first epoch's extra time
(tracing, XLA compilation, lazy imports) and the projected throughput of the
whole 100-epoch fit. The goal of "Speed II": the same network through our
estimator at least 1.5x as fast as native PyTorch, on W1 and W2. Run it on an
otherwise idle machine: PyTorch's threads lose far more than TensorFlow's to a
competing process.

    python benchmarks/bench_fit.py            # TensorFlow backend
    KERAS_BACKEND=jax python benchmarks/bench_fit.py
    python benchmarks/bench_fit.py --smoke    # W1 at 64 x 20 steps, 1 round, 2 epochs
"""

import argparse
import importlib.util
import json
import math
import time
from pathlib import Path

from _common import (
    SMOKE_HELP,
    WORKLOADS,
    Stopwatch,
    hand_written_autoencoder,
    make_data,
    median,
    run_child,
    set_smoke,
    smoke_mode,
    table,
    write_section,
)

import keras

from sklearn_lstmae import LSTMAutoencoderTransformer

CONFIGURED_EPOCHS = 100
UNITS = 64
#: Smoke mode: sequences per workload (1 round of 2 epochs).
SMOKE_SEQUENCES = 64
#: Smoke mode: at most this many time steps.
SMOKE_STEPS = 20
TORCH_SCRIPT = str(Path(__file__).with_name("_torch_reference.py"))

#: Every setting of ``LSTMAutoencoderTransformer`` that shapes the network or
#: its training, pinned to the hand-written model's.
SAME_NETWORK = {
    "units": (UNITS,),
    "encoding_dim": None,
    "pooling": None,
    "downsample": 1,
    "linear_path": False,
    "objective": "reconstruct",
    "decoder": "repeat",
    "temporal_code": False,
    "reverse_target": False,
    "cell": "lstm",
    "bidirectional": False,
    "dropout": 0.0,
    "validation_split": 0.0,
    "early_stopping": None,
    "batch_size": 64,
    "optimizer": "adam",
    "optimizer__learning_rate": 0.001,
    "loss": "mse",
    "shuffle": True,
}

HAND = "Keras by hand, defaults"
TORCH = "native PyTorch"
OURS_AUTO = 'ours, same network, default ("auto")'
DEFAULTS = "ours, package defaults"


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


def trainable(model):
    return sum(math.prod(weight.shape) for weight in model.trainable_weights)


def fit_hand(X, epochs, jit_compile):
    clock = EpochClock(epochs)
    with Stopwatch() as watch:
        model = hand_written_autoencoder(*X.shape[1:], jit_compile=jit_compile)
        model.fit(
            X, X, batch_size=64, epochs=CONFIGURED_EPOCHS, verbose=0, callbacks=[clock]
        )
    return {
        "wall": watch.seconds,
        "times": clock.times,
        "jit": bool(model.jit_compile),
        "n_params": trainable(model),
        "steps": X.shape[1],
    }


def fit_ours(X, epochs, params):
    clock = EpochClock(epochs)
    estimator = LSTMAutoencoderTransformer(
        epochs=CONFIGURED_EPOCHS, callbacks=[clock], random_state=0, **params
    )
    with Stopwatch() as watch:
        estimator.fit(X)
    return {
        "wall": watch.seconds,
        "times": clock.times,
        "jit": bool(estimator.jit_compile_),
        "n_params": trainable(estimator.model_),
        "steps": -(-X.shape[1] // estimator.downsample_),
    }


#: Keras contenders: (fit function, its last argument).
CONTENDERS = {
    HAND: (fit_hand, "auto"),
    "Keras by hand, jit_compile=True": (fit_hand, True),
    "ours, same network, jit_compile=False": (
        fit_ours,
        SAME_NETWORK | {"jit_compile": False},
    ),
    "ours, same network, jit_compile=True": (
        fit_ours,
        SAME_NETWORK | {"jit_compile": True},
    ),
    OURS_AUTO: (fit_ours, SAME_NETWORK | {"jit_compile": "auto"}),
    DEFAULTS: (fit_ours, {}),
}

#: Same-network pairs: (ours, Keras by hand).
PAIRS = [
    ("ours, same network, jit_compile=False", HAND),
    ("ours, same network, jit_compile=True", "Keras by hand, jit_compile=True"),
    (OURS_AUTO, HAND),
]


def contenders():
    """All contenders on TensorFlow; on JAX (always compiled: Keras without jit
    runs it op by op) the hand-written defaults and ours with ``"auto"``; native
    PyTorch on both when torch is installed."""
    if keras.backend.backend() == "tensorflow":
        names = list(CONTENDERS)
    else:
        names = [HAND, OURS_AUTO, DEFAULTS]
    if importlib.util.find_spec("torch") is not None:
        names.insert(names.index(DEFAULTS), TORCH)
    return names


def measure(shape, name, epochs):
    """One fit of one Keras contender (in a fresh process): its raw timings."""
    fit, argument = CONTENDERS[name]
    return fit(make_data(*shape), epochs, argument)


def summarize(raw, n_samples):
    """Throughputs of one fit from its wall time and epoch times."""
    times, wall = raw["times"], raw["wall"]
    steady = median(times[1:])
    projected = wall + (CONFIGURED_EPOCHS - len(times)) * steady
    return {
        "steady": n_samples / steady,
        "overhead": times[0] - steady + (wall - sum(times)),
        "projected": n_samples * CONFIGURED_EPOCHS / projected,
    } | {key: raw[key] for key in ("jit", "n_params", "steps")}


def run(workload, shape, rounds, epochs):
    """Every contender once per round, each fit in a fresh process (a finished
    fit's threads and caches must not slow the next contender down)."""
    shape_args = [str(size) for size in shape]
    results = {name: [] for name in contenders()}
    for round_ in range(rounds):
        for name in results:
            if name == TORCH:
                raw = run_child(
                    TORCH_SCRIPT,
                    *shape_args,
                    "--epochs",
                    str(epochs),
                    "--configured-epochs",
                    str(CONFIGURED_EPOCHS),
                )
                raw |= {"jit": False, "steps": shape[1]}
            else:
                raw = run_child(
                    __file__, "--child", name, *shape_args, "--epochs", str(epochs)
                )
            result = summarize(raw, shape[0])
            results[name].append(result)
            print(
                f"{workload} round {round_} {name}: {result['steady']:.0f} seq/s "
                f"steady, first-epoch overhead {result['overhead']:.1f} s, "
                f"{result['n_params']} parameters",
                flush=True,
            )
    keys = ("steady", "overhead", "projected")
    return {
        name: {key: median([r[key] for r in runs]) for key in keys}
        | {key: runs[0][key] for key in ("jit", "n_params", "steps")}
        for name, runs in results.items()
    }


def label(name, result):
    if name == DEFAULTS:
        return (
            f"{name} (pooled codes, downsample=auto: {result['steps']} recurrent steps)"
        )
    return name


def ratio_lines(summaries):
    """The same-network ratios, the parameter check and the goal, as lines."""
    lines, goal = [], []
    for workload, summary in summaries.items():
        hand_params = summary[HAND]["n_params"]
        ours = [name for name, _ in PAIRS if name in summary]
        ours_params = {summary[name]["n_params"] for name in ours}
        check = "equal" if ours_params == {hand_params} else "DIFFERENT"
        lines.append(
            f"{workload}: trainable parameters, ours (same network) "
            f"{', '.join(map(str, sorted(ours_params)))}, Keras by hand "
            f"{hand_params}: {check}"
            + (
                f"; native PyTorch {summary[TORCH]['n_params']} (+"
                f"{summary[TORCH]['n_params'] - hand_params}: two bias vectors "
                "per LSTM layer)"
                if TORCH in summary
                else ""
            )
        )
        for name, hand in PAIRS:
            if name in summary and hand in summary:
                ratio = summary[name]["steady"] / summary[hand]["steady"]
                lines.append(
                    f"{workload} same network: ours / Keras by hand: `{name}` / "
                    f"`{hand}` = {ratio:.2f}x"
                )
        if TORCH in summary:
            for name in ours:
                ratio = summary[name]["steady"] / summary[TORCH]["steady"]
                lines.append(
                    f"{workload} same network: ours / native PyTorch: `{name}` / "
                    f"`{TORCH}` = {ratio:.2f}x"
                )
            ratio = summary[OURS_AUTO]["steady"] / summary[TORCH]["steady"]
            verdict = "met" if ratio >= 1.5 else "NOT met"
            goal.append(f"{workload} {ratio:.2f}x ({verdict})")
    if goal:
        lines.append(
            "Goal of Speed II, same network (our default jit) >= 1.5x native "
            "PyTorch, steady seq/s: "
            + "; ".join(goal)
            + (" (smoke sizes: not the goal's workloads)" if smoke_mode() else "")
        )
    else:
        lines.append("Goal of Speed II: not measured (torch is not installed)")
    return lines


def report(summaries, shapes, rounds, epochs) -> str:
    rows = []
    for workload, summary in summaries.items():
        base = summary[HAND]
        for name, result in summary.items():
            rows.append(
                [
                    workload,
                    label(name, result),
                    "yes" if result["jit"] else "no",
                    result["n_params"],
                    result["steps"],
                    f"{result['steady']:.0f}",
                    f"{result['steady'] / base['steady']:.2f}x",
                    f"{result['overhead']:.1f} s",
                    f"{result['projected'] / base['projected']:.2f}x",
                ]
            )
    return (
        f"Workloads (sequences x steps x features): {shapes}. Median of {rounds} "
        f"interleaved rounds; each fit runs {epochs} epochs of a "
        f"{CONFIGURED_EPOCHS}-epoch configuration, in a fresh process. Ratios "
        "are against hand-written Keras with its defaults; *fit ratio* projects "
        f"the whole {CONFIGURED_EPOCHS}-epoch fit (first epoch + steady epochs). "
        "*Same network* rows pin every setting of ours that changes the network "
        "(see `SAME_NETWORK` in the script); the package defaults are another "
        "network (pooled codes, a linear PCA path, 20% held out, batch 32, "
        "downsampled long sequences) and appear in no ratio below. Native "
        "PyTorch's LSTM layers have two bias vectors where Keras' have one: "
        f"{2 * 4 * UNITS} more parameters, the same function.\n\n"
        + table(
            [
                "workload",
                "contender",
                "XLA",
                "trainable parameters",
                "recurrent steps",
                "steady seq/s",
                "steady ratio",
                "first-epoch overhead",
                f"{CONFIGURED_EPOCHS}-epoch fit ratio",
            ],
            rows,
        )
        + "\n\nSame network, same settings (steady seq/s ratios):\n\n"
        + "\n".join(f"- {line}" for line in ratio_lines(summaries))
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS))
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    parser.add_argument("--child", metavar="CONTENDER")
    parser.add_argument("shape", nargs="*", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.shape, args.child, args.epochs)))
        return
    if set_smoke(args.smoke):
        args.rounds, args.epochs = 1, 2
    shapes = {w: WORKLOADS[w] for w in args.workloads}
    if args.smoke:  # seconds: few sequences, short (XLA compiles per step);
        # one workload (the others run the same code with other sizes)
        shapes = {
            w: (SMOKE_SEQUENCES, min(steps, SMOKE_STEPS), features)
            for w, (_, steps, features) in list(shapes.items())[:1]
        }
    if TORCH not in contenders():
        print("torch is not installed: skipping the native PyTorch contender")
    summaries = {
        w: run(w, shape, args.rounds, args.epochs) for w, shape in shapes.items()
    }
    body = report(summaries, shapes, args.rounds, args.epochs)
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
