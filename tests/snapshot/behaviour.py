"""Record (or compare) what the estimators compute, bit for bit.

A refactoring must not change behaviour. Run this before it with ``record``,
after it with ``compare``: every code, reconstruction, score, prediction and
training loss of a fixed set of seeded configurations (the three estimators,
every objective and decoder, both anomaly scores, variable length, sample
weights, warm start, partial_fit, save/load), and the forecasts, intervals and
backtests of a forecasting configuration, must be identical, on the same
machine::

    python tests/snapshot/behaviour.py record /tmp/before.npz
    python tests/snapshot/behaviour.py compare /tmp/before.npz

``archives DIR`` also writes an archive of each configuration with ``save``
(run with an old checkout first on ``sys.path`` to get archives of that
version), and ``compare`` then loads them and checks their outputs too.

Not a test module (pytest collects ``test_*.py`` only): results are
bit-identical only on one machine, so this compares across code versions,
not across machines.
"""

import os
import sys
import warnings

import numpy as np


def _import_from(checkout: str) -> None:
    """Import sklearn_lstmae from an old checkout (archives of that version)."""
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.path.insert(0, checkout)


T = {"units": 5, "encoding_dim": 3, "epochs": 3, "batch_size": 8, "random_state": 0}
#: ``validation_split``, ``linear_path`` and ``window_scale`` pinned to what
#: the predictor's defaults were when the snapshot was first recorded (0.0; no
#: linear path nor window scaling before 0.3), so that its outputs stay
#: comparable.
P = {
    "units": 5,
    "epochs": 3,
    "batch_size": 8,
    "random_state": 0,
    "validation_split": 0.0,
    "linear_path": False,
    "window_scale": False,
}
#: The forecasting configuration: held-out windows (intervals) and an explicit
#: level (``level="auto"`` is a choice of its own, recorded in the others).
FORECASTER = {**P, "validation_split": 0.25, "level": "log_last"}


def forecast_series():
    """A positive series with a trend and a season: what is forecast."""
    return np.abs(np.sin(np.arange(300) / 5)) + np.arange(300) / 100 + 0.5


def data():
    from sklearn_lstmae.datasets import make_sequence_classification

    X, _ = make_sequence_classification(n_samples=24, n_timesteps=10, random_state=0)
    rng = np.random.RandomState(1)
    ragged = [rng.normal(size=(n, 2)) for n in (6, 10, 4, 9, 7, 10, 8, 5) * 2]
    flat = X.reshape(len(X), -1)
    from sklearn_lstmae.windows import make_windows

    Xw, yw = make_windows(forecast_series(), input_length=12, output_length=3)
    return X.astype(np.float32), ragged, flat, Xw[::4], yw[::4]


