"""Learning on many sequences (issue 34): where the data allows it, does the
autoencoder learn what PCA cannot, and does it beat a dense autoencoder and the
textbook LSTM autoencoder at the same code size?

Three data sets, all offline:

- ``synthetic``: a family of 64-step univariate sequences with a few nonlinear
  factors (``make_family``: frequency, phase, amplitude, a time warp, and a
  shape, sine / square / sawtooth, mixed into a sine), noise 0.05; seeded;
  train sizes up to 3000, 1000 test sequences. Code size k = 4.
- ``Daphnet-S06R02E0``: the 7040-step, 9-channel accelerometer recording
  shipped with aeon, cut into 64-step windows every 8 steps
  (``sklearn_lstmae.windows.sliding_windows``), split in time: windows inside
  the first 70% train, those starting after it test; standardized per channel
  with the training windows. k = 8. (aeon's KDD-TSAD_135 series is too smooth
  to tell anything apart: PCA(8) reconstructs its test windows to an MSE of
  7e-5.)
- ``ItalyPowerDemand`` (UCR, shipped with aeon, 24 steps): its larger split,
  the 1029-sequence test split, trains; the 67-sequence train split tests.
  k = 8.

Contenders at code size k, all fitted on the same standardized training
sequences (per-feature mean and standard deviation of the training split) and
scored on the same standardized test sequences, test MSE per value:

- ``PCA(k)`` on the flattened sequences;
- a dense autoencoder, ``MLPRegressor`` trained X -> X on the flattened
  sequences, ``early_stopping=True``, ``max_iter=500``, the grid
  ``MLP_GRID`` (hidden layers (128, k, 128) and (256, k, 256), initial
  learning rate 1e-3 and 3e-3), the grid point chosen by its own validation
  score (``best_validation_score_``, its 10% held out), never by the test set;
- the textbook LSTM autoencoder in plain Keras, ``LSTM(u) -> Dense(k) ->
  RepeatVector(T) -> LSTM(u, return_sequences=True) -> TimeDistributed(Dense(F))``,
  Adam 1e-3, batch 64, at most 100 epochs, ``EarlyStopping(patience=15,
  restore_best_weights=True)`` on a 10% validation split, u = 64 and 128;
- ours with its defaults but a k-value code: ``LSTMAutoencoderTransformer(
  encoding_dim=k, pooling=None, random_state=seed)``;
- ours recurrent only: the same with ``linear_path=False`` (trained as in 0.2:
  nothing held out, all 100 epochs).

Ours is scored as ``inverse_transform(transform(X_test))`` against ``X_test``:
its input is already standardized, so its own scaler is the identity there
and this is ``-score_samples(X_test)`` (the script checks it).

Tables: test MSE, its ratio to PCA(k), fit time and epochs per data set; the
learning curve on the synthetic family (test MSE and fit time against the
number of training sequences); and what the codes hold on the synthetic
family: the generating factors predicted from the codes of the 1000 test
sequences (5-fold cross-validation; LogisticRegression for the shape,
Ridge R^2 for the others), the trained network against the same network with
``epochs=0`` (PCA's configuration, kept untrained), the same network with random
weights (``linear_path=False, epochs=0``) and PCA(k).

    pip install -e ".[bench]"   # aeon: for this script only
    python benchmarks/learning.py   # about 35 min on 2 idle cores, 65 shared
    python benchmarks/learning.py --smoke   # tiny sizes, 1 seed, no RESULTS.md
"""

import argparse
import gc
import logging
import os
import time
import warnings

import numpy as np
from _common import (
    SMOKE_HELP,
    Stopwatch,
    machine,
    set_smoke,
    smoke_mode,
    table,
    write_section,
)
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae._data import SequenceScaler
from sklearn_lstmae.windows import sliding_windows

