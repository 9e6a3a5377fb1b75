"""Memory over a grid search's life: RSS after each of 30 consecutive fits.

Each contender runs in its own fresh process: 30 fits (each followed by
``transform`` of the training data and dropping the estimator, as a search
does) of ``LSTMAutoencoderTransformer``, and the same 30 fits of the same network
written by hand in Keras (build, compile, fit, predict). RSS is read after a
garbage collection following each fit. The 30 fits cycle through 3
architectures (16, 17, 18 units) with a new seed each time, as a small grid
search's candidates and folds do: our estimators train on one compiled model per
architecture (``sklearn_lstmae/_model_pool.py``), so only the first fit of each
architecture adds a traced training step to the process.

The same network: ours is pinned to the hand-written one (``HAND_WRITTEN``:
the code is the encoder's last state, no pooled outputs, no linear path, all
epochs on all sequences), not the package's defaults, whose network and
training (a 16 + 2 x units code, PCA's start, a held-out 20%) the hand-written
model does not have.

    python benchmarks/bench_memory.py
    python benchmarks/bench_memory.py --smoke   # 5 fits of 60 sequences
"""

import argparse
import gc
import json

from _common import (
    SMOKE_HELP,
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

N_FITS, N_SEQUENCES = 30, 300
#: Smoke mode: fits (more than 4: fits 4 on are timed) and sequences.
SMOKE_FITS, SMOKE_SEQUENCES = 5, 60
#: Our transformer as the hand-written network (``hand_written_autoencoder``):
#: LSTM -> RepeatVector -> LSTM -> TimeDistributed(Dense), trained on every
#: sequence for every epoch.
HAND_WRITTEN = {
    "encoding_dim": None,
    "pooling": None,
    "linear_path": False,
    "downsample": 1,
    "validation_split": 0.0,
    "early_stopping": None,
}


def sizes():
    """(fits, sequences) of this run."""
    return (SMOKE_FITS, SMOKE_SEQUENCES) if smoke_mode() else (N_FITS, N_SEQUENCES)


def child(which):
    import psutil

    n_fits, n_sequences = sizes()
    X = make_data(n_sequences, 30, 3)
    rss, seconds = [], []
    for fit in range(n_fits):
        with Stopwatch() as watch:
            fit_and_transform(which, fit, X)
        gc.collect()
        rss.append(psutil.Process().memory_info().rss)
        seconds.append(watch.seconds)
    print(json.dumps({"rss": rss, "seconds": seconds}))


def fit_and_transform(which, fit, X):
    from sklearn_lstmae import LSTMAutoencoderTransformer

    if which == "ours":
        estimator = LSTMAutoencoderTransformer(
            units=(16 + fit % 3,), epochs=3, random_state=fit, **HAND_WRITTEN
        ).fit(X)
        estimator.transform(X)
    else:
        estimator = hand_written_autoencoder(30, 3, units=16 + fit % 3)
        estimator.fit(X, X, epochs=3, batch_size=32, verbose=0)
        estimator.predict(X, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["ours", "keras"])
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    set_smoke(args.smoke)
    if args.child:
        child(args.child)
        return
    n_fits, n_sequences = sizes()
    ks = [k for k in (1, 3, 10, 20, 30) if k < n_fits] + [n_fits]
    mib = 2**20
    rows, growth, later_fit = [], {}, {}
    for which, label in [
        ("ours", "LSTMAutoencoderTransformer"),
        ("keras", "Keras by hand"),
    ]:
        result = run_child(__file__, "--child", which)
        rss = result["rss"]
        growth[which] = (rss[-1] - rss[2]) / mib
        later_fit[which] = median(result["seconds"][3:])
        rows.append(
            [label]
            + [f"{rss[k - 1] / mib:.0f} MiB" for k in ks]
            + [f"{growth[which]:+.0f} MiB"]
        )
        print(rows[-1], flush=True)
    body = (
        f"RSS after fit number k of {n_fits} ({n_sequences} sequences x 30 steps "
        "x 3 features, 3 epochs; 3 architectures of 16, 17, 18 LSTM units in turn, "
        "a new seed each fit; ours with the hand-written network: "
        "`encoding_dim=None, pooling=None, linear_path=False, downsample=1, "
        "validation_split=0.0, early_stopping=None`), each contender in a fresh "
        "process:\n\n"
        + table(
            ["contender", *(f"k={k}" for k in ks), f"k={n_fits} minus k=3"],
            rows,
        )
        + f"\n\nMedian time of fits 4-{n_fits} (each fit + transform), "
        "hand-written Keras / "
        f"ours: {later_fit['keras'] / later_fit['ours']:.2f}x (ours trains on an "
        "already traced model from the fourth fit on)."
    )
    print(body)
    write_section(
        "memory",
        "Memory across repeated fits",
        body,
        "python benchmarks/bench_memory.py",
    )


if __name__ == "__main__":
    main()
