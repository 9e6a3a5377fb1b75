"""Sliding windows for forecasting with sequence-to-sequence models."""

import numpy as np

from ._data import check_positive_int

__all__ = ["last_window", "make_windows"]


def _as_series_list(series, name: str) -> tuple[list[np.ndarray], bool]:
    """One series or a list of them, as 2D ``(T, F)`` float arrays."""
    is_list = (
        isinstance(series, list | tuple)
        and len(series) > 0
        and np.ndim(series[0]) in (1, 2)
    )
    items = list(series) if is_list else [series]
    arrays = []
    for index, item in enumerate(items):
        array = np.asarray(item, dtype=np.float64)
        if array.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be a series of shape (T,) or (T, n_features), or a list "
                f"of them; got shape {array.shape}."
            )
        if not np.isfinite(array).all():
            raise ValueError(f"{name} {index} contains NaN or infinity.")
        arrays.append(array)
    univariate = all(array.ndim == 1 for array in arrays)
    arrays = [array.reshape(len(array), -1) for array in arrays]
    if len({array.shape[1] for array in arrays}) > 1:
        raise ValueError(f"All series in {name} must have the same number of features.")
    return arrays, univariate


def make_windows(series, input_length: int, output_length: int, step: int = 1):
    """Cut series into (input window, following window) training pairs.

    Window ``i`` of a series ``s`` is ``X = s[i*step : i*step + input_length]``
    and ``y`` the ``output_length`` values that follow it.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features), or list of them
        One series, or several (windows never cross from one to the next).
    input_length : int
        Steps in each input window.
    output_length : int
        Steps to predict after each input window.
    step : int, default=1
        Distance between the starts of consecutive windows.

    Returns
    -------
    X : ndarray
        ``(n_windows, input_length)`` for univariate series (shape ``(T,)``),
        else ``(n_windows, input_length, n_features)``.
    y : ndarray
        ``(n_windows, output_length)`` for univariate series, else
        ``(n_windows, output_length, n_features)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae.windows import make_windows
    >>> X, y = make_windows(np.arange(6), input_length=3, output_length=2)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([[3., 4.],
           [4., 5.]])
    """
    input_length = check_positive_int(input_length, "input_length")
    output_length = check_positive_int(output_length, "output_length")
    step = check_positive_int(step, "step")
    arrays, univariate = _as_series_list(series, "series")
    span = input_length + output_length
    X, y = [], []
    for index, array in enumerate(arrays):
        if len(array) < span:
            raise ValueError(
                f"Series {index} has {len(array)} steps, fewer than one window of "
                f"input_length + output_length = {span}."
            )
        for start in range(0, len(array) - span + 1, step):
            X.append(array[start : start + input_length])
            y.append(array[start + input_length : start + span])
    X, y = np.stack(X), np.stack(y)
    if univariate:
        return X[..., 0], y[..., 0]
    return X, y


def last_window(series, input_length: int):
    """The input window that ends a series: what to predict the future from.

    ``predictor.predict(last_window(series, input_length))`` forecasts the
    ``output_length`` steps after the end of ``series``.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features), or list of them
        The series whose continuation is wanted.
    input_length : int
        Steps in each input window (as used for training).

    Returns
    -------
    X : ndarray
        ``(n_series, input_length)`` for univariate series, else
        ``(n_series, input_length, n_features)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae.windows import last_window
    >>> last_window(np.arange(6), input_length=3)
    array([[3., 4., 5.]])
    """
    input_length = check_positive_int(input_length, "input_length")
    arrays, univariate = _as_series_list(series, "series")
    for index, array in enumerate(arrays):
        if len(array) < input_length:
            raise ValueError(
                f"Series {index} has {len(array)} steps, fewer than "
                f"input_length={input_length}."
            )
    X = np.stack([array[-input_length:] for array in arrays])
    return X[..., 0] if univariate else X