SEEDS = (0, 1, 2)
#: The synthetic family: steps, test sequences, learning-curve train sizes, and
#: the size of the main comparison (with the textbook model).
T_SYNTH, N_TEST = 64, 1000
SIZES = (30, 100, 300, 1000, 3000)
MAIN_SIZE = 1000
#: Code sizes: k = 4 on the synthetic family (it has 4 continuous factors and a
#: shape), 8 on the real data.
K_SYNTH, K_REAL = 4, 8
#: The real series' windows.
WINDOW, STRIDE, TRAIN_FRACTION = 64, 8, 0.7
#: The dense autoencoder's grid: hidden layers (k filled in) x initial rate.
MLP_HIDDEN = ((128, None, 128), (256, None, 256))
MLP_RATES = (1e-3, 3e-3)
MLP_MAX_ITER = 500
#: The textbook model's widths; on the learning curve it runs at MAIN_SIZE only
#: (the slow part of the run).
TEXTBOOK_UNITS = (64, 128)
#: Smoke mode: sizes, test sequences, epochs (ours and the textbook model) and
#: MLP iterations.
SMOKE_SIZES, SMOKE_TEST, SMOKE_EPOCHS, SMOKE_ITER = (30, 100), 100, 2, 20
SMOKE_WINDOWS = 200


# -- data ----------------------------------------------------------------------
def make_family(n, seed, n_timesteps=T_SYNTH, noise=0.05):
    """The synthetic family: ``X`` (n, T, 1) float32 and its factors.

    Per sequence: frequency f ~ U(1, 4) cycles per sequence, phase
    phi ~ U(0, 2 pi), amplitude a ~ U(0.5, 2), a time warp w ~ U(-0.7, 0.7)
    (time t in [0, 1] becomes t ** exp(w)), a shape s in {sine, square,
    sawtooth} mixed into a sine with weight m ~ U(0.5, 1):
    ``x(t) = a * ((1 - m) sin(theta) + m g_s(theta))``, theta = 2 pi f
    t ** exp(w) + phi, g_sine = sin, g_square = tanh(4 sin) / tanh(4),
    g_sawtooth = 2 frac(theta / 2 pi) - 1; plus N(0, noise^2) per value.
    """
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, n_timesteps)[None, :]
    freq = rng.uniform(1, 4, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.5, 2, (n, 1))
    warp = rng.uniform(-0.7, 0.7, (n, 1))
    shape = rng.integers(0, 3, n)
    mix = rng.uniform(0.5, 1, (n, 1))
    theta = 2 * np.pi * freq * t ** np.exp(warp) + phase
    waves = np.stack(
        [
            np.sin(theta),
            np.tanh(4 * np.sin(theta)) / np.tanh(4),
            2 * np.mod(theta / (2 * np.pi), 1) - 1,
        ]
    )
    shaped = waves[shape, np.arange(n)]
    x = amp * ((1 - mix) * np.sin(theta) + mix * shaped)
    x += noise * rng.standard_normal(x.shape)
    factors = {
        "shape": shape,
        "frequency": freq[:, 0],
        "amplitude": amp[:, 0],
        "warp": warp[:, 0],
        "phase (cos, sin)": np.c_[np.cos(phase[:, 0]), np.sin(phase[:, 0])],
    }
    return x[..., None].astype(np.float32), factors


