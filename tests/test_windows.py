"""Forecasting windows."""

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_lstmae.windows import (
    backtest,
    forecast,
    last_window,
    make_windows,
    map_window_scores,
    sliding_windows,
)


def test_univariate_windows():
    X, y = make_windows(np.arange(10), input_length=4, output_length=2, step=2)
    np.testing.assert_array_equal(X[:, 0], [0, 2, 4])
    np.testing.assert_array_equal(y[-1], [8, 9])
    assert X.shape == (3, 4) and y.shape == (3, 2)


def test_multivariate_and_list_of_series():
    series = np.arange(20).reshape(10, 2)
    X, y = make_windows([series, series[:7]], input_length=3, output_length=1)
    assert X.shape == (7 + 4, 3, 2) and y.shape == (11, 1, 2)
    np.testing.assert_array_equal(y[6, 0], series[9])
    np.testing.assert_array_equal(X[7], series[:3])  # second series restarts


def test_time_order_puts_the_latest_windows_of_every_series_last():
    long, short = np.arange(10.0), 100 + np.arange(6.0)
    X, y = make_windows([long, short], 3, 1, order="time")
    X_series, _ = make_windows([long, short], 3, 1)
    assert sorted(map(tuple, X)) == sorted(map(tuple, X_series))
    # The last window of each series comes last; ties keep the series order.
    np.testing.assert_array_equal(y[-2:, 0], [9, 105])
    np.testing.assert_array_equal(y[:4, 0], [3, 4, 5, 6])  # no peer in short
    _, _, future = make_windows(
        [long, short], 3, 1, covariates=[long, short], order="time"
    )
    np.testing.assert_array_equal(future, y)
    single = make_windows(long, 3, 1, order="time")
    np.testing.assert_array_equal(single[0], make_windows(long, 3, 1)[0])
    with pytest.raises(ValueError, match="order must be 'series' or 'time'"):
        make_windows(long, 3, 1, order="random")


def test_last_window_forecasts_after_the_end():
    window = last_window(np.arange(10.0), input_length=3)
    np.testing.assert_array_equal(window, [[7, 8, 9]])
    assert last_window([np.ones((5, 2)), np.ones((4, 2))], 4).shape == (2, 4, 2)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_windows(np.arange(4), 3, 2), "fewer than one window"),
        (lambda: make_windows([np.arange(9), np.arange(3)], 2, 2), "Series 1"),
        (lambda: last_window(np.arange(2), 3), "fewer than input_length"),
        (lambda: make_windows(np.arange(9), 0, 2), "input_length"),
        (lambda: make_windows(np.ones((2, 3, 4)), 1, 1), "shape"),
        (lambda: make_windows(np.r_[1.0, np.nan, 2, 3], 1, 1), "NaN"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- sliding windows and point-level scores -----------------------------------
def test_sliding_windows_cover_every_step():
    series = np.arange(10.0)
    windows = sliding_windows(series, length=4, stride=3)
    np.testing.assert_array_equal(windows[:, 0], [0, 3, 6])  # 6 + 4 = 10: the end
    windows = sliding_windows(series, length=4, stride=4)
    np.testing.assert_array_equal(windows[:, 0], [0, 4, 6])  # a last one ends it
    assert sliding_windows(np.ones((10, 3)), length=5).shape == (6, 5, 3)
    assert sliding_windows(series, length=10).shape == (1, 10)


def test_window_scores_map_to_the_steps_they_cover():
    # Windows of 3 every 2 steps over 7 steps start at 0, 2, 4.
    scores = np.array([-1.0, -4.0, -2.0])
    mean = map_window_scores(scores, n_timesteps=7, length=3, stride=2)
    np.testing.assert_allclose(mean, [-1, -1, -2.5, -4, -3, -2, -2])
    lowest = map_window_scores(scores, 7, 3, stride=2, aggregate="max")
    np.testing.assert_allclose(lowest, [-1, -1, -4, -4, -4, -2, -2])


def test_a_known_anomaly_is_located_within_a_window_of_the_truth():
    # Hand-made window scores: every window holding step 50 scores -10.
    length, n_timesteps = 8, 100
    starts = np.arange(n_timesteps - length + 1)
    scores = np.where((starts <= 50) & (starts + length > 50), -10.0, -1.0)
    for aggregate in ("mean", "max"):
        points = map_window_scores(scores, n_timesteps, length, aggregate=aggregate)
        assert points.argmin() == 50 if aggregate == "mean" else points[50] == -10
        assert (np.flatnonzero(points < -1) >= 50 - length + 1).all()
        assert (np.flatnonzero(points < -1) <= 50 + length - 1).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sliding_windows(np.arange(5.0), 6), "fewer than one window"),
        (lambda: sliding_windows(np.arange(5.0), 2, stride=0), "stride"),
        (lambda: sliding_windows(np.r_[1.0, np.nan, 2.0], 2), "NaN"),
        (lambda: sliding_windows(np.ones((2, 3, 4)), 2), "series of shape"),
        (lambda: map_window_scores([1.0, 2.0], 10, 3), "cover 10 steps"),
        (lambda: map_window_scores([1.0], 3, 3, aggregate="median"), "aggregate"),
    ],
)
def test_window_helpers_refuse_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- covariates, recursive forecasts, backtests -----------------------------------
def test_make_windows_cuts_covariates_at_the_output_steps():
    series = np.arange(10.0)
    covariates = np.stack([np.arange(10.0), -np.arange(10.0)], axis=1)
    X, y, future = make_windows(series, 4, 2, step=3, covariates=covariates)
    assert future.shape == (len(X), 2, 2)
    np.testing.assert_array_equal(future[:, :, 0], y)  # aligned with y's steps
    _, _, future = make_windows(
        [series, series[:7]], 4, 2, covariates=[series, series[:7]]
    )
    assert future.shape == (5 + 2, 2)
    with pytest.raises(ValueError, match="covariates 0 has 9 steps"):
        make_windows(series, 4, 2, covariates=series[:9])
    with pytest.raises(ValueError, match="covariates has 1 series, but there are 2"):
        make_windows([series, series], 4, 2, covariates=[series])


