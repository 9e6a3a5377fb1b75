"""Forecasting windows."""

import numpy as np
import pytest

from sklearn_lstmae.windows import (
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
