"""Memory over a grid search's life: RSS after each of 30 consecutive fits.

Each contender runs in its own fresh process: 30 fits (each followed by
``transform`` of the training data and dropping the estimator, as a search
does) of ``LSTMAutoencoderTransformer``, and the same 30 fits of the same network
written by hand in Keras (build, compile, fit, predict). RSS is read after a
garbage collection following each fit. The 30 fits cycle through 3
architectures (16, 17, 18 units) with a new seed each time, as a small grid
search's candidates and folds do: our estimators train on one compiled model per
architecture (``sklearn_lstmae/_trainers.py``), so only the first fit of each
architecture adds a traced training step to the process.

    python benchmarks/bench_memory.py
"""

import argparse
import gc
import json

from _common import (
    Stopwatch,
    hand_written_autoencoder,
    make_data,
    median,
    run_child,
    table,
    write_section,
)

N_FITS = 30


def child(which):
    import psutil

    X = make_data(300, 30, 3)
    rss, seconds = [], []
    for fit in range(N_FITS):
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
            encoding_dim=8, units=(16 + fit % 3,), epochs=3, random_state=fit
        ).fit(X)
        estimator.transform(X)
    else:
        estimator = hand_written_autoencoder(30, 3, units=16 + fit % 3)
        estimator.fit(X, X, epochs=3, batch_size=32, verbose=0)
        estimator.predict(X, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["ours", "keras"])
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
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
            + [f"{rss[index - 1] / mib:.0f} MiB" for index in (1, 3, 10, 20, 30)]
            + [f"{growth[which]:+.0f} MiB"]
        )
        print(rows[-1], flush=True)
    body = (
        f"RSS after fit number k of {N_FITS} (300 sequences x 30 steps x 3 "
        "features, 3 epochs; 3 architectures of 16, 17, 18 LSTM units in turn, a "
        "new seed each fit), each contender in a fresh process:"
        "\n\n"
        + table(
            ["contender", "k=1", "k=3", "k=10", "k=20", "k=30", "k=30 minus k=3"],
            rows,
        )
        + "\n\nMedian time of fits 4-30 (each fit + transform), hand-written Keras / "
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