@pytest.fixture(scope="module")
def sine_model():
    """A tiny predictor of 3 steps from 12, with held-out windows."""
    from sklearn_lstmae import LSTMSequencePredictor

    series = np.sin(np.arange(150) / 4) + 2
    X, y = make_windows(series, 12, 3)
    model = LSTMSequencePredictor(
        units=(4,), epochs=3, validation_split=0.3, random_state=0
    ).fit(X, y)
    return model, series


def test_forecast_feeds_forecasts_back(sine_model):
    model, series = sine_model
    path = forecast(model, series, horizon=7)
    assert path.shape == (7,)
    np.testing.assert_array_equal(path[:3], model.predict(last_window(series, 12))[0])
    extended = np.concatenate([series, path[:3]])
    np.testing.assert_allclose(
        path[3:6], model.predict(last_window(extended, 12))[0], rtol=1e-5
    )
    both = forecast(model, [series, series[:-5]], horizon=4)
    assert both.shape == (2, 4)
    # Two series in one batch against one alone: float32 outputs change in
    # their last bits with the batch, so equal to float32's precision.
    np.testing.assert_allclose(
        both[0], forecast(model, series, horizon=4), rtol=1e-5, atol=1e-6
    )


def test_forecast_intervals(sine_model):
    model, series = sine_model
    point, lower, upper = forecast(model, series, horizon=9, coverage=0.8)
    assert point.shape == lower.shape == upper.shape == (9,)
    first_lower, first_upper = model.predict_interval(last_window(series, 12), 0.8)
    np.testing.assert_allclose(lower[:3], first_lower[0], rtol=1e-5)
    np.testing.assert_allclose(upper[:3], first_upper[0], rtol=1e-5)
    assert np.all(lower <= upper)
    again = forecast(model, series, horizon=9, coverage=0.8)
    np.testing.assert_array_equal(again[1], lower)  # fixed-seed paths


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizon": 0}, "horizon must be a positive integer"),
        ({"horizon": 3, "coverage": 1.2}, "coverage must be a number"),
        ({"horizon": 3, "covariates": np.ones(3)}, "fitted without X_future"),
    ],
)
def test_forecast_errors(sine_model, kwargs, match):
    model, series = sine_model
    with pytest.raises(ValueError, match=match):
        forecast(model, series, **kwargs)


