"""Forecasting windows."""

import numpy as np
import pytest

from sklearn_lstmae.windows import last_window, make_windows


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
