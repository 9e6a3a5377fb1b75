"""Anomaly detection with LSTMAutoencoderOutlierDetector (issue 17), side by side.

One-class protocol on five UCR/UEA datasets shipped with ``aeon`` (standard
splits): each class in turn is normal; fit on its training sequences, score the
whole test split; "another class" is an anomaly. ROC AUC of the anomaly scores
(mean over classes and seeds), and, for our detector with
``contamination="auto"``, precision and recall of ``predict`` (anomaly = -1)
and its false-positive rate on the normal class's test sequences. Next to it:
PCA(16)'s reconstruction error, IsolationForest on the raw series and on our
transformer's codes (same network, same seed), and aeon's ROCKAD.

A long series, aeon's KDD-TSAD_135 (7501 points, one anomaly at points
4187-4198, the first 1200 points normal for training): point-level ROC AUC and
PR AUC (average precision) of ``score_series`` (windows of ``--window`` steps,
stride 1), precision and recall of ``predict_series``, against aeon's series
detectors that run here and a windowed IsolationForest (PyOD's
``TimeSeriesOD`` recipe: window scores mapped to time stamps by their mean).

    pip install -e ".[bench]"   # aeon: for this script only
    python benchmarks/anomaly.py
    python benchmarks/anomaly.py --smoke   # GunPoint, 1 seed, 2 epochs
"""

import argparse
import warnings

import numpy as np
from _common import (
    SMOKE_HELP,
    Stopwatch,
    load,
    pca_errors,
    set_smoke,
    smoke_mode,
    table,
    write_section,
)
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score

from sklearn_lstmae import LSTMAutoencoderOutlierDetector, LSTMAutoencoderTransformer
from sklearn_lstmae.windows import map_window_scores, sliding_windows

SEEDS = (0, 1, 2)
#: Our detector's two anomaly scores (its ``anomaly_score`` parameter).
SCORES = ("neighbors", "reconstruction")
DATASETS = ("GunPoint", "BasicMotions", "ArrowHead", "OSULeaf", "ACSF1")
#: KDD-TSAD_135: the competition's training part, and the window length.
KDD_TRAIN, WINDOW = 1200, 64
#: Smoke mode (``--smoke``): one seed, one dataset, our networks trained for 2
#: epochs.
SMOKE_DATASETS, SMOKE_EPOCHS = ("GunPoint",), 2


def flat(X):
    return X.reshape(len(X), -1)


def ours(estimator, **params):
    """Our ``estimator`` class with ``params`` (2 epochs in smoke mode)."""
    if smoke_mode():
        params = {"epochs": SMOKE_EPOCHS, **params}
    return estimator(**params)


def _precision_recall(flagged, truth):
    """Precision (NaN when nothing is flagged) and recall of ``flagged``."""
    hits = np.sum(flagged & truth)
    precision = hits / flagged.sum() if flagged.any() else np.nan
    return precision, hits / truth.sum()