def test_forecast_refuses_what_it_cannot_feed_back(sine_model):
    from sklearn_lstmae import LSTMSequencePredictor

    model, series = sine_model
    with pytest.raises(ValueError, match="fewer than the 12"):
        forecast(model, series[:5], horizon=3)
    with pytest.raises(ValueError, match="2 features per step"):
        forecast(model, np.ones((20, 2)), horizon=3)
    other = LSTMSequencePredictor(units=(2,), epochs=1, random_state=0)
    X = np.random.RandomState(0).normal(size=(20, 6, 2))
    other.fit(X, X[:, :2, 0])  # forecasts 1 feature from 2
    with pytest.raises(ValueError, match="forecasts back as inputs"):
        forecast(other, np.ones((20, 2)), horizon=3)


def test_forecast_with_covariates():
    from sklearn_lstmae import LSTMSequencePredictor

    rng = np.random.RandomState(0)
    series, covariates = rng.normal(size=60), rng.normal(size=(60, 2))
    X, y, future = make_windows(series, 8, 2, covariates=covariates)
    model = LSTMSequencePredictor(units=(2,), epochs=1, random_state=0)
    model.fit(X, y, X_future=future)
    ahead = rng.normal(size=(5, 2))
    path = forecast(model, series, horizon=5, covariates=ahead)
    assert path.shape == (5,)
    np.testing.assert_array_equal(
        path[:2],
        model.predict(last_window(series, 8), X_future=ahead[None, :2])[0],
    )
    with pytest.raises(ValueError, match="covariates 0 has 4 steps, but horizon=5"):
        forecast(model, series, horizon=5, covariates=ahead[:4])
    with pytest.raises(ValueError, match="fitted with X_future"):
        forecast(model, series, horizon=5)


def test_backtest_cutoffs_and_no_look_ahead():
    from sklearn_lstmae import LSTMSequencePredictor

    series = np.sin(np.arange(80) / 3) + 3
    # One network per cut-off (level="auto" would fit one per candidate level).
    model = LSTMSequencePredictor(
        units=(2,), epochs=1, level="last", validation_split=0.0, random_state=0
    )
    result = backtest(model, series, 8, 2, horizon=4, n_cutoffs=3, step=5)
    np.testing.assert_array_equal(result.cutoffs, [66, 71, 76])
    assert result.forecasts.shape == result.actual.shape == (3, 4)
    np.testing.assert_array_equal(result.actual[0], series[66:70])
    np.testing.assert_allclose(
        result.mae, np.abs(result.forecasts - result.actual).mean(axis=1)
    )
    # What follows a cut-off never reaches its model (nor its scaling).
    changed = series.copy()
    changed[76:] = 1e4
    first = backtest(model, changed, 8, 2, horizon=4, n_cutoffs=3, step=5)
    np.testing.assert_array_equal(first.forecasts[:2], result.forecasts[:2])
    assert not hasattr(model, "model_")  # the estimator itself stays unfitted


def test_backtest_many_series_covariates_and_intervals():
    from sklearn_lstmae import LSTMSequencePredictor

    rng = np.random.RandomState(0)
    series = [rng.normal(size=40) + 5, rng.normal(size=30) + 5]
    covariates = [rng.normal(size=40), rng.normal(size=30)]
    model = LSTMSequencePredictor(
        units=(2,), epochs=1, validation_split=0.3, random_state=0
    )
    result = backtest(
        model, series, 6, 2, n_cutoffs=2, covariates=covariates, coverage=0.5
    )
    np.testing.assert_array_equal(result.cutoffs, [[36, 26], [38, 28]])
    for name in ("forecasts", "actual", "lower", "upper"):
        assert result[name].shape == (2, 2, 2)
    assert np.all(result.lower <= result.upper)


def test_backtest_intervals_on_a_short_series():
    """Shampoo's case: 20 values at the first cut-off give 3 windows of 12 + 6,
    of which 0.2 holds out 1 (as Keras splits; none before): 6 residuals, too
    few for the conformal 95% quantile (19), so the normal approximation
    gives the intervals instead of an error."""
    from sklearn_lstmae import LSTMSequencePredictor

    series = 100 + 10 * np.sin(np.arange(27) / 2)
    model = LSTMSequencePredictor(
        units=(2,), epochs=1, level="last", validation_split=0.2, random_state=0
    )
    result = backtest(model, series, 12, 6, n_cutoffs=2, step=1, coverage=0.95)
    np.testing.assert_array_equal(result.cutoffs, [20, 21])
    assert result.lower.shape == result.upper.shape == (2, 6)
    assert np.all(result.lower < result.forecasts)
    assert np.all(result.forecasts < result.upper)


