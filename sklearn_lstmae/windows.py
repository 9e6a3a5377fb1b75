"""Sliding windows of long series: training pairs for forecasting, windows to
fit a detector on, and window scores mapped back to time stamps."""

import numpy as np

from ._data import check_positive_int

__all__ = ["last_window", "make_windows", "map_window_scores", "sliding_windows"]


def _as_series_list(series, name: str) -> tuple[list[np.ndarray], bool]:
    """One series or a list of them, as 2D ``(T, F)`` float arrays."""
    is_list = (
        isinstance(series, list | tuple)
        and len(series) > 0
        and np.ndim(series[0]) in (1, 2)
    )
    items = list(series) if is_list else [series]
    arrays = [
        _check_series(item, f"{name} {index}", " or a list of them")
        for index, item in enumerate(items)
    ]
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


def _check_series(series, name: str = "series", alternatives: str = "") -> np.ndarray:
    """One series as a float array ``(T,)`` or ``(T, F)``, finite."""
    array = np.asarray(series, dtype=np.float64)
    if array.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be a series of shape (T,) or (T, n_features){alternatives};"
            f" got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    return array


def _window_starts(n_timesteps: int, length: int, stride: int) -> np.ndarray:
    """Start of each window of ``sliding_windows``: every ``stride`` steps,
    and a last one ending with the series where the stride does not reach it."""
    if n_timesteps < length:
        raise ValueError(
            f"The series has {n_timesteps} steps, fewer than one window of "
            f"length={length}."
        )
    starts = np.arange(0, n_timesteps - length + 1, stride)
    if starts[-1] != n_timesteps - length:
        starts = np.append(starts, n_timesteps - length)
    return starts


def sliding_windows(series, length: int, stride: int = 1):
    """Cut a long series into overlapping windows of ``length`` steps.

    Window ``i`` starts at step ``i * stride``; where the stride does not
    reach the end of the series, a last window ends with it, so every time
    stamp is in at least one window. Fit an
    :class:`~sklearn_lstmae.LSTMAutoencoderOutlierDetector` on the windows of a
    normal stretch, then score a series with its ``score_series``.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features)
        One series, at least ``length`` steps long.
    length : int
        Steps in each window.
    stride : int, default=1
        Steps between the starts of consecutive windows.

    Returns
    -------
    windows : ndarray
        ``(n_windows, length)`` for a univariate series (shape ``(T,)``),
        else ``(n_windows, length, n_features)``; a copy.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae.windows import sliding_windows
    >>> sliding_windows(np.arange(7), length=3, stride=2)
    array([[0., 1., 2.],
           [2., 3., 4.],
           [4., 5., 6.]])
    >>> sliding_windows(np.arange(6), length=3, stride=2)  # the last one ends it
    array([[0., 1., 2.],
           [2., 3., 4.],
           [3., 4., 5.]])
    """
    length = check_positive_int(length, "length")
    stride = check_positive_int(stride, "stride")
    array = _check_series(series)
    starts = _window_starts(len(array), length, stride)
    return array[starts[:, None] + np.arange(length)]


def map_window_scores(
    scores, n_timesteps: int, length: int, stride: int = 1, aggregate: str = "mean"
):
    """Give every time stamp of a series the scores of the windows covering it.

    For windows laid out as :func:`sliding_windows` lays them out (same
    ``length`` and ``stride`` over a series of ``n_timesteps`` steps), time
    stamp ``t`` gets the mean, or the minimum, of the scores of the windows that
    contain it (PyOD's ``TimeSeriesOD`` and darts' ``window_agg`` do the same
    with anomaly scores). Time stamps near the ends are covered by fewer
    windows (the first and the last by one).

    Parameters
    ----------
    scores : array-like of shape (n_windows,)
        One score per window, higher for more normal (as ``score_samples``).
    n_timesteps : int
        Length of the series the windows were cut from.
    length : int
        Steps in each window.
    stride : int, default=1
        Steps between the starts of consecutive windows.
    aggregate : {"mean", "max"}, default="mean"
        ``"mean"``: the mean score of the covering windows; ``"max"``: the
        score of the most anomalous one (the largest error, i.e. the lowest
        score).

    Returns
    -------
    point_scores : ndarray of shape (n_timesteps,)
        One score per time stamp.

    Examples
    --------
    >>> from sklearn_lstmae.windows import map_window_scores
    >>> map_window_scores([0.0, -3.0, 0.0], n_timesteps=5, length=3)
    array([ 0. , -1.5, -1. , -1.5,  0. ])
    >>> map_window_scores([0.0, -3.0, 0.0], n_timesteps=5, length=3,
    ...                   aggregate="max")
    array([ 0., -3., -3., -3.,  0.])
    """
    length = check_positive_int(length, "length")
    stride = check_positive_int(stride, "stride")
    n_timesteps = check_positive_int(n_timesteps, "n_timesteps")
    starts = _window_starts(n_timesteps, length, stride)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != starts.shape:
        raise ValueError(
            f"{len(starts)} windows of length={length} and stride={stride} cover "
            f"{n_timesteps} steps, but scores has shape {scores.shape}."
        )
    return _point_scores(scores, starts, length, n_timesteps, aggregate)


def _point_scores(
    scores: np.ndarray, starts: np.ndarray, length: int, n_timesteps: int, aggregate
) -> np.ndarray:
    """Scores of the windows starting at ``starts`` combined per time stamp
    (NaN where no window covers one)."""
    _check_aggregate(aggregate)
    # Every window adds its score at its first step and removes it after its
    # last: a running sum gives the sum (and count) of covering windows.
    if aggregate == "mean":
        total, count = np.zeros(n_timesteps + 1), np.zeros(n_timesteps + 1)
        np.add.at(total, starts, scores)
        np.add.at(total, starts + length, -scores)
        np.add.at(count, starts, 1)
        np.add.at(count, starts + length, -1)
        count = np.cumsum(count[:-1])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, np.cumsum(total[:-1]) / count, np.nan)
    lowest = np.full(n_timesteps, np.inf)
    steps = np.arange(length)
    per_chunk = max(1, 2**20 // length)  # bounded memory for long series
    for first in range(0, len(starts), per_chunk):
        chunk = slice(first, first + per_chunk)
        covered = (starts[chunk, None] + steps).ravel()
        np.minimum.at(lowest, covered, np.repeat(scores[chunk], length))
    return np.where(np.isinf(lowest), np.nan, lowest)


def _check_aggregate(aggregate) -> None:
    if aggregate not in ("mean", "max"):
        raise ValueError(f"aggregate must be 'mean' or 'max', got {aggregate!r}.")
