"""Quality of the codes on real data (issue 8), next to simple baselines.

Classification on two UCR/UEA datasets shipped with ``aeon`` (standard splits):
codes -> StandardScaler -> LogisticRegression for our transformer (defaults,
only ``random_state`` set, and the options given with ``--option``), against the
raw series + LR, PCA(16) + LR and MiniRocket + RidgeClassifierCV; 3 seeds for
the seeded contenders, fit time included. Anomaly detection on aeon's
KDD-TSAD_135 series: windows of the series, ROC AUC of ``-score_samples``
against PCA reconstruction error and IsolationForest on the same windows.

    pip install -e ".[bench]"   # aeon: for this script only
    python benchmarks/quality.py
"""

import argparse
import ast

import numpy as np
from _common import Stopwatch, table, write_section
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer

SEEDS = (0, 1, 2)
WINDOW, STEP = 64, 8


def load(name):
    from aeon.datasets import load_basic_motions, load_gunpoint

    loader = {"GunPoint": load_gunpoint, "BasicMotions": load_basic_motions}[name]
    X_train, y_train = loader(split="train")
    X_test, y_test = loader(split="test")
    # aeon is channels-first (n, channels, length); we are channels-last.
    return (
        X_train.transpose(0, 2, 1),
        y_train,
        X_test.transpose(0, 2, 1),
        y_test,
    )


def flat(X):
    return X.reshape(len(X), -1)


def accuracy(model, X_train, y_train, X_test, y_test):
    with Stopwatch() as watch:
        model.fit(X_train, y_train)
    return model.score(X_test, y_test), watch.seconds


def classification_rows(name, options):
    from aeon.transformations.collection.convolution_based import MiniRocket

    X_train, y_train, X_test, y_test = load(name)
    rows = []

    def row(label, scores, seconds):
        scores = np.asarray(scores)
        spread = f" +- {scores.std():.3f}" if len(scores) > 1 else ""
        rows.append(
            [name, label, f"{scores.mean():.3f}{spread}", f"{np.mean(seconds):.1f} s"]
        )
        print(rows[-1], flush=True)

    for label, model in [
        (
            "raw series + LR",
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        ),
        (
            "PCA(16) + LR",
            make_pipeline(StandardScaler(), PCA(16), LogisticRegression(max_iter=2000)),
        ),
    ]:
        score, seconds = accuracy(model, flat(X_train), y_train, flat(X_test), y_test)
        row(label, [score], [seconds])
    results = [
        accuracy(
            make_pipeline(
                MiniRocket(random_state=seed),
                StandardScaler(with_mean=False),
                RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)),
            ),
            X_train.transpose(0, 2, 1),
            y_train,
            X_test.transpose(0, 2, 1),
            y_test,
        )
        for seed in SEEDS
    ]
    row("MiniRocket + RidgeCV", *zip(*results, strict=True))
    for label, params in [("ours, defaults", {}), *options]:
        results = [
            accuracy(
                make_pipeline(
                    LSTMAutoencoderTransformer(random_state=seed, **params),
                    StandardScaler(),
                    LogisticRegression(max_iter=2000),
                ),
                X_train,
                y_train,
                X_test,
                y_test,
            )
            for seed in SEEDS
        ]
        row(label, *zip(*results, strict=True))
    return rows


def anomaly_rows():
    from aeon.datasets import load_kdd_tsad_135

    series, labels = load_kdd_tsad_135()
    starts = np.arange(0, len(series) - WINDOW + 1, STEP)
    windows = np.stack([series[start : start + WINDOW] for start in starts])
    truth = np.array([labels[start : start + WINDOW].any() for start in starts])
    scaled = StandardScaler().fit_transform(windows)
    pca = PCA(16).fit(scaled)
    pca_error = ((scaled - pca.inverse_transform(pca.transform(scaled))) ** 2).mean(1)
    forest = IsolationForest(random_state=0).fit(windows)
    with Stopwatch() as watch:
        ours = LSTMAutoencoderTransformer(random_state=0).fit(windows)
    scores = {
        "PCA(16) reconstruction error": pca_error,
        "IsolationForest": -forest.score_samples(windows),
        "ours, defaults (-score_samples)": -ours.score_samples(windows),
    }
    rows = [
        ["KDD-TSAD_135", label, f"{roc_auc_score(truth, score):.3f}"]
        for label, score in scores.items()
    ]
    for row in rows:
        print(row, flush=True)
    detail = (
        f"{len(windows)} windows of {WINDOW} steps every {STEP} (of {len(series)} "
        f"points); {truth.sum()} windows contain an anomalous point; our fit took "
        f"{watch.seconds:.0f} s."
    )
    return rows, detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        help='extra transformer settings to measure, e.g. "reverse_target=True"',
    )
    args = parser.parse_args()
    options = []
    for option in args.option:
        params = {}
        for item in option.split(","):
            key, value = item.split("=")
            params[key.strip()] = ast.literal_eval(value.strip())
        options.append((f"ours, {option}", params))
    rows = []
    for name in ("GunPoint", "BasicMotions"):
        rows += classification_rows(name, options)
    anomaly, detail = anomaly_rows()
    body = (
        "Test accuracy (mean +- std over seeds 0, 1, 2 for seeded contenders; fit "
        "time per fit), standard train/test splits:\n\n"
        + table(["dataset", "contender", "accuracy", "fit time"], rows)
        + "\n\nAnomaly detection, ROC AUC over windows ("
        + detail
        + "):\n\n"
        + table(["series", "scorer", "ROC AUC"], anomaly)
    )
    print(body)
    command = "python benchmarks/quality.py" + "".join(
        f' --option "{option}"' for option in args.option
    )
    write_section("quality", "Quality of the codes on real data", body, command)


if __name__ == "__main__":
    main()