def test_a_default_predictor_forecasts_and_backtests_with_intervals():
    """The default validation_split="auto" holds windows out: intervals
    need no setting, and each cut-off's fit records the level it chose."""
    from sklearn_lstmae import LSTMSequencePredictor

    series = np.sin(np.arange(60) / 3) + 3
    default = LSTMSequencePredictor(units=(2,), epochs=1, random_state=0)
    result = backtest(default, series, 8, 2, horizon=4, n_cutoffs=2, coverage=0.8)
    assert result.lower.shape == result.upper.shape == (2, 4)
    assert np.all(result.lower <= result.upper)
    # The first output_length steps: conformal intervals around the forecast
    # (later ones are quantiles of sampled paths).
    assert np.all(result.lower[:, :2] <= result.forecasts[:, :2])
    assert np.all(result.forecasts[:, :2] <= result.upper[:, :2])
    assert len(result.levels) == 2
    assert set(result.levels) <= {None, "last", "log_last"}
    X, y = make_windows(series, 8, 2)
    model = clone(default).fit(X, y)
    point, lower, upper = forecast(model, series, 2, coverage=0.8)
    assert np.all(lower <= point) and np.all(point <= upper)


def test_recursive_intervals_need_two_held_out_windows():
    from sklearn_lstmae import LSTMSequencePredictor

    series = 100 + 10 * np.sin(np.arange(21) / 2)
    X, y = make_windows(series, 12, 6)  # 4 windows: 0.2 holds out 1
    model = LSTMSequencePredictor(
        units=(2,), epochs=1, validation_split=0.2, random_state=0
    ).fit(X, y)
    point, lower, upper = forecast(model, series, 6, coverage=0.8)
    assert np.all(lower < point) and np.all(point < upper)
    with pytest.raises(ValueError, match="held out 1 window: every path"):
        forecast(model, series, 7, coverage=0.8)
    assert forecast(model, series, 7).shape == (7,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_cutoffs": 0}, "n_cutoffs must be a positive integer"),
        ({"horizon": -1}, "horizon must be a positive integer"),
        ({"n_cutoffs": 40}, "too few for 40 cut-offs"),
        ({"covariates": np.ones(5)}, "covariates 0 has 5 steps"),
    ],
)
def test_backtest_errors(kwargs, match):
    from sklearn_lstmae import LSTMSequencePredictor

    model = LSTMSequencePredictor(units=(2,), epochs=1)
    with pytest.raises(ValueError, match=match):
        backtest(model, np.arange(50.0), 8, 2, **kwargs)


def test_forecast_and_backtest_take_a_predictor():
    from sklearn_lstmae import LSTMAutoencoderTransformer

    with pytest.raises(TypeError, match="forecast takes an LSTMSequencePredictor"):
        forecast(LSTMAutoencoderTransformer(), np.arange(30.0), 3)
    with pytest.raises(TypeError, match="backtest takes an LSTMSequencePredictor"):
        backtest(LSTMAutoencoderTransformer(), np.arange(30.0), 8, 2)


# -- review findings: windows never leak, gaps, fitted copies, inputs ----------
def _covering_scores(scores, starts, length, n_timesteps, aggregate):
    """The definition: per stamp, from the windows that contain it."""
    points = np.full(n_timesteps, np.nan)
    for t in range(n_timesteps):
        covering = scores[(starts <= t) & (t < starts + length)]
        if len(covering):
            # Python's sum adds in window order, as map_window_scores does.
            mean = sum(covering.tolist()) / len(covering)
            points[t] = mean if aggregate == "mean" else covering.min()
    return points