def configurations():
    from sklearn_lstmae import LSTMAutoencoderTransformer, LSTMSequencePredictor

    X, ragged, flat, Xw, yw = data()
    cond = "conditional"
    tf_dec = "teacher_forcing"  # the predictor's name before 0.3 (still works)
    t = LSTMAutoencoderTransformer
    p = LSTMSequencePredictor
    yield "t_default", t(**T), X, None, {}
    yield "t_pool_none", t(**T, pooling=None, downsample=1), X, None, {}
    yield "t_down2", t(**T, downsample=2, pooling="max"), X, None, {}
    yield "t_predict", t(**T, objective="predict", n_future=3), X, None, {}
    yield "t_composite", t(**T, objective="composite", future_weight=0.5), X, None, {}
    yield "t_reverse", t(**T, reverse_target=True), X, None, {}
    yield "t_conditional", t(**T, decoder=cond), X, None, {}
    yield "t_cond_composite", t(**T, decoder=cond, objective="composite"), X, None, {}
    yield "t_temporal", t(**T, temporal_code=True), X, None, {}
    yield (
        "t_gru_bi_stack",
        t(**{**T, "units": (6, 4)}, cell="gru", bidirectional=True, dropout=0.1),
        X,
        None,
        {},
    )
    yield "t_ragged", t(**T), ragged, None, {}
    yield "t_ragged_cond", t(**T, decoder=cond, reverse_target=True), ragged, None, {}
    yield "t_flat", t(**T, n_features=2, scale=False), flat, None, {}
    yield "t_enc_none", t(**T | {"encoding_dim": None}), X, None, {}
    yield "t_valid_es", t(**T, validation_split=0.25, early_stopping=1), X, None, {}
    yield "t_weights", t(**T), X, None, {"sample_weight": np.arange(24) % 3}
    yield "t_warm", t(**T, warm_start=True), X, None, {"warm": True}
    yield "t_partial", t(**T), X, None, {"partial": True}
    yield "p_repeat", p(**P), Xw, yw, {}
    yield "p_teacher", p(**P, decoder=tf_dec), Xw, yw, {}
    yield (
        "p_teacher_bi",
        p(**{**P, "units": (4, 3)}, decoder=tf_dec, bidirectional=True),
        Xw,
        yw,
        {},
    )
    yield "p_last", p(**P, level="last"), Xw, yw, {}
    yield "p_log_last", p(**P, level="log_last"), Xw, yw, {}
    yield "p_1d", p(**P), Xw, yw[:, 0], {}
    yield "p_3d_gru", p(**P, cell="gru"), X[:, :7], X[:, 7:], {}
    yield "p_ragged", p(**P), ragged, np.stack([r[:2] for r in ragged]), {}
    yield from detector_configurations()
    yield "f_forecast", p(**FORECASTER), Xw, yw, {"series": forecast_series()}


def _configurations(archive_dir):
    """Every configuration; for an old version's archives, those it has."""
    made = configurations()
    while True:
        try:
            yield next(made)
        except StopIteration:
            return
        except TypeError:  # a parameter the old version does not have
            if not archive_dir:
                raise


def outputs(name, estimator, X, y):
    from sklearn_lstmae import LSTMAutoencoderTransformer

    if name.startswith("d_"):
        return detector_outputs(name, estimator, X)
    out = {}
    if isinstance(estimator, LSTMAutoencoderTransformer):
        codes = estimator.transform(X)
        out["codes"] = codes
        out["inverse"] = estimator.inverse_transform(codes)
        out["score_samples"] = estimator.score_samples(X)
        out["names"] = np.asarray(estimator.get_feature_names_out(), dtype=str)
    else:
        out["predict"] = estimator.predict(X)
    return {f"{name}/{key}": value for key, value in out.items()}


# -- the outlier detector -------------------------------------------------------
D = {"units": 5, "encoding_dim": 3, "epochs": 3, "batch_size": 8, "random_state": 0}


def detector_data():
    """Windows of 12 steps of a noisy sine (two of them with a spike) to fit
    on, and a short series with a spike to score time stamp by time stamp."""
    rng = np.random.RandomState(2)
    series = np.sin(np.arange(220) / 3) + 0.1 * rng.normal(size=220)
    windows = np.lib.stride_tricks.sliding_window_view(series, 12)[::4].copy()
    windows[[5, 30], 6] += 3.0
    short = np.sin(np.arange(60) / 3) + 0.1 * rng.normal(size=60)
    short[30:33] += 2.5
    return windows.astype(np.float32), short.astype(np.float32)


def detector_configurations():
    """Both anomaly scores: neighbours on flat univariate rows (2D), the
    reconstruction error, with its held-out threshold, on 3D windows."""
    try:
        from sklearn_lstmae import LSTMAutoencoderOutlierDetector as d
    except ImportError:  # a version before the detector (0.1, 0.2)
        return
    windows, _ = detector_data()
    yield "d_neighbors", d(**D), windows, None, {}
    yield (
        "d_reconstruction",
        d(**D, anomaly_score="reconstruction"),
        windows[..., None],
        None,
        {},
    )


