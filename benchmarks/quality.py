"""Quality of the codes on real data (issue 8), next to simple baselines.

Classification on five UCR/UEA datasets shipped with ``aeon`` (standard
splits): codes -> StandardScaler -> LogisticRegression for our transformer
(defaults, only ``random_state`` set; version 0.2's defaults; the defaults'
network untrained, with and without PCA's start; and the options given with
``--option``), against the raw series + LR, PCA(16) + LR and MiniRocket +
RidgeClassifierCV; 3 seeds for the seeded contenders, fit time included, and
each contender's mean accuracy over the datasets. Anomaly detection on aeon's
KDD-TSAD_135 series: windows of the series, ROC AUC of ``-score_samples``
against PCA reconstruction error and IsolationForest on the same windows.

    pip install -e ".[bench]"   # aeon: for this script only
    python benchmarks/quality.py
    python benchmarks/quality.py --reconstruction   # issue 16's tables
    python benchmarks/quality.py --smoke   # GunPoint, 1 seed, 2 epochs
    python benchmarks/quality.py --reconstruction --smoke

``--reconstruction`` measures what rests on the reconstruction, on five UCR/UEA
datasets (standard splits): the test reconstruction error with a k-value code
(k = 8, 16) against PCA(k) in the same standardized units (those of
``score_samples``), with the textbook LSTM autoencoder next to it; and one-class
anomaly detection (fit on one class's training sequences, score the whole test
split, ROC AUC of "another class", averaged over the classes and seeds) against
PCA(16)'s reconstruction error and IsolationForest.
"""

import argparse
import ast

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
from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer

SEEDS = (0, 1, 2)
WINDOW, STEP = 64, 8
DATASETS = ("GunPoint", "BasicMotions", "ArrowHead", "OSULeaf", "ACSF1")
#: Smoke mode (``--smoke``): one seed, one dataset, and our networks trained for
#: 2 epochs (a contender's own ``epochs``, the untrained ones' 0, wins).
SMOKE_DATASETS, SMOKE_EPOCHS = ("GunPoint",), 2

#: Version 0.2's defaults: the recurrent network alone, trained for all epochs.
DEFAULTS_0_2 = {"linear_path": False, "validation_split": 0.0, "early_stopping": None}
#: The ablation of issue 16: the defaults' network, not trained (``epochs=0``):
#: with PCA's start (the linear path), and with random weights only.
UNTRAINED = {"epochs": 0}
UNTRAINED_RANDOM = {"epochs": 0, "linear_path": False}
#: Every contender on the codes of our transformer, in table order.
CODE_CONTENDERS = [
    ("ours, defaults", {}),
    ("ours, 0.2 defaults (recurrent only)", DEFAULTS_0_2),
    ("ours, untrained (PCA start, epochs=0)", UNTRAINED),
    ("ours, untrained (random weights)", UNTRAINED_RANDOM),
]


def flat(X):
    return X.reshape(len(X), -1)


def ours(**params):
    """Our transformer with ``params`` (2 epochs unless given, in smoke mode)."""
    if smoke_mode():
        params = {"epochs": SMOKE_EPOCHS, **params}
    return LSTMAutoencoderTransformer(**params)


def code_label(label, model):
    """``label`` with ``{width}`` replaced by the fitted model's code width."""
    return label.format(width=len(model.get_feature_names_out()))


def accuracy(model, X_train, y_train, X_test, y_test):
    with Stopwatch() as watch:
        model.fit(X_train, y_train)
    return model.score(X_test, y_test), watch.seconds