@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_a_window_score_reaches_only_the_stamps_it_covers(aggregate, monkeypatch):
    from sklearn_lstmae import _windowing as windows

    # One huge and one infinite window: a running sum would carry their
    # rounding (or NaN) to every later stamp.
    scores = np.array([-1e17, -1.0, -2.0, -3.0, -np.inf, -4.0, -5.0, -6.0, -7.0])
    points = map_window_scores(scores, n_timesteps=11, length=3, aggregate=aggregate)
    np.testing.assert_array_equal(
        points, _covering_scores(scores, np.arange(9), 3, 11, aggregate)
    )
    assert points[3] == (-2.0 if aggregate == "mean" else -3.0)
    assert np.isneginf(points[4:7]).all() and np.isfinite(points[7:]).all()
    # Any stride up to the length, with the last window ending the series,
    # also when the stamps are combined a few at a time.
    rng = np.random.RandomState(0)
    monkeypatch.setattr(windows, "_STAMPS_PER_PORTION", 7)
    for stride in (1, 2, 4, 5):
        starts = windows._window_starts(23, 5, stride)
        scores = rng.normal(size=len(starts)) * 10.0 ** rng.randint(-3, 12, len(starts))
        np.testing.assert_array_equal(
            map_window_scores(scores, 23, 5, stride, aggregate),
            _covering_scores(scores, starts, 5, 23, aggregate),
        )


def test_a_stride_that_leaves_stamps_uncovered_is_refused():
    with pytest.raises(
        ValueError,
        match=r"stride=5 is larger than the window length=3.*every time stamp "
        r"must be covered.*stride <= 3",
    ):
        map_window_scores([0.0, 0.0, 0.0], 13, 3, stride=5)
    # Windows to fit on may skip steps (the docstring says so).
    assert sliding_windows(np.arange(13.0), 3, stride=5)[:, 0].tolist() == [0, 5, 10]


def test_non_finite_and_complex_series_are_refused_where_they_are():
    with pytest.raises(ValueError, match=r"NaN or infinity \(the first at time step 2"):
        sliding_windows(np.r_[0.0, 1.0, np.inf, np.nan, 2.0], 2)
    series = np.ones((6, 2))
    series[4, 1] = np.nan
    with pytest.raises(ValueError, match="time step 4, feature 1"):
        make_windows(series, 2, 1)
    complex_series = np.arange(6) + 5j
    for call in (
        lambda: sliding_windows(complex_series, 2),
        lambda: make_windows(complex_series, 2, 1),
        lambda: last_window([np.arange(6.0), complex_series], 2),
        lambda: map_window_scores(np.ones(5) + 1j, 6, 2),
    ):
        with pytest.raises(ValueError, match="Complex data not supported"):
            call()


def test_an_empty_list_of_series_is_refused(sine_model):
    model, series = sine_model
    for call in (
        lambda: make_windows([], 12, 3),
        lambda: last_window([], 12),
        lambda: forecast(model, [], 3),
        lambda: make_windows(series, 12, 3, covariates=[]),
    ):
        with pytest.raises(ValueError, match="is an empty list"):
            call()
    with pytest.raises(ValueError, match="has 0 steps"):
        make_windows(np.array([]), 2, 1)


def test_forecast_uses_what_was_fitted(sine_model):
    model, series = sine_model
    point, lower, upper = forecast(model, series, 7, coverage=0.8)
    fitted = {name: model.get_params()[name] for name in ("scale", "decoder")}
    try:
        model.set_params(scale=False, decoder="conditional")
        again = forecast(model, series, 7, coverage=0.8)
    finally:
        model.set_params(**fitted)
    for before, after in zip((point, lower, upper), again, strict=True):
        np.testing.assert_array_equal(after, before)


def test_backtest_checks_its_arguments_before_fitting(monkeypatch):
    from sklearn_lstmae import LSTMSequencePredictor

    def no_fit(self, *args, **kwargs):
        raise AssertionError("fitted before the arguments were checked")

    monkeypatch.setattr(LSTMSequencePredictor, "fit", no_fit)
    held_out = LSTMSequencePredictor(units=(2,), epochs=1, validation_split=0.2)
    with pytest.raises(ValueError, match="coverage must be a number in"):
        backtest(held_out, np.arange(50.0), 8, 2, coverage=1.5)
    with pytest.raises(ValueError, match="validation_split=0.0: set it > 0 or .auto."):
        backtest(
            LSTMSequencePredictor(validation_split=0.0),
            np.arange(50.0),
            8,
            2,
            coverage=0.9,
        )
