"""Why the defaults' intervals under-cover on M1 and Macro (issue 31).

At each cut-off of ``forecast.py``'s backtest, fits the defaults on the windows
before the cut-off (as ``windows.backtest`` does) and compares the windows
``predict_interval`` is calibrated on (the held-out ones: the last
``len(calibration_residuals_)`` windows) with the windows it is judged on (the
``horizon`` values after the cut-off, one window per series). For each window
and output step, ``r = |y - prediction| / half-width``, from the public
``predict`` and ``predict_interval`` (covered: ``r <= 1``). Prints, per
cut-off and nominal coverage: the coverage on the held-out windows (near
nominal by construction) and after the cut-off, per output step, and the
quantile of the test ``r`` that would cover nominally (``> 1``: the test errors
are larger than the held-out ones in the intervals' units). Then an alternative
normalization (errors over each window's last value, which is positive on both
sets) calibrated the same way, with its coverage per series: a test of whether
the fault is the normalization or a shift between held-out and test windows;
and two other scales per output step (the held-out windows' root mean square
error instead of the training windows', and one conformal quantile per step).
Writes nothing to RESULTS.md.

    python benchmarks/investigate_interval_calibration.py --datasets M1 Macro
    python benchmarks/investigate_interval_calibration.py --smoke
"""

import argparse
import math

import numpy as np
from _common import SMOKE_HELP, set_smoke
from forecast import COVERAGES, load_datasets

from sklearn_lstmae import LSTMSequencePredictor
from sklearn_lstmae.windows import make_windows


def conformal(scores, coverage):
    """The split-conformal quantile of ``scores`` (as ``predict_interval``)."""
    scores = np.sort(scores, axis=None)
    rank = math.ceil((scores.size + 1) * coverage)
    return scores[min(rank, scores.size) - 1]


def ratios(model, X, y, coverage):
    """``|y - prediction| / half-width`` per window and output step."""
    point = model.predict(X)
    lower, upper = model.predict_interval(X, coverage=coverage)
    return np.abs(np.asarray(y, dtype=float) - point) / ((upper - lower) / 2)


def cutoff_rows(data, k, cut, seed, extra):
    span = data.input_length + data.horizon
    history = [series[:c] for series, c in zip(data.series, cut, strict=True)]
    trainable = [part for part in history if len(part) >= span]
    X, y = make_windows(trainable, data.input_length, data.horizon, order="time")
    model = LSTMSequencePredictor(random_state=seed, **extra).fit(X, y)
    split = len(X) - len(model.calibration_residuals_)
    X_test = np.stack([part[-data.input_length :] for part in history])
    y_test = data.actual()[k]
    rows = []
    for coverage in COVERAGES:
        held_out = ratios(model, X[split:], y[split:], coverage)
        test = ratios(model, X_test, y_test, coverage)
        # The alternative: errors relative to each window's last value.
        relative_cal = np.abs(y[split:] - model.predict(X[split:])) / np.abs(
            X[split:, -1:]
        )
        relative = np.abs(y_test - model.predict(X_test)) / np.abs(X_test[:, -1:])
        covered = relative <= conformal(relative_cal, coverage)
        per_series = covered.mean(axis=1)
        # Other per-step scales: r is proportional to a step's error over its
        # root mean square on the windows trained on (residual_scale_); over
        # the held-out windows' root mean square instead, pooled as now; and
        # one conformal quantile per step.
        rms = np.sqrt(np.mean(np.square(held_out), axis=0))
        pooled = test / rms <= conformal(held_out / rms, coverage)
        per_step = test <= [conformal(column, coverage) for column in held_out.T]
        rows.append(
            f"  cut-off {k} ({model.level_}, scaled: "
            f"{model.window_scale_ is not None}), {coverage:.0%}: held-out "
            f"{np.mean(held_out <= 1):.3f}, test {np.mean(test <= 1):.3f} "
            f"(per step {np.round(np.mean(test <= 1, axis=0), 2).tolist()}; "
            f"nominal needs x{np.quantile(test, coverage):.2f}); relative to the "
            f"last value: test {covered.mean():.3f}, per series "
            f"{per_series.min():.2f}-{per_series.max():.2f}; held-out step "
            f"scales: test {pooled.mean():.3f} (per step "
            f"{np.round(pooled.mean(axis=0), 2).tolist()}); a quantile per step: "
            f"test {per_step.mean():.3f} (per step "
            f"{np.round(per_step.mean(axis=0), 2).tolist()})"
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["M1", "Macro"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    set_smoke(args.smoke)
    extra = {"epochs": 2, "units": (4,)} if args.smoke else {}
    for data in load_datasets(args.smoke):
        if data.name not in args.datasets:
            continue
        print(f"{data.name}: {len(data.series)} series, seed {args.seed}", flush=True)
        for k, cut in enumerate(data.cutoffs()):
            for row in cutoff_rows(data, k, cut, args.seed, extra):
                print(row, flush=True)


if __name__ == "__main__":
    main()