def one_class_rows(name, seeds):
    from aeon.anomaly_detection.collection import ROCKAD

    X_train, y_train, X_test, y_test = load(name)
    aucs, detection, seconds = {}, {}, []

    def record(label, truth, scores):
        aucs.setdefault(label, []).append(roc_auc_score(truth, scores))

    for label in np.unique(y_train):
        normal, truth = X_train[y_train == label], y_test != label
        record("PCA(16) error", truth, pca_errors(normal, X_test, 16))
        for seed in seeds:
            forest = IsolationForest(random_state=seed).fit(flat(normal))
            record("IsolationForest, raw", truth, -forest.score_samples(flat(X_test)))
            for score in SCORES:
                with Stopwatch() as watch:
                    detector = ours(
                        LSTMAutoencoderOutlierDetector,
                        anomaly_score=score,
                        random_state=seed,
                    ).fit(normal)
                seconds.append(watch.seconds)
                record(f"ours, {score}", truth, -detector.score_samples(X_test))
                flagged = detector.predict(X_test) == -1
                precision, recall = _precision_recall(flagged, truth)
                detection.setdefault(score, []).append(
                    (precision, recall, flagged[~truth].mean())
                )
            codes = ours(LSTMAutoencoderTransformer, random_state=seed).fit(normal)
            forest = IsolationForest(random_state=seed).fit(codes.transform(normal))
            record(
                "IsolationForest, our codes",
                truth,
                -forest.score_samples(codes.transform(X_test)),
            )
            rockad = ROCKAD(random_state=seed, n_neighbors=min(5, len(normal) - 1))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rockad.fit(normal.transpose(0, 2, 1))
                scores = rockad.predict(X_test.transpose(0, 2, 1))
            # ROCKAD's scores are infinite for some sequences of ACSF1: they
            # rank first, as infinity would.
            record("aeon ROCKAD", truth, np.nan_to_num(scores, posinf=1e300))
    row = [name, len(np.unique(y_train))]
    auc_row = row + [f"{np.mean(values):.3f}" for values in aucs.values()]
    detection_rows = []
    for score, results in detection.items():
        precision, recall, false_alarms = np.nanmean(results, axis=0)
        detection_rows.append(
            [
                *row,
                score,
                f"{precision:.2f}",
                f"{recall:.2f}",
                f"{false_alarms:.2f}",
                f"{_anomaly_share(y_test):.2f}",
                f"{np.mean(seconds):.1f} s",
            ]
        )
    print(auc_row, detection_rows, flush=True)
    return list(aucs), auc_row, detection_rows


def _anomaly_share(y_test):
    """Share of anomalies in the test split, averaged over the normal class."""
    _, counts = np.unique(y_test, return_counts=True)
    return np.mean(1 - counts / len(y_test))