def classification_rows(name, options, seeds):
    from aeon.transformations.collection.convolution_based import MiniRocket

    X_train, y_train, X_test, y_test = load(name)
    rows, means = [], {}

    def row(label, scores, seconds):
        scores = np.asarray(scores)
        means[label] = scores.mean()
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
        for seed in seeds
    ]
    row("MiniRocket + RidgeCV", *zip(*results, strict=True))
    for label, params in [*CODE_CONTENDERS, *options]:
        results = [
            accuracy(
                make_pipeline(
                    ours(random_state=seed, **params),
                    StandardScaler(),
                    LogisticRegression(max_iter=2000),
                ),
                X_train,
                y_train,
                X_test,
                y_test,
            )
            for seed in seeds
        ]
        row(label, *zip(*results, strict=True))
    return rows, means


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
        model = ours(random_state=0).fit(windows)
    scores = {
        "PCA(16) reconstruction error": pca_error,
        "IsolationForest": -forest.score_samples(windows),
        "ours, defaults (-score_samples)": -model.score_samples(windows),
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


def _k_code(k):
    """Our defaults with a k-value code (the bottleneck alone)."""
    return {"encoding_dim": k, "pooling": None}


def _textbook(k):
    """LSTM(k) -> RepeatVector -> LSTM(k) -> TimeDistributed(Dense): the code is
    the last state, every step reaches the recurrent layers, all epochs."""
    return {
        "units": (k,),
        "encoding_dim": None,
        "pooling": None,
        "downsample": 1,
        "validation_split": 0.0,
        "early_stopping": None,
    }


def reconstruction_rows(name, seeds):
    X_train, _, X_test, _ = load(name)
    rows = []
    for k in (8, 16):
        pca = pca_errors(X_train, X_test, k).mean()
        contenders = [
            (f"ours, {k}-value code", _k_code(k)),
            (f"textbook LSTM({k}) autoencoder", _textbook(k)),
        ]
        if k == 16:
            contenders += [
                ("ours, defaults ({width}-value code)", {}),
                ("ours, 0.2 defaults ({width}-value code)", DEFAULTS_0_2),
            ]
        rows.append([name, k, f"PCA({k})", f"{pca:.5f}", "1.000", "", ""])
        print(rows[-1], flush=True)
        for label, params in contenders:
            errors, seconds, losses = [], [], []
            for seed in seeds:
                model = ours(random_state=seed, **params)
                with Stopwatch() as watch:
                    model.fit(X_train)
                errors.append(-model.score_samples(X_test).mean())
                seconds.append(watch.seconds)
                losses.append(model.history_["loss"][-1])
            errors = np.asarray(errors)
            rows.append(
                [
                    name,
                    k,
                    code_label(label, model),
                    f"{errors.mean():.5f} +- {errors.std():.5f}",
                    f"{errors.mean() / pca:.3f}",
                    f"{np.mean(losses):.4f}",
                    f"{np.mean(seconds):.1f} s",
                ]
            )
            print(rows[-1], flush=True)
    return rows


def one_class_rows(name, seeds):
    X_train, y_train, X_test, y_test = load(name)

    def forest(seed, normal):
        model = IsolationForest(random_state=seed).fit(flat(normal))
        return -model.score_samples(flat(X_test))

    def scorer(params):
        def scores(seed, normal):
            model = ours(random_state=seed, **params)
            return -model.fit(normal).score_samples(X_test)

        return scores

    # Seeded scorers: anomaly scores of the test split, given a seed and the
    # normal training sequences.
    scorers = {
        "IsolationForest": forest,
        "ours, defaults": scorer({}),
        "ours, 0.2 defaults": scorer(DEFAULTS_0_2),
    }
    scores = {"PCA(16) error": [], **{label: [] for label in scorers}}
    for label in np.unique(y_train):
        normal = X_train[y_train == label]
        truth = y_test != label
        scores["PCA(16) error"].append(
            roc_auc_score(truth, pca_errors(normal, X_test, 16))
        )
        for scorer, anomaly_scores in scorers.items():
            scores[scorer].append(
                np.mean(
                    [
                        roc_auc_score(truth, anomaly_scores(seed, normal))
                        for seed in seeds
                    ]
                )
            )
    rows = [
        [name, len(scores["IsolationForest"]), label, f"{np.mean(values):.3f}"]
        for label, values in scores.items()
    ]
    for row in rows:
        print(row, flush=True)
    return rows


def reconstruction_main(args):
    seeds = SEEDS[: args.seeds]
    recon, one_class = [], []
    for name in args.datasets or DATASETS:
        recon += reconstruction_rows(name, seeds)
    for name in args.datasets or DATASETS:
        one_class += one_class_rows(name, seeds)
    body = (
        f"Test reconstruction error (mean squared error per value, in the "
        f"standardized units of `score_samples`; mean +- std over seeds "
        f"{', '.join(map(str, seeds))}), ratio to PCA(k) with as many values "
        "(below 1.00 is better than PCA), final training loss, fit time per fit; "
        "standard test splits. `k-value code`: the defaults with `encoding_dim=k, "
        "pooling=None`; textbook: `units=(k,), encoding_dim=None, pooling=None, "
        "downsample=1, validation_split=0.0, early_stopping=None`; 0.2 defaults: "
        "`linear_path=False, validation_split=0.0, early_stopping=None`.\n\n"
        + table(
            ["dataset", "k", "contender", "test MSE", "/ PCA", "train loss", "fit"],
            recon,
        )
        + "\n\nOne-class anomaly detection (fit on the training sequences of one "
        'class, score the whole test split; ROC AUC of "another class", mean '
        f"over the classes and seeds {', '.join(map(str, seeds))}).\n\n"
        + table(["dataset", "classes", "scorer", "ROC AUC"], one_class)
    )
    print(body)
    command = "python benchmarks/quality.py --reconstruction" + (
        f" --seeds {args.seeds}" if args.seeds != len(SEEDS) else ""
    )
    write_section("reconstruction", "Reconstruction and anomaly scores", body, command)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reconstruction",
        action="store_true",
        help="measure reconstruction and one-class anomaly detection instead",
    )
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        help='extra transformer settings to measure, e.g. "reverse_target=True"',
    )
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if set_smoke(args.smoke):
        args.seeds, args.datasets = 1, args.datasets or list(SMOKE_DATASETS)
    if args.reconstruction:
        reconstruction_main(args)
        return
    options = []
    for option in args.option:
        params = {}
        for item in option.split(","):
            key, value = item.split("=")
            params[key.strip()] = ast.literal_eval(value.strip())
        options.append((f"ours, {option}", params))
    rows, means = [], {}
    names = args.datasets or DATASETS
    seeds = SEEDS[: args.seeds]
    for name in names:
        dataset_rows, dataset_means = classification_rows(name, options, seeds)
        rows += dataset_rows
        for label, value in dataset_means.items():
            means.setdefault(label, []).append(value)
    summary = [
        [label, f"{np.mean(values):.3f}"]
        for label, values in means.items()
        if len(values) == len(names)
    ]
    anomaly, detail = anomaly_rows()
    body = (
        f"Test accuracy (mean +- std over seeds {', '.join(map(str, seeds))} for "
        "seeded contenders; fit time per fit), standard train/test splits. Ours: "
        "codes -> StandardScaler -> LogisticRegression; 0.2 defaults: "
        "`linear_path=False, validation_split=0.0, early_stopping=None`; "
        "untrained: `epochs=0` (with PCA's start), `epochs=0, linear_path=False` "
        "(random weights):\n\n"
        + table(["dataset", "contender", "accuracy", "fit time"], rows)
        + f"\n\nMean accuracy over the {len(names)} datasets:\n\n"
        + table(["contender", "mean accuracy"], summary)
        + "\n\nAnomaly detection, ROC AUC over windows ("
        + detail
        + "):\n\n"
        + table(["series", "scorer", "ROC AUC"], anomaly)
    )
    print(body)
    command = (
        "python benchmarks/quality.py"
        + (f" --seeds {args.seeds}" if args.seeds != len(SEEDS) else "")
        + (f" --datasets {' '.join(names)}" if args.datasets else "")
        + "".join(f' --option "{option}"' for option in args.option)
    )
    write_section("quality", "Quality of the codes on real data", body, command)


if __name__ == "__main__":
    main()