def detector_outputs(name, detector, X):
    """Scores, threshold and labels of the windows; per time stamp scores of
    the short series (stride 1 with the mean, stride 3 with the max)."""
    _, short = detector_data()
    if np.ndim(X) == 3:
        short = short[:, None]
    out = {
        "score_samples": detector.score_samples(X),
        "decision_function": detector.decision_function(X),
        "predict": detector.predict(X),
        "threshold": np.asarray(detector.threshold_),
        "score_series": detector.score_series(short),
        "score_series_max": detector.score_series(short, stride=3, aggregate="max"),
    }
    return {f"{name}/{key}": value for key, value in out.items()}


def forecasting_outputs(name, estimator, series, *, backtests=True):
    """Forecasts of a fitted predictor: its intervals, a recursive forecast
    with sampled-path intervals, one of two series, and (``backtests``) a
    rolling-origin backtest of a clone, with intervals."""
    from sklearn_lstmae.windows import backtest, forecast, last_window

    windows = last_window([series, series[:-20]], estimator.n_timesteps_)
    lower, upper = estimator.predict_interval(windows, coverage=0.8)
    point, path_lower, path_upper = forecast(estimator, series, 7, coverage=0.8)
    out = {
        "interval_lower": lower,
        "interval_upper": upper,
        "forecast": point,
        "forecast_lower": path_lower,
        "forecast_upper": path_upper,
        "forecast_two": forecast(estimator, [series, series[:-20]], 5),
    }
    if backtests:
        result = backtest(estimator, series[:150], 12, 3, n_cutoffs=2, coverage=0.8)
        out.update(
            (f"backtest_{key}", np.asarray(result[key]))
            for key in ("cutoffs", "forecasts", "lower", "upper", "mae")
        )
    return {f"{name}/{key}": value for key, value in out.items()}


def run(archive_dir=None, compare_dir=None):
    from sklearn_lstmae import load, save

    results = {}
    for name, estimator, X, y, extra in _configurations(archive_dir):
        weights = extra.get("sample_weight")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            try:
                estimator.fit(X, y, sample_weight=weights)
            except TypeError:  # an old version's archives: a parameter it lacks
                if not archive_dir:
                    raise
                continue
            if extra.get("warm"):
                estimator.set_params(epochs=2, optimizer__learning_rate=0.002)
                estimator.fit(X, y)
            if extra.get("partial"):
                estimator.partial_fit(X, y)
        results.update(outputs(name, estimator, X, y))
        if "series" in extra:
            results.update(forecasting_outputs(name, estimator, extra["series"]))
        results[f"{name}/loss"] = np.asarray(estimator.history_["loss"])
        if archive_dir:
            save(estimator, os.path.join(archive_dir, f"{name}.lstmae"))
        if compare_dir and os.path.exists(os.path.join(compare_dir, f"{name}.lstmae")):
            loaded = load(os.path.join(compare_dir, f"{name}.lstmae"))
            loaded_outputs = outputs(name, loaded, X, y)
            if "series" in extra:
                loaded_outputs.update(
                    forecasting_outputs(name, loaded, extra["series"], backtests=False)
                )
            for key, value in loaded_outputs.items():
                results[f"archive/{key}"] = value
    return results


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:
        _import_from(sys.argv[3])
    if mode == "record":
        np.savez(path, **run())
    elif mode == "archives":
        os.makedirs(path, exist_ok=True)
        np.savez(os.path.join(path, "outputs.npz"), **run(archive_dir=path))
    elif mode == "compare":
        before = dict(np.load(path))
        folder = os.path.dirname(path) if path.endswith("outputs.npz") else None
        after = run(compare_dir=folder)
        differ = []
        for key, value in before.items():
            if folder:  # another version's outputs: compare its archives only
                continue
            if key not in after:
                differ.append(f"{key}: missing")
            elif not np.array_equal(value, after[key]):
                differ.append(f"{key}: differs")
        for key, value in after.items():
            if key.startswith("archive/"):
                plain = before[key.removeprefix("archive/")]
                if not np.array_equal(value, plain):
                    differ.append(f"{key}: loaded archive differs")
        checked = (
            sum(k.startswith("archive/") for k in after) if folder else len(before)
        )
        what = "outputs of loaded archives" if folder else "outputs"
        print("\n".join(differ) or f"all {checked} {what} bit-identical")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