def kdd_rows(seeds, window):
    from aeon.anomaly_detection.series.distance_based import MERLIN, KMeansAD
    from aeon.anomaly_detection.series.distribution_based import DWT_MLEAD
    from aeon.datasets import load_kdd_tsad_135

    series, labels = load_kdd_tsad_135()
    truth = labels.astype(bool)
    train = series[:KDD_TRAIN]
    rows = []

    def row(label, anomaly_scores, seconds, flagged=None):
        cells = [
            label,
            f"{roc_auc_score(truth, anomaly_scores):.3f}",
            f"{average_precision_score(truth, anomaly_scores):.3f}",
        ]
        if flagged is not None:
            precision, recall = _precision_recall(flagged, truth)
            cells += [f"{precision:.2f}", f"{recall:.2f}", f"{flagged.sum()}"]
        else:
            cells += ["", "", ""]
        rows.append([*cells, f"{seconds:.1f} s"])
        print(rows[-1], flush=True)

    windows = sliding_windows(train, window)
    for score in SCORES:
        for seed in seeds:
            with Stopwatch() as watch:
                detector = ours(
                    LSTMAutoencoderOutlierDetector,
                    anomaly_score=score,
                    random_state=seed,
                )
                detector.fit(windows)
            for aggregate in ("mean", "max"):
                with Stopwatch() as scoring:
                    scores = detector.score_series(series, aggregate=aggregate)
                flagged = detector.predict_series(series, aggregate=aggregate) == -1
                row(
                    f"ours, {score}, aggregate={aggregate!r}, seed {seed}",
                    -scores,
                    watch.seconds + scoring.seconds,
                    flagged,
                )
    # The same windows through PCA(16) (standardized like ours), and a windowed
    # IsolationForest: window scores mapped to time stamps by their mean.
    mean, scale = train.mean(), train.std()
    test_windows = sliding_windows((series - mean) / scale, window)
    with Stopwatch() as watch:
        pca = PCA(16).fit((windows - mean) / scale)
        rebuilt = pca.inverse_transform(pca.transform(test_windows))
        errors = ((test_windows - rebuilt) ** 2).mean(axis=1)
        pca_scores = map_window_scores(-errors, len(series), window)
    row("PCA(16) window error, mean over windows", -pca_scores, watch.seconds)
    for seed in seeds[:1]:
        with Stopwatch() as watch:
            forest = IsolationForest(random_state=seed).fit(windows)
            forest_scores = map_window_scores(
                forest.score_samples(sliding_windows(series, window)),
                len(series),
                window,
            )
        row(
            "IsolationForest on windows, mean over windows",
            -forest_scores,
            watch.seconds,
        )
    aeon_detectors = {
        "aeon KMeansAD (fitted on the training part)": (
            KMeansAD(window_size=window, random_state=0),
            True,
        ),
        "aeon DWT_MLEAD": (DWT_MLEAD(), False),
        "aeon MERLIN": (MERLIN(min_length=window // 2, max_length=window), False),
    }
    for label, (detector, semi_supervised) in aeon_detectors.items():
        with Stopwatch() as watch:
            try:
                if semi_supervised:
                    scores = detector.fit(train).predict(series)
                else:
                    scores = detector.fit_predict(series)
            except Exception as error:  # an optional contender; say why it is out
                rows.append(
                    [label, f"failed: {type(error).__name__}", "", "", "", "", ""]
                )
                print(rows[-1], flush=True)
                continue
        row(label, np.asarray(scores, dtype=float), watch.seconds)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--window", type=int, default=WINDOW)
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if set_smoke(args.smoke):
        args.seeds, args.datasets = 1, args.datasets or list(SMOKE_DATASETS)
    seeds = SEEDS[: args.seeds]
    auc_rows, detection_rows = [], []
    for name in args.datasets or DATASETS:
        scorers, auc_row, rows = one_class_rows(name, seeds)
        auc_rows.append(auc_row)
        detection_rows += rows
    # Each contender's mean ROC AUC over the datasets.
    columns = np.array([[float(cell) for cell in row[2:]] for row in auc_rows])
    auc_rows.append(["mean", "", *(f"{mean:.3f}" for mean in columns.mean(axis=0))])
    kdd = kdd_rows(seeds, args.window)
    seed_text = ", ".join(map(str, seeds))
    body = (
        "One-class protocol (each class normal in turn: fit on its training "
        'sequences, score the whole test split; ROC AUC of "another class", mean '
        f"over classes and seeds {seed_text}). Ours: `LSTMAutoencoderOutlierDetector"
        "(anomaly_score=..., random_state=seed)`, otherwise the defaults; "
        "IsolationForest on our codes: "
        "`LSTMAutoencoderTransformer(random_state=seed)` codes; ROCKAD: aeon's "
        "semi-supervised ROCKET + nearest neighbours.\n\n"
        + table(["dataset", "classes", *scorers], auc_rows)
        + '\n\nOur `predict` with `contamination="auto"` (the threshold: the '
        "boxplot fence of the training codes' leave-one-out distances, or of the "
        "reconstruction errors of the held-out 20% of the normal training "
        "sequences): precision and recall of the anomalies (precision over the "
        "classes where something was flagged), false-positive rate on the normal "
        "class's test sequences, "
        "the share of anomalies in the test split, and fit time per fit.\n\n"
        + table(
            [
                "dataset",
                "classes",
                "score",
                "precision",
                "recall",
                "false positives",
                "anomaly share",
                "fit",
            ],
            detection_rows,
        )
        + f"\n\nKDD-TSAD_135 (7501 points; fit on the windows of {args.window} steps "
        f"of the first {KDD_TRAIN} points, normal; score every point): point-level "
        "ROC AUC and PR AUC (average precision) of the anomaly scores; for ours "
        "also precision, recall and the number of points flagged by "
        '`predict_series` (`contamination="auto"`), time to fit and score.\n\n'
        + table(
            [
                "contender",
                "ROC AUC",
                "PR AUC",
                "precision",
                "recall",
                "flagged",
                "time",
            ],
            kdd,
        )
    )
    print(body)
    command = "python benchmarks/anomaly.py" + (
        f" --seeds {args.seeds}" if args.seeds != len(SEEDS) else ""
    )
    write_section("anomaly", "Anomaly detection", body, command)


if __name__ == "__main__":
    main()