def series_windows():
    """Daphnet S06R02E0 (9 accelerometer channels) in 64-step windows, split
    in time: train, test (n, T, 9)."""
    from aeon.datasets import load_daphnet_s06r02e0

    series, _ = load_daphnet_s06r02e0()
    series = np.asarray(series, dtype=np.float64)
    cut = int(TRAIN_FRACTION * len(series))
    windows = sliding_windows(series, WINDOW, STRIDE)
    starts = np.arange(len(windows)) * STRIDE
    train = windows[starts + WINDOW <= cut]
    test = windows[starts >= cut]
    if smoke_mode():
        train, test = train[-SMOKE_WINDOWS:], test[: SMOKE_WINDOWS // 2]
    detail = (
        f"Daphnet-S06R02E0 ({len(series)} steps x {series.shape[1]} channels): "
        f"{WINDOW}-step windows every {STRIDE} steps, {len(train)} inside the "
        f"first {TRAIN_FRACTION:.0%} train, {len(test)} starting after it test"
    )
    return train.astype(np.float32), test.astype(np.float32), detail


def italy_power():
    """ItalyPowerDemand: its larger (test) split trains, the train split tests."""
    from aeon.datasets import load_italy_power_demand

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        small, _ = load_italy_power_demand(split="train")
        large, _ = load_italy_power_demand(split="test")
    train, test = (X.transpose(0, 2, 1).astype(np.float32) for X in (large, small))
    if smoke_mode():
        train = train[:SMOKE_WINDOWS]
    detail = (
        f"ItalyPowerDemand ({train.shape[1]} steps): the {len(train)}-sequence "
        f"test split trains, the {len(test)}-sequence train split tests"
    )
    return train, test, detail


def standardize(train, test):
    """Both splits in the per-feature units of the training split."""
    scaler = SequenceScaler().fit(train)
    return scaler.transform(train), scaler.transform(test)


def flat(X):
    return X.reshape(len(X), -1)


def mse(X, reconstruction):
    return float(np.mean((flat(X) - flat(reconstruction)) ** 2))


# -- contenders: each returns (test MSE, fit seconds, epochs, extra) ------------
def fit_pca(train, test, k, seed):
    with Stopwatch() as watch:
        pca = PCA(k, svd_solver="full").fit(flat(train))
    rows = flat(test)
    return mse(rows, pca.inverse_transform(pca.transform(rows))), watch.seconds, "", pca


def fit_mlp(train, test, k, seed):
    """The grid, each point with early stopping; the best validation score wins.
    Fit time: the whole grid."""
    max_iter = SMOKE_ITER if smoke_mode() else MLP_MAX_ITER
    best = None
    with Stopwatch() as watch, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for hidden in MLP_HIDDEN:
            for rate in MLP_RATES:
                model = MLPRegressor(
                    hidden_layer_sizes=tuple(
                        k if size is None else size for size in hidden
                    ),
                    learning_rate_init=rate,
                    max_iter=max_iter,
                    early_stopping=True,
                    random_state=seed,
                ).fit(flat(train), flat(train))
                if best is None or model.best_validation_score_ > (
                    best.best_validation_score_
                ):
                    best = model
    rows = flat(test)
    choice = f"{best.hidden_layer_sizes}, lr {best.learning_rate_init:g}"
    return mse(rows, best.predict(rows)), watch.seconds, best.n_iter_, choice


def fit_textbook(train, test, k, seed, units):
    import keras
    from keras import layers

    # Each new model traces its own predict step: TensorFlow warns of retracing.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    keras.utils.set_random_seed(seed)
    _, n_timesteps, n_features = train.shape
    model = keras.Sequential(
        [
            keras.Input((n_timesteps, n_features)),
            layers.LSTM(units),
            layers.Dense(k),
            layers.RepeatVector(n_timesteps),
            layers.LSTM(units, return_sequences=True),
            layers.TimeDistributed(layers.Dense(n_features)),
        ]
    )
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    stop = keras.callbacks.EarlyStopping(patience=15, restore_best_weights=True)
    with Stopwatch() as watch:
        history = model.fit(
            train,
            train,
            batch_size=64,
            epochs=SMOKE_EPOCHS if smoke_mode() else 100,
            validation_split=0.1,
            callbacks=[stop],
            verbose=0,
        )
    error = mse(test, model.predict(test, batch_size=256, verbose=0))
    epochs = len(history.history["loss"])
    del model
    keras.backend.clear_session()
    gc.collect()
    return error, watch.seconds, epochs, history.history


def ours(k, seed, **params):
    if smoke_mode():
        params = {"epochs": SMOKE_EPOCHS, **params}
    return LSTMAutoencoderTransformer(
        encoding_dim=k, pooling=None, random_state=seed, **params
    )


def fit_ours(train, test, k, seed, **params):
    model = ours(k, seed, **params)
    with Stopwatch() as watch:
        model.fit(train)
    error = mse(test, model.inverse_transform(model.transform(test)))
    scored = -float(model.score_samples(test).mean())
    if not np.isclose(error, scored, rtol=1e-3, atol=1e-6):
        raise AssertionError(f"inverse_transform(transform) {error} != {scored}")
    return error, watch.seconds, len(model.history_["loss"]), model


CONTENDERS = {
    "PCA(k)": fit_pca,
    "dense AE (MLP, grid)": fit_mlp,
    **{
        f"textbook LSTM AE (u={units})": (
            lambda train, test, k, seed, units=units: fit_textbook(
                train, test, k, seed, units
            )
        )
        for units in TEXTBOOK_UNITS
    },
    "ours, defaults": fit_ours,
    "ours, recurrent only": (
        lambda train, test, k, seed: fit_ours(train, test, k, seed, linear_path=False)
    ),
}
CURVE = ("PCA(k)", "dense AE (MLP, grid)", "ours, defaults", "ours, recurrent only")


def run(name, contenders, data, k, seeds, results, keep=None):
    """Fit every contender on every seed, on ``data(seed)`` (the standardized
    ``(train, test)``); ``results[(name, label)]`` gets (errors, seconds,
    epochs); ``keep[(label, seed)]`` the fourth value."""
    for label in contenders:
        errors, seconds, epochs = [], [], []
        for seed in seeds:
            train, test = data(seed)
            error, second, epoch, extra = CONTENDERS[label](train, test, k, seed)
            errors.append(error)
            seconds.append(second)
            epochs.append(epoch)
            if keep is not None:
                keep[(label, seed)] = extra
        results[(name, label)] = (np.array(errors), seconds, epochs)
        print(
            f"  {name}: {label}: MSE {np.mean(errors):.4f}, "
            f"fit {np.mean(seconds):.1f} s, epochs {epochs}",
            flush=True,
        )


def fmt_epochs(epochs):
    if any(epoch == "" for epoch in epochs):
        return ""
    return f"{np.mean(epochs):.0f}"


def time_cell(seconds, epochs):
    return f"{np.mean(seconds):.1f} s ({fmt_epochs(epochs) or '-'})"


def comparison_rows(name, k, n_train, results, labels):
    pca = results[(name, "PCA(k)")][0].mean()
    best_other = min(
        results[(name, label)][0].mean()
        for label in labels
        if label.startswith(("dense", "textbook"))
    )
    rows = []
    for label in labels:
        errors, seconds, epochs = results[(name, label)]
        spread = f" +- {errors.std():.4f}" if len(errors) > 1 else ""
        ratio_best = (
            f"{errors.mean() / best_other:.2f}" if label.startswith("ours") else ""
        )
        rows.append(
            [
                name,
                n_train,
                k,
                label,
                f"{errors.mean():.4f}{spread}",
                f"{errors.mean() / pca:.2f}",
                ratio_best,
                f"{np.mean(seconds):.1f} s",
                fmt_epochs(epochs),
            ]
        )
    return rows


def code_rows(models, seeds, factors, splits, k):
    """The factors of the test sequences predicted from their codes;
    ``splits[seed]`` is that seed's standardized (train, test)."""
    rows = []
    encoders = {
        "ours, defaults (trained)": lambda seed: models[("ours, defaults", seed)],
        "ours, epochs=0 (PCA, the start kept untrained)": None,
        "ours, random weights (linear_path=False, epochs=0)": None,
        "PCA(k)": lambda seed: models[("PCA(k)", seed)],
    }
    scores = {label: {name: [] for name in factors} for label in encoders}
    for seed in seeds:
        train, test = splits[seed]
        for label, get in encoders.items():
            if label.startswith("PCA"):
                codes = get(seed).transform(flat(test))
            elif get is None:
                random = {"linear_path": False} if "random" in label else {}
                codes = ours(k, seed, **random, epochs=0).fit(train).transform(test)
            else:
                codes = get(seed).transform(test)
            for name, target in factors.items():
                if name == "shape":
                    model = make_pipeline(
                        StandardScaler(), LogisticRegression(max_iter=2000)
                    )
                else:
                    model = make_pipeline(StandardScaler(), Ridge(1.0))
                scores[label][name].append(
                    cross_val_score(model, codes, target, cv=5).mean()
                )
    for label, by_factor in scores.items():
        rows.append([label, *(f"{np.mean(by_factor[name]):.3f}" for name in factors)])
    return rows


#: Seconds per seed of a full run, measured piecewise on 2 cores shared with a
#: test suite (load about 2; an idle machine takes roughly half), assuming 60
#: epochs where early stopping decides.
SECONDS_PER_SEED = {
    "synthetic curve, ours (both)": 520,
    "synthetic curve, PCA + MLP grid": 50,
    "synthetic n=1000, textbook u=64 and 128": 320,
    "Daphnet": 250,
    "ItalyPowerDemand": 170,
    "codes": 20,
}


def estimate(n_seeds):
    """A rough full-run time in seconds (on 2 shared cores)."""
    return n_seeds * sum(SECONDS_PER_SEED.values())


def plot_curves(curve, sizes, history_ours, history_textbook):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure", flush=True)
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for label in CURVE:
        left.plot(
            sizes, [curve[(n, label)][0].mean() for n in sizes], "o-", label=label
        )
    left.set(
        xscale="log",
        yscale="log",
        xlabel="training sequences",
        ylabel="test MSE (standardized)",
        title="Synthetic family, k = 4",
    )
    left.legend(fontsize=8)
    for label, history in [
        ("ours, defaults", history_ours),
        ("textbook u=64", history_textbook),
    ]:
        if history:
            right.plot(history["loss"], label=f"{label}: loss")
            if "val_loss" in history:
                right.plot(history["val_loss"], "--", label=f"{label}: val_loss")
    right.set(
        yscale="log",
        xlabel="epoch",
        ylabel="MSE",
        title=f"Training curves, n = {MAIN_SIZE}, seed 0",
    )
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "learning.png")
    fig.savefig(path, dpi=100)
    print(f"figure written to {path}", flush=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if set_smoke(args.smoke):
        args.seeds = 1
    seeds = SEEDS[: args.seeds]
    smoke = smoke_mode()
    sizes = SMOKE_SIZES if smoke else SIZES
    main_size = sizes[-1] if smoke else MAIN_SIZE
    n_test = SMOKE_TEST if smoke else N_TEST
    if not smoke:
        total = estimate(len(seeds)) / 60
        print(
            f"Estimated time: about {total:.0f} minutes on 2 cores shared with "
            f"other work, about {total / 2:.0f} on 2 idle ones.",
            flush=True,
        )
    began = time.perf_counter()
    results, curve, keep = {}, {}, {}

    # The synthetic family: one test set, nested training sets (seed 100 + s
    # draws the training sequences of seed s, so train and test never share).
    X_test, factors = make_family(n_test, seed=12345)
    trains = {seed: make_family(max(sizes), seed=100 + seed)[0] for seed in seeds}
    for n in sizes:
        print(f"synthetic, n = {n}", flush=True)
        labels = list(CURVE)
        if n == main_size:
            labels[2:2] = [f"textbook LSTM AE (u={u})" for u in TEXTBOOK_UNITS]
        run(
            n,
            labels,
            lambda seed, n=n: standardize(trains[seed][:n], X_test),
            K_SYNTH,
            seeds,
            curve,
            keep if n == main_size else None,
        )
    synth_name = "synthetic family"
    main_labels = [
        label
        for label in CONTENDERS
        if (main_size, label) in curve  # every contender ran at the main size
    ]
    for label in main_labels:
        results[(synth_name, label)] = curve[(main_size, label)]

    # What the codes hold (the synthetic family, trained at the main size).
    splits = {
        seed: standardize(
            make_family(max(sizes), seed=100 + seed)[0][:main_size], X_test
        )
        for seed in seeds
    }
    codes = code_rows(keep, seeds, factors, splits, K_SYNTH)

    # The real data.
    real = {}
    for loader in (series_windows, italy_power):
        train, test, detail = loader()
        name = detail.split(" ")[0]
        print(f"{detail}", flush=True)
        split = standardize(train, test)
        run(name, main_labels, lambda _, split=split: split, K_REAL, seeds, results)
        real[name] = (len(split[0]), detail)

    comparison = comparison_rows(
        synth_name, K_SYNTH, main_size, results, main_labels
    ) + [
        row
        for name, (n_train, _) in real.items()
        for row in comparison_rows(name, K_REAL, n_train, results, main_labels)
    ]
    curve_header = ["contender", *(f"n={n}" for n in sizes)]
    curve_labels = [
        label for label in CONTENDERS if any((n, label) in curve for n in sizes)
    ]
    curve_rows, time_rows = [], []
    for label in curve_labels:
        curve_rows.append(
            [
                label,
                *(
                    f"{curve[(n, label)][0].mean():.4f}" if (n, label) in curve else ""
                    for n in sizes
                ),
            ]
        )
        time_rows.append(
            [
                label,
                *(
                    time_cell(*curve[(n, label)][1:]) if (n, label) in curve else ""
                    for n in sizes
                ),
            ]
        )
    ratio_rows = []
    for n in sizes:
        pca = curve[(n, "PCA(k)")][0].mean()
        others = [
            curve[(n, label)][0].mean()
            for label in curve_labels
            if label.startswith(("dense", "textbook")) and (n, label) in curve
        ]
        for label in ("ours, defaults", "ours, recurrent only"):
            error = curve[(n, label)][0].mean()
            ratio_rows.append(
                [n, label, f"{error / pca:.2f}", f"{error / min(others):.2f}"]
            )
    figure = None
    if not smoke:
        history = keep.get((f"textbook LSTM AE (u={TEXTBOOK_UNITS[0]})", seeds[0]))
        figure = plot_curves(
            curve, sizes, keep[("ours, defaults", seeds[0])].history_, history
        )
    seed_text = ", ".join(map(str, seeds))
    details = "; ".join(detail for _, detail in real.values())
    body = (
        "Test reconstruction MSE per value in the standardized units of the "
        "training split (mean +- std over seeds "
        f"{seed_text}), its ratio to PCA(k) (below 1 beats PCA), ours against "
        "the best of the dense autoencoder and the textbook LSTM autoencoder "
        "(below 1 beats both), fit time per fit (the MLP's: its whole grid of "
        f"{len(MLP_HIDDEN) * len(MLP_RATES)}) and epochs run (the MLP's: "
        "iterations of the chosen grid point). Code size k values for every "
        f"contender. Synthetic family: `make_family` in the script, {n_test} "
        f"test sequences, k = {K_SYNTH}; {details}. Dense AE: `MLPRegressor`, "
        "hidden (128, k, 128) / (256, k, 256) x learning_rate_init 1e-3 / 3e-3, "
        f"max_iter {MLP_MAX_ITER}, early_stopping=True, chosen by its "
        "validation score. Textbook: LSTM(u) -> Dense(k) -> RepeatVector -> "
        "LSTM(u) -> TimeDistributed(Dense), Adam 1e-3, batch 64, <= 100 epochs, "
        "EarlyStopping(patience=15, restore_best_weights=True) on 10% held out. "
        "Ours: `LSTMAutoencoderTransformer(encoding_dim=k, pooling=None, "
        "random_state=seed)`; recurrent only: plus `linear_path=False`. Ours is "
        "scored with `inverse_transform(transform(X))` (equal to "
        "`-score_samples`, checked).\n\n"
        + table(
            [
                "data",
                "train n",
                "k",
                "contender",
                "test MSE",
                "/ PCA",
                "/ best of MLP, textbook",
                "fit",
                "epochs",
            ],
            comparison,
        )
        + "\n\nLearning curve on the synthetic family (k = "
        f"{K_SYNTH}, {n_test} test sequences): test MSE against the number of "
        "training sequences, mean over seeds"
        + f" (the textbook model at n={main_size} only, to save time)"
        + ":\n\n"
        + table(curve_header, curve_rows)
        + "\n\nFit time per fit (epochs run) against the number of training "
        "sequences:\n\n"
        + table(curve_header, time_rows)
        + "\n\nOurs side by side, ratios of test MSE: to PCA(k), and to the best "
        "of the dense and textbook autoencoders at that size:\n\n"
        + table(["n", "ours", "/ PCA", "/ best of MLP, textbook"], ratio_rows)
        + "\n\nWhat the codes hold (synthetic family, networks trained on "
        f"{main_size} sequences, codes of the {n_test} test sequences, 5-fold "
        "cross-validation over them): accuracy of LogisticRegression for the "
        "shape (chance 0.33), R^2 of Ridge for the continuous factors. "
        "`epochs=0`: the same network fitted without training, i.e. PCA's "
        "configuration (kept where no epoch beats it); random weights: the "
        "same network with `linear_path=False, epochs=0` (its random start, "
        "no PCA), fitted on the same training sequences.\n\n"
        + table(["codes", *factors], codes)
        + (f"\n\nFigure: `benchmarks/{os.path.basename(figure)}`." if figure else "")
    )
    print()
    print(body)
    print(f"\nMachine: {machine()}")
    print(f"Total time: {time.perf_counter() - began:.0f} s", flush=True)
    command = "python benchmarks/learning.py" + (
        f" --seeds {args.seeds}" if args.seeds != len(SEEDS) else ""
    )
    write_section("learning", "Learning on many sequences", body, command)


if __name__ == "__main__":
    main()
